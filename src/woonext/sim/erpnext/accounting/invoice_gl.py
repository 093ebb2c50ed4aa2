"""The GL entries of a submitted Sales Invoice (ERPNext `SalesInvoice.get_gl_entries`)."""

from __future__ import annotations

from typing import Any

from ..base import Doc
from . import lookup
from .ledger import gl_entry
from .lookup import Lookup
from .money import cint, dec, money


def against_voucher(doc: Doc) -> str:
    """A credit note with `update_outstanding_for_self` 0 books against the original invoice."""
    if cint(doc.get("is_return")) and doc.get("return_against") and not cint(doc.get("update_outstanding_for_self")):
        return str(doc["return_against"])
    return str(doc.get("name") or "")


def sales_invoice_gl(doc: Doc, db: Lookup) -> list[Doc]:
    company = doc.get("company") or ""
    receivable = doc.get("debit_to") or ""
    party: dict[str, Any] = {
        "party_type": "Customer",
        "party": doc.get("customer"),
        "against_voucher_type": "Sales Invoice",
        "against_voucher": against_voucher(doc),
    }
    rounding_on = bool(dec(doc.get("rounding_adjustment")) and dec(doc.get("base_rounded_total")))
    receivable_total = dec(doc.get("base_rounded_total")) if rounding_on else dec(doc.get("base_grand_total"))
    entries = [gl_entry(doc, receivable, debit=receivable_total, against=doc.get("against_income_account"), **party)]
    for tax in doc.get("taxes") or []:
        amount = dec(tax.get("base_tax_amount_after_discount_amount"))
        if amount:
            entries.append(
                gl_entry(
                    doc,
                    tax.get("account_head") or "",
                    credit=amount,
                    cost_center=tax.get("cost_center") or "",
                )
            )
    for row in doc.get("items") or []:
        amount = dec(row.get("base_net_amount"))
        if amount:
            entries.append(
                gl_entry(
                    doc,
                    row.get("income_account") or "",
                    credit=amount,
                    cost_center=row.get("cost_center") or "",
                )
            )
    if cint(doc.get("is_pos")):
        for payment in doc.get("payments") or []:
            amount = dec(payment.get("base_amount"))
            if amount:
                entries.append(gl_entry(doc, receivable, credit=amount, **party))
                entries.append(gl_entry(doc, payment.get("account") or "", debit=amount))
        change = dec(doc.get("base_change_amount"))
        if change:
            entries.append(gl_entry(doc, receivable, debit=change, **party))
            entries.append(gl_entry(doc, doc.get("account_for_change_amount") or "", credit=change))
    entries += stock_gl(doc, db)
    adjustment = dec(doc.get("base_rounding_adjustment"))
    if adjustment:
        entries.append(
            gl_entry(
                doc,
                lookup.company_default(db, company, "round_off_account"),
                credit=adjustment,
                cost_center=lookup.company_default(db, company, "round_off_cost_center"),
            )
        )
    return entries


def inventory_account(db: Lookup, warehouse: str, company: str) -> str:
    account = (db.get("Warehouse", warehouse) or {}).get("account")
    return str(account or lookup.company(db, company).get("default_inventory_account") or "")


def stock_gl(doc: Doc, db: Lookup) -> list[Doc]:
    """Perpetual inventory: stock leaves the warehouse account at valuation, into cost of goods sold.
    Only when the warehouse or the company names an inventory account (ERPNext's wizard does)."""
    if not cint(doc.get("update_stock")):
        return []
    company = doc.get("company") or ""
    entries = []
    for row in lookup.stock_rows(doc, db):
        if not row.get("warehouse"):
            continue
        stock_account = inventory_account(db, row["warehouse"], company)
        value = money(dec(row.get("stock_qty")) * dec(row.get("incoming_rate")))
        if not stock_account or not value:
            continue
        cost_center = row.get("cost_center") or ""
        entries.append(gl_entry(doc, stock_account, credit=value, cost_center=cost_center))
        entries.append(gl_entry(doc, row.get("expense_account") or "", debit=value, cost_center=cost_center))
    return entries
