"""The rules: delivered (a Delivery Note), paid and delivered, a prepaid order's own Payment Entry not
counting as paid in ERPNext, only forward along the store's transition table, never over an order that
changed since woonext last saw it (put off, then done by the sweep once the order sync has seen it),
a cancelled Payment Entry after completion reported for a person and never moving the order back."""

from __future__ import annotations

from pathlib import Path

from tests.writeback.conftest import Shop, make_shop
from woonext.store.writebacks import pending_orders, writeback_history
from woonext.sync.writeback import sweep, writeback_document


async def test_a_delivery_note_against_the_invoice_completes_the_order(tmp_path: Path) -> None:
    shop, ctx = await make_shop(tmp_path, {"enabled": True, "when": "delivered"})
    try:
        order, invoice = await shop.invoiced()
        await writeback_document(ctx, "Payment Entry", await shop.pay(invoice))  # paid does not count here
        assert shop.woo.orders[order["id"]]["status"] == "processing"
        note = await shop.deliver(invoice)
        report = await writeback_document(ctx, "Delivery Note", note)
        assert shop.woo.orders[order["id"]]["status"] == "completed", report.summary()
        [line] = writeback_history(shop.world.db, "main", order["id"])
        assert (line.reason, line.documents) == ("delivered", [note])
    finally:
        await ctx.aclose()


async def test_paid_and_delivered_needs_both(tmp_path: Path) -> None:
    shop, ctx = await make_shop(tmp_path, {"enabled": True, "when": "paid_and_delivered"})
    try:
        order, invoice = await shop.invoiced()
        note = await shop.deliver(invoice)
        await writeback_document(ctx, "Delivery Note", note)
        assert shop.woo.orders[order["id"]]["status"] == "processing"
        entry = await shop.pay(invoice)
        await writeback_document(ctx, "Payment Entry", entry)
        assert shop.woo.orders[order["id"]]["status"] == "completed"
        [line] = writeback_history(shop.world.db, "main", order["id"])
        assert (line.reason, sorted(line.documents)) == ("paid_and_delivered", sorted([entry, note]))
    finally:
        await ctx.aclose()


async def test_a_prepaid_orders_own_payment_entry_is_not_a_payment_in_erpnext(shop: Shop) -> None:
    order, invoice = await shop.invoiced(method="kashier_card", paid=True)
    payment = shop.world.db.get_binding("main", "payment", order["id"])
    assert payment is not None and payment.state == "submitted"  # woonext paid it from the gateway's payment
    report = await writeback_document(shop.ctx, "Payment Entry", payment.erp_name)
    assert shop.woo.orders[order["id"]]["status"] == "processing" and not report.orders[0].planned
    note = await shop.deliver(invoice)
    await writeback_document(shop.ctx, "Delivery Note", note)  # delivery is what completes a prepaid order
    assert shop.woo.orders[order["id"]]["status"] == "completed"


async def test_only_forward_along_the_transition_table(tmp_path: Path) -> None:
    writeback = {"enabled": True, "status": "delivered", "transitions": {"processing": ["delivered"]}}
    shop, ctx = await make_shop(tmp_path, writeback)
    shop.woo.config.custom_statuses = ("delivered",)  # a plugin's status, as WooCommerce Fusion users asked (#245)
    try:
        held, held_invoice = await shop.invoiced()
        shop.woo.set_status(held["id"], "on-hold")
        await shop.sync(held["id"])  # woonext has seen it on hold
        await writeback_document(ctx, "Payment Entry", await shop.pay(held_invoice))
        assert shop.woo.orders[held["id"]]["status"] == "on-hold"
        [skip] = writeback_history(shop.world.db, "main", held["id"])
        assert skip.reason == "not_in_transitions" and "'on-hold' → 'delivered'" in skip.detail

        order, invoice = await shop.invoiced()
        await writeback_document(ctx, "Payment Entry", await shop.pay(invoice))
        assert shop.woo.orders[order["id"]]["status"] == "delivered"
        assert [e.title for e in shop.woo.emails if e.order_id == order["id"]][-1] != "Completed order"
    finally:
        await ctx.aclose()


async def test_an_order_changed_since_woonext_saw_it_waits_for_the_order_sync(shop: Shop) -> None:
    order, invoice = await shop.invoiced()
    oid = order["id"]
    shop.world.clock.advance(5)  # date_modified has a resolution of one second
    shop.woo.update_order(oid, {"customer_note": "leave it at the door"})  # not synced yet
    before = len(shop.woo_writes())
    await writeback_document(shop.ctx, "Payment Entry", await shop.pay(invoice))
    assert shop.woo.orders[oid]["status"] == "processing" and shop.woo_writes()[before:] == []
    [skip] = writeback_history(shop.world.db, "main", oid)
    assert skip.reason == "changed_since_seen" and str(oid) in pending_orders(shop.world.db, "main")
    await shop.sync(oid)  # the order's own webhook or the poll: woonext sees the change
    report = await sweep(shop.ctx)  # the hourly sweep takes up what was put off
    assert shop.woo.orders[oid]["status"] == "completed", report.summary()
    assert pending_orders(shop.world.db, "main") == []


async def test_a_payment_cancelled_after_completion_is_for_a_person(shop: Shop) -> None:
    order, invoice = await shop.invoiced()
    oid = order["id"]
    entry = await shop.pay(invoice)
    await writeback_document(shop.ctx, "Payment Entry", entry)
    assert shop.woo.orders[oid]["status"] == "completed"
    await shop.sync(oid)  # its echo
    before = len(shop.woo_writes())
    await shop.cancel("Payment Entry", entry)
    report = await writeback_document(shop.ctx, "Payment Entry", entry)
    assert shop.woo.orders[oid]["status"] == "completed" and shop.woo_writes()[before:] == []
    assert report.count("needs_review") == 1
    history = writeback_history(shop.world.db, "main", oid)
    assert [h.reason for h in history] == ["paid", "payment_entry_cancelled_after_writeback"]
    outcome = shop.world.db.outcome("main", "writeback", oid)
    assert outcome is not None and outcome.status == "NeedsReview" and "never moves an order back" in outcome.hint
    await sweep(shop.ctx)  # reported once, not on every sweep
    assert len(writeback_history(shop.world.db, "main", oid)) == 2


async def test_with_the_webhooks_off_the_sweep_finds_the_payment(shop: Shop) -> None:
    order, invoice = await shop.invoiced()
    entry = await shop.pay(invoice)  # nothing installed: no delivery
    report = await sweep(shop.ctx)
    assert shop.woo.orders[order["id"]]["status"] == "completed", report.summary()
    assert writeback_history(shop.world.db, "main", order["id"])[0].documents == [entry]
    again = await sweep(shop.ctx)
    assert again.count("written") == 0


def test_the_hourly_sweep_is_scheduled_only_where_writeback_is_on(shop: Shop) -> None:
    from datetime import UTC, datetime

    from woonext.runtime.scheduler import latest_ticks

    config = shop.world.config
    at = datetime(2026, 11, 25, 6, 0, 30, tzinfo=UTC)
    assert "writeback" in {t.job for t in latest_ticks(config, at)}
    config.stores[0].writeback.enabled = False
    assert "writeback" not in {t.job for t in latest_ticks(config, at)}
