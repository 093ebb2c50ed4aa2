"""An order's last outcome says what is true now: an order found in step is Succeeded, whatever the
attempt before it recorded (found by the soak: a lost answer left a Failed record on a good invoice,
and the live sync fetched that order again on every run)."""

from __future__ import annotations

from pathlib import Path

from tests.sync.test_live import NOW, ready_world
from woonext.store import FAILED, SUCCEEDED
from woonext.sync.live import sync_orders_once
from woonext.sync.orders import Mode, sync_order


async def test_a_stale_failed_record_of_an_order_in_step_becomes_succeeded(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    ctx = world.context()
    await sync_orders_once(ctx, now=NOW)
    ctx.db.record_outcome("main", "order", 15, FAILED, reason="erpnext_Uncertain", detail="the answer was lost")
    assert [o.remote_id for o in ctx.db.latest_failures(store="main")] == ["15"]

    order = await ctx.woo.get_order(15)
    assert order is not None
    result = await sync_order(ctx, order, Mode.LIVE)
    assert result.reason == "already_synced"
    outcome = ctx.db.outcome("main", "order", 15)
    assert outcome is not None and outcome.status == SUCCEEDED
    assert ctx.db.latest_failures(store="main") == []
    await ctx.aclose()
