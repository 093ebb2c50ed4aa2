"""POS-style invoices: the `payments` table (B4.3, samples 12 and 13)."""

from __future__ import annotations

from ..base import Doc, throw
from . import lookup
from .lookup import Lookup
from .money import ZERO, cint, dec, money


def fill_payment_rows(doc: Doc, db: Lookup, filling_accounts: bool) -> None:
    """Row type from the Mode of Payment; the account only when ERPNext would fill it.

    Observed on 15.92: a *draft* gets the Mode of Payment's company account; an insert that submits
    in the same request keeps the row as sent, and a row without account then fails in the GL with
    "Account is required" (sample 12).
    """
    if not cint(doc.get("is_pos")):
        return
    company = doc.get("company") or ""
    for idx, payment in enumerate(doc.get("payments") or [], start=1):
        payment.setdefault("idx", idx)
        mode = payment.get("mode_of_payment") or ""
        payment.setdefault("default", 0)
        if mode and not payment.get("type"):
            payment["type"] = lookup.mode_of_payment_type(db, mode) or "Cash"
        if filling_accounts and mode and not payment.get("account"):
            account = lookup.mode_of_payment_account(db, mode, company)
            if not account:
                raise throw(
                    f"Please set default Cash or Bank account in Mode of Payment {mode}",
                    title="Missing Account",
                )
            payment["account"] = account


def validate_pos_on_submit(doc: Doc) -> None:
    """Checks ERPNext runs when a POS invoice is submitted (zero rows are dropped first)."""
    if not cint(doc.get("is_pos")):
        return
    doc["payments"] = [p for p in doc.get("payments") or [] if dec(p.get("amount"))]
    for idx, payment in enumerate(doc["payments"], start=1):
        payment["idx"] = idx
    if not doc["payments"] and dec(doc.get("grand_total")) > 0:
        raise throw("At least one mode of payment is required for POS invoice.")


def validate_pos_return(doc: Doc) -> None:
    if not (cint(doc.get("is_pos")) and cint(doc.get("is_return"))):
        return
    total = dec(doc.get("rounded_total")) or dec(doc.get("grand_total"))
    paid = dec(doc.get("paid_amount")) + dec(doc.get("write_off_amount"))
    if money(paid - total) > ZERO + dec("0.001"):
        raise throw("Paid amount + Write Off Amount can not be greater than Grand Total")
