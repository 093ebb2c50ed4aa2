"""What happens to an invoice after it exists: cancellation and its Payment Entry (a prepaid live
order's, a migrated foreign-currency order's).

Credit notes for refunds are in `sync/refunds.py`, amendments after an edit in `sync/edits.py`."""

from __future__ import annotations

from typing import Any

from woonext.erpnext.errors import ErpError
from woonext.mapping.invoice import MappingError, PaymentRow, payment_method_value, posting_datetime
from woonext.mapping.keys import SYNC_KEY_FIELD, payment_key
from woonext.mapping.money import ZERO, money
from woonext.store import Binding
from woonext.sync.accounts import historical_payment, in_foreign_currency, prepaid_account
from woonext.sync.context import StoreContext
from woonext.sync.documents import INSERTING, LOCAL_KEYS, binding_for, find_by_key, insert_once, mark_done

PAID_BY = "paid_by"  # binding.data: how a paid migrated invoice is paid, when not by its POS row
PAID_BY_ENTRY = "payment_entry"
GET_PAYMENT_ENTRY = "erpnext.accounts.doctype.payment_entry.payment_entry.get_payment_entry"


async def ensure_cancelled(ctx: StoreContext, binding: Binding, docstatus: int | None = None) -> bool:
    """Cancel the order's invoice (a draft is submitted first). Returns True when it changed now.

    `docstatus` is given when this run just submitted the invoice, which saves reading it back."""
    if binding.state == "cancelled":
        return False
    doc = (
        {"docstatus": docstatus} if docstatus is not None else await ctx.erp.get_doc("Sales Invoice", binding.erp_name)
    )
    if doc is None:
        raise MappingError(
            "invoice_missing",
            f"invoice {binding.erp_name} is gone from ERPNext",
            "someone deleted it; check the order and replay it",
        )
    if doc.get("docstatus") == 0:
        await ctx.erp.update("Sales Invoice", binding.erp_name, {"docstatus": 1})
    if doc.get("docstatus") != 2:
        if ctx.config.cancel_payment_entries:
            await _cancel_payment_entry(ctx, binding)
        try:
            await ctx.erp.cancel("Sales Invoice", binding.erp_name)
        except ErpError:  # a lost answer, or "Cannot edit cancelled document": another run was first
            again = await ctx.erp.get_doc("Sales Invoice", binding.erp_name)
            if not again or again.get("docstatus") != 2:
                raise
    await mark_done(ctx, binding, binding.erp_name, "cancelled")
    return True


async def _cancel_payment_entry(ctx: StoreContext, binding: Binding) -> None:
    payment = await ctx.state.get_binding(ctx.store, "payment", binding.remote_id)
    if payment is None or payment.state != "submitted":
        return
    await ctx.erp.cancel("Payment Entry", payment.erp_name)
    await mark_done(ctx, payment, payment.erp_name, "cancelled")


def _reference(order: dict[str, Any]) -> str:
    """The gateway's transaction id, else Kashier's order reference, else the order number."""
    if order.get("transaction_id"):
        return str(order["transaction_id"])
    for entry in order.get("meta_data") or []:
        if entry.get("key") == "_kashier_order_reference" and entry.get("value"):
            return str(entry["value"])
    return str(order.get("number") or order.get("id"))


async def settled_by_entry(ctx: StoreContext, order: dict[str, Any]) -> bool:
    """Whether a paid migrated order is paid by a Payment Entry instead of a POS row: when its currency
    is not the company's (ERPNext converts a POS row apart from the invoice's rows and can leave a cent
    open in company currency; a Payment Entry pays the company-currency outstanding exactly)."""
    return money(order.get("total"), "total") > ZERO and await in_foreign_currency(ctx, order.get("currency"))


async def _payment_target(ctx: StoreContext, order: dict[str, Any], binding: Binding) -> PaymentRow | None:
    """Where the invoice's payment goes: the prepaid gateway's account for a live order, the migration
    account for a migrated foreign-currency one; None when no Payment Entry is due."""
    if binding.data.get("purpose") == "live":
        account = await prepaid_account(ctx, order)
        if account is None:
            return None
        method = payment_method_value(order, ctx.config.payment_methods)
        return PaymentRow(ctx.config.mode_of_payment(method) if method else "", account)
    if binding.data.get(PAID_BY) == PAID_BY_ENTRY:
        return await historical_payment(ctx, order)
    return None  # a migrated invoice paid through its POS row


async def ensure_payment_entry(ctx: StoreContext, order: dict[str, Any], binding: Binding) -> bool:
    """The invoice of a prepaid live order, or of a migrated foreign-currency one, gets a submitted
    Payment Entry for its outstanding, exactly once."""
    if binding.state != "submitted":
        return False  # paid already, cancelled, or not made
    target = await _payment_target(ctx, order, binding)
    if target is None:
        return False
    payment = await binding_for(ctx, "payment", order["id"], "Payment Entry")
    if payment.state == "submitted":
        return False
    key = payment_key(ctx.store, order["id"], binding.revision)
    if payment.state == INSERTING:
        found = await find_by_key(ctx, "Payment Entry", key)
        if found is not None:
            return await _payment_done(ctx, binding, payment, str(found["name"]))
    entry = await ctx.erp.call(GET_PAYMENT_ENTRY, dt="Sales Invoice", dn=binding.erp_name)
    paid_at = posting_datetime({"date_created": order.get("date_paid") or order.get("date_created")})
    entry = {k: v for k, v in dict(entry).items() if k not in LOCAL_KEYS}
    entry.update(
        {
            "paid_to": target.account,
            "mode_of_payment": target.mode_of_payment or None,
            "reference_no": _reference(order),
            "reference_date": paid_at.date().isoformat(),
            "posting_date": paid_at.date().isoformat(),
            SYNC_KEY_FIELD: key,
            "docstatus": 1,
        }
    )
    entry.pop("paid_to_account_currency", None)  # follows the new paid_to account
    doc = await insert_once(ctx, payment, "Payment Entry", entry)
    return await _payment_done(ctx, binding, payment, str(doc["name"]))


async def _payment_done(ctx: StoreContext, binding: Binding, payment: Binding, name: str) -> bool:
    await mark_done(ctx, payment, name, "submitted")
    await mark_done(ctx, binding, binding.erp_name, "paid", payment_entry=name)
    return True
