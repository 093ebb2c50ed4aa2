"""A small shop for refund and edit tests: a WooCommerce simulator with taxed, stock-managed products
and an ERPNext simulator seeded to match, synced through the real live path over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.sync.world import World, jarz_masters, make_world
from woonext.store import Binding
from woonext.sync.context import StoreContext
from woonext.sync.orders import Mode, OrderResult, sync_order
from woonext.sync.setup import run_setup

VAT = "VAT 14% - JT"
WAREHOUSE = "Jarz Main - JT"
BILLING = {
    "first_name": "Mona",
    "last_name": "Hassan",
    "email": "mona@example.test",
    "phone": "+201012345678",
    "address_1": "5 Nile St",
    "city": "Cairo",
    "country": "EG",
}
WRITE_METHODS = ("frappe.client.cancel", "frappe.client.submit", "frappe.client.delete")


class Shop:
    """The WooCommerce side (products CAKE and TART manage stock, WRAP does not) and the helpers the
    tests read ERPNext with."""

    def __init__(self, world: World, ctx: StoreContext) -> None:
        self.world, self.ctx = world, ctx
        self.woo, self.erp = world.woo, world.erp
        self.woo.add_tax_rate("14.0000", "VAT")
        self.products = {
            "CAKE": self.woo.add_product("Cake", "CAKE", "100.00", manage_stock=True, stock_quantity=50),
            "TART": self.woo.add_product("Tart", "TART", "45.50", manage_stock=True, stock_quantity=50),
            "WRAP": self.woo.add_product("Gift wrap", "WRAP", "12.00"),
        }

    def order(
        self,
        method: str = "cod",
        lines: dict[str, int] | None = None,
        *,
        shipping: str = "30.00",
        fees: list[dict[str, Any]] | None = None,
        paid: bool = False,
    ) -> dict[str, Any]:
        lines = lines or {"CAKE": 3, "TART": 2}
        spec: dict[str, Any] = {
            "payment_method": method,
            "status": "processing",
            "billing": BILLING,
            "shipping": BILLING,
            "line_items": [{"product_id": self.products[sku]["id"], "quantity": qty} for sku, qty in lines.items()],
            "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": shipping}],
            "fee_lines": fees or [],
        }
        if method.startswith("kashier"):
            spec["transaction_id"] = "KSH-TXN-1"
        order = self.woo.create_order(spec)
        if paid:
            self.woo.pay(order["id"], "KSH-TXN-1")
        return self.woo.orders[order["id"]]

    def line_id(self, order_id: int, sku: str) -> int:
        return int(next(li["id"] for li in self.woo.orders[order_id]["line_items"] if li["sku"] == sku))

    async def sync(self, order_id: int, mode: Mode = Mode.LIVE) -> OrderResult:
        """What a webhook or a poll does: re-read the order over REST, then the one code path."""
        order = await self.ctx.woo.get_order(order_id)
        assert order is not None
        return await sync_order(self.ctx, order, mode)

    def binding(self, kind: str, remote_id: int) -> Binding:
        found = self.world.db.get_binding("main", kind, str(remote_id))
        assert found is not None
        return found

    def invoices(self, order_id: int) -> list[dict[str, Any]]:
        return [
            d
            for d in self.erp.db.all("Sales Invoice")
            if d.get("woo_order_id") == str(order_id) and not d.get("is_return")
        ]

    def credit_notes(self, order_id: int) -> list[dict[str, Any]]:
        return [
            d for d in self.erp.db.all("Sales Invoice") if d.get("woo_order_id") == str(order_id) and d.get("is_return")
        ]

    def stock_moves(self, voucher: str) -> dict[str, Decimal]:
        """The net stock change a document made per item (a cancel's reversal entries included)."""
        moves: dict[str, Decimal] = {}
        for entry in self.erp.stock_ledger:
            if entry["voucher_no"] == voucher:
                code = entry["item_code"]
                moves[code] = moves.get(code, Decimal(0)) + Decimal(str(entry["actual_qty"]))
        return {code: qty for code, qty in moves.items() if qty}

    def customer_balance(self, customer: str) -> Decimal:
        """What the customer owes (debit − credit on their receivable), from the GL entries (a cancel's
        reversal entries included)."""
        total = Decimal(0)
        for entry in self.erp.gl_entries:
            if entry.get("party") == customer:
                total += Decimal(str(entry.get("debit") or 0)) - Decimal(str(entry.get("credit") or 0))
        return total

    def erp_writes(self) -> int:
        """Requests that change something in ERPNext."""
        return sum(
            1
            for method, path, _ in self.erp.request_log
            if method in ("PUT", "DELETE")
            or (method == "POST" and (path.startswith("/api/resource") or path.endswith(WRITE_METHODS)))
        )

    def woo_refund_reads(self) -> int:
        return sum(1 for method, path, _ in self.woo.request_log if method == "GET" and path.endswith("/refunds"))


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    masters = jarz_masters(["CAKE", "TART", "WRAP"], [VAT])
    world = make_world(tmp_path, [], masters=masters, tax_accounts={"1": VAT})
    ctx = world.context()
    await run_setup(ctx)
    await ctx.erp.update("Company", "Jarz Test", {"custom_kashier_account": "Kashier - JT"})
    yield Shop(world, ctx)
    await ctx.aclose()


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
