"""A refund deleted in WooCommerce after its credit note was made: the credit note (and a
foreign-currency refund's Payment Entry) is cancelled, exactly once, found by the next sync of the
order or, since WooCommerce does not touch the order, by the scheduled reconciliation's sweep."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.money.checks import d, make_money_world
from tests.money.test_regressions import skewed_eur_order, sync_one
from tests.refunds.conftest import Shop, money
from tests.sync.world import World
from woonext.store import SUCCEEDED
from woonext.sync.orders import Mode, sync_order
from woonext.sync.reconcile import reconcile_job
from woonext.sync.refund_deletions import CREDITED, DELETED, LEGACY_CHECKPOINT, REASON
from woonext.sync.refund_sweep import sweep_deleted_refunds
from woonext.sync.refunds import sync_refunds

CANCEL = "POST /api/method/frappe.client.cancel"


async def delete_refund(shop: Shop, order_id: int, refund_id: int) -> None:
    """What a shop manager's "Delete refund" or a REST client does (the order is not saved)."""
    await shop.ctx.woo.delete(f"orders/{order_id}/refunds/{refund_id}", {"force": "true"})


def cancels(shop: Shop) -> int:
    return sum(1 for method, path, _ in shop.erp.request_log if method == "POST" and path.endswith("client.cancel"))


async def restocked_refund(shop: Shop) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    order = shop.order("cod", {"CAKE": 3, "TART": 2})
    await shop.sync(order["id"])
    refund = shop.woo.refund(
        order["id"], line_items=[{"id": shop.line_id(order["id"], "CAKE"), "quantity": 2}], restock=True
    )
    await shop.sync(order["id"])
    [note] = shop.credit_notes(order["id"])
    assert shop.stock_moves(note["name"]) == {"CAKE": Decimal(2)}
    return order, refund, note


async def test_woocommerce_leaves_the_order_untouched_when_a_refund_is_deleted(shop: Shop) -> None:
    """WC_AJAX::delete_refund and REST DELETE only delete the refund: no save of the order, so no new
    date_modified, the status stays `refunded`, no webhook; only the refund lists lose it."""
    order = shop.order("cod", {"CAKE": 1})
    shop.woo.hub.create("sync", "order.updated", "http://woonext.test/webhooks")
    refund = shop.woo.refund(order["id"], amount=order["total"])
    before = await shop.ctx.woo.get_order(order["id"])
    assert before is not None and before["status"] == "refunded"
    shop.woo.hub.queue.clear()

    await delete_refund(shop, order["id"], refund["id"])

    after = await shop.ctx.woo.get_order(order["id"])
    assert after is not None and after["refunds"] == [] and await shop.ctx.woo.list_refunds(order["id"]) == []
    assert (after["status"], after["date_modified_gmt"]) == ("refunded", before["date_modified_gmt"])
    assert shop.woo.hub.queue == []


async def test_a_deleted_refunds_credit_note_is_cancelled_and_its_stock_goes_back_out(shop: Shop) -> None:
    order, refund, note = await restocked_refund(shop)
    [invoice] = shop.invoices(order["id"])
    reads = shop.woo_refund_reads()
    await delete_refund(shop, order["id"], refund["id"])

    result = await shop.sync(order["id"])

    assert (result.status, result.reason) == (SUCCEEDED, "updated")
    assert result.detail.startswith(f"{REASON}: refund {refund['id']}") and note["name"] in result.detail
    outcome = shop.world.db.outcome("main", "order", order["id"])
    assert outcome is not None and outcome.detail == result.detail  # the record says what was cancelled
    assert shop.erp.db.get("Sales Invoice", note["name"])["docstatus"] == 2
    assert shop.stock_moves(note["name"]) == {}  # the return's +2 CAKE reversed by the cancel
    assert shop.stock_moves(invoice["name"]) == {"CAKE": Decimal(-3), "TART": Decimal(-2)}
    original = shop.erp.db.get("Sales Invoice", invoice["name"])
    assert money(original["outstanding_amount"]) == money(order["total"])  # owed in full again
    assert shop.customer_balance(invoice["customer"]) == money(order["total"])
    credit = shop.binding("refund", refund["id"])
    assert (credit.state, credit.data["cancel_reason"]) == ("cancelled", REASON)
    binding = shop.binding("order", order["id"])
    assert binding.data[CREDITED] == [] and binding.data[DELETED][0]["credit_note"] == note["name"]
    assert shop.woo_refund_reads() == reads + 1  # the one read that confirms the deletion

    again = await shop.sync(order["id"])
    assert again.reason == "already_synced" and shop.woo_refund_reads() == reads + 1
    assert cancels(shop) == 1


async def test_the_outcome_says_which_credit_note_was_cancelled(shop: Shop) -> None:
    order, refund, note = await restocked_refund(shop)
    await delete_refund(shop, order["id"], refund["id"])
    fresh = await shop.ctx.woo.get_order(order["id"])
    assert fresh is not None

    done = await sync_refunds(shop.ctx, fresh, shop.binding("order", order["id"]))

    assert done.wrote and [c.refund_id for c in done.deleted] == [str(refund["id"])]
    assert done.detail == (
        f"{REASON}: refund {refund['id']} deleted in WooCommerce: credit note {note['name']} cancelled"
    )


async def test_a_lost_answer_on_the_cancel_still_cancels_once(shop: Shop) -> None:
    order, refund, note = await restocked_refund(shop)
    await delete_refund(shop, order["id"], refund["id"])
    shop.erp.faults.inject_next("lost", route=CANCEL, count=1)

    attempts = [await shop.sync(order["id"]) for _ in range(3)]

    assert shop.erp.faults.injected["lost"] == 1
    assert [a.reason for a in attempts] == ["updated", "already_synced", "already_synced"]
    assert cancels(shop) == 1 and shop.erp.db.get("Sales Invoice", note["name"])["docstatus"] == 2
    assert shop.stock_moves(note["name"]) == {}


async def test_a_note_cancelled_by_a_run_that_died_before_recording_it_is_not_cancelled_twice(shop: Shop) -> None:
    order, refund, note = await restocked_refund(shop)
    await delete_refund(shop, order["id"], refund["id"])
    await shop.ctx.erp.cancel("Sales Invoice", note["name"])  # ERPNext committed, woonext never heard

    result = await shop.sync(order["id"])

    assert (result.status, result.reason) == (SUCCEEDED, "updated")
    assert shop.binding("refund", refund["id"]).state == "cancelled"
    assert shop.stock_moves(note["name"]) == {}  # reversed once, not twice


async def test_nothing_is_read_or_written_when_no_refund_was_deleted(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    shop.woo.refund(order["id"], amount="10.00")
    shop.woo.refund(order["id"], amount="15.00")
    await shop.sync(order["id"])
    reads, erp_requests = shop.woo_refund_reads(), shop.ctx.erp.requests

    for _ in range(3):
        assert (await shop.sync(order["id"])).reason == "already_synced"

    assert shop.woo_refund_reads() == reads and shop.ctx.erp.requests == erp_requests
    assert len(shop.binding("order", order["id"]).data[CREDITED]) == 2


async def test_one_of_two_refunds_deleted_then_a_new_one_gets_a_new_credit_note(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    kept = shop.woo.refund(order["id"], amount="10.00")
    mistake = shop.woo.refund(order["id"], amount="15.00")
    await shop.sync(order["id"])
    await delete_refund(shop, order["id"], mistake["id"])
    await shop.sync(order["id"])
    redo = shop.woo.refund(order["id"], amount="12.50", reason="the right amount")

    assert (await shop.sync(order["id"])).reason == "updated"

    notes = {n["woonext_sync_key"].rsplit(":", 1)[1]: n for n in shop.credit_notes(order["id"])}
    assert {rid: n["docstatus"] for rid, n in notes.items()} == {
        str(kept["id"]): 1,
        str(mistake["id"]): 2,
        str(redo["id"]): 1,
    }
    assert money(notes[str(redo["id"])]["grand_total"]) == Decimal("-12.50")
    [invoice] = shop.invoices(order["id"])
    assert money(shop.erp.db.get("Sales Invoice", invoice["name"])["outstanding_amount"]) == money(
        order["total"]
    ) - Decimal("22.50")


async def test_the_only_refund_of_a_migrated_pos_paid_order_deleted_leaves_it_paid(shop: Shop) -> None:
    order = shop.order("cod")
    shop.woo.complete(order["id"])
    await shop.sync(order["id"], Mode.HISTORICAL)
    [invoice] = shop.invoices(order["id"])
    refund = shop.woo.refund(order["id"], amount="40.00", reason="amount only")
    await shop.sync(order["id"], Mode.HISTORICAL)
    [note] = shop.credit_notes(order["id"])
    assert note["is_pos"] == 1
    await delete_refund(shop, order["id"], refund["id"])

    result = await shop.sync(order["id"], Mode.HISTORICAL)

    assert result.reason == "updated" and shop.erp.db.get("Sales Invoice", note["name"])["docstatus"] == 2
    assert money(shop.erp.db.get("Sales Invoice", invoice["name"])["outstanding_amount"]) == 0  # still paid
    assert shop.customer_balance(invoice["customer"]) == 0


def make_it_look_older(shop: Shop, order_id: int, refund_id: int) -> None:
    """Bindings as an older woonext left them: the order's without `credited_refunds`, the credit
    note's without `order`, and no checkpoint yet (the first run of this version)."""
    for kind, remote_id, key in (("order", order_id, CREDITED), ("refund", refund_id, "order")):
        binding = shop.binding(kind, remote_id)
        binding.data = {k: v for k, v in binding.data.items() if k != key}
        shop.world.db.save_binding(binding)
    shop.world.db.clear_checkpoint("main", LEGACY_CHECKPOINT)


async def test_a_binding_made_before_credited_refunds_existed_is_filled_from_the_state_db(shop: Shop) -> None:
    order, refund, note = await restocked_refund(shop)
    newer = shop.order("cod")
    make_it_look_older(shop, order["id"], refund["id"])
    await delete_refund(shop, order["id"], refund["id"])

    await shop.sync(order["id"])
    await shop.sync(newer["id"])

    assert shop.erp.db.get("Sales Invoice", note["name"])["docstatus"] == 2
    assert shop.binding("order", order["id"]).data[CREDITED] == []
    checkpoint = shop.world.db.get_checkpoint("main", LEGACY_CHECKPOINT)
    assert checkpoint is not None and checkpoint["last_credit_without_order"]
    # an order invoiced now starts with its (empty) list: nothing to look up
    assert shop.binding("order", newer["id"]).data[CREDITED] == []


async def test_a_new_order_costs_no_state_db_lookup_of_older_credit_notes(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    assert shop.binding("order", order["id"]).data[CREDITED] == []  # made with the invoice
    assert shop.world.db.get_checkpoint("main", LEGACY_CHECKPOINT) is None  # so no look-up of older notes


async def test_a_refund_deleted_between_the_order_read_and_the_refund_read_gets_no_credit_note(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    refund = shop.woo.refund(order["id"], amount="10.00")
    stale = await shop.ctx.woo.get_order(order["id"])
    assert stale is not None and [r["id"] for r in stale["refunds"]] == [refund["id"]]
    await delete_refund(shop, order["id"], refund["id"])

    await sync_order(shop.ctx, stale, Mode.LIVE)

    assert shop.credit_notes(order["id"]) == []


async def test_the_scheduled_reconciliation_finds_a_deletion_no_sync_would_see(shop: Shop) -> None:
    order, refund, note = await restocked_refund(shop)
    other = shop.order("cod")
    await shop.sync(other["id"])
    shop.woo.refund(other["id"], amount="5.00")
    await shop.sync(other["id"])
    await delete_refund(shop, order["id"], refund["id"])
    woo_before = shop.ctx.woo.requests

    swept = await sweep_deleted_refunds(shop.ctx)

    assert swept.orders_checked == 2 and [(r.order_id, r.reason) for r in swept.results] == [(order["id"], "updated")]
    assert shop.erp.db.get("Sales Invoice", note["name"])["docstatus"] == 2
    # one page of orders for both, the order's refund list to confirm: no request per order
    assert shop.ctx.woo.requests - woo_before == 2
    summary = await reconcile_job(shop.ctx)
    assert "deleted refunds" not in summary and "no mismatches" in summary, summary


async def test_the_job_summary_names_the_resynced_order(shop: Shop) -> None:
    order, refund, _ = await restocked_refund(shop)
    await delete_refund(shop, order["id"], refund["id"])

    summary = await reconcile_job(shop.ctx)

    assert (
        f"deleted refunds: 1 order(s) with recent credit notes, 1 re-synced ({order['id']} Succeeded "
        "updated)" in summary
    ), summary


@pytest.fixture
def money_world(tmp_path: Path) -> World:
    return make_money_world(tmp_path)  # sets ERPNext up with its own event loop: not from a running one


async def test_a_foreign_currency_refund_deleted_cancels_its_payment_entry_then_its_credit_note(
    money_world: World,
) -> None:
    world = money_world
    served, result = await sync_one(world, skewed_eur_order(), "historical completed")
    refund = world.woo.refund(served["id"], amount="131.72", reason="one item returned")
    ctx = world.context()
    try:
        order = await ctx.woo.get_order(served["id"])
        assert order is not None
        assert (await sync_order(ctx, order, Mode.HISTORICAL)).reason == "updated"
        [note] = [n for n in world.erp.db.all("Sales Invoice") if n.get("is_return")]
        [entry] = [e for e in world.erp.db.all("Payment Entry") if e["payment_type"] == "Pay"]
        await ctx.woo.delete(f"orders/{served['id']}/refunds/{refund['id']}", {"force": "true"})
        world.erp.faults.inject_next("lost", route=CANCEL, count=1)  # the entry's cancel answer is lost
        order = await ctx.woo.get_order(served["id"])
        assert order is not None
        attempts = [await sync_order(ctx, order, Mode.HISTORICAL) for _ in range(2)]
    finally:
        await ctx.aclose()
    assert [a.reason for a in attempts] == ["updated", "already_synced"] and world.erp.faults.injected["lost"] == 1
    assert world.erp.db.get("Payment Entry", entry["name"])["docstatus"] == 2
    assert world.erp.db.get("Sales Invoice", note["name"])["docstatus"] == 2
    assert d(world.erp.db.get("Sales Invoice", result.invoice)["outstanding_amount"]) == 0  # the sale stays paid
    payment = world.db.get_binding("main", "refund_payment", str(refund["id"]))
    assert payment is not None and (payment.state, payment.data["cancel_reason"]) == ("cancelled", REASON)
    binding = world.db.get_binding("main", "order", str(served["id"]))
    assert binding is not None and binding.data[DELETED][0]["payment_entry"] == entry["name"]


async def test_a_foreign_currency_note_still_waiting_for_its_payment_entry_is_cancelled_alone(
    money_world: World,
) -> None:
    """The refund's Payment Entry failed (binding `refunding`, entry `inserting`), then the refund was
    deleted: the entry is looked up by its key (none), the credit note cancelled, nothing paid out."""
    world = money_world
    served, result = await sync_one(world, skewed_eur_order(), "historical completed")
    refund = world.woo.refund(served["id"], amount="131.72")
    world.erp.faults.inject_next("500", route="POST /api/resource/Payment Entry", count=50)
    ctx = world.context()
    try:
        order = await ctx.woo.get_order(served["id"])
        assert order is not None
        await sync_order(ctx, order, Mode.HISTORICAL)
        credit = world.db.get_binding("main", "refund", str(refund["id"]))
        assert credit is not None and credit.state == "refunding"
        world.erp.faults.clear()
        await ctx.woo.delete(f"orders/{served['id']}/refunds/{refund['id']}", {"force": "true"})
        order = await ctx.woo.get_order(served["id"])
        assert order is not None
        again = await sync_order(ctx, order, Mode.HISTORICAL)
    finally:
        await ctx.aclose()
    assert again.reason == "updated"
    [note] = [n for n in world.erp.db.all("Sales Invoice") if n.get("is_return")]
    assert note["docstatus"] == 2 and not [e for e in world.erp.db.all("Payment Entry") if e["payment_type"] == "Pay"]
    assert d(world.erp.db.get("Sales Invoice", result.invoice)["outstanding_amount"]) == 0
    payment = world.db.get_binding("main", "refund_payment", str(refund["id"]))
    assert payment is not None and (payment.state, payment.erp_name) == ("cancelled", "")
