"""What happens to an invoice after it exists: cancellation, the prepaid Payment Entry, credit notes."""

from __future__ import annotations

from typing import Any

from woonext.erpnext.errors import ErpError, ErpUncertain
from woonext.mapping.invoice import MappingError, PaymentRow, payment_method_value, posting_datetime
from woonext.mapping.keys import SYNC_KEY_FIELD, payment_key, refund_key
from woonext.mapping.money import as_json_number, money
from woonext.mapping.refund import map_refund
from woonext.store import Binding
from woonext.sync.accounts import historical_payment, prepaid_account, prepaid_payment
from woonext.sync.context import StoreContext
from woonext.sync.documents import INSERTING, binding_for, find_by_key, insert_once, mark_done

GET_PAYMENT_ENTRY = "erpnext.accounts.doctype.payment_entry.payment_entry.get_payment_entry"
MAKE_SALES_RETURN = "erpnext.accounts.doctype.sales_invoice.sales_invoice.make_sales_return"
# Keys of an unsaved document built by a server-side mapper that must not be sent back on insert.
_LOCAL_KEYS = {"name", "__islocal", "__unsaved", "owner", "creation", "modified", "modified_by", "docstatus",
               "status", "amended_from"}


async def ensure_cancelled(ctx: StoreContext, binding: Binding, docstatus: int | None = None) -> bool:
    """Cancel the order's invoice (a draft is submitted first). Returns True when it changed now.

    `docstatus` is given when this run just submitted the invoice, which saves reading it back."""
    if binding.state == "cancelled":
        return False
    doc = {"docstatus": docstatus} if docstatus is not None else await ctx.erp.get_doc("Sales Invoice",
                                                                                          binding.erp_name)
    if doc is None:
        raise MappingError("invoice_missing", f"invoice {binding.erp_name} is gone from ERPNext",
                           "someone deleted it; check the order and replay it")
    if doc.get("docstatus") == 0:
        await ctx.erp.update("Sales Invoice", binding.erp_name, {"docstatus": 1})
    if doc.get("docstatus") != 2:
        if ctx.config.cancel_payment_entries:
            await _cancel_payment_entry(ctx, binding)
        try:
            await ctx.erp.cancel("Sales Invoice", binding.erp_name)
        except ErpUncertain:
            again = await ctx.erp.get_doc("Sales Invoice", binding.erp_name)
            if not again or again.get("docstatus") != 2:
                raise
    mark_done(ctx, binding, binding.erp_name, "cancelled")
    return True


async def _cancel_payment_entry(ctx: StoreContext, binding: Binding) -> None:
    payment = ctx.db.get_binding(ctx.store, "payment", binding.remote_id)
    if payment is None or payment.state != "submitted":
        return
    await ctx.erp.cancel("Payment Entry", payment.erp_name)
    mark_done(ctx, payment, payment.erp_name, "cancelled")


def _reference(order: dict[str, Any]) -> str:
    """The gateway's transaction id, else Kashier's order reference, else the order number."""
    if order.get("transaction_id"):
        return str(order["transaction_id"])
    for entry in order.get("meta_data") or []:
        if entry.get("key") == "_kashier_order_reference" and entry.get("value"):
            return str(entry["value"])
    return str(order.get("number") or order.get("id"))


async def ensure_payment_entry(ctx: StoreContext, order: dict[str, Any], binding: Binding) -> bool:
    """A prepaid order's invoice gets a submitted Payment Entry for its full amount, exactly once."""
    if binding.state != "submitted" or binding.data.get("purpose") != "live":
        return False  # migrated invoices are paid through their POS row; cancelled ones need nothing
    account = await prepaid_account(ctx, order)
    if account is None:
        return False
    payment = binding_for(ctx, "payment", order["id"], "Payment Entry")
    if payment.state == "submitted":
        return False
    key = payment_key(ctx.store, order["id"], binding.revision)
    if payment.state == INSERTING:
        found = await find_by_key(ctx, "Payment Entry", key)
        if found is not None:
            return _payment_done(ctx, binding, payment, str(found["name"]))
    entry = await ctx.erp.call(GET_PAYMENT_ENTRY, dt="Sales Invoice", dn=binding.erp_name)
    paid_at = posting_datetime({"date_created": order.get("date_paid") or order.get("date_created")})
    method = payment_method_value(order, ctx.config.payment_methods)
    entry = {k: v for k, v in dict(entry).items() if k not in _LOCAL_KEYS}
    entry.update({
        "paid_to": account,
        "mode_of_payment": ctx.config.mode_of_payment(method) if method else None,
        "reference_no": _reference(order),
        "reference_date": paid_at.date().isoformat(),
        "posting_date": paid_at.date().isoformat(),
        SYNC_KEY_FIELD: key,
        "docstatus": 1,
    })
    entry.pop("paid_to_account_currency", None)  # follows the new paid_to account
    doc = await insert_once(ctx, payment, "Payment Entry", entry)
    return _payment_done(ctx, binding, payment, str(doc["name"]))


def _payment_done(ctx: StoreContext, binding: Binding, payment: Binding, name: str) -> bool:
    mark_done(ctx, payment, name, "submitted")
    mark_done(ctx, binding, binding.erp_name, "paid", payment_entry=name)
    return True


async def _refund_payment(ctx: StoreContext, order: dict[str, Any], binding: Binding) -> PaymentRow | None:
    """How a refund is paid out: like the original was paid; an unpaid original just owes less."""
    if binding.state != "paid":
        return None
    if binding.data.get("purpose") == "live":
        return await prepaid_payment(ctx, order)
    return await historical_payment(ctx, order)


async def _full_return(ctx: StoreContext, original: dict[str, Any], order: dict[str, Any]) -> dict[str, Any]:
    """ERPNext's own return mapper for a full refund (it reverses every row and tax exactly)."""
    doc = await ctx.erp.call(MAKE_SALES_RETURN, source_name=original["name"])
    doc = {k: v for k, v in dict(doc).items() if k not in _LOCAL_KEYS}
    for table in ("items", "taxes", "payments"):
        doc[table] = [{k: v for k, v in row.items() if k not in _LOCAL_KEYS | {"parent", "idx"}}
                      for row in doc.get(table) or []]
    return doc


async def ensure_credit_notes(ctx: StoreContext, order: dict[str, Any], binding: Binding, mode: Any) -> bool:
    """One credit note per WooCommerce refund id, whatever the number of retries."""
    refunds = [r for r in order.get("refunds") or [] if r.get("id")]
    if not refunds or binding.state == "cancelled":
        return False
    wrote = False
    original: dict[str, Any] | None = None
    for refund in refunds:
        credit = binding_for(ctx, "refund", refund["id"], "Sales Invoice")
        if credit.state == "submitted":
            continue
        if original is None:
            original = await _original(ctx, binding)
        await _credit_note(ctx, order, binding, refund, credit, original, len(refunds) == 1)
        wrote = True
    return wrote


async def _original(ctx: StoreContext, binding: Binding) -> dict[str, Any]:
    """The invoice a credit note returns against, from what the binding remembers (no request)."""
    known = binding.data
    if all(known.get(k) is not None for k in ("customer", "total", "currency", "custom_payment_method")):
        return {"name": binding.erp_name, "customer": known["customer"], "currency": known["currency"],
                "custom_payment_method": known["custom_payment_method"], "grand_total": known["total"], "items": []}
    original = await ctx.erp.get_doc("Sales Invoice", binding.erp_name)
    if original is None:
        raise MappingError("invoice_missing", f"invoice {binding.erp_name} is gone from ERPNext")
    return original


async def _credit_note(ctx: StoreContext, order: dict[str, Any], binding: Binding, refund: dict[str, Any],
                       credit: Binding, original: dict[str, Any], only_refund: bool) -> None:
    amount = -money(refund.get("total"), "refund total")
    key = refund_key(ctx.store, refund["id"])
    payment = await _refund_payment(ctx, order, binding)
    when = posting_datetime({"date_created": order.get("date_modified") or order.get("date_created")})
    if only_refund and amount == money(original.get("grand_total"), "grand_total"):
        doc = await _full_return(ctx, original, order)
        doc.update({"set_posting_time": 1, "posting_date": when.date().isoformat(),
                    "posting_time": when.time().strftime("%H:%M:%S"), "due_date": when.date().isoformat(),
                    "disable_rounded_total": 1, "update_stock": 0, SYNC_KEY_FIELD: key})
        if payment is not None:
            doc["is_pos"] = 1
            doc["payments"] = [{"mode_of_payment": payment.mode_of_payment, "account": payment.account,
                                "amount": as_json_number(-amount)}]
        else:
            doc.update({"is_pos": 0, "payments": [], "update_outstanding_for_self": 0})
    else:
        summary = {"id": refund["id"], "amount": str(amount), "reason": refund.get("reason") or "",
                   "date_created": when.isoformat()}
        doc = map_refund(summary, order, original, ctx.refund_settings(), sync_key=key, payment=payment).doc
    doc["docstatus"] = 0  # a return submitted on insert keeps the status "Draft" for ever (observed)
    draft = await insert_once(ctx, credit, "Sales Invoice", doc)
    name = str(draft["name"])
    if draft.get("docstatus") == 0:
        try:
            submitted = await ctx.erp.update("Sales Invoice", name, {"docstatus": 1})
        except ErpError as exc:
            if exc.kind in ("needs_review", "permanent"):
                await ctx.erp.delete("Sales Invoice", name)  # leave no orphan draft behind
                credit.state = ""
                ctx.db.save_binding(credit)
            raise
        draft = submitted
    if money(draft.get("grand_total"), "grand_total") != -amount:
        raise MappingError("residual", f"credit note {name} totals {draft.get('grand_total')}, refund is -{amount}",
                           "compare the credit note with the refund")
    mark_done(ctx, credit, name, "submitted", invoice=binding.erp_name)
