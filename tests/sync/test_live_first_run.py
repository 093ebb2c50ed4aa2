"""The live sync's first run invoices every order still open at go-live, however old it is."""

from __future__ import annotations

from pathlib import Path

from tests.sync.test_live import NOW, by_order
from tests.sync.world import make_world, real_orders
from woonext.sync.live import sync_orders_once
from woonext.sync.setup import run_setup


def _aged(order: dict, status: str, day: str) -> dict:
    order = {**order, "status": status}
    for field in ("date_created", "date_modified"):
        order[field] = f"{day}T10:00:00"
        order[f"{field}_gmt"] = f"{day}T08:00:00"
    return order


async def test_first_run_invoices_old_processing_orders_and_leaves_old_waiting_ones(tmp_path: Path) -> None:
    orders = real_orders()
    old_processing = _aged(next(o for o in orders if o["id"] == 15), "processing", "2026-10-01")
    old_on_hold = _aged(next(o for o in orders if o["id"] == 16), "on-hold", "2026-10-02")
    rest = [o for o in orders if o["id"] not in (15, 16)]
    world = make_world(tmp_path, [old_processing, old_on_hold, *rest])
    ctx = world.context()
    await run_setup(ctx)

    first = await sync_orders_once(ctx, now=NOW)
    assert [i["docstatus"] for i in by_order(world, 15)] == [1]  # 55 days old, still open: invoiced
    assert by_order(world, 16) == []  # still waiting for payment
    assert 16 not in {r.order_id for r in first.results}  # not even read: outside the look-back

    second = await sync_orders_once(ctx, now=NOW)
    assert 15 not in {r.order_id for r in second.results}  # the sweep runs once; the cursor takes over
    assert len(by_order(world, 15)) == 1
    await ctx.aclose()
