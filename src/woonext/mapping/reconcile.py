"""Reconciliation, the pure part: one WooCommerce order against what ERPNext holds for it.

The flow (`sync/reconcile.py`) gathers the evidence — the order, its invoices (every revision),
credit notes, Payment Entries, and what woonext's state DB remembers — and `check_order` says what
is wrong with it, as findings. No I/O, no clock: the same evidence always gives the same report.

An order's *current* invoice is its newest submitted revision (sync key `…:order:{id}[:rN]`);
cancelled older revisions are history, not problems. Findings come one per order and kind, each
naming the order and the documents, so "exactly one thing is wrong" reads as exactly one row.
An order woonext already parked for a person (NeedsReview, Failed, DeadLetter) is reported as
`parked` with its recorded reason, not as a fresh mismatch: it is known and listed by `status`.
An edit after invoicing that a person accepted (`woonext orders accept-edit`) is no longer parked:
the money differences it left still count as mismatches, and their text says when it was accepted
and the person's note, so the accountant sees it was reviewed and what was done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from woonext.mapping.keys import payment_key, refund_key, refund_payment_key
from woonext.mapping.money import CENT, ZERO, MoneyError, money
from woonext.mapping.reconcile_model import (
    DUPLICATE,
    KINDS,
    MISMATCH_KINDS,
    MISSING,
    NOT_SYNCED,
    NOTE_KINDS,
    PARKED,
    PAYMENT,
    STATUS,
    TAX,
    TOTAL,
    Evidence,
    Finding,
    Memory,
    PaymentLink,
    Period,
    Report,
    Rules,
    Totals,
)
from woonext.woo.types import WooRefundSummary

__all__ = [
    "DUPLICATE",
    "KINDS",
    "MISMATCH_KINDS",
    "MISSING",
    "NOTE_KINDS",
    "NOT_SYNCED",
    "PARKED",
    "PAYMENT",
    "STATUS",
    "TAX",
    "TOTAL",
    "Evidence",
    "Finding",
    "Memory",
    "OrderCheck",
    "PaymentLink",
    "Period",
    "Report",
    "Rules",
    "Totals",
    "build_report",
    "check_order",
    "revision",
]

UNRESOLVED = ("NeedsReview", "Failed", "DeadLetter")
CANCELLED_STATUSES = ("cancelled", "trash")
NEVER_INVOICED = ("trash", "checkout-draft", "auto-draft")
_REVISION = re.compile(r":r(\d+)$")


@dataclass
class OrderCheck:
    order_id: int
    state: str  # invoiced, cancelled, waiting, parked, not_synced, missing
    findings: list[Finding] = field(default_factory=list)
    currency: str = ""
    woo_total: Decimal = ZERO
    erp_total: Decimal | None = None
    woo_refunds: Decimal = ZERO
    erp_credit_notes: Decimal = ZERO


def _num(value: Any) -> Decimal:
    try:
        return money(value)
    except MoneyError:
        return ZERO


def _cents(value: Decimal) -> str:
    return f"{value:.2f}"


def revision(sync_key: str) -> int:
    found = _REVISION.search(sync_key)
    return int(found.group(1)) if found else 0


class _Order:
    """The order, its documents split by role, and the findings gathered per kind."""

    def __init__(self, ev: Evidence, rules: Rules) -> None:
        self.ev, self.rules, self.order = ev, rules, ev.order
        self.id = int(self.order["id"])
        self.status = str(self.order.get("status") or "")
        self.currency = str(self.order.get("currency") or "")
        self.total = _num(self.order.get("total"))
        mine = [d for d in ev.invoices if self._belongs(d)]
        self.originals = [d for d in mine if not int(d.get("is_return") or 0)]
        names = {str(d["name"]) for d in self.originals}
        refund_keys = {refund_key(rules.store, r["id"]) for r in self.refunds}
        self.returns = [
            d
            for d in mine
            if int(d.get("is_return") or 0)
            and (d.get("return_against") in names or d.get("woonext_sync_key") in refund_keys)
        ]
        top = max((revision(str(d.get("woonext_sync_key") or "")) for d in self.originals), default=0)
        keys = {payment_key(rules.store, self.id, n) for n in range(top + 1)}
        self.payments = [p for p in ev.payments if p.sync_key in keys or names & set(p.allocations)]
        # refunds paid out of a credit note's own outstanding (foreign currency): not the order's payment
        notes = {str(d["name"]) for d in self.returns}
        out_keys = {refund_payment_key(rules.store, r["id"]) for r in self.refunds}
        self.refund_payments = [
            p for p in ev.payments if p not in self.payments and (p.sync_key in out_keys or notes & set(p.allocations))
        ]
        self.problems: dict[str, list[tuple[str, str, str, str, tuple[str, ...]]]] = {}

    @property
    def refunds(self) -> list[WooRefundSummary]:
        return [r for r in self.order.get("refunds") or [] if isinstance(r, dict) and r.get("id")]

    def _belongs(self, doc: dict[str, Any]) -> bool:
        """This store's document: its sync key names the store, or it has none and the company matches."""
        key = str(doc.get("woonext_sync_key") or "")
        if key:
            return key.startswith(f"{self.rules.store}:")
        return doc.get("company") in (None, "", self.rules.company)

    def add(self, kind: str, code: str, expected: str, actual: str, detail: str, docs: tuple[str, ...]) -> None:
        self.problems.setdefault(kind, []).append((code, expected, actual, detail, docs))

    def finding(self, kind: str, code: str, expected: str, actual: str, detail: str, docs: tuple[str, ...]) -> Finding:
        o = self.order
        return Finding(
            kind=kind,
            code=code,
            order_id=self.id,
            order_number=str(o.get("number") or self.id),
            order_status=self.status,
            order_total=_cents(self.total),
            currency=self.currency,
            date_created=str(o.get("date_created") or ""),
            documents=docs,
            expected=expected,
            actual=actual,
            detail=detail,
        )

    def findings(self) -> list[Finding]:
        out = []
        for kind in (*MISMATCH_KINDS, NOT_SYNCED):
            rows = self.problems.get(kind)
            if not rows:
                continue
            docs = tuple(dict.fromkeys(d for row in rows for d in row[4]))
            out.append(
                self.finding(
                    kind,
                    rows[0][0],
                    "; ".join(r[1] for r in rows if r[1]),
                    "; ".join(r[2] for r in rows if r[2]),
                    "; ".join(r[3] for r in rows),
                    docs,
                )
            )
        return out


def _newest(docs: list[dict[str, Any]]) -> dict[str, Any]:
    return max(
        docs,
        key=lambda d: (
            revision(str(d.get("woonext_sync_key") or "")),
            str(d.get("creation") or ""),
            str(d.get("name")),
        ),
    )


def check_order(ev: Evidence, rules: Rules) -> OrderCheck:
    """Everything that is wrong between one order and ERPNext (nothing, for most orders)."""
    o = _Order(ev, rules)
    check = OrderCheck(order_id=o.id, state="invoiced", currency=o.currency, woo_total=o.total)
    submitted = [d for d in o.originals if int(d.get("docstatus") or 0) == 1]
    cancelled = [d for d in o.originals if int(d.get("docstatus") or 0) == 2]
    should_cancel = o.status in CANCELLED_STATUSES
    if len(submitted) > 1:
        names = tuple(sorted(str(d["name"]) for d in submitted))
        o.add(
            DUPLICATE,
            "invoice",
            "1 submitted invoice",
            f"{len(submitted)} submitted invoices",
            f"{len(submitted)} submitted invoices for one order: {', '.join(names)}",
            names,
        )
    if submitted and should_cancel:
        current = _newest(submitted)
        check.state = "cancelled"
        o.add(
            STATUS,
            "invoice_not_cancelled",
            "cancelled (docstatus 2)",
            "submitted (docstatus 1)",
            f"the order is {o.status} but invoice {current['name']} is not cancelled",
            (str(current["name"]),),
        )
    elif submitted:
        _check_invoice(o, _newest(submitted), check)
    elif should_cancel:
        check.state = "cancelled"
    elif o.status in rules.wait_statuses or o.status in NEVER_INVOICED:
        check.state = "waiting"
    elif cancelled and (not ev.memory.invoice or ev.memory.invoice in {str(d["name"]) for d in cancelled}):
        newest = _newest(cancelled)
        check.state = "cancelled"
        o.add(
            STATUS,
            "invoice_cancelled",
            "submitted (docstatus 1)",
            "cancelled (docstatus 2)",
            f"the order is {o.status} but its invoice {newest['name']} is cancelled and has no newer revision",
            (str(newest["name"]),),
        )
    else:
        check.state = _without_invoice(o)
    live_payments = sorted({p.name for p in o.payments if p.docstatus == 1})
    if len(live_payments) > 1 and not should_cancel:
        o.add(
            DUPLICATE,
            "payment_entry",
            "at most 1 submitted Payment Entry",
            f"{len(live_payments)} submitted Payment Entries",
            f"Payment Entries {', '.join(live_payments)} for one order",
            tuple(live_payments),
        )
    check.findings = _park(o, check) if ev.memory.outcome_status in UNRESOLVED else _reviewed(o.findings(), ev.memory)
    return check


def _reviewed(findings: list[Finding], mem: Memory) -> list[Finding]:
    """Money differences on an invoice whose edit a person accepted: still mismatches, now saying so."""
    if not mem.accepted_edit:
        return findings
    return [
        replace(f, detail=f"{f.detail} ({mem.accepted_edit})")
        if f.kind in (TOTAL, TAX, PAYMENT) and mem.invoice in f.documents
        else f
        for f in findings
    ]


def _without_invoice(o: _Order) -> str:
    """No invoice and the order's status wants one: missing, or a known reason why not (yet)."""
    mem, drafts = o.ev.memory, [str(d["name"]) for d in o.originals if int(d.get("docstatus") or 0) == 0]
    if mem.outcome_status in UNRESOLVED:
        return "parked"
    modified = str(o.order.get("date_modified_gmt") or "")
    if mem.synced_up_to and modified > mem.synced_up_to and not mem.invoice:
        o.add(
            NOT_SYNCED, "pending", "", "", "changed after the last live sync; the next run picks it up", tuple(drafts)
        )
        return "not_synced"
    seen = bool(mem.invoice) or (mem.outcome_status and mem.outcome_reason != "status_not_migrated")
    if seen or o.status in o.rules.migrate_statuses or drafts:
        where = f"woonext made {mem.invoice}, " if mem.invoice else ""
        code = "draft_only" if drafts else ("invoice_gone" if mem.invoice else "no_invoice")
        detail = (
            f"{where}ERPNext has only the draft {', '.join(drafts)}"
            if drafts
            else f"{where}ERPNext has no submitted invoice for this {o.status} order"
        )
        o.add(
            MISSING,
            code,
            "a submitted invoice",
            "draft" if drafts else "none",
            detail,
            tuple(drafts) or ((mem.invoice,) if mem.invoice else ()),
        )
        return "missing"
    o.add(
        NOT_SYNCED,
        "predates_live_sync",
        "",
        "",
        f"a {o.status} order woonext has no record of: older than "
        "the live sync and not a migrated status; `woonext events replay` invoices it",
        (),
    )
    return "not_synced"


def _park(o: _Order, check: OrderCheck) -> list[Finding]:
    """Known problems: one `parked` note with the recorded reason (and what reconciliation saw)."""
    mem = o.ev.memory
    seen = [f for f in o.findings() if f.mismatch]
    if not seen and check.state != "parked":
        return []
    check.state = "parked"
    also = "; ".join(f"{f.kind}: {f.detail}" for f in seen)
    detail = mem.outcome_detail + (f" (also: {also})" if also else "")
    docs = tuple(dict.fromkeys(d for f in seen for d in f.documents))
    return [o.finding(PARKED, mem.outcome_reason or mem.outcome_status.lower(), "", mem.outcome_status, detail, docs)]


def _check_invoice(o: _Order, inv: dict[str, Any], check: OrderCheck) -> None:
    name = str(inv["name"])
    grand = _num(inv.get("grand_total"))
    check.erp_total = grand
    inv_currency = str(inv.get("currency") or "")
    if o.currency and inv_currency and inv_currency != o.currency:
        o.add(
            TOTAL,
            "currency",
            o.currency,
            inv_currency,
            f"invoice {name} is in {inv_currency}, the order in {o.currency}",
            (name,),
        )
    if grand != o.total:
        o.add(
            TOTAL,
            "grand_total",
            _cents(o.total),
            _cents(grand),
            f"invoice {name} grand total {_cents(grand)}, order total {_cents(o.total)} "
            f"(difference {_cents(grand - o.total)})",
            (name,),
        )
    taxes, woo_tax = _num(inv.get("total_taxes_and_charges")), _num(o.order.get("total_tax"))
    if taxes != woo_tax:
        o.add(
            TAX,
            "total_tax",
            _cents(woo_tax),
            _cents(taxes),
            f"invoice {name} taxes {_cents(taxes)}, order total_tax {_cents(woo_tax)}",
            (name,),
        )
    notes = [d for d in o.returns if int(d.get("docstatus") or 0) == 1 and d.get("return_against") in (name, None, "")]
    _check_refunds(o, notes, check)
    _check_payment(o, inv, notes)


def _check_refunds(o: _Order, notes: list[dict[str, Any]], check: OrderCheck) -> None:
    """One submitted credit note per WooCommerce refund, together worth what was refunded."""
    refunded = sum((-_num(r.get("total")) for r in o.refunds), ZERO)
    credited = sum((-_num(d.get("grand_total")) for d in notes), ZERO)
    check.woo_refunds, check.erp_credit_notes = refunded, credited
    for refund in o.refunds:
        key = refund_key(o.rules.store, refund["id"])
        written_back = o.ev.memory.erp_refunds.get(str(refund["id"]))  # a record of an ERPNext credit note
        mine = sorted(str(d["name"]) for d in notes if d.get("woonext_sync_key") == key or d["name"] == written_back)
        if not mine:
            o.add(
                STATUS,
                "refund_credit_note_missing",
                f"a credit note for refund {refund['id']}",
                "none",
                f"refund {refund['id']} ({_cents(-_num(refund.get('total')))}) has no submitted credit note",
                (),
            )
        elif len(mine) > 1:
            o.add(
                DUPLICATE,
                "credit_note",
                f"1 credit note for refund {refund['id']}",
                f"{len(mine)}",
                f"credit notes {', '.join(mine)} for refund {refund['id']}",
                tuple(mine),
            )
    if refunded != credited:
        docs = tuple(sorted(str(d["name"]) for d in notes))
        o.add(
            STATUS,
            "refunded_amount",
            _cents(refunded),
            _cents(credited),
            f"WooCommerce refunded {_cents(refunded)}, credit notes total {_cents(credited)}",
            docs,
        )


def _check_payment(o: _Order, inv: dict[str, Any], notes: list[dict[str, Any]]) -> None:
    """Outstanding = what the order still owes in ERPNext's own bookkeeping.

    A POS-paid (migrated) invoice owes nothing; a live one owes its total less Payment Entries
    allocated to it and less credit notes that book against it (the non-POS ones). Amounts are in
    the receivable account's currency, which is the company's for a foreign-currency invoice."""
    name = str(inv["name"])
    foreign = inv.get("party_account_currency") not in (None, "", inv.get("currency"))
    base = "base_" if foreign else ""
    total = _num(inv.get("base_grand_total")) if foreign else o.total
    paid = {p.name: p.allocations.get(name, ZERO) for p in o.payments if p.docstatus == 1}
    expected = ZERO if int(inv.get("is_pos") or 0) else total
    expected -= sum(paid.values(), ZERO)
    expected -= sum((-_num(d.get(base + "grand_total")) for d in notes if _books_against_original(d)), ZERO)
    actual = _num(inv.get("outstanding_amount"))
    docs = (name, *sorted(paid))
    method = str(o.order.get("payment_method") or "")
    # a migrated paid invoice without a POS row (a foreign-currency order) is paid by a Payment Entry
    migrated_paid = not int(inv.get("update_stock") or 0) and o.order.get("status") in o.rules.migrate_statuses
    if not int(inv.get("is_pos") or 0) and total and not paid and (method in o.rules.prepaid_methods or migrated_paid):
        o.add(
            PAYMENT,
            "payment_entry_missing",
            "a submitted Payment Entry",
            "none",
            f"{'prepaid (' + method + ')' if method in o.rules.prepaid_methods else 'migrated paid'} invoice "
            f"{name} has no submitted Payment Entry (outstanding {_cents(actual)}, a paid order owes 0.00)",
            docs,
        )
    _check_refund_entries(o, notes, foreign)
    if actual != expected and foreign and int(inv.get("is_pos") or 0) and abs(actual - expected) == CENT:
        # ERPNext converts the rows one by one but the POS payment in one go (docs/money.md, known limit)
        o.add(
            PAYMENT,
            "conversion_cent",
            _cents(expected),
            _cents(actual),
            f"invoice {name} ({inv.get('currency')}) leaves {_cents(actual)} {inv.get('party_account_currency')} "
            "outstanding from currency conversion: write the cent off in ERPNext",
            docs,
        )
    elif actual != expected:
        o.add(
            PAYMENT,
            "outstanding",
            _cents(expected),
            _cents(actual),
            f"invoice {name} outstanding {_cents(actual)}, expected {_cents(expected)}",
            docs,
        )


def _books_against_original(note: dict[str, Any]) -> bool:
    """A non-POS credit note that lowers its original's outstanding (`update_outstanding_for_self` 0)."""
    return not int(note.get("is_pos") or 0) and not int(note.get("update_outstanding_for_self") or 0)


def _check_refund_entries(o: _Order, notes: list[dict[str, Any]], foreign: bool) -> None:
    """A credit note that keeps its own outstanding (a foreign-currency refund) is paid out by a
    Payment Entry: nothing may stay owed to the customer."""
    base = "base_" if foreign else ""
    for note in notes:
        if int(note.get("is_pos") or 0) or not int(note.get("update_outstanding_for_self") or 0):
            continue
        name = str(note["name"])
        paid = {
            p.name: p.allocations.get(name, ZERO)
            for p in o.refund_payments
            if p.docstatus == 1 and name in p.allocations
        }
        expected = _num(note.get(base + "grand_total")) - sum(paid.values(), ZERO)
        actual = _num(note.get("outstanding_amount"))
        if actual != expected or expected != ZERO:
            o.add(
                PAYMENT,
                "refund_entry_missing" if not paid else "outstanding",
                "0.00",
                _cents(actual),
                f"credit note {name} still owes the customer {_cents(-actual)}"
                + ("" if paid else ": its refund has no submitted Payment Entry"),
                (name, *sorted(paid)),
            )


def build_report(store: str, period: Period, evidence: list[Evidence], rules: Rules) -> Report:
    report = Report(store=store, period=period)
    for ev in evidence:
        check = check_order(ev, rules)
        report.orders += 1
        report.checked.add(str(check.order_id))
        report.states[check.state] += 1
        report.findings += check.findings
        if check.erp_total is not None:
            totals = report.totals.setdefault(check.currency, Totals())
            totals.orders += 1
            totals.woocommerce += check.woo_total
            totals.erpnext += check.erp_total
            totals.woocommerce_refunds += check.woo_refunds
            totals.erpnext_credit_notes += check.erp_credit_notes
    return report
