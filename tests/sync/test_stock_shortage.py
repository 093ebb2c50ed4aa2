"""Issue 13, item 8: stock. On a fresh ERPNext with no stock, `setup` warns (without failing) that the
store's stock items have none in the warehouse; a live order then goes NeedsReview with a hint naming
the item, the warehouse and the order's own date, both fixes, and the command that retries — and stock
added "now" does not help an older order (ERPNext checks stock at the posting time), stock dated before
it does. Over real ports: `woonext setup` and `woonext orders retry` run as a person would."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.realworld import SKUS, real_world
from woonext.sync.live import sync_orders_once
from woonext.sync.setup import run_setup

WAREHOUSE = "Jarz Main - JT"


async def test_no_stock_is_warned_named_and_fixed_by_stock_dated_before_the_order(tmp_path: Path) -> None:
    async with real_world(tmp_path, stock=False) as world:
        ctx = world.context()
        world.product()
        report = await run_setup(ctx)
        [warning] = report.warnings
        assert SKUS[0] in warning.fix and "Allow Negative Stock" in warning.fix and not report.missing
        shown = await world.cli("setup")
        # a warning, not a missing prerequisite (the store checks may find other things on this bare store)
        assert "1 warning(s)" in shown.output and "1 have none: TSHIRT-EG-001" in shown.output, shown.output

        order = world.new_order()
        placed = datetime.fromisoformat(order["date_created"])  # site-local, like the invoice's posting time
        [result] = (await sync_orders_once(ctx)).results
        assert (result.status, result.reason) == ("NeedsReview", "erpnext_NegativeStockError")
        for words in (SKUS[0], WAREHOUSE, placed.strftime("%Y-%m-%d %H:%M:%S"), "Allow Negative Stock"):
            assert words in result.hint, (words, result.hint)
        assert f"woonext orders retry {order['id']} --store main" in result.hint

        world.clock.advance(3600)
        world.erp.add_stock(SKUS[0], WAREHOUSE, 10)  # received "now", an hour after the order
        retry = ("orders", "retry", str(order["id"]))
        still = await world.cli(*retry)
        assert still.exit_code == 1 and "NegativeStockError" in still.output, still.output
        world.erp.add_stock(SKUS[0], WAREHOUSE, 10, placed.replace(hour=0, minute=0))  # dated before the order
        done = await world.cli(*retry)
        assert done.exit_code == 0 and "Succeeded created" in done.output, done.output
        [invoice] = world.erp.db.all("Sales Invoice")
        assert (invoice["docstatus"], invoice["woo_order_id"]) == (1, str(order["id"]))
        again = await run_setup(ctx)
        assert not again.warnings


async def test_allow_negative_stock_is_reported_as_such(tmp_path: Path) -> None:
    async with real_world(tmp_path, stock=False) as world:
        ctx = world.context()
        world.product()
        await ctx.erp.update("Stock Settings", "Stock Settings", {"allow_negative_stock": 1})
        report = await run_setup(ctx)
        assert not report.warnings
        assert any("Allow Negative Stock is on" in c.what and c.ok for c in report.checks)
