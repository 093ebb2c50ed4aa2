"""An older copy of an order (a poll page read before a webhook's re-read) never undoes a newer version
already synced: with edits, acting on it would amend the invoice back to the old lines. (Suspected from
the PostgreSQL soak's amendment count, which on inspection came from real edits; the race is real all
the same, as this test shows without the fix.)"""

from __future__ import annotations

from pathlib import Path

from tests.sync.test_live import NOW, by_order, ready_world
from woonext.sync.live import sync_orders_once
from woonext.sync.orders import Mode, sync_order


async def test_an_older_copy_after_an_amendment_changes_nothing(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    ctx = world.context()
    await sync_orders_once(ctx, now=NOW)
    stale = await ctx.woo.get_order(15)
    assert stale is not None
    line = stale["line_items"][0]
    world.woo.edit_lines(15, {"line_items": [{"id": line["id"], "quantity": int(line["quantity"]) + 1}]})
    fresh = await ctx.woo.get_order(15)
    assert fresh is not None and fresh["date_modified_gmt"] > stale["date_modified_gmt"]

    amended = await sync_order(ctx, fresh, Mode.LIVE)
    assert amended.reason == "amended"
    before = ctx.erp.requests
    late = await sync_order(ctx, stale, Mode.LIVE)
    assert (late.reason, ctx.erp.requests - before) == ("already_synced", 0)
    assert [(i["docstatus"], bool(i.get("amended_from"))) for i in by_order(world, 15)] == [(2, False), (1, True)]
    await ctx.aclose()
