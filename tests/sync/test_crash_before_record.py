"""An attempt that dies after ERPNext committed the invoice but before woonext recorded it, followed by
a change of the order, must still bring the invoice in step (found by the soak: a cancelled order kept
its submitted invoice because the next attempt took it for "cancelled before invoicing")."""

from __future__ import annotations

from pathlib import Path

from tests.sync.test_live import NOW, by_order, ready_world
from woonext.store import SUCCEEDED
from woonext.sync.documents import INSERTING
from woonext.sync.live import sync_orders_once
from woonext.sync.orders import Mode, sync_order


async def _invoiced_then_forgotten(tmp_path: Path, order_id: int):  # type: ignore[no-untyped-def]
    world = await ready_world(tmp_path)
    ctx = world.context()
    await sync_orders_once(ctx, now=NOW)
    [invoice] = by_order(world, order_id)
    binding = ctx.db.get_binding("main", "order", str(order_id))
    assert binding is not None and binding.erp_name == invoice["name"]
    binding.state, binding.erp_name = INSERTING, ""  # the state the dead attempt left behind
    ctx.db.save_binding(binding)
    return world, ctx, invoice


async def test_an_order_cancelled_after_an_unrecorded_invoice_cancels_it(tmp_path: Path) -> None:
    world, ctx, invoice = await _invoiced_then_forgotten(tmp_path, 15)
    world.woo.cancel(15)
    order = await ctx.woo.get_order(15)
    result = await sync_order(ctx, order, Mode.LIVE)
    assert (result.status, result.reason) == (SUCCEEDED, "cancelled")
    assert [(i["name"], i["docstatus"]) for i in by_order(world, 15)] == [(invoice["name"], 2)]
    await ctx.aclose()


async def test_an_order_put_on_hold_after_an_unrecorded_invoice_keeps_it_recorded(tmp_path: Path) -> None:
    world, ctx, invoice = await _invoiced_then_forgotten(tmp_path, 15)
    world.woo.set_status(15, "on-hold")
    order = await ctx.woo.get_order(15)
    await sync_order(ctx, order, Mode.LIVE)
    binding = ctx.db.get_binding("main", "order", "15")
    assert binding is not None and (binding.state, binding.erp_name) == ("submitted", invoice["name"])
    assert len(by_order(world, 15)) == 1
    await ctx.aclose()
