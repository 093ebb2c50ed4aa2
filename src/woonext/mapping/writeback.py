"""What to write back to a WooCommerce order, decided from what ERPNext and the order say (pure).

An order is done in ERPNext when its invoice is fully paid by Payment Entries woonext did not make
itself (a cash-on-delivery order's cash, recorded when the courier comes back), delivered (submitted
Delivery Notes cover every goods row of the invoice; optionally the invoice's own stock movement), or
both, as the store's rule says. A done order moves to the configured status — only forward, along the
store's transition table, never out of refunded/cancelled/trash, and never when the order changed
since woonext last saw it. A credit note made in ERPNext (not one woonext made from a WooCommerce
refund) becomes a refund record or a private note. What moved an order and is cancelled afterwards
is reported for a person: nothing ever moves an order back. docs/writeback.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from woonext.mapping.keys import order_version
from woonext.mapping.money import ZERO, money, round2

MARKER_KEY = "_woonext_writeback"  # order meta: woonext's own write (its echo webhook is recognised)
CREDIT_META = "_woonext_credit_note"  # refund meta: the ERPNext credit note a refund record stands for
FINAL = ("refunded", "cancelled", "trash")
CENT = Decimal("0.005")


@dataclass(frozen=True)
class Rules:
    """`[stores.writeback]` as the decision needs it."""

    when: str  # paid | delivered | paid_or_delivered | paid_and_delivered
    status: str
    transitions: Mapping[str, Sequence[str]]
    invoice_stock_is_delivery: bool = False
    customer_note: str = ""
    refunds: bool = False
    charge_items: frozenset[str] = frozenset()  # shipping / fee items: not goods to deliver

    def may_move(self, current: str, target: str) -> bool:
        return target in self.transitions.get(current, ())


@dataclass(frozen=True)
class Entry:
    """A Payment Entry (its amount allocated to the invoice) or a Delivery Note touching the invoice."""

    name: str
    docstatus: int
    amount: Decimal = ZERO


@dataclass(frozen=True)
class Row:
    name: str
    item_code: str
    qty: Decimal
    delivered: Decimal


@dataclass(frozen=True)
class CreditLine:
    item_code: str
    qty: Decimal  # positive: what is returned
    amount: Decimal  # positive, before tax


@dataclass(frozen=True)
class CreditNote:
    name: str
    docstatus: int
    amount: Decimal  # positive: the credit note's grand total, returned
    ours: bool = False  # made by woonext from a WooCommerce refund
    update_stock: bool = False
    lines: tuple[CreditLine, ...] = ()


@dataclass
class InvoiceFacts:
    """One live invoice as ERPNext has it now."""

    name: str
    docstatus: int
    grand_total: Decimal
    outstanding: Decimal
    update_stock: bool = False
    rows: list[Row] = field(default_factory=list)
    payments: list[Entry] = field(default_factory=list)  # not woonext's own
    deliveries: list[Entry] = field(default_factory=list)
    credit_notes: list[CreditNote] = field(default_factory=list)


@dataclass
class Memory:
    """What woonext wrote to the order before (store/writebacks.py state)."""

    marker: str = ""
    seen: str = ""  # the order's date_modified_gmt right after woonext's own last write
    status: dict[str, Any] = field(default_factory=dict)  # {"to", "reason", "documents"} once written
    refunds: dict[str, str] = field(default_factory=dict)  # credit note → WooCommerce refund id
    noted: list[str] = field(default_factory=list)  # credit notes reported as a private note
    reviewed: list[str] = field(default_factory=list)  # documents already reported for a person

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> Memory:
        return cls(
            marker=str(data.get("marker") or ""),
            seen=str(data.get("seen") or ""),
            status=dict(data.get("status") or {}),
            refunds={str(k): str(v) for k, v in (data.get("refunds") or {}).items()},
            noted=[str(x) for x in data.get("noted") or []],
            reviewed=[str(x) for x in data.get("reviewed") or []],
        )


@dataclass(frozen=True)
class Action:
    """One thing to write (or not): `kind` status | refund | note | review | skip."""

    kind: str
    reason: str
    detail: str
    documents: tuple[str, ...] = ()
    to_status: str = ""
    note: str = ""  # the private note that goes with it
    customer_note: str = ""
    refund: Mapping[str, Any] | None = None  # the refund's body (without its line ids resolved)
    pending: bool = False  # a skip for a passing reason: tried again by the next sweep


# -- is the order done in ERPNext? ------------------------------------------------------------------
def paid_by(f: InvoiceFacts) -> list[str]:
    """The Payment Entries that paid the invoice in full ([] when it is not fully paid that way)."""
    entries = [p for p in f.payments if p.docstatus == 1 and p.amount > ZERO]
    return [p.name for p in entries] if f.docstatus == 1 and entries and f.outstanding <= CENT else []


def delivered_by(f: InvoiceFacts, rules: Rules) -> list[str]:
    """The Delivery Notes (or the invoice itself) that delivered every goods row ([] when not)."""
    if f.docstatus != 1:
        return []
    if rules.invoice_stock_is_delivery and f.update_stock:
        return [f.name]
    notes = [d.name for d in f.deliveries if d.docstatus == 1]
    goods = [r for r in f.rows if r.item_code not in rules.charge_items]
    if notes and goods and all(r.delivered >= r.qty for r in goods):
        return sorted(set(notes))
    return []


def done(f: InvoiceFacts, rules: Rules) -> tuple[str, list[str]] | None:
    """Why the order is done ("paid", "delivered", "paid_and_delivered") and by which documents."""
    paid, delivered = paid_by(f), delivered_by(f, rules)
    if rules.when == "paid":
        return ("paid", paid) if paid else None
    if rules.when == "delivered":
        return ("delivered", delivered) if delivered else None
    if rules.when == "paid_and_delivered":
        return ("paid_and_delivered", paid + delivered) if paid and delivered else None
    if paid and delivered:
        return "paid_and_delivered", paid + delivered
    if paid or delivered:
        return ("paid", paid) if paid else ("delivered", delivered)
    return None


# -- the decision -------------------------------------------------------------------------------------
def changed_since_seen(order: Mapping[str, Any], synced_version: str, memory: Memory) -> bool:
    """The order was saved after the copy woonext last synced and after woonext's own last write."""
    seen = max(synced_version, memory.seen)
    return bool(seen) and order_version(order) > seen


def plan(order: Mapping[str, Any], f: InvoiceFacts, rules: Rules, memory: Memory, synced_version: str) -> list[Action]:
    """Everything to do for one order now, in order: findings, the status move, credit notes."""
    stale = changed_since_seen(order, synced_version, memory)
    actions = _reviews(f, memory)
    status = _status_action(order, f, rules, memory, stale)
    if status is not None:
        actions.append(status)
    for note in f.credit_notes:
        action = _credit_action(order, note, rules, memory, stale)
        if action is not None:
            actions.append(action)
    return actions


def _status_action(
    order: Mapping[str, Any], f: InvoiceFacts, rules: Rules, memory: Memory, stale: bool
) -> Action | None:
    found = done(f, rules)
    if found is None:
        return None
    reason, documents = found
    docs = tuple(documents)
    current, target = str(order.get("status") or ""), rules.status
    if current == target or memory.status:
        return None  # there already, or woonext moved it once: never a second time (no ping-pong)
    why = f"{_invoice_says(reason, f.name)} ({', '.join(docs)})"
    if current in FINAL:
        return Action("skip", f"{current}_meanwhile", f"{why}, but the order is {current}: left as it is", docs)
    if not rules.may_move(current, target):
        detail = f"{why}, but {current!r} → {target!r} is not in [stores.writeback] transitions: left as it is"
        return Action("skip", "not_in_transitions", detail, docs)
    if stale:
        detail = f"{why}, but the order changed in WooCommerce since woonext last synced it: tried again later"
        return Action("skip", "changed_since_seen", detail, docs, pending=True)
    note = f"{_invoice_says(reason, f.name)} in ERPNext ({', '.join(docs)}); woonext set the order to {target}."
    customer = rules.customer_note.format(number=order.get("number") or order.get("id"), status=target)
    return Action("status", reason, why, docs, to_status=target, note=note, customer_note=customer)


def _invoice_says(reason: str, invoice: str) -> str:
    return {
        "paid": f"invoice {invoice} paid",
        "delivered": f"invoice {invoice} delivered",
        "paid_and_delivered": f"invoice {invoice} paid and delivered",
    }[reason]


def _reviews(f: InvoiceFacts, memory: Memory) -> list[Action]:
    """Documents that moved the order (or became a refund) and were cancelled afterwards."""
    actions = []
    moved_by = set(memory.status.get("documents") or [])
    entries = [("Payment Entry", e) for e in f.payments] + [("Delivery Note", e) for e in f.deliveries]
    for kind, entry in entries:
        if entry.docstatus == 2 and entry.name in moved_by and entry.name not in memory.reviewed:
            detail = (
                f"{kind} {entry.name} was cancelled in ERPNext after woonext set the order to "
                f"{memory.status.get('to')}: the order is left as it is"
            )
            actions.append(Action("review", f"{_slug(kind)}_cancelled_after_writeback", detail, (entry.name,)))
    for note in f.credit_notes:
        if note.docstatus == 2 and note.name in memory.refunds and note.name not in memory.reviewed:
            detail = (
                f"credit note {note.name} was cancelled in ERPNext after woonext recorded it as refund "
                f"{memory.refunds[note.name]} in WooCommerce: the refund record is left as it is"
            )
            actions.append(Action("review", "credit_note_cancelled_after_writeback", detail, (note.name,)))
    return actions


def _slug(kind: str) -> str:
    return kind.lower().replace(" ", "_")


def _credit_action(
    order: Mapping[str, Any], note: CreditNote, rules: Rules, memory: Memory, stale: bool
) -> Action | None:
    if note.ours or note.docstatus != 1 or note.name in memory.refunds or note.name in memory.noted:
        return None
    docs = (note.name,)
    what = f"credit note {note.name} of {_amount(order, note.amount)} made in ERPNext"
    status = str(order.get("status") or "")
    if status in ("cancelled", "trash"):
        return Action("skip", f"{status}_meanwhile", f"{what}, but the order is {status}: nothing written", docs)
    if stale:
        detail = f"{what}, but the order changed in WooCommerce since woonext last synced it: tried again later"
        return Action("skip", "changed_since_seen", detail, docs, pending=True)
    if not rules.refunds:
        text = f"C{what[1:]}; no refund recorded in WooCommerce ([stores.writeback] refunds is off)."
        return Action("note", "credit_note", what, docs, note=text)
    left = remaining_refund(order)
    if note.amount > left:
        detail = f"{what}, more than the {_amount(order, left)} WooCommerce can still refund: nothing written"
        return Action("review", "credit_note_exceeds_order", detail, docs)
    body = {
        "amount": f"{round2(note.amount):.2f}",  # WooCommerce takes money as text
        "reason": f"Credit note {note.name} in ERPNext",
        "api_refund": False,  # a record only: the money was settled in ERPNext, not through the gateway
        "api_restock": note.update_stock,
        "meta_data": [{"key": CREDIT_META, "value": note.name}],
    }
    text = f"Refund of {_amount(order, note.amount)} recorded from credit note {note.name} in ERPNext (no money moved)."
    return Action("refund", "credit_note", what, docs, note=text, refund=body)


def _amount(order: Mapping[str, Any], value: Decimal) -> str:
    return f"{order.get('currency') or ''} {round2(value):.2f}".strip()


def remaining_refund(order: Mapping[str, Any]) -> Decimal:
    refunded = sum((-money(r.get("total"), "refund total") for r in order.get("refunds") or []), ZERO)
    return money(order.get("total"), "total") - refunded


def refund_lines(note: CreditNote, line_codes: Mapping[str, str], order: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The credit note's goods as refund lines of the order (`id`, `quantity`, `refund_total`): each
    returned Item on the order line of that Item, rows of one line added up; charges stay in the amount."""
    by_code: dict[str, str] = {}
    for line in order.get("line_items") or []:
        code = line_codes.get(str(line.get("id")), "")
        by_code.setdefault(code, str(line.get("id")))
    lines: dict[str, dict[str, Decimal]] = {}
    for credit in note.lines:
        line_id = by_code.get(credit.item_code)
        if line_id is None or credit.qty <= ZERO:
            continue
        slot = lines.setdefault(line_id, {"qty": ZERO, "amount": ZERO})
        slot["qty"] += credit.qty
        slot["amount"] += credit.amount
    return [
        {"id": int(line_id), "quantity": int(v["qty"]), "refund_total": f"{round2(v['amount']):.2f}"}
        for line_id, v in lines.items()
    ]


def marker(documents: Sequence[str], at: str) -> str:
    """The `_woonext_writeback` value: the ERPNext documents and when (sample 71: "erp:SO-0001@…")."""
    return f"erpnext:{','.join(documents)}@{at}"


def own_marker(order: Mapping[str, Any]) -> str:
    for meta in order.get("meta_data") or []:
        if meta.get("key") == MARKER_KEY:
            return str(meta.get("value") or "")
    return ""


def is_echo(order: Mapping[str, Any], memory: Memory) -> bool:
    """The order is exactly as woonext's own last write left it (its `order.updated` is an echo)."""
    return bool(memory.marker) and own_marker(order) == memory.marker and order_version(order) == memory.seen
