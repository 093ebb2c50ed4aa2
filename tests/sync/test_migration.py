"""Historical migration end to end against both simulators."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.sync.world import make_world, real_orders
from woonext.sync.migration import MigrationOptions, migrate
from woonext.sync.setup import run_setup


async def test_setup_then_migration_of_real_orders(tmp_path: Path) -> None:
    world = make_world(tmp_path, real_orders())
    ctx = world.context()
    first = await run_setup(ctx)
    assert "Sales Invoice-woonext_sync_key" in first.created
    second = await run_setup(ctx)
    assert second.created == [] and second.updated == []

    report = await migrate(ctx, MigrationOptions(all_pages=True))
    completed = [o for o in real_orders() if o["status"] == "completed"]
    cancelled = [o for o in real_orders() if o["status"] == "cancelled"]
    assert report.failed == 0, report.failures
    assert report.created == len(completed) + len(cancelled)
    for order in completed:
        [invoice] = world.invoices(woo_order_id=str(order["id"]))
        assert invoice["docstatus"] == 1 and invoice["status"] == "Paid"
        assert Decimal(str(invoice["grand_total"])) == Decimal(order["total"])
        assert invoice["update_stock"] == 0 and invoice["is_pos"] == 1
    for order in cancelled:
        [invoice] = world.invoices(woo_order_id=str(order["id"]))
        assert invoice["docstatus"] == 2

    again = await migrate(ctx, MigrationOptions(all_pages=True))
    assert again.created == 0 and again.failed == 0
    assert len(world.erp.db.all("Sales Invoice")) == len(completed) + len(cancelled)
    await ctx.aclose()
