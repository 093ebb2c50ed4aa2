"""Live order sync end to end: unpaid submitted invoices with stock, waiting statuses, prepaid
Payment Entries, cancellations, and the errors that park an order without writing anything."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.sync.world import World, make_world, real_orders
from woonext.store import NEEDS_REVIEW, SKIPPED, SUCCEEDED
from woonext.sync.live import pull_recent, sync_orders_once
from woonext.sync.setup import run_setup

NOW = datetime(2026, 11, 25, 5, 0)  # an hour after the captured orders were made (UTC)


async def ready_world(tmp_path: Path, kashier_account: str | None = "Kashier - JT", **kwargs: object) -> World:
    world = make_world(tmp_path, real_orders(), **kwargs)  # type: ignore[arg-type]
    ctx = world.context()
    await run_setup(ctx)
    if kashier_account:
        await ctx.erp.update("Company", "Jarz Test", {"custom_kashier_account": kashier_account})
    await ctx.aclose()
    return world


def by_order(world: World, order_id: int) -> list[dict]:
    return world.invoices(woo_order_id=str(order_id))


async def test_live_sync_makes_unpaid_invoices_with_stock_and_pays_prepaid_ones(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    ctx = world.context()
    report = await sync_orders_once(ctx, now=NOW)
    outcome = {r.order_id: r for r in report.results}

    [cod] = by_order(world, 15)
    assert (cod["docstatus"], cod["status"], cod["update_stock"]) == (1, "Unpaid", 1)
    assert cod["custom_payment_method"] == "Cash" and cod["set_warehouse"] == "Jarz Main - JT"
    assert Decimal(str(cod["outstanding_amount"])) == Decimal("900.00")
    assert any(e["voucher_no"] == cod["name"] for e in world.erp.stock_ledger)

    [kashier] = by_order(world, 20)
    assert kashier["status"] == "Paid" and kashier["custom_payment_method"] == "Kashier Card"
    [entry] = [p for p in world.erp.db.all("Payment Entry") if p["references"][0]["reference_name"] == kashier["name"]]
    assert (entry["docstatus"], entry["paid_to"], entry["reference_no"]) == (1, "Kashier - JT", "KSH-TXN-990011")

    assert outcome[17].status == SKIPPED and outcome[17].reason == "waiting"  # on-hold
    assert by_order(world, 17) == []
    assert outcome[19].status == SKIPPED and by_order(world, 19) == []  # cancelled before invoicing

    again = await sync_orders_once(ctx, now=NOW)
    assert again.created == 0
    assert len(world.erp.db.all("Sales Invoice")) == len(report.results) - 2
    assert len(world.erp.db.all("Payment Entry")) == 2  # orders 18 and 20 (Kashier wallet and card)
    await ctx.aclose()


async def test_waiting_order_is_invoiced_once_it_moves_on_and_cancel_cancels(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    ctx = world.context()
    await sync_orders_once(ctx, now=NOW)
    world.woo.set_status(17, "processing")
    await sync_orders_once(ctx, now=NOW)
    [invoice] = by_order(world, 17)
    assert invoice["status"] == "Paid"  # Kashier card: paid through a Payment Entry
    [entry] = [p for p in world.erp.db.all("Payment Entry") if p["references"][0]["reference_name"] == invoice["name"]]
    assert entry["reference_no"] == "KSH-ORD-778899"  # no transaction id: Kashier's order reference

    world.woo.cancel(15)
    report = await sync_orders_once(ctx, now=NOW)
    assert {r.order_id: r.reason for r in report.results}[15] == "cancelled"
    [cancelled] = by_order(world, 15)
    assert cancelled["docstatus"] == 2 and cancelled["status"] == "Cancelled"
    await ctx.aclose()


async def test_missing_kashier_account_parks_the_order_and_writes_nothing(tmp_path: Path) -> None:
    world = await ready_world(tmp_path, kashier_account=None)
    ctx = world.context()
    report = await sync_orders_once(ctx, now=NOW)
    result = {r.order_id: r for r in report.results}[20]
    assert result.status == NEEDS_REVIEW and result.reason == "missing_kashier_account"
    assert "custom_kashier_account" in result.hint
    assert by_order(world, 20) == []
    assert {r.order_id: r.status for r in report.results}[15] == SUCCEEDED  # the others go on
    failures = world.db.latest_failures(store="main")
    assert any(f.remote_id == "20" and f.reason == "missing_kashier_account" for f in failures)
    await ctx.aclose()


@pytest.mark.parametrize(
    ("orders", "reason"),
    [
        ("unknown_sku", "unknown_sku"),
        ("unknown_method", "unknown_payment_method"),
    ],
)
async def test_bad_input_is_recorded_needs_review_with_no_document(tmp_path: Path, orders: str, reason: str) -> None:
    world = await ready_world(tmp_path)
    order = world.woo.orders[15]
    if orders == "unknown_sku":
        world.woo.update_order(15, {"line_items": [{"id": order["line_items"][0]["id"], "sku": "NO-SUCH-SKU"}]})
        order = world.woo.orders[15]
        order["line_items"][0]["sku"] = "NO-SUCH-SKU"
    else:
        world.woo.update_order(15, {"payment_method": "fawry", "payment_method_title": "Fawry"})
    ctx = world.context()
    report = await pull_recent(ctx, limit=20)
    result = {r.order_id: r for r in report.results}[15]
    assert (result.status, result.reason) == (NEEDS_REVIEW, reason)
    assert by_order(world, 15) == []
    assert world.erp.db.all("Sales Invoice") and all(d["docstatus"] == 1 for d in world.erp.db.all("Sales Invoice"))
    await ctx.aclose()


async def test_lost_response_after_commit_creates_no_duplicate(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    ctx = world.context()
    world.erp.faults.inject_next("lost", route="POST /api/resource/Sales Invoice", count=3)
    report = await sync_orders_once(ctx, now=NOW)
    again = await sync_orders_once(ctx, now=NOW)
    invoiced = [r.order_id for r in report.results + again.results if r.invoice]
    for order_id in set(invoiced):
        assert len(by_order(world, order_id)) == 1, order_id
    assert len(world.erp.db.all("Payment Entry")) == 2
    assert world.erp.faults.injected["lost"] == 3
    await ctx.aclose()


async def test_failures_are_mirrored_once_into_erpnexts_error_log(tmp_path: Path) -> None:
    world = await ready_world(tmp_path, kashier_account=None, store={"error_log": True})
    ctx = world.context()
    await sync_orders_once(ctx, now=NOW)
    await sync_orders_once(ctx, now=NOW)  # the same failure again: no second Error Log
    logs = world.erp.db.all("Error Log")
    kashier = [e for e in logs if e["method"] == "Kashier Payment Entry Error"]
    assert len(kashier) == 2  # orders 18 (completed) and 20 (processing), both Kashier, once each
    assert "custom_kashier_account" in kashier[0]["error"] and "What to do" in kashier[0]["error"]
    assert all("Kashier" in e["method"] or e["method"] == "woo_order_sync_live_error" for e in logs)
    await ctx.aclose()


async def test_a_registered_customer_and_their_guest_orders_are_one_customer(tmp_path: Path) -> None:
    orders = real_orders()
    guest = dict(next(o for o in orders if o["id"] == 15))
    guest.update(
        id=99, number="99", customer_id=0, billing={**guest["billing"], "email": "  MONA.Hassan@Example.test "}
    )  # customer 2's e-mail
    world = await ready_world(tmp_path)
    world.woo.import_order(guest)
    ctx = world.context()
    # One order at a time, in WooCommerce's order: the guest order (Mona's e-mail, order 15's phone)
    # comes after Mona's registered ones. Run side by side, whichever binds first wins the e-mail —
    # the schedule, not the rule, would decide (state-DB calls run on threads, store/asyncdb.py).
    await sync_orders_once(ctx, now=NOW, concurrency=1)
    mona = {d["customer"] for d in world.erp.db.all("Sales Invoice") if d["woo_order_id"] in ("16", "20", "99")}
    assert len(mona) == 1
    invoiced = {d["woo_order_id"] for d in world.erp.db.all("Sales Invoice")}
    people = {o["billing"]["email"].lower() for o in orders if str(o["id"]) in invoiced}
    assert len(world.erp.db.all("Customer")) == len(people)  # one Customer per person, none twice
    await ctx.aclose()


async def test_cancelled_prepaid_order_can_cancel_its_payment_entry(tmp_path: Path) -> None:
    world = await ready_world(tmp_path, store={"cancel_payment_entries": True})
    ctx = world.context()
    await sync_orders_once(ctx, now=NOW)
    world.woo.cancel(20)
    await sync_orders_once(ctx, now=NOW)
    [invoice] = by_order(world, 20)
    [entry] = [p for p in world.erp.db.all("Payment Entry") if p["reference_no"] == "KSH-TXN-990011"]
    assert invoice["docstatus"] == 2 and entry["docstatus"] == 2
    await ctx.aclose()
