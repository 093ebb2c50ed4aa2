"""Orders edited after invoicing: an open invoice is cancelled and amended, a paid or delivered one is
parked NeedsReview with the difference, and changes that are not lines or totals touch nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.refunds.conftest import Shop, money
from woonext.mapping.keys import legacy_content_hash
from woonext.store import FAILED, NEEDS_REVIEW, SKIPPED, SUCCEEDED
from woonext.sync.edits import ConcurrentChange, amend, inspect_edit
from woonext.sync.orders import Mode, create_invoice


def more_cake(shop: Shop, order_id: int, qty: int = 4) -> dict:
    line = shop.line_id(order_id, "CAKE")
    return shop.woo.edit_lines(
        order_id, [{"id": line, "quantity": qty, "subtotal": f"{100 * qty}.00", "total": f"{100 * qty}.00"}]
    )


async def test_edit_of_an_unpaid_undelivered_order_cancels_and_amends_the_invoice(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    [original] = shop.invoices(order["id"])
    edited = more_cake(shop, order["id"])

    result = await shop.sync(order["id"])

    assert (result.status, result.reason, result.created) == (SUCCEEDED, "amended", True)
    assert "CAKE: qty 3→4, amount 300.00→400.00" in result.detail
    old, new = sorted(shop.invoices(order["id"]), key=lambda d: d["name"])
    assert old["name"] == original["name"] and old["docstatus"] == 2
    assert (new["amended_from"], new["name"], new["docstatus"]) == (old["name"], f"{old['name']}-1", 1)
    assert new["woonext_sync_key"] == f"main:order:{order['id']}:r1"
    assert money(new["grand_total"]) == money(edited["total"]) == Decimal("593.94")
    assert money(new["total_taxes_and_charges"]) == money(edited["total_tax"])
    assert money(new["outstanding_amount"]) == money(edited["total"])
    binding = shop.binding("order", order["id"])
    assert (binding.revision, binding.erp_name, binding.state) == (1, new["name"], "submitted")
    assert shop.stock_moves(old["name"]) == {} and shop.stock_moves(new["name"])["CAKE"] == Decimal(-4)
    assert shop.customer_balance(new["customer"]) == money(edited["total"])

    writes = shop.erp_writes()
    again = await shop.sync(order["id"])
    assert (again.status, again.reason) == (SKIPPED, "already_synced") and shop.erp_writes() == writes


async def test_edit_of_a_paid_order_needs_review_with_the_difference(shop: Shop) -> None:
    order = shop.order("kashier_card", paid=True)
    await shop.sync(order["id"])
    more_cake(shop, order["id"])
    shop.woo.edit_lines(order["id"], [{"product_id": shop.products["WRAP"]["id"], "quantity": 1}])
    writes = shop.erp_writes()

    result = await shop.sync(order["id"])

    assert (result.status, result.reason) == (NEEDS_REVIEW, "edited_after_invoicing")
    assert "paid" in result.detail
    assert "CAKE: qty 3→4, amount 300.00→400.00" in result.detail
    assert "WRAP: qty 0→1, amount 0.00→12.00" in result.detail
    assert "total 479.94→607.62" in result.detail and "tax 58.94→74.62" in result.detail
    assert shop.erp_writes() == writes  # nothing was changed in ERPNext
    [invoice] = shop.invoices(order["id"])
    assert invoice["docstatus"] == 1 and money(invoice["grand_total"]) == Decimal("479.94")
    outcome = shop.world.db.latest_failures(store="main")
    assert any(f.remote_id == str(order["id"]) and f.reason == "edited_after_invoicing" for f in outcome)


async def test_edit_of_a_delivered_order_needs_review(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    shop.woo.complete(order["id"])
    await shop.sync(order["id"])  # completing it is a status change: nothing to do
    more_cake(shop, order["id"], 2)

    result = await shop.sync(order["id"])

    assert (result.status, result.reason) == (NEEDS_REVIEW, "edited_after_invoicing")
    assert "delivered" in result.detail and "CAKE: qty 3→2" in result.detail
    assert [d["docstatus"] for d in shop.invoices(order["id"])] == [1]


async def test_edit_after_a_refund_needs_review(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    shop.woo.refund(order["id"], amount="10.00")
    await shop.sync(order["id"])
    more_cake(shop, order["id"])
    result = await shop.sync(order["id"])
    assert result.status == NEEDS_REVIEW and "refund" in result.detail


async def test_status_meta_note_and_address_changes_make_no_erpnext_write(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    writes = shop.erp_writes()
    hash_before = shop.binding("order", order["id"]).content_hash

    changes = [
        {"status": "on-hold"},
        {"status": "processing"},
        {"meta_data": [{"key": "_delivery_note", "value": "ring twice"}]},
        {"customer_note": "leave at the door"},
        {"billing": {"address_1": "7 Nile St"}},
    ]
    for change in changes:
        shop.woo.update_order(order["id"], change)
        shop.woo.add_note(order["id"], "Called the customer")
        result = await shop.sync(order["id"])
        assert (result.status, result.reason) == (SKIPPED, "already_synced"), change

    assert shop.erp_writes() == writes
    [invoice] = shop.invoices(order["id"])
    assert invoice["docstatus"] == 1 and invoice["name"] == shop.binding("order", order["id"]).erp_name
    hash_after = shop.binding("order", order["id"]).content_hash
    assert hash_after.split(":")[1] == hash_before.split(":")[1]  # lines and totals: the same
    assert hash_after.split(":")[2] != hash_before.split(":")[2]  # the address change is remembered


async def test_old_single_hashes_are_upgraded_without_flagging_an_edit(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    binding = shop.binding("order", order["id"])
    binding.content_hash = legacy_content_hash(shop.woo.orders[order["id"]])
    shop.world.db.save_binding(binding)
    writes = shop.erp_writes()

    shop.woo.update_order(order["id"], {"status": "on-hold"})  # the old hash still matches
    assert (await shop.sync(order["id"])).reason == "already_synced"
    assert shop.binding("order", order["id"]).content_hash.startswith("v2:")

    binding = shop.binding("order", order["id"])
    binding.content_hash = legacy_content_hash({**shop.woo.orders[order["id"]], "billing": {}})
    shop.world.db.save_binding(binding)
    # no longer matches, and it cannot say why: the invoice is compared with the order, once
    assert (await shop.sync(order["id"])).reason == "already_synced"
    assert shop.binding("order", order["id"]).content_hash.startswith("v2:")
    assert shop.erp_writes() == writes

    binding = shop.binding("order", order["id"])
    binding.content_hash = legacy_content_hash(shop.woo.orders[order["id"]])
    shop.world.db.save_binding(binding)
    more_cake(shop, order["id"])  # a real edit behind an old hash is still an edit
    assert (await shop.sync(order["id"])).reason == "amended"


async def test_an_amendment_interrupted_between_cancel_and_insert_resumes_exactly_once(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    [original] = shop.invoices(order["id"])
    edited = more_cake(shop, order["id"])
    shop.erp.faults.inject_next("lost", route="POST /api/method/frappe.client.cancel", count=1)
    shop.erp.faults.inject_next("500", route="POST /api/resource/Sales Invoice", count=1)

    first = await shop.sync(order["id"])

    assert first.status == FAILED  # cancelled (its answer lost), then the new insert failed
    binding = shop.binding("order", order["id"])
    assert binding.data["amend"] == {"from": original["name"], "step": "insert", "revision": 1}
    assert shop.erp.db.get("Sales Invoice", original["name"])["docstatus"] == 2

    shop.erp.faults.inject_next("lost", route="POST /api/resource/Sales Invoice", count=1)
    second = await shop.sync(order["id"])  # inserted, answer lost: found by its sync key
    third = await shop.sync(order["id"])

    assert shop.erp.faults.injected["lost"] == 2
    assert (second.status, second.reason) == (SUCCEEDED, "amended")
    assert third.reason == "already_synced"
    invoices = shop.invoices(order["id"])
    assert sorted(d["docstatus"] for d in invoices) == [1, 2]
    [amended] = [d for d in invoices if d["docstatus"] == 1]
    assert amended["amended_from"] == original["name"] and money(amended["grand_total"]) == money(edited["total"])
    assert "amend" not in shop.binding("order", order["id"]).data


async def test_an_amendment_inserted_by_a_run_that_lost_track_of_it_is_found_not_refused(shop: Shop) -> None:
    # Found by the 10,000-order soak: an amendment insert that committed after its run gave up on it was
    # sent again and ERPNext refused it on the name (`<amended_from>-1` already exists: DuplicateEntryError,
    # before the sync key's unique check); the order was parked NeedsReview although its invoice was right.
    order = shop.order("cod")
    await shop.sync(order["id"])
    [original] = shop.invoices(order["id"])
    more_cake(shop, order["id"])
    assert (await shop.sync(order["id"])).reason == "amended"
    binding = shop.binding("order", order["id"])
    amended = binding.erp_name
    # what the run that lost track of it had recorded: the cancel done, the insert not yet intended
    binding.state = "amending"
    binding.data = {**binding.data, "amend": {"from": original["name"], "step": "insert", "revision": 1}}
    shop.world.db.save_binding(binding)

    again = await shop.sync(order["id"])

    assert (again.status, again.reason) == (SUCCEEDED, "amended") and again.invoice == amended
    assert sorted(d["docstatus"] for d in shop.invoices(order["id"])) == [1, 2]
    assert shop.binding("order", order["id"]).state == "submitted"


async def test_two_runs_amending_one_order_at_once_make_one_amendment_and_ask_no_one(shop: Shop) -> None:
    # Found by the 10,000-order PostgreSQL soak: a webhook event and the orders poll (two processes)
    # amended one edited order together; the second to cancel got ERPNext's "Cannot edit cancelled
    # document" and parked the order NeedsReview although the first had amended it correctly.
    order = shop.order("cod")
    await shop.sync(order["id"])
    [original] = shop.invoices(order["id"])
    more_cake(shop, order["id"])
    current = await shop.ctx.woo.get_order(order["id"])
    assert current is not None
    other_run = shop.binding("order", order["id"])  # what the second run read before the first wrote

    first = await shop.sync(order["id"])

    async def create(replaced: str) -> dict:
        return await create_invoice(shop.ctx, current, Mode.LIVE, other_run, amended_from=replaced)

    second = await amend(shop.ctx, current, other_run, create)
    assert first.reason == "amended" and second == first.invoice  # the same amendment, found by its key
    assert sorted(d["docstatus"] for d in shop.invoices(order["id"])) == [1, 2]
    assert shop.erp.db.get("Sales Invoice", original["name"])["docstatus"] == 2


async def test_an_invoice_cancelled_by_another_run_meanwhile_is_retried_not_parked(shop: Shop) -> None:
    # Same soak: the second run read the invoice after the first had cancelled it for the amendment and
    # took "the invoice is not submitted (docstatus 2)" for a reason to ask a person.
    order = shop.order("cod")
    await shop.sync(order["id"])
    more_cake(shop, order["id"])
    current = await shop.ctx.woo.get_order(order["id"])
    assert current is not None
    other_run = shop.binding("order", order["id"])
    await shop.sync(order["id"])  # the first run amends
    with pytest.raises(ConcurrentChange):
        await inspect_edit(shop.ctx, current, other_run)

    # an invoice cancelled by a person in ERPNext (nothing changed in woonext) still asks a person
    again = shop.order("cod")
    await shop.sync(again["id"])
    [invoice] = shop.invoices(again["id"])
    await shop.ctx.erp.cancel("Sales Invoice", invoice["name"])
    more_cake(shop, again["id"])
    result = await shop.sync(again["id"])
    assert (result.status, result.reason) == (NEEDS_REVIEW, "edited_after_invoicing")
    assert "not submitted (docstatus 2)" in result.detail
