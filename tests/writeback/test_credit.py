"""Credit notes made in ERPNext: with `refunds = true` a WooCommerce refund record (api_refund false,
the amount and the lines), bound at once so the order sync never makes a second credit note for it;
otherwise one private note. woonext's own credit notes (from WooCommerce refunds) are never written
back. A write that dies half-way is finished by the next run, never repeated."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from tests.writeback.conftest import Shop, make_shop
from woonext.mapping.reconcile import Period
from woonext.mapping.writeback import CREDIT_META
from woonext.store.writebacks import writeback_history
from woonext.sync.reconcile import reconcile
from woonext.sync.writeback import writeback_document


async def test_a_credit_note_becomes_a_refund_record_with_its_lines(tmp_path: Path) -> None:
    shop, ctx = await make_shop(tmp_path, {"enabled": True, "refunds": True})
    try:
        order, invoice = await shop.invoiced(lines={"CAKE": 2})
        oid = order["id"]
        note = await shop.credit(invoice)
        before_mails = len(shop.emails(oid))
        report = await writeback_document(ctx, "Sales Invoice", note)
        assert report.count("written") == 1, report.summary()
        [refund] = [r for r in shop.woo.book.refunds.values() if r["_sim_order_id"] == oid]
        assert refund["refunded_payment"] is False and Decimal(refund["amount"]) == Decimal(order["total"])
        cake = next(li for li in order["line_items"] if li["sku"] == "CAKE")
        assert [(li["quantity"], li["total"]) for li in refund["line_items"]] == [(-2, f"-{cake['total']}")]
        assert [m["value"] for m in refund["meta_data"] if m["key"] == CREDIT_META] == [note]
        assert shop.woo.orders[oid]["status"] == "refunded"  # WooCommerce's own rule for a full refund
        assert shop.emails(oid)[before_mails:] == ["Refunded order"]
        binding = shop.world.db.get_binding("main", "refund", refund["id"])
        assert binding is not None and (binding.state, binding.erp_name) == ("from_erpnext", note)
        credit_notes_before = len([d for d in shop.erp.db.all("Sales Invoice") if d.get("is_return")])
        result = await shop.sync(oid)  # the refund's order.updated: no second credit note
        assert result.status in ("Skipped", "Succeeded")
        assert len([d for d in shop.erp.db.all("Sales Invoice") if d.get("is_return")]) == credit_notes_before
        again = await writeback_document(ctx, "Sales Invoice", note)
        assert again.count("written") == 0 and len(shop.woo.book.refunds) == 1
        [line] = writeback_history(shop.world.db, "main", oid)
        assert (line.action, line.reason, line.documents) == ("refund", "credit_note", [note])
        period = Period(date(2000, 1, 1), date(2100, 1, 1))
        findings = [f for f in (await reconcile(ctx, period)).findings if f.order_id == oid]
        assert findings == []  # the refund record and the person's credit note agree, to the cent
    finally:
        await ctx.aclose()


async def test_without_refunds_a_credit_note_is_one_private_note(shop: Shop) -> None:
    order, invoice = await shop.invoiced()
    oid = order["id"]
    note = await shop.credit(invoice)
    await writeback_document(shop.ctx, "Sales Invoice", note)
    await writeback_document(shop.ctx, "Sales Invoice", note)
    assert shop.woo.book.refunds == {} and shop.woo.orders[oid]["status"] == "processing"
    mine = [n for n in shop.notes(oid) if note in n["note"]]
    assert len(mine) == 1 and mine[0]["customer_note"] is False and "refunds is off" in mine[0]["note"]


async def test_woonexts_own_credit_notes_are_not_written_back(tmp_path: Path) -> None:
    shop, ctx = await make_shop(tmp_path, {"enabled": True, "refunds": True})
    try:
        order, _ = await shop.invoiced()
        shop.woo.refund(order["id"], amount="10.00", restock=False)  # refunded in WooCommerce
        await shop.sync(order["id"])  # → woonext's credit note
        [own] = [d for d in shop.erp.db.all("Sales Invoice") if d.get("is_return")]
        report = await writeback_document(ctx, "Sales Invoice", str(own["name"]))
        assert not report.orders[0].planned and len(shop.woo.book.refunds) == 1
    finally:
        await ctx.aclose()


async def test_a_write_that_died_half_way_is_finished_not_repeated(shop: Shop) -> None:
    order, invoice = await shop.invoiced()
    oid = order["id"]
    shop.woo.faults.inject_next("500", "POST /wp-json/wc/v3/orders/*/notes")  # the note after the status
    entry = await shop.pay(invoice)
    first = await writeback_document(shop.ctx, "Payment Entry", entry)
    assert first.count("failed") == 1 and shop.woo.orders[oid]["status"] == "completed"
    assert not [n for n in shop.notes(oid) if "woonext" in n["note"]]
    puts = [r for r in shop.woo_writes() if r[0] == "PUT"]
    second = await writeback_document(shop.ctx, "Payment Entry", entry)  # the event's retry
    assert second.count("written") == 1, second.summary()
    assert [r for r in shop.woo_writes() if r[0] == "PUT"] == puts  # the status was not written again
    assert len([n for n in shop.notes(oid) if "woonext" in n["note"]]) == 1
    assert [h.result for h in writeback_history(shop.world.db, "main", oid)] == ["failed", "written"]
