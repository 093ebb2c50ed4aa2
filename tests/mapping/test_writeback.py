"""The writeback decision alone (mapping/writeback.py, pure): when an order is done in ERPNext, and
what is written — the order of precedence of the reasons not to write, once only, findings once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from woonext.mapping.writeback import (
    CreditLine,
    CreditNote,
    Entry,
    InvoiceFacts,
    Memory,
    Row,
    Rules,
    done,
    is_echo,
    plan,
    refund_lines,
)

RULES = Rules(when="paid_or_delivered", status="completed", transitions={"processing": ("completed",)})
D = Decimal


def facts(**kwargs: Any) -> InvoiceFacts:
    base: dict[str, Any] = {"name": "SINV-1", "docstatus": 1, "grand_total": D("100"), "outstanding": D("100")}
    return InvoiceFacts(**{**base, **kwargs})


def order(status: str = "processing", modified: str = "2026-11-25T05:00:00", **kwargs: Any) -> dict[str, Any]:
    return {"id": 7, "number": "7", "status": status, "date_modified_gmt": modified, "total": "100.00", **kwargs}


PAID = {"outstanding": D("0"), "payments": [Entry("PAY-1", 1, D("100"))]}


def test_paid_needs_the_whole_outstanding_settled_by_a_submitted_entry() -> None:
    assert done(facts(**PAID), RULES) == ("paid", ["PAY-1"])
    assert done(facts(outstanding=D("40"), payments=[Entry("PAY-1", 1, D("60"))]), RULES) is None
    assert done(facts(outstanding=D("0"), payments=[Entry("PAY-1", 2, D("100"))]), RULES) is None
    assert done(facts(outstanding=D("0")), RULES) is None  # settled by a credit note: not paid


def test_delivered_needs_every_goods_row_and_skips_charges() -> None:
    rules = Rules("delivered", "completed", {"processing": ("completed",)}, charge_items=frozenset({"Shipping"}))
    rows = [Row("r1", "CAKE", D("2"), D("2")), Row("r2", "Shipping", D("1"), D("0"))]
    assert done(facts(rows=rows, deliveries=[Entry("DN-1", 1)]), rules) == ("delivered", ["DN-1"])
    half = [Row("r1", "CAKE", D("2"), D("1"))]
    assert done(facts(rows=half, deliveries=[Entry("DN-1", 1)]), rules) is None
    own = Rules("delivered", "completed", {"processing": ("completed",)}, invoice_stock_is_delivery=True)
    assert done(facts(update_stock=True), own) == ("delivered", ["SINV-1"])


def test_the_reasons_not_to_write_in_their_order() -> None:
    paid = facts(**PAID)
    seen = "2026-11-25T05:00:00"
    [final] = plan(order("refunded", "2026-11-25T06:00:00"), paid, RULES, Memory(), seen)
    assert (final.kind, final.reason, final.pending) == ("skip", "refunded_meanwhile", False)  # before staleness
    [table] = plan(order("on-hold"), paid, RULES, Memory(), seen)
    assert table.reason == "not_in_transitions"
    [stale] = plan(order(modified="2026-11-25T05:00:09"), paid, RULES, Memory(), seen)
    assert (stale.reason, stale.pending) == ("changed_since_seen", True)
    [move] = plan(order(), paid, RULES, Memory(), seen)
    assert (move.kind, move.to_status, move.documents) == ("status", "completed", ("PAY-1",))
    assert plan(order("completed"), paid, RULES, Memory(), seen) == []  # there already
    moved = Memory(status={"to": "completed", "documents": ["PAY-1"]})
    assert plan(order(), paid, RULES, moved, seen) == []  # moved back by a person: never again


def test_a_cancelled_document_that_moved_the_order_is_reported_once() -> None:
    cancelled = facts(outstanding=D("100"), payments=[Entry("PAY-1", 2, D("100"))])
    moved = Memory(status={"to": "completed", "documents": ["PAY-1"]})
    [review] = plan(order("completed"), cancelled, RULES, moved, "")
    assert (review.kind, review.reason) == ("review", "payment_entry_cancelled_after_writeback")
    assert plan(order("completed"), cancelled, RULES, Memory(status=moved.status, reviewed=["PAY-1"]), "") == []


def test_credit_notes() -> None:
    note = CreditNote("CN-1", 1, D("30"), lines=(CreditLine("CAKE", D("1"), D("26.32")),))
    f = facts(credit_notes=[note, CreditNote("CN-OWN", 1, D("5"), ours=True)])
    [as_note] = plan(order(), f, RULES, Memory(), "")
    assert (as_note.kind, as_note.documents) == ("note", ("CN-1",)) and "refunds is off" in as_note.note
    refunds = Rules("paid", "completed", {"processing": ("completed",)}, refunds=True)
    [record] = plan(order(currency="EGP"), f, refunds, Memory(), "")
    assert record.kind == "refund" and record.refund is not None
    assert (record.refund["amount"], record.refund["api_refund"]) == ("30.00", False)
    assert "EGP 30.00" in record.note
    [too_much] = plan(order(refunds=[{"id": 9, "total": "-80.00"}]), f, refunds, Memory(), "")
    assert (too_much.kind, too_much.reason) == ("review", "credit_note_exceeds_order")
    assert plan(order(), f, refunds, Memory(refunds={"CN-1": "12"}), "") == []
    lines = refund_lines(note, {"101": "CAKE"}, {"line_items": [{"id": 101}]})
    assert lines == [{"id": 101, "quantity": 1, "refund_total": "26.32"}]


def test_an_echo_is_the_order_exactly_as_woonexts_write_left_it() -> None:
    memory = Memory(marker="erpnext:PAY-1@t", seen="2026-11-25T05:00:03")
    mine = order(
        "completed", "2026-11-25T05:00:03", meta_data=[{"key": "_woonext_writeback", "value": "erpnext:PAY-1@t"}]
    )
    assert is_echo(mine, memory)
    assert not is_echo({**mine, "date_modified_gmt": "2026-11-25T05:00:04"}, memory)  # changed after
    assert not is_echo({**mine, "meta_data": []}, memory)
