"""Refunds and edits reach ERPNext through the live poll (the same path a webhook's re-read takes)."""

from __future__ import annotations

from decimal import Decimal

from tests.refunds.conftest import Shop, money
from woonext.sync.live import sync_orders_once


async def test_refunds_and_edits_arriving_live_are_applied_by_the_next_poll(shop: Shop) -> None:
    refunded = shop.order("kashier_card", paid=True)
    edited = shop.order("cod", {"TART": 1})
    untouched = shop.order("cod", {"CAKE": 1})
    first = await sync_orders_once(shop.ctx)
    assert first.created == 3

    shop.woo.clock.advance(60)
    shop.woo.refund(refunded["id"], line_items=[{"id": shop.line_id(refunded["id"], "CAKE"), "quantity": 1}])
    shop.woo.edit_lines(edited["id"], [{"product_id": shop.products["CAKE"]["id"], "quantity": 1}])
    shop.woo.update_order(untouched["id"], {"status": "completed"})
    second = await sync_orders_once(shop.ctx)

    reasons = {r.order_id: r.reason for r in second.results}
    assert reasons[refunded["id"]] == "updated" and reasons[edited["id"]] == "amended"
    assert reasons.get(untouched["id"], "already_synced") == "already_synced"
    [note] = shop.credit_notes(refunded["id"])
    assert money(note["grand_total"]) == Decimal("-114.00") and note["is_pos"] == 1
    [amended] = [d for d in shop.invoices(edited["id"]) if d["docstatus"] == 1]
    assert money(amended["grand_total"]) == money(shop.woo.orders[edited["id"]]["total"])
    assert [d["docstatus"] for d in shop.invoices(untouched["id"])] == [1]

    third = await sync_orders_once(shop.ctx)
    assert third.created == 0 and len(shop.credit_notes(refunded["id"])) == 1
