"""Credit notes: `make_sales_return` and the return validations (B4.6, observed mapping rule 10)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..base import Ctx, Doc, FrappeError, throw
from . import lookup
from .money import FLOAT_PRECISION, ZERO, cint, dec, flt
from .totals import calculate_taxes_and_totals, to_json

# Fields ERPNext's mapper does not carry over to the return (no_copy fields and the computed state).
_HEADER_DROP = {
    "name",
    "creation",
    "modified",
    "modified_by",
    "owner",
    "docstatus",
    "status",
    "amended_from",
    "outstanding_amount",
    "payment_schedule",
    "advances",
    "remarks",
    "in_words",
    "base_in_words",
}
_NOT_MAPPED = {"title", "po_no", "remarks", "against_income_account", "other_charges_calculation"}
_ROW_DROP = {"name", "creation", "modified", "modified_by", "owner", "parent", "docstatus", "__unsaved"}


def make_sales_return(ctx: Ctx, source_name: str | None = None, target_doc: Any = None, **_: Any) -> Doc:
    """The unsaved credit note for a submitted invoice: negative remaining quantities, negated
    Actual taxes, discount and POS payments; rows linked through `sales_invoice_item`."""
    source = ctx.get("Sales Invoice", source_name or "")
    if source is None:
        raise throw(f"Sales Invoice {source_name} not found", "DoesNotExistError", 404)
    if cint(source.get("docstatus")) != 1:
        raise throw(f"Sales Invoice {source_name} must be submitted")
    returned = already_returned(ctx, source["name"])
    # get_mapped_doc skips no_copy fields: a custom field made with no_copy 1 (woo_order_id) is not on
    # the return (observed-real.md; erpnext sample 97)
    custom = {str(cf.get("fieldname")) for cf in ctx.all("Custom Field", dt="Sales Invoice") if cint(cf.get("no_copy"))}
    doc = {k: copy.deepcopy(v) for k, v in source.items() if k not in _HEADER_DROP and k not in custom}
    today = ctx.now()
    doc.update(
        {
            "doctype": "Sales Invoice",
            "docstatus": 0,
            "is_return": 1,
            "return_against": source["name"],
            "posting_date": today.date().isoformat(),
            "posting_time": today.strftime("%H:%M:%S.%f"),
            "set_posting_time": 0,
            "due_date": today.date().isoformat(),
            "status": "Draft",
            "__islocal": 1,
            "__unsaved": 1,
        }
    )
    items = []
    for row in source.get("items") or []:
        remaining = dec(row.get("qty")) - returned.get((row.get("item_code"), row.get("name")), ZERO)
        if remaining <= 0:
            continue
        new_row = {k: v for k, v in row.items() if k not in _ROW_DROP}
        new_row.update(
            qty=float(-remaining),
            stock_qty=float(-remaining * (dec(row.get("conversion_factor")) or 1)),
            sales_invoice_item=row.get("name"),
            __islocal=1,
        )
        items.append(new_row)
    doc["items"] = items
    for tax in doc.get("taxes") or []:
        for key in _ROW_DROP:
            tax.pop(key, None)
        if tax.get("charge_type") == "Actual":
            tax["tax_amount"] = -float(dec(tax.get("tax_amount")))
    doc["discount_amount"] = -float(dec(source.get("discount_amount")))
    payments = []
    for payment in source.get("payments") or []:
        row = {k: v for k, v in payment.items() if k not in _ROW_DROP}
        row["amount"] = -float(dec(payment.get("amount")))
        row["base_amount"] = -float(dec(payment.get("base_amount")))
        payments.append(row)
    doc["payments"] = payments
    doc["paid_amount"] = -float(dec(source.get("paid_amount")))
    _drop_no_copy(ctx, doc)
    # the mapper's `set_missing_values` computes the note's figures (sample 97: −24.99, qty −1)
    calculate_taxes_and_totals(doc, lookup.smallest_fraction(ctx, str(doc.get("currency") or "")))
    to_json(doc)
    doc["outstanding_amount"] = doc.get("grand_total")
    return doc


def _drop_no_copy(ctx: Ctx, doc: Doc) -> None:
    """`no_copy` fields the mapper leaves out and nothing fills again: custom ones such as
    `woo_order_id` (observed: a credit note made with make_sales_return does not carry it), and the
    standard ones absent from sample 97."""
    meta = getattr(ctx, "meta", lambda _: None)("Sales Invoice")
    custom = {f["fieldname"] for f in (meta.fields if meta else []) if f.get("no_copy") and f.get("is_custom_field")}
    for field in custom | _NOT_MAPPED:
        doc.pop(field, None)


def already_returned(ctx: Ctx, invoice: str) -> dict[tuple[Any, Any], Decimal]:
    """Quantities already credited per (item_code, original row) by submitted returns."""
    totals: dict[tuple[Any, Any], Decimal] = {}
    for note in ctx.all("Sales Invoice", return_against=invoice, docstatus=1):
        for row in note.get("items") or []:
            key = (row.get("item_code"), row.get("sales_invoice_item"))
            totals[key] = totals.get(key, ZERO) - dec(row.get("stock_qty") or row.get("qty"))
    return totals


def validate_return(doc: Doc, ctx: Ctx) -> None:
    if not cint(doc.get("is_return")) or not doc.get("return_against"):
        return
    original = ctx.get("Sales Invoice", doc["return_against"])
    if original is None:
        raise throw(f"Invalid Return Against: {doc['return_against']}")
    _validate_against(doc, original)
    _validate_rows(doc, original, ctx)


def _validate_against(doc: Doc, original: Doc) -> None:
    same_party = original.get("company") == doc.get("company") and original.get("customer") == doc.get("customer")
    if not (same_party and cint(original.get("docstatus")) == 1):
        return
    theirs = _timestamp(original)
    if _timestamp(doc) < theirs:
        raise throw(f"Posting timestamp must be after {theirs.strftime('%d-%m-%Y %H:%M:%S')}")
    if dec(doc.get("conversion_rate")) != dec(original.get("conversion_rate")):
        raise throw(
            f"Exchange Rate must be same as Sales Invoice {original['name']} "
            f"({float(dec(original['conversion_rate']))})"
        )
    if cint(doc.get("update_stock")) and not cint(original.get("update_stock")):
        raise throw(f"'Update Stock' can not be checked because items are not delivered via {original['name']}")


def _timestamp(doc: Doc) -> datetime:
    day = datetime.fromisoformat(str(doc.get("posting_date"))[:10])
    hours, minutes, seconds = (str(doc.get("posting_time") or "0:0:0").split(":") + ["0", "0"])[:3]
    return day + timedelta(hours=int(hours), minutes=int(minutes), seconds=float(seconds))


def _validate_rows(doc: Doc, original: Doc, ctx: Ctx) -> None:
    rows = {(r.get("item_code"), r.get("name")): r for r in original.get("items") or []}
    returned = already_returned(ctx, original["name"])
    items_returned = False
    for idx, row in enumerate(doc.get("items") or [], start=1):
        qty = dec(row.get("qty"))
        if row.get("item_code") and qty < 0:
            items_returned = True
            code = row["item_code"]
            missing = f"Row # {idx}: Returned Item {code} does not exist in Sales Invoice {original['name']}"
            if not row.get("sales_invoice_item"):
                # not linked to an original row: ERPNext only shows a note and checks nothing
                ctx.msgprint(missing)
                continue
            ref = rows.get((row["item_code"], row["sales_invoice_item"]))
            if ref is None:
                raise throw(missing)
            _validate_quantity(idx, row, ref, returned)
            if dec(ref.get("rate")) and dec(row.get("rate")) > dec(ref.get("rate")):
                raise throw(
                    f"Row # {idx}: Rate cannot be greater than the rate used in Sales Invoice {original['name']}"
                )
        elif row.get("item_name") or row.get("item_code"):
            items_returned = True
    if not items_returned:
        raise throw("Atleast one item should be entered with negative quantity in return document")


def _validate_quantity(idx: int, row: Doc, ref: Doc, returned: dict[tuple[Any, Any], Decimal]) -> None:
    reference_qty = flt(ref.get("stock_qty") or ref.get("qty"), FLOAT_PRECISION)
    if not reference_qty:
        return
    current = dec(row.get("stock_qty") if row.get("stock_qty") is not None else row.get("qty"))
    already = returned.get((row.get("item_code"), row.get("sales_invoice_item")), ZERO)
    max_returnable = flt(reference_qty - already, FLOAT_PRECISION)
    if current > 0:
        raise throw("Stock Qty must be negative in return document")
    if already >= reference_qty and current:
        raise over_return(f"Item {row['item_code']} has already been returned")
    if abs(flt(current, FLOAT_PRECISION)) > max_returnable:
        raise over_return(f"Row # {idx}: Cannot return more than {float(max_returnable)} for Item {row['item_code']}")


def over_return(message: str) -> FrappeError:
    return throw(message, "StockOverReturnError")
