"""Sales Invoice status, computed in ERPNext's order (B4.5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ..base import Ctx, Doc
from .money import ZERO, cint, dec, money


def invoice_total(doc: Doc) -> Any:
    """What the party owes, in the receivable account's currency: rounded total unless rounding is off."""
    prefix = "" if doc.get("party_account_currency") in (None, "", doc.get("currency")) else "base_"
    return dec(doc.get(prefix + "rounded_total")) or dec(doc.get(prefix + "grand_total"))


def compute_status(doc: Doc, today: date, credit_note_issued: Callable[[], bool]) -> str:
    """`credit_note_issued` is asked only when it decides the status (it scans the invoices)."""
    docstatus = cint(doc.get("docstatus"))
    if docstatus == 2:
        return "Cancelled"
    if docstatus != 1:
        return "Draft"
    outstanding = money(doc.get("outstanding_amount"))
    total = invoice_total(doc)
    due = date.fromisoformat(str(doc.get("due_date") or doc.get("posting_date"))[:10])
    if outstanding > 0 and due < today:
        return "Overdue"
    if ZERO < outstanding < total:
        return "Partly Paid"
    if outstanding > 0 and due >= today:
        return "Unpaid"
    if not cint(doc.get("is_return")) and credit_note_issued():
        return "Credit Note Issued"
    if cint(doc.get("is_return")):
        return "Return"
    if outstanding <= 0:
        return "Paid"
    return "Submitted"


def has_credit_note(ctx: Ctx, name: str) -> bool:
    """A submitted return points at this invoice (for "Credit Note Issued")."""
    return bool(ctx.all("Sales Invoice", return_against=name, docstatus=1, is_return=1))


def status_now(doc: Doc, ctx: Ctx) -> str:
    """The status as of the site's today, looking up credit notes only if needed."""
    return compute_status(doc, ctx.now().date(), lambda: has_credit_note(ctx, doc.get("name") or ""))


def refresh_status(doc: Doc, ctx: Ctx) -> str:
    doc["status"] = status_now(doc, ctx)
    return doc["status"]
