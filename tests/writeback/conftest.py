"""A shop for writeback tests: WooCommerce and ERPNext simulators in-process, woonext's receiver for
both sides' webhooks, the worker, and the ERPNext operations a person does by hand (cash recorded
when the courier comes back, a Delivery Note, a credit note)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.refunds.conftest import BILLING
from tests.sync.world import World, jarz_masters, make_world
from woonext.runtime.erp_install import install_erpnext
from woonext.runtime.web import create_app
from woonext.runtime.worker import Worker
from woonext.sync.context import StoreContext
from woonext.sync.orders import Mode, OrderResult, sync_order
from woonext.sync.setup import run_setup

ERP_SECRET = "erp-s3cret"
BASE = "http://woonext.test"
ON = {"enabled": True}
GET_PAYMENT_ENTRY = "erpnext.accounts.doctype.payment_entry.payment_entry.get_payment_entry"
MAKE_DELIVERY_NOTE = "erpnext.accounts.doctype.sales_invoice.sales_invoice.make_delivery_note"
MAKE_SALES_RETURN = "erpnext.accounts.doctype.sales_invoice.sales_invoice.make_sales_return"
LOCAL = {"name", "__islocal", "__unsaved", "__onload", "docstatus", "status", "owner", "creation", "modified"}


class Shop:
    def __init__(self, world: World, ctx: StoreContext) -> None:
        self.world, self.ctx = world, ctx
        self.woo, self.erp = world.woo, world.erp
        self.products = {
            "CAKE": self.woo.add_product("Cake", "CAKE", "100.00"),
            "MUG": self.woo.add_product("Mug", "MUG", "45.50"),
        }

    # -- WooCommerce ----------------------------------------------------------------------------------
    def order(self, method: str = "cod", lines: dict[str, int] | None = None, paid: bool = False) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "payment_method": method,
            "status": "processing",
            "billing": BILLING,
            "line_items": [
                {"product_id": self.products[sku]["id"], "quantity": qty}
                for sku, qty in (lines or {"CAKE": 2, "MUG": 1}).items()
            ],
            "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "30.00"}],
        }
        if method.startswith("kashier"):
            spec["transaction_id"] = "KSH-TXN-1"
        order = self.woo.create_order(spec)
        if paid:
            self.woo.pay(order["id"], "KSH-TXN-1")
        return dict(self.woo.orders[order["id"]])

    async def sync(self, order_id: int) -> OrderResult:
        """The order sync as a webhook or the poll runs it: the order re-read over REST."""
        order = await self.ctx.woo.get_order(order_id)
        assert order is not None
        return await sync_order(self.ctx, order, Mode.LIVE)

    async def invoiced(self, **kwargs: Any) -> tuple[dict[str, Any], str]:
        """A live order and its unpaid, submitted invoice."""
        order = self.order(**kwargs)
        result = await self.sync(order["id"])
        assert result.status == "Succeeded" and result.invoice, result
        return self.woo.orders[order["id"]], result.invoice

    def woo_writes(self) -> list[tuple[str, str, int]]:
        """Every REST write WooCommerce received (the tests change orders through the simulator, not REST)."""
        return [r for r in self.woo.request_log if r[0] in ("POST", "PUT", "PATCH", "DELETE")]

    def notes(self, order_id: int) -> list[dict[str, Any]]:
        return list(self.woo.book.notes.get(order_id, []))

    def emails(self, order_id: int) -> list[str]:
        return [e.title for e in self.woo.emails if e.order_id == order_id]

    # -- ERPNext, as a person works in it ---------------------------------------------------------------
    async def _mapped(self, method: str, **kwargs: Any) -> dict[str, Any]:
        doc = await self.ctx.erp.call(method, **kwargs)
        return {k: v for k, v in dict(doc).items() if k not in LOCAL}

    async def pay(self, invoice: str) -> str:
        """The courier's cash recorded against the invoice (get_payment_entry, samples 98–99)."""
        entry = await self._mapped(GET_PAYMENT_ENTRY, dt="Sales Invoice", dn=invoice)
        entry.update(
            mode_of_payment="Cash", reference_no="COURIER-1", reference_date=entry["posting_date"], docstatus=1
        )
        return str((await self.ctx.erp.insert("Payment Entry", entry))["name"])

    async def deliver(self, invoice: str) -> str:
        """A Delivery Note made from the invoice and submitted (samples 93–94)."""
        note = await self._mapped(MAKE_DELIVERY_NOTE, source_name=invoice)
        note["items"] = [{k: v for k, v in row.items() if k not in LOCAL} for row in note["items"]]
        return str((await self.ctx.erp.insert("Delivery Note", {**note, "docstatus": 1}))["name"])

    async def credit(self, invoice: str) -> str:
        """A full credit note made in ERPNext (make_sales_return, sample 97), reducing what is owed."""
        note = await self._mapped(MAKE_SALES_RETURN, source_name=invoice)
        for table in ("items", "taxes", "payment_schedule"):
            note[table] = [{k: v for k, v in row.items() if k not in LOCAL} for row in note.get(table) or []]
        note.update(update_outstanding_for_self=0, docstatus=1)
        return str((await self.ctx.erp.insert("Sales Invoice", note))["name"])

    async def cancel(self, doctype: str, name: str) -> None:
        await self.ctx.erp.cancel(doctype, name)

    # -- the service ------------------------------------------------------------------------------------
    async def install(self) -> None:
        """`woonext webhooks install` for ERPNext, and WooCommerce's order.updated to the same receiver."""
        app = create_app(self.world.config, self.world.db)
        self.erp.webhook_transport = httpx.ASGITransport(app=app)
        self.woo.webhook_transport = httpx.ASGITransport(app=app)
        self.woo.add_webhook("order.updated", f"{BASE}/webhooks/woocommerce/main", "s3cret")
        await install_erpnext(self.ctx, BASE)

    async def work(self) -> None:
        """Both systems deliver what is due; woonext's worker runs everything queued."""
        self.world.clock.advance(1)
        await self.erp.run_webhooks(now=False)
        await self.woo.run_webhooks()
        worker = Worker(self.world.config, self.world.db, self.world.transports())
        while await worker.run_once() is not None:
            pass
        await worker.aclose()


async def make_shop(tmp_path: Path, writeback: dict[str, Any] | None = None) -> tuple[Shop, StoreContext]:
    masters = jarz_masters(["CAKE", "MUG"])
    store = {"erpnext_webhook_secret": ERP_SECRET, "writeback": writeback if writeback is not None else ON}
    world = make_world(tmp_path, [], masters=masters, store=store)
    ctx = world.context()
    await run_setup(ctx)
    await ctx.erp.update("Company", "Jarz Test", {"custom_kashier_account": "Kashier - JT"})
    return Shop(world, ctx), ctx


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    built, ctx = await make_shop(tmp_path)
    yield built
    await ctx.aclose()
