"""Delivery Note made from a submitted Sales Invoice (ERPNext 15.92, samples 93–96).

`make_delivery_note` is `get_mapped_doc` as Frappe runs it: every field the Delivery Note shares with
the invoice is copied unless either side marks it `no_copy` (so `woo_order_id`, a no_copy custom field
the Delivery Note does not even have, never arrives), each invoice row becomes a row with
`against_sales_invoice` + `si_detail` and the quantity not delivered yet, and the answer is unsaved
(`__islocal`). Submitting the note takes the stock out (ledger rows, Bins), adds its quantities to the
invoice rows' `delivered_qty` — refusing to deliver more than was invoiced, as the status updater
does (`no_allowance`) — and shows status "Completed" with `per_billed` 100 in the insert's own answer
(sample 94: unlike a Sales Invoice, whose insert answer still says "Draft"). Cancelling reverses both.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from ..accounting.invoice_defaults import check_party_and_items, set_posting_time
from ..accounting.ledger import post_stock, reverse_stock, stock_entries
from ..accounting.lookup import is_stock_item, setting
from ..accounting.money import ZERO, cint, dec, money
from ..base import Controller, Ctx, Doc, FrappeError, MethodFn, throw
from ..docvalues import apply_defaults
from ..serialize import cast_doc

MAKE_DELIVERY_NOTE = "erpnext.accounts.doctype.sales_invoice.sales_invoice.make_delivery_note"
# Frappe's `default_fields` and `child_table_fields`: never mapped.
_NEVER = {"name", "owner", "creation", "modified", "modified_by", "docstatus", "idx", "doctype"}
_NEVER |= {"parent", "parentfield", "parenttype"}
ROW_MAP = {"name": "si_detail", "parent": "against_sales_invoice", "sales_order": "against_sales_order"}


def _no_copy(meta: Any) -> set[str]:
    return {f["fieldname"] for f in meta.fields if f.get("no_copy") or f["fieldtype"] in ("Table", "Table MultiSelect")}


def _map_fields(source: Doc, target: Doc, source_meta: Any, target_meta: Any) -> None:
    """`map_fields`: same-named fields, unless no_copy on either side; empty values are not copied."""
    skip = _no_copy(source_meta) | _no_copy(target_meta) | _NEVER
    for df in target_meta.fields:
        name = df["fieldname"]
        if name not in skip and source.get(name) not in (None, ""):
            target[name] = copy.deepcopy(source[name])


def make_delivery_note(ctx: Any, source_name: str | None = None, target_doc: Any = None, **_: Any) -> Doc:
    source = ctx.get("Sales Invoice", source_name or "")
    if source is None:
        raise throw(f"Sales Invoice {source_name} not found", "DoesNotExistError", 404)
    if cint(source.get("docstatus")) != 1:
        raise throw("Cannot map because following condition fails: docstatus=1")
    meta, row_meta = ctx.meta("Delivery Note"), ctx.meta("Delivery Note Item")
    doc: Doc = {"doctype": "Delivery Note"}
    _map_fields(source, doc, ctx.meta("Sales Invoice"), meta)
    items: list[Doc] = []
    for src in source.get("items") or []:
        if cint(src.get("delivered_by_supplier")) == 1:
            continue
        row: Doc = {"doctype": "Delivery Note Item"}
        _map_fields(src, row, ctx.meta("Sales Invoice Item"), row_meta)
        for from_field, to_field in ROW_MAP.items():
            if src.get(from_field):
                row[to_field] = src[from_field]
        qty = dec(src.get("qty")) - dec(src.get("delivered_qty"))
        row.update(qty=float(qty), stock_qty=float(qty * (dec(src.get("conversion_factor")) or 1)))
        row.update(
            amount=float(money(qty * dec(src.get("rate")))), base_amount=float(money(qty * dec(src.get("base_rate"))))
        )
        row["actual_qty"] = float(ctx.stock_qty(str(row.get("item_code") or ""), str(row.get("warehouse") or "")))
        apply_defaults(row, row_meta, ctx.now())
        cast_doc(row, row_meta)
        row.update(parentfield="items", parenttype="Delivery Note", idx=len(items) + 1, __islocal=1, __unsaved=1)
        items.append(row)
    doc["items"] = items
    doc["taxes"] = [_tax_row(t) for t in source.get("taxes") or []]
    apply_defaults(doc, meta, ctx.now())
    cast_doc(doc, meta)
    _totals(doc)
    doc.update(__islocal=1, __onload={"load_after_mapping": True}, __unsaved=1)
    return doc


def _tax_row(tax: Doc) -> Doc:
    return {k: copy.deepcopy(v) for k, v in tax.items() if k not in _NEVER}


def _totals(doc: Doc) -> None:
    """The note's figures from its rows (a note made from an invoice keeps the invoice's)."""
    total = sum((dec(r.get("amount")) for r in doc.get("items") or []), ZERO)
    taxes = sum((dec(t.get("tax_amount")) for t in doc.get("taxes") or []), ZERO)
    grand = total - dec(doc.get("discount_amount")) + taxes
    rate = dec(doc.get("conversion_rate")) or Decimal(1)
    doc.update(
        total_qty=float(sum((dec(r.get("qty")) for r in doc.get("items") or []), ZERO)),
        total=float(money(total)),
        base_total=float(money(total * rate)),
        net_total=float(money(total - dec(doc.get("discount_amount")))),
        base_net_total=float(money((total - dec(doc.get("discount_amount"))) * rate)),
        total_taxes_and_charges=float(money(taxes)),
        base_total_taxes_and_charges=float(money(taxes * rate)),
        grand_total=float(money(grand)),
        base_grand_total=float(money(grand * rate)),
    )


def over_delivery_error(item_code: str, reduce_by: Decimal) -> FrappeError:
    """The status updater's `limits_crossed_error` with `no_allowance` (a Sales Invoice row)."""
    message = (
        f"This document is over limit by <strong>Qty</strong> <strong>{float(reduce_by)}</strong> for item "
        f"<strong>{item_code}</strong>. Are you making another <strong>Delivery Note</strong> against the same "
        "<strong>Sales Invoice Item</strong>?<br><br>To allow over receipt / delivery, update "
        '"Over Receipt/Delivery Allowance" in Stock Settings or the Item.'
    )
    return throw(message, "OverAllowanceError", title="Limit Crossed")


class DeliveryNoteController(Controller):
    doctype = "Delivery Note"

    def before_validate(self, doc: Doc, ctx: Ctx) -> None:
        check_party_and_items(doc, ctx)

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        _, items = check_party_and_items(doc, ctx)
        set_posting_time(doc, ctx.now())
        for idx, row in enumerate(doc.get("items") or [], start=1):
            if not dec(row.get("qty")) and not cint(doc.get("is_return")):
                raise throw(
                    f"Row #{idx}: Quantity for Item <strong>{row.get('item_code')}</strong> cannot be zero.",
                    "InvalidQtyError",
                    title="Invalid Quantity",
                )
            item = items.get(str(row.get("item_code") or ""), {})
            if is_stock_item(item) and not row.get("warehouse"):
                raise throw(f"Warehouse required for stock Item {row.get('item_code')}")
            row["amount"] = float(money(dec(row.get("qty")) * dec(row.get("rate"))))
        _totals(doc)
        doc["title"] = doc.get("customer_name") or doc.get("customer") or ""
        doc["status"] = "Draft"

    def before_submit(self, doc: Doc, ctx: Ctx) -> None:
        for row in doc.get("items") or []:
            target = _invoice_row(ctx, row)
            if target is None:
                continue
            delivered = dec(target.get("delivered_qty")) + dec(row.get("qty"))
            if delivered - dec(target.get("qty")) > Decimal("0.01"):
                raise over_delivery_error(str(row.get("item_code")), delivered - dec(target.get("qty")))

    def on_submit(self, doc: Doc, ctx: Ctx) -> None:
        _, items = check_party_and_items(doc, ctx)
        allow = cint(setting(ctx, "Stock Settings", "allow_negative_stock"))
        post_stock(ctx, doc, stock_entries(doc, items), bool(allow))
        self._deliver(doc, ctx, sign=1)
        billed = [r for r in doc.get("items") or [] if r.get("against_sales_invoice")]
        for row in billed:
            row["billed_amt"] = row.get("amount")
        amount = sum((dec(r.get("amount")) for r in doc.get("items") or []), ZERO)
        billed_amount = sum((dec(r.get("billed_amt")) for r in doc.get("items") or []), ZERO)
        per_billed = float(money(billed_amount * 100 / amount)) if amount else 100.0
        self._set(doc, ctx, per_billed=per_billed, status="Completed" if per_billed >= 99.99 else "To Bill")

    def on_cancel(self, doc: Doc, ctx: Ctx) -> None:
        _, items = check_party_and_items(doc, ctx)
        reverse_stock(ctx, stock_entries(doc, items))
        self._deliver(doc, ctx, sign=-1)
        self._set(doc, ctx, status="Cancelled")

    @staticmethod
    def _set(doc: Doc, ctx: Ctx, **values: Any) -> None:
        doc.update(values)
        stored = ctx.get("Delivery Note", doc["name"])
        if stored is not None:
            stored.update(values)
            for stored_row, row in zip(stored.get("items") or [], doc.get("items") or [], strict=False):
                stored_row["billed_amt"] = row.get("billed_amt", stored_row.get("billed_amt"))
            ctx.txn.put(stored)  # type: ignore[attr-defined]

    @staticmethod
    def _deliver(doc: Doc, ctx: Ctx, sign: int) -> None:
        """The invoice rows' `delivered_qty` (a status-updater SQL update: the invoice's `modified` stays)."""
        touched: dict[str, Doc] = {}
        for row in doc.get("items") or []:
            name = str(row.get("against_sales_invoice") or "")
            if not name or not row.get("si_detail"):
                continue
            invoice = touched.get(name) or ctx.get("Sales Invoice", name)
            if invoice is None:
                continue
            touched[name] = invoice
            for target in invoice.get("items") or []:
                if target.get("name") == row["si_detail"]:
                    target["delivered_qty"] = float(dec(target.get("delivered_qty")) + sign * dec(row.get("qty")))
        for invoice in touched.values():
            ctx.txn.put(invoice)  # type: ignore[attr-defined]


def _invoice_row(ctx: Ctx, row: Doc) -> Doc | None:
    invoice = ctx.get("Sales Invoice", str(row.get("against_sales_invoice") or ""))
    if invoice is None or not row.get("si_detail"):
        return None
    return next((r for r in invoice.get("items") or [] if r.get("name") == row["si_detail"]), None)


CONTROLLERS: list[Controller] = [DeliveryNoteController()]
METHODS: dict[str, MethodFn] = {MAKE_DELIVERY_NOTE: make_delivery_note}
