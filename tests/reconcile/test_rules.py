"""The comparison rules, order by order, on hand-made evidence (pure: no simulator needed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from woonext.mapping.reconcile import (
    DUPLICATE,
    MISSING,
    NOT_SYNCED,
    PARKED,
    PAYMENT,
    STATUS,
    TAX,
    TOTAL,
    Evidence,
    Memory,
    PaymentLink,
    Period,
    Rules,
    build_report,
    check_order,
)

RULES = Rules(
    store="main",
    company="Jarz",
    migrate_statuses=frozenset({"completed", "cancelled", "refunded"}),
    wait_statuses=frozenset({"pending", "on-hold", "failed", "checkout-draft"}),
    prepaid_methods=frozenset({"kashier_card"}),
)


def order(
    status: str = "processing",
    total: str = "115.00",
    tax: str = "15.00",
    method: str = "cod",
    refunds: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": 42,
        "number": "42",
        "status": status,
        "currency": "EGP",
        "total": total,
        "total_tax": tax,
        "payment_method": method,
        "date_created": "2026-11-20T10:00:00",
        "date_modified_gmt": "2026-11-20T08:00:00",
        "refunds": refunds or [],
        **extra,
    }


def invoice(
    name: str = "SINV-1",
    key: str = "main:order:42",
    docstatus: int = 1,
    total: float = 115.0,
    outstanding: float = 115.0,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "name": name,
        "docstatus": docstatus,
        "woo_order_id": "42",
        "woonext_sync_key": key,
        "is_return": 0,
        "currency": "EGP",
        "grand_total": total,
        "total_taxes_and_charges": 15.0,
        "outstanding_amount": outstanding,
        "is_pos": 0,
        "company": "Jarz",
        **extra,
    }


def note(name: str, refund_id: int, amount: float, against: str = "SINV-1", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "docstatus": 1,
        "is_return": 1,
        "return_against": against,
        "woo_order_id": None,
        "woonext_sync_key": f"main:refund:{refund_id}",
        "grand_total": -amount,
        "currency": "EGP",
        "is_pos": 0,
        **extra,
    }


def kinds(ev: Evidence) -> list[tuple[str, str]]:
    return [(f.kind, f.code) for f in check_order(ev, RULES).findings]


def test_a_live_cash_order_in_step_has_no_findings() -> None:
    assert kinds(Evidence(order(), [invoice()], [])) == []


def test_the_newest_revision_counts_after_cancel_and_amend() -> None:
    docs = [invoice(docstatus=2, total=100.0), invoice("SINV-1-1", "main:order:42:r1", amended_from="SINV-1")]
    assert kinds(Evidence(order(), docs, [], Memory(invoice="SINV-1-1"))) == []
    wrong = [invoice(docstatus=2), invoice("SINV-1-1", "main:order:42:r1", total=100.0)]
    assert kinds(Evidence(order(), wrong, [])) == [(TOTAL, "grand_total")]


def test_two_submitted_revisions_are_a_duplicate() -> None:
    docs = [invoice(), invoice("SINV-1-1", "main:order:42:r1")]
    [finding] = check_order(Evidence(order(), docs, []), RULES).findings
    assert (finding.kind, finding.documents) == (DUPLICATE, ("SINV-1", "SINV-1-1"))


def test_another_stores_invoice_for_the_same_order_id_is_not_ours() -> None:
    assert kinds(Evidence(order(), [invoice(), invoice("SINV-9", "outlet:order:42")], [])) == []
    manual_elsewhere = invoice("SINV-8", "", company="Other Co")
    assert kinds(Evidence(order(), [invoice(), manual_elsewhere], [])) == []


def test_tax_and_currency_are_compared() -> None:
    assert kinds(Evidence(order(), [invoice(total_taxes_and_charges=14.99)], [])) == [(TAX, "total_tax")]
    assert kinds(Evidence(order(), [invoice(currency="USD")], [])) == [(TOTAL, "currency")]


def test_a_prepaid_order_needs_its_payment_entry_and_nothing_outstanding() -> None:
    paid = PaymentLink("PE-1", 1, "main:payment:42", {"SINV-1": Decimal("115")})
    assert kinds(Evidence(order(method="kashier_card"), [invoice(outstanding=0)], [paid])) == []
    [finding] = check_order(Evidence(order(method="kashier_card"), [invoice()], []), RULES).findings
    assert (finding.kind, finding.code) == (PAYMENT, "payment_entry_missing") and "outstanding 115.00" in finding.detail
    second = PaymentLink("PE-2", 1, "", {"SINV-1": Decimal("115")})
    found = kinds(Evidence(order(method="kashier_card"), [invoice(outstanding=-115)], [paid, second]))
    assert found == [(DUPLICATE, "payment_entry")]


def test_a_migrated_paid_invoice_owes_nothing() -> None:
    assert kinds(Evidence(order("completed"), [invoice(is_pos=1, outstanding=0)], [])) == []
    assert kinds(Evidence(order("completed"), [invoice(is_pos=1, outstanding=5)], [])) == [(PAYMENT, "outstanding")]


def test_an_unpaid_order_owes_its_total_less_credit_notes() -> None:
    refunds = [{"id": 7, "total": "-15.00"}]
    docs = [invoice(outstanding=100.0), note("CN-1", 7, 15.0)]
    assert kinds(Evidence(order(refunds=refunds), docs, [])) == []
    kept_own = [invoice(outstanding=115.0), note("CN-1", 7, 15.0)]  # booked for itself, not against the order
    assert kinds(Evidence(order(refunds=refunds), kept_own, [])) == [(PAYMENT, "outstanding")]


def test_refunds_need_one_credit_note_each_worth_the_refund() -> None:
    refunds = [{"id": 7, "total": "-15.00"}, {"id": 8, "total": "-100.00"}]
    pos = {"is_pos": 1}
    paid = invoice(is_pos=1, outstanding=0)
    assert (
        kinds(
            Evidence(
                order("refunded", refunds=refunds), [paid, note("CN-1", 7, 15, **pos), note("CN-2", 8, 100, **pos)], []
            )
        )
        == []
    )
    missing = kinds(Evidence(order("refunded", refunds=refunds), [paid, note("CN-1", 7, 15, **pos)], []))
    assert missing == [(STATUS, "refund_credit_note_missing")]
    twice = [paid, note("CN-1", 7, 15, **pos), note("CN-2", 8, 100, **pos), note("CN-3", 8, 100, **pos)]
    assert kinds(Evidence(order("refunded", refunds=refunds), twice, [])) == [
        (DUPLICATE, "credit_note"),
        (STATUS, "refunded_amount"),
    ]


def test_cancelled_orders_and_invoices_must_agree() -> None:
    assert kinds(Evidence(order("cancelled"), [invoice(docstatus=2)], [])) == []
    assert kinds(Evidence(order("cancelled"), [], [])) == []
    assert kinds(Evidence(order("cancelled"), [invoice()], [])) == [(STATUS, "invoice_not_cancelled")]
    assert kinds(Evidence(order(), [invoice(docstatus=2)], [], Memory(invoice="SINV-1"))) == [
        (STATUS, "invoice_cancelled")
    ]


@pytest.mark.parametrize(
    ("ev", "expected"),
    [
        (Evidence(order("completed"), [], []), [(MISSING, "no_invoice")]),
        (
            Evidence(order(), [], [], Memory(invoice="SINV-1", synced_up_to="2026-11-21T00:00:00")),
            [(MISSING, "invoice_gone")],
        ),
        (Evidence(order(), [invoice(docstatus=0)], []), [(MISSING, "draft_only")]),
        (Evidence(order(), [], [], Memory(synced_up_to="2026-11-19T00:00:00")), [(NOT_SYNCED, "pending")]),
        (Evidence(order(), [], [], Memory(synced_up_to="2026-11-21T00:00:00")), [(NOT_SYNCED, "predates_live_sync")]),
        (
            Evidence(
                order("completed"),
                [],
                [],
                Memory(outcome_status="NeedsReview", outcome_reason="unknown_sku", outcome_detail="no Item X"),
            ),
            [(PARKED, "unknown_sku")],
        ),
        (Evidence(order("on-hold"), [], []), []),
        (Evidence(order("pending"), [], []), []),
        (Evidence(order("trash"), [], []), []),
    ],
)
def test_an_order_without_an_invoice(ev: Evidence, expected: list[tuple[str, str]]) -> None:
    assert kinds(ev) == expected


def test_a_parked_order_with_an_invoice_is_reported_as_parked_not_as_a_mismatch() -> None:
    ev = Evidence(
        order(total="120.00"),
        [invoice()],
        [],
        Memory(outcome_status="NeedsReview", outcome_reason="edited_after_invoicing"),
    )
    [finding] = check_order(ev, RULES).findings
    assert (finding.kind, finding.code, finding.mismatch) == (PARKED, "edited_after_invoicing", False)
    assert "total_mismatch" in finding.detail and finding.documents == ("SINV-1",)


def test_a_foreign_currency_invoice_owes_in_the_company_currency() -> None:
    usd = invoice(currency="USD", party_account_currency="EGP", base_grand_total=5750.0, outstanding=5750.0)
    assert kinds(Evidence(order(currency="USD"), [usd], [])) == []
    # ERPNext's conversion cent on a migrated foreign-currency POS invoice is named as such
    pos = invoice(currency="USD", party_account_currency="EGP", base_grand_total=194.98, outstanding=0.01, is_pos=1)
    [finding] = check_order(Evidence(order("completed", currency="USD"), [pos], []), RULES).findings
    assert (finding.kind, finding.code, finding.actual) == (PAYMENT, "conversion_cent", "0.01")
    assert "0.01 EGP outstanding from currency conversion" in finding.detail


def test_a_migrated_foreign_currency_invoice_is_paid_by_its_payment_entry() -> None:
    usd = {"currency": "USD", "party_account_currency": "EGP", "base_grand_total": 5750.0, "update_stock": 0}
    paid = PaymentLink("PE-1", 1, "main:payment:42", {"SINV-1": Decimal("5750")})
    assert kinds(Evidence(order("completed", currency="USD"), [invoice(outstanding=0, **usd)], [paid])) == []
    [finding] = check_order(
        Evidence(order("completed", currency="USD"), [invoice(outstanding=5750, **usd)], []), RULES
    ).findings
    assert (finding.kind, finding.code) == (PAYMENT, "payment_entry_missing")
    assert "migrated paid invoice SINV-1" in finding.detail
    # a live cash order's invoice moved stock and owes its total: no Payment Entry expected
    live = invoice(outstanding=5750, **{**usd, "update_stock": 1})
    assert kinds(Evidence(order("completed", currency="USD"), [live], [])) == []


def test_a_foreign_currency_refund_keeps_its_own_outstanding_until_paid_out() -> None:
    usd = {"currency": "USD", "party_account_currency": "EGP", "update_stock": 0}
    paid = PaymentLink("PE-1", 1, "main:payment:42", {"SINV-1": Decimal("5750")})
    own = {**usd, "update_outstanding_for_self": 1, "base_grand_total": -727.5}
    refunds = [{"id": 7, "total": "-15.00"}]
    docs = [invoice(outstanding=0, base_grand_total=5750.0, **usd), note("CN-1", 7, 15, outstanding_amount=0, **own)]
    out = PaymentLink("PE-2", 1, "main:refund_payment:7", {"CN-1": Decimal("-727.5")})
    assert kinds(Evidence(order("refunded", currency="USD", refunds=refunds), docs, [paid, out])) == []
    docs[1] = note("CN-1", 7, 15, outstanding_amount=-727.5, **own)
    [finding] = check_order(Evidence(order("refunded", currency="USD", refunds=refunds), docs, [paid]), RULES).findings
    assert (finding.kind, finding.code, finding.actual) == (PAYMENT, "refund_entry_missing", "-727.50")
    assert "still owes the customer 727.50" in finding.detail


def test_the_report_counts_and_totals_per_currency() -> None:
    evidence = [
        Evidence(order(), [invoice()], []),
        Evidence({**order("pending"), "id": 43}, [], []),
        Evidence({**order("completed"), "id": 44}, [], []),
    ]
    report = build_report("main", Period(date(2026, 11, 1), date(2026, 11, 30)), evidence, RULES)
    states = report.states
    assert (report.orders, states["invoiced"], states["waiting"], states["missing"]) == (3, 1, 1, 1)
    assert [f.order_id for f in report.mismatches] == [44] and not report.ok
    assert report.totals["EGP"].woocommerce == report.totals["EGP"].erpnext == Decimal("115.00")


def test_a_period_is_whole_site_local_days() -> None:
    period = Period(date(2026, 11, 1), date(2026, 11, 2))
    assert period.contains({"date_created": "2026-11-01T00:00:00"})
    assert period.contains({"date_created": "2026-11-02T23:59:59"})
    assert not period.contains({"date_created": "2026-11-03T00:00:00"})
    with pytest.raises(ValueError, match="before --from"):
        Period(date(2026, 11, 2), date(2026, 11, 1))


def test_a_credit_note_made_by_hand_counts_against_the_refunds() -> None:
    by_hand = {**note("CN-9", 0, 20.0), "woonext_sync_key": None, "company": "Jarz"}
    found = kinds(Evidence(order(), [invoice(outstanding=95.0), by_hand], []))
    assert found == [(STATUS, "refunded_amount")]  # ERPNext credits 20.00 that WooCommerce never refunded
