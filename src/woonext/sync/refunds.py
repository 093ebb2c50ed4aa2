"""WooCommerce refunds → credit notes: one per refund id, whatever the number of retries.

A refund is a return against the order's invoice. Its lines come from the refund object itself
(`GET /orders/{id}/refunds`, read only when the order lists a refund id without a credit note yet);
stock comes back only for what WooCommerce restocked, and only on a live invoice (one that moved
stock: ERPNext refuses `update_stock` on a return against an invoice that did not). Where the
original was paid — a migrated POS invoice, or one with its Payment Entry — the credit note is a POS
return whose negative payment row pays the money back out of the same account; in a currency other
than the company's it keeps its own outstanding instead and a Payment Entry ("Pay") refunds that in
company currency (a POS row is converted apart from the rows and can leave a cent: docs/money.md).
An unpaid original simply owes less (`update_outstanding_for_self` 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import structlog

from woonext.erpnext.errors import ErpError
from woonext.mapping.invoice import MappingError, PaymentRow, posting_datetime
from woonext.mapping.keys import SYNC_KEY_FIELD, refund_key, refund_payment_key
from woonext.mapping.lines import refund_with_item_codes
from woonext.mapping.money import as_json_number, money
from woonext.mapping.refund import map_refund, restock_allocation
from woonext.store import Binding
from woonext.sync.accounts import historical_payment, in_foreign_currency, prepaid_payment
from woonext.sync.context import StoreContext
from woonext.sync.documents import INSERTING, LOCAL_KEYS, binding_for, find_by_key, insert_once, mark_done
from woonext.sync.followups import GET_PAYMENT_ENTRY
from woonext.sync.refund_deletions import REASON, Cancelled, OrderRefunds, cancel_deleted_refunds, remember_credit

log = structlog.get_logger(__name__)

REFUNDING = "refunding"  # a foreign-currency credit note submitted, its refund Payment Entry not yet
MAKE_SALES_RETURN = "erpnext.accounts.doctype.sales_invoice.sales_invoice.make_sales_return"


@dataclass
class RefundSync:
    """What a sync did about the order's refunds."""

    wrote: bool = False
    deleted: list[Cancelled] = field(default_factory=list)  # refunds deleted in WooCommerce, their notes cancelled

    @property
    def detail(self) -> str:
        """For the order's outcome: what was cancelled because a refund was deleted."""
        return f"{REASON}: " + "; ".join(c.describe() for c in self.deleted) if self.deleted else ""


async def ensure_credit_notes(ctx: StoreContext, order: dict[str, Any], binding: Binding, mode: Any = None) -> bool:
    """Every refund of the order has its submitted credit note, and a deleted refund none. Returns True
    when something was written."""
    return (await sync_refunds(ctx, order, binding)).wrote


async def sync_refunds(ctx: StoreContext, order: dict[str, Any], binding: Binding) -> RefundSync:
    """Deleted refunds' credit notes cancelled (sync/refund_deletions.py), then a credit note for each
    new refund."""
    if binding.state == "cancelled":
        return RefundSync()
    refunds = OrderRefunds(ctx, order["id"])
    deleted = await cancel_deleted_refunds(ctx, order, binding, refunds)
    wrote = await _credit_refunds(ctx, order, binding, refunds)
    return RefundSync(wrote or bool(deleted), deleted)


async def _credit_refunds(ctx: StoreContext, order: dict[str, Any], binding: Binding, refunds: OrderRefunds) -> bool:
    summaries = sorted((r for r in order.get("refunds") or [] if r.get("id")), key=lambda r: int(r["id"]))
    if not summaries:
        return False
    credits = [(summary, await binding_for(ctx, "refund", summary["id"], "Sales Invoice")) for summary in summaries]
    if all(credit.state == "submitted" for _, credit in credits):
        return False  # the common case costs no request at all
    if all(credit.state in ("submitted", REFUNDING) for _, credit in credits):  # only refunds to pay out
        for summary, credit in credits:
            if credit.state == REFUNDING:
                await _refund_entry(ctx, order, binding, summary, credit)
        return True
    objects = await refunds.by_id()
    original = await _original(ctx, binding)
    stock_moves = binding.data.get("purpose") == "live"  # only a live invoice moved stock
    credited: dict[str, int] = {}  # restocked quantities already given to a credit note, per order line
    wrote = False
    for summary, credit in credits:
        if credit.state in ("submitted", REFUNDING):
            _add(credited, credit.data.get("restocked") or {})
            if credit.state == REFUNDING:
                await _refund_entry(ctx, order, binding, objects.get(int(summary["id"])) or summary, credit)
                wrote = True
            continue
        refund = objects.get(int(summary["id"]))
        if refund is None and credit.state != INSERTING:
            # Listed by the order read but gone from the refund list read after it: deleted meanwhile.
            log.info("refund_deleted_before_credit", store=ctx.store, order_id=order.get("id"), refund_id=summary["id"])
            continue
        refund = refund or _from_summary(summary)  # an interrupted note is finished (and cancelled next time)
        if credit.state == INSERTING and "restocked" in credit.data:
            restocked = {str(k): int(v) for k, v in credit.data["restocked"].items()}  # decided before the write
        else:
            restocked = restock_allocation(order, refund, credited) if stock_moves else {}
            credit.data = {**credit.data, "restocked": restocked, "order": str(order["id"])}
        _add(credited, restocked)
        await remember_credit(ctx, binding, summary["id"])
        await _credit_note(ctx, order, binding, refund, credit, original, restocked, only_refund=len(summaries) == 1)
        wrote = True
    return wrote


def _add(into: dict[str, int], more: dict[str, Any]) -> None:
    for line, qty in more.items():
        into[str(line)] = into.get(str(line), 0) + int(qty)


def _from_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """A refund whose note was begun but which WooCommerce no longer lists: what the summary says."""
    return {
        "id": summary["id"],
        "amount": str(-money(summary.get("total"), "refund total")),
        "reason": summary.get("reason") or "",
    }


async def _original(ctx: StoreContext, binding: Binding) -> dict[str, Any]:
    """The invoice a credit note returns against, from what the binding remembers (no request)."""
    known = binding.data
    if all(known.get(k) is not None for k in ("customer", "total", "currency", "custom_payment_method")):
        return {
            "name": binding.erp_name,
            "customer": known["customer"],
            "currency": known["currency"],
            "custom_payment_method": known["custom_payment_method"],
            "grand_total": known["total"],
            "items": [],
        }
    original = await ctx.erp.get_doc("Sales Invoice", binding.erp_name)
    if original is None:
        raise MappingError("invoice_missing", f"invoice {binding.erp_name} is gone from ERPNext")
    return original


async def _refund_payment(ctx: StoreContext, order: dict[str, Any], binding: Binding) -> PaymentRow | None:
    """How a refund is paid out: like the original was paid; an unpaid original just owes less."""
    if binding.state != "paid":
        return None
    if binding.data.get("purpose") == "live":
        return await prepaid_payment(ctx, order)
    return await historical_payment(ctx, order)


def _fully_restocked(order: dict[str, Any], restocked: dict[str, int]) -> bool:
    lines = [li for li in order.get("line_items") or [] if li.get("sku")]
    return bool(lines) and all(restocked.get(str(li.get("id")), 0) >= int(li.get("quantity") or 0) for li in lines)


async def _credit_note_doc(
    ctx: StoreContext,
    order: dict[str, Any],
    refund: dict[str, Any],
    original: dict[str, Any],
    restocked: dict[str, int],
    payment: PaymentRow | None,
    only_refund: bool,
) -> dict[str, Any]:
    refund = refund_with_item_codes(refund, order)  # each line as the Item of the order line it refunds
    amount = money(refund.get("amount"), "refund amount")
    key = refund_key(ctx.store, refund["id"])
    full = only_refund and amount == money(original.get("grand_total"), "grand_total")
    if full and (not restocked or _fully_restocked(order, restocked)):
        return await _full_return(ctx, original, order, refund, key, payment, update_stock=bool(restocked))
    warehouse = ctx.config.warehouse if restocked else ""
    try:
        return map_refund(
            refund,
            order,
            original,
            ctx.refund_settings(),
            sync_key=key,
            payment=payment,
            restocked=restocked,
            warehouse=warehouse,
        ).doc
    except MappingError as exc:
        if exc.reason != "residual":
            raise
        # The refund's lines say more than its amount (quantities refunded twice, edited figures):
        # the amount is what the customer got back, so it is credited as an amount.
        log.warning(
            "refund_lines_exceed_amount",
            store=ctx.store,
            order_id=order.get("id"),
            refund_id=refund.get("id"),
            detail=exc.message,
        )
        plain = {k: refund.get(k) for k in ("id", "amount", "reason", "date_created")}
        return map_refund(plain, order, original, ctx.refund_settings(), sync_key=key, payment=payment).doc


async def _full_return(
    ctx: StoreContext,
    original: dict[str, Any],
    order: dict[str, Any],
    refund: dict[str, Any],
    key: str,
    payment: PaymentRow | None,
    *,
    update_stock: bool,
) -> dict[str, Any]:
    """ERPNext's own return mapper for a full refund (it reverses every row and tax exactly)."""
    doc = await ctx.erp.call(MAKE_SALES_RETURN, source_name=original["name"])
    doc = {k: v for k, v in dict(doc).items() if k not in LOCAL_KEYS}
    for table in ("items", "taxes", "payments"):
        doc[table] = [
            {k: v for k, v in row.items() if k not in LOCAL_KEYS | {"parent", "idx"}} for row in doc.get(table) or []
        ]
    when = posting_datetime(
        refund
        if refund.get("date_created")
        else {"date_created": order.get("date_modified") or order.get("date_created")}
    )
    doc.update(
        {
            "set_posting_time": 1,
            "posting_date": when.date().isoformat(),
            "posting_time": when.time().strftime("%H:%M:%S"),
            "due_date": when.date().isoformat(),
            "disable_rounded_total": 1,
            "update_stock": 1 if update_stock else 0,
            SYNC_KEY_FIELD: key,
        }
    )
    if update_stock:
        doc["set_warehouse"] = ctx.config.warehouse
    amount = money(refund.get("amount"), "refund amount")
    if payment is not None:
        doc["is_pos"] = 1
        doc["payments"] = [
            {"mode_of_payment": payment.mode_of_payment, "account": payment.account, "amount": as_json_number(-amount)}
        ]
    else:
        doc.update({"is_pos": 0, "payments": [], "update_outstanding_for_self": 0})
    return doc


async def _credit_note(
    ctx: StoreContext,
    order: dict[str, Any],
    binding: Binding,
    refund: dict[str, Any],
    credit: Binding,
    original: dict[str, Any],
    restocked: dict[str, int],
    *,
    only_refund: bool,
) -> None:
    amount = money(refund.get("amount"), "refund amount")
    payment = await _refund_payment(ctx, order, binding)
    by_entry = payment is not None and await in_foreign_currency(ctx, original.get("currency"))
    doc = await _credit_note_doc(ctx, order, refund, original, restocked, None if by_entry else payment, only_refund)
    if by_entry:
        doc["update_outstanding_for_self"] = 1  # its own outstanding, refunded by a Payment Entry below
    doc["docstatus"] = 0  # a return submitted on insert keeps the status "Draft" for ever (observed)
    draft = await insert_once(ctx, credit, "Sales Invoice", doc)  # saves the intent with `restocked`
    name = str(draft["name"])
    if draft.get("docstatus") == 0:
        try:
            draft = await ctx.erp.update("Sales Invoice", name, {"docstatus": 1})
        except ErpError as exc:
            if exc.kind in ("needs_review", "permanent"):
                await ctx.erp.delete("Sales Invoice", name)  # leave no orphan draft behind
                credit.state = ""
                await ctx.state.save_binding(credit)
            raise
    if money(draft.get("grand_total"), "grand_total") != -amount:
        raise MappingError(
            "residual",
            f"credit note {name} totals {draft.get('grand_total')}, refund is -{amount}",
            "compare the credit note with the refund",
        )
    await mark_done(
        ctx,
        credit,
        name,
        REFUNDING if by_entry else "submitted",
        invoice=binding.erp_name,
        order=str(order["id"]),
        stock=bool(restocked),
    )
    if by_entry:
        await _refund_entry(ctx, order, binding, refund, credit)


async def _refund_entry(
    ctx: StoreContext, order: dict[str, Any], binding: Binding, refund: dict[str, Any], credit: Binding
) -> None:
    """Pay a foreign-currency credit note's own (company-currency) outstanding back, exactly once."""
    payment = await _refund_payment(ctx, order, binding)
    if payment is None:  # the original is no longer paid (its payment cancelled): nothing to pay out
        await mark_done(ctx, credit, credit.erp_name, "submitted")
        return
    entry_binding = await binding_for(ctx, "refund_payment", refund["id"], "Payment Entry")
    key = refund_payment_key(ctx.store, refund["id"])
    found = await find_by_key(ctx, "Payment Entry", key) if entry_binding.state == INSERTING else None
    if found is None and entry_binding.state != "submitted":
        entry = await ctx.erp.call(GET_PAYMENT_ENTRY, dt="Sales Invoice", dn=credit.erp_name)
        when = posting_datetime(
            refund
            if refund.get("date_created")
            else {"date_created": order.get("date_modified") or order.get("date_created")}
        )
        entry = {k: v for k, v in dict(entry).items() if k not in LOCAL_KEYS}
        entry.update(
            {
                "paid_from": payment.account,
                "mode_of_payment": payment.mode_of_payment or None,
                "reference_no": f"refund {refund['id']} of order {order.get('number') or order.get('id')}",
                "reference_date": when.date().isoformat(),
                "posting_date": when.date().isoformat(),
                SYNC_KEY_FIELD: key,
                "docstatus": 1,
            }
        )
        entry.pop("paid_from_account_currency", None)  # follows the new paid_from account
        found = await insert_once(ctx, entry_binding, "Payment Entry", entry)
    if found is not None:
        await mark_done(ctx, entry_binding, str(found["name"]), "submitted", credit_note=credit.erp_name)
    await mark_done(ctx, credit, credit.erp_name, "submitted", refund_entry=entry_binding.erp_name)
