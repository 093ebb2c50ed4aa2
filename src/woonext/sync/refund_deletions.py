"""A refund deleted in WooCommerce after its credit note was made: the credit note is cancelled.

WooCommerce deletes a refund without touching its order (`WC_AJAX::delete_refund` deletes the refund
and fires `woocommerce_refund_deleted`; REST `DELETE /orders/{id}/refunds/{rid}` only deletes it):
the order is not saved, so its `date_modified` and status stay as they were (a `refunded` order stays
`refunded`), its restock tally is not undone, and no webhook is sent. All that changes is that the
order's `refunds[]` and `GET /orders/{id}/refunds` no longer list the refund.

So on every sync the order binding's `credited_refunds` (refund ids with a credit note, recorded before
the note is written) is compared with the order's `refunds[]`, at no request. A refund missing from
it is confirmed with one `GET /orders/{id}/refunds` (an order payload alone is never acted on), then
its refund Payment Entry (foreign currency) and its credit note are cancelled, each exactly once; a
lost answer is settled by reading the document back. Orders nobody syncs again (no webhook, no new
`date_modified`) are brought back by the sweep in `sync/refund_sweep.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from woonext.erpnext.errors import ErpError
from woonext.mapping.keys import refund_key, refund_payment_key
from woonext.store import Binding
from woonext.sync.context import StoreContext
from woonext.sync.documents import INSERTING, find_by_key, mark_done

log = structlog.get_logger(__name__)

CREDITED = "credited_refunds"  # order binding data: refund ids that have (or are getting) a credit note
DELETED = "deleted_refunds"  # order binding data: the credit notes cancelled because their refund was deleted
REASON = "refund_deleted"
LEGACY_CHECKPOINT = "credited_refunds"  # checkpoint: see _before_lists
CREDIT_STATES = ("submitted", "refunding", INSERTING)  # "refunding": see REFUNDING in sync/refunds.py


@dataclass
class Cancelled:
    """A deleted refund whose documents were cancelled in this sync."""

    refund_id: str
    credit_note: str  # "" when no credit note had been made after all
    payment_entry: str = ""

    def describe(self) -> str:
        what = f"credit note {self.credit_note} cancelled" if self.credit_note else "no credit note to cancel"
        if self.payment_entry:
            what += f" (and its refund Payment Entry {self.payment_entry})"
        return f"refund {self.refund_id} deleted in WooCommerce: {what}"


class OrderRefunds:
    """The order's refund objects, read with one `GET /orders/{id}/refunds` at most per sync."""

    def __init__(self, ctx: StoreContext, order_id: int | str) -> None:
        self.ctx, self.order_id = ctx, order_id
        self._by_id: dict[int, dict[str, Any]] | None = None

    async def by_id(self) -> dict[int, dict[str, Any]]:
        if self._by_id is None:
            self._by_id = {int(r["id"]): r for r in await self.ctx.woo.list_refunds(self.order_id) if r.get("id")}
        return self._by_id


async def credited_refunds(ctx: StoreContext, binding: Binding) -> list[str]:
    """The refund ids with a credit note for this order. A binding without the list has none, unless
    it is older than the last credit note recorded before the list existed: then it is filled once
    from the refund bindings that point at its invoice (one query of the state DB)."""
    known = binding.data.get(CREDITED)
    if known is None:
        older = await _before_lists(ctx)
        if older is None or binding.created_at is None or binding.created_at > older or not binding.erp_name:
            return []  # made since: every credit note it gets is listed before it is written
        known = await ctx.state.credited_refund_ids(ctx.store, binding.erp_name)
        binding.data = {**binding.data, CREDITED: _sorted(known)}
        await ctx.state.save_binding(binding)
    return [str(rid) for rid in known]


async def _before_lists(ctx: StoreContext) -> datetime | None:
    """When the store's last credit note without `data.order` was recorded (None: there is none). An
    order binding made after it cannot own such a note. Found once per store, kept as a checkpoint."""
    found = await ctx.state.get_checkpoint(ctx.store, LEGACY_CHECKPOINT)
    if found is None:
        last = await ctx.state.last_credit_without_order(ctx.store)
        found = {"last_credit_without_order": last.isoformat() if last else ""}
        await ctx.state.set_checkpoint(ctx.store, LEGACY_CHECKPOINT, found)
    value = str(found.get("last_credit_without_order") or "")
    return datetime.fromisoformat(value) if value else None


async def remember_credit(ctx: StoreContext, binding: Binding, refund_id: str | int) -> None:
    """Record that a credit note is being made for this refund, before it is written (so a note whose
    run died before recording it is still found when its refund is deleted)."""
    known = await credited_refunds(ctx, binding)
    if str(refund_id) not in known:
        binding.data = {**binding.data, CREDITED: _sorted([*known, str(refund_id)])}
        await ctx.state.save_binding(binding)


def _sorted(ids: list[Any]) -> list[str]:
    return sorted({str(i) for i in ids}, key=int)


async def cancel_deleted_refunds(
    ctx: StoreContext, order: dict[str, Any], binding: Binding, refunds: OrderRefunds
) -> list[Cancelled]:
    """Cancel the credit notes of refunds the order no longer lists and WooCommerce confirms gone."""
    if binding.state not in ("submitted", "paid") or not binding.erp_name:
        return []
    listed = {str(r.get("id")) for r in order.get("refunds") or [] if r.get("id")}
    missing = [rid for rid in await credited_refunds(ctx, binding) if rid not in listed]
    if not missing:
        return []  # the common case: no request
    still_there = {str(rid) for rid in await refunds.by_id()}
    done = []
    for rid in missing:
        if rid in still_there:  # the order payload was older than the refund list: nothing deleted
            continue
        done.append(await _cancel_credit(ctx, order, binding, rid))
    return done


async def _cancel_credit(ctx: StoreContext, order: dict[str, Any], binding: Binding, refund_id: str) -> Cancelled:
    credit = await ctx.state.get_binding(ctx.store, "refund", refund_id)
    result = Cancelled(refund_id, "")
    if credit is not None and credit.state in CREDIT_STATES:
        note = await _credit_note_name(ctx, credit)
        entry = await ctx.state.get_binding(ctx.store, "refund_payment", refund_id)
        if entry is not None and entry.state in ("submitted", INSERTING):
            result.payment_entry = await _cancel_entry(ctx, entry)
        if note:
            await _cancel(ctx, "Sales Invoice", note)
            result.credit_note = note
        await mark_done(
            ctx,
            credit,
            note,
            "cancelled",
            cancel_reason=REASON,
            cancelled_at=_now(ctx),
            **({"cancelled_payment_entry": result.payment_entry} if result.payment_entry else {}),
        )
    history = [
        *binding.data.get(DELETED, []),
        {
            "refund": refund_id,
            "credit_note": result.credit_note,
            "payment_entry": result.payment_entry,
            "at": _now(ctx),
        },
    ]
    remaining = [rid for rid in await credited_refunds(ctx, binding) if rid != refund_id]
    await mark_done(ctx, binding, binding.erp_name, binding.state, **{CREDITED: remaining, DELETED: history})
    log.info(
        REASON,
        store=ctx.store,
        order_id=order.get("id"),
        refund_id=refund_id,
        credit_note=result.credit_note,
        payment_entry=result.payment_entry,
    )
    return result


async def _credit_note_name(ctx: StoreContext, credit: Binding) -> str:
    """The credit note's name; one whose insert was never confirmed is looked up by its sync key (a
    draft left behind is deleted: nothing was credited)."""
    if credit.state != INSERTING:
        return credit.erp_name
    found = await find_by_key(
        ctx, "Sales Invoice", str(credit.data.get("key") or refund_key(ctx.store, credit.remote_id))
    )
    if found is None:
        return ""
    if int(found.get("docstatus") or 0) == 0:
        await ctx.erp.delete("Sales Invoice", str(found["name"]))
        return ""
    return str(found["name"])


async def _cancel_entry(ctx: StoreContext, entry: Binding) -> str:
    """Cancel the refund's Payment Entry ("Pay") before its credit note: cancelling the note first
    would only unlink the entry and leave the money paid out."""
    name = entry.erp_name
    if entry.state == INSERTING:
        found = await find_by_key(ctx, "Payment Entry", refund_payment_key(ctx.store, entry.remote_id))
        name = str(found["name"]) if found is not None else ""
    if name:
        await _cancel(ctx, "Payment Entry", name)
    await mark_done(ctx, entry, name, "cancelled", cancel_reason=REASON, cancelled_at=_now(ctx))
    return name


async def _cancel(ctx: StoreContext, doctype: str, name: str) -> None:
    """Cancel a submitted document once. When the answer is lost, or ERPNext refuses (an earlier
    attempt already cancelled it and died before recording it), the document is read back: cancelled
    is done, anything else is raised."""
    try:
        await ctx.erp.cancel(doctype, name)
    except ErpError as exc:
        if exc.kind == "permanent":
            raise
        again = await ctx.erp.get_doc(doctype, name)
        if again is None or int(again.get("docstatus") or 0) != 2:
            raise


def _now(ctx: StoreContext) -> str:
    return ctx.now().isoformat(timespec="seconds")
