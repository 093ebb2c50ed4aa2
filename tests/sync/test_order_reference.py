"""Issue 13, item 2: every document woonext writes names its order. Sales Invoices, credit notes —
including those of full refunds made by ERPNext's `make_sales_return`, which drops no_copy fields —
and Payment Entries (prepaid live orders, foreign-currency migrated orders, refunds paid out) all
carry `woo_order_id` and `woo_order_number`."""

from __future__ import annotations

import random
from pathlib import Path

import httpx

from woonext.config import Config
from woonext.demo import _new_order
from woonext.sim.serve import build_pair
from woonext.store import StateDB
from woonext.sync.context import Transports, open_store
from woonext.sync.live import sync_orders_once
from woonext.sync.migration import MigrationOptions, migrate
from woonext.sync.setup import run_setup


async def test_every_invoice_credit_note_and_payment_entry_names_its_order(tmp_path: Path) -> None:
    pair = build_pair(seed=2, orders=100)
    config = Config.model_validate(
        pair.config("http://woo.test", "http://erp.test", f"sqlite:///{tmp_path / 'state.sqlite'}")
    )
    db = StateDB.open(config.state_url, pair.woo.clock)
    transports = Transports(woo=httpx.ASGITransport(app=pair.woo.app), erpnext=httpx.ASGITransport(app=pair.erp.app))
    ctx = open_store(config, config.stores[0], db, transports)
    await run_setup(ctx)
    await ctx.erp.update("Company", config.stores[0].company, {"custom_kashier_account": pair.masters.kashier_account})
    await migrate(ctx, MigrationOptions(all_pages=True))
    rng = random.Random(2)
    live = [_new_order(pair, rng, method, "processing") for method in ("kashier_card", "cod", "kashier_wallet")]
    await sync_orders_once(ctx)
    pair.woo.refund(
        live[0]["id"], amount=pair.woo.orders[live[0]["id"]]["total"]
    )  # a full refund of a paid live order: make_sales_return
    pair.woo.refund(live[1]["id"], amount="10.00")
    pair.woo.clock.advance(60)
    await sync_orders_once(ctx)
    await ctx.aclose()

    numbers = {str(o["id"]): str(o.get("number") or o["id"]) for o in pair.woo.orders.values()}
    invoices = pair.erp.db.all("Sales Invoice")
    returns = [d for d in invoices if d.get("is_return")]
    entries = pair.erp.db.all("Payment Entry")
    full_returns = [d for d in returns if any(row.get("sales_invoice_item") for row in d.get("items") or [])]
    assert len(returns) >= 10 and len(entries) >= 3 and full_returns  # the store has every kind
    for doc in [*invoices, *entries]:
        order_id = str(doc.get("woo_order_id") or "")
        assert order_id in numbers, (doc["doctype"], doc["name"], doc.get("is_return"))
        assert doc.get("woo_order_number") == numbers[order_id], doc["name"]
    for note in returns:  # and it is the order of the invoice it returns against
        original = pair.erp.db.get("Sales Invoice", note["return_against"])
        assert original is not None and original["woo_order_id"] == note["woo_order_id"]
