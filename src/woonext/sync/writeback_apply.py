"""Writing one planned writeback to WooCommerce, exactly once (docs/writeback.md, "Exactly once").

Each write is announced in the order's writeback state before it is sent (`intent`), so a run that
dies after WooCommerce applied it — or whose answer was lost — is finished by the next one instead of
repeated: a status write is found by the `_woonext_writeback` marker it put in the order's meta, a
refund record by the `_woonext_credit_note` meta it carries, a note by its text. The status and the
marker go in one PUT (one `order.updated`, one new `date_modified`); notes follow (a note moves
nothing, sample 70). A refund record is bound to its credit note in the state DB at once (kind
"refund", state `from_erpnext`), so the order sync never makes a second credit note for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from woonext.mapping.keys import order_version
from woonext.mapping.writeback import CREDIT_META, MARKER_KEY, Action, CreditNote, marker, own_marker, refund_lines
from woonext.store import Binding, StateDB
from woonext.sync.context import StoreContext
from woonext.sync.lines import lines_known
from woonext.sync.refunds import FROM_ERPNEXT
from woonext.woo.types import WooOrder

Save = Callable[[dict[str, Any]], Awaitable[None]]  # the order's writeback state, saved while held


@dataclass
class Written:
    action: Action
    result: str  # written | needs_review | skipped
    detail: str
    order: WooOrder | None = None  # the order as the write left it


def _stamp(ctx: StoreContext) -> str:
    return ctx.now().strftime("%Y-%m-%dT%H:%M:%SZ")


async def write_status(ctx: StoreContext, order: WooOrder, action: Action, data: dict[str, Any], save: Save) -> Written:
    """The status and woonext's marker in one PUT, then the private note (and the customer's)."""
    intent: dict[str, Any] = {"kind": "status", "marker": marker(action.documents, _stamp(ctx))}
    intent.update(to=action.to_status, reason=action.reason, documents=list(action.documents))
    intent.update(note=action.note, customer=action.customer_note)
    data["intent"] = intent  # kept in the state the run releases too, whatever happens next
    await save(data)
    changed = await ctx.woo.update_order(
        order["id"], {"status": action.to_status, "meta_data": [{"key": MARKER_KEY, "value": intent["marker"]}]}
    )
    return await _finish_status(ctx, changed, intent, data, save, notes_checked=False)


async def _finish_status(
    ctx: StoreContext,
    order: WooOrder,
    intent: dict[str, Any],
    data: dict[str, Any],
    save: Save,
    *,
    notes_checked: bool,
) -> Written:
    data.update(marker=intent["marker"], seen=order_version(order))
    data["status"] = {
        "to": intent["to"],
        "reason": intent["reason"],
        "documents": intent["documents"],
        "at": _stamp(ctx),
    }
    data["intent"] = {**intent, "step": "notes"}
    await save(data)
    existing = {n.get("note") for n in await ctx.woo.list_order_notes(order["id"])} if notes_checked else set()
    if intent["note"] not in existing:
        await ctx.woo.add_order_note(order["id"], intent["note"])
    if intent.get("customer") and intent["customer"] not in existing:
        await ctx.woo.add_order_note(order["id"], intent["customer"], customer_note=True)
    data.pop("intent", None)
    await save(data)
    action = Action("status", intent["reason"], intent["note"], tuple(intent["documents"]), to_status=intent["to"])
    return Written(action, "written", f"status {order.get('status')}; note: {intent['note']}", order)


async def write_refund(
    ctx: StoreContext, order: WooOrder, action: Action, note: CreditNote, data: dict[str, Any], save: Save
) -> Written:
    """A refund record for the credit note (api_refund false), bound at once, then marked and noted."""
    codes, _ = await lines_known(ctx, order)
    body = {**dict(action.refund or {}), "line_items": refund_lines(note, codes, order)}
    intent = {"kind": "refund", "credit_note": note.name, "note": action.note, "documents": list(action.documents)}
    data["intent"] = intent
    await save(data)
    refund = await ctx.woo.create_refund(order["id"], body)
    return await _finish_refund(ctx, order, intent, str(refund["id"]), data, save, notes_checked=False)


async def _finish_refund(
    ctx: StoreContext,
    order: WooOrder,
    intent: dict[str, Any],
    refund_id: str,
    data: dict[str, Any],
    save: Save,
    *,
    notes_checked: bool,
) -> Written:
    cn = str(intent["credit_note"])
    await ctx.state.run(bind_refund, ctx.db, ctx.store, str(order["id"]), refund_id, cn)
    data["refunds"] = {**(data.get("refunds") or {}), cn: refund_id}
    data["intent"] = {**intent, "refund": refund_id}
    await save(data)
    mark = marker([cn], _stamp(ctx))
    changed = await ctx.woo.update_order(order["id"], {"meta_data": [{"key": MARKER_KEY, "value": mark}]})
    data.update(marker=mark, seen=order_version(changed))
    existing = {n.get("note") for n in await ctx.woo.list_order_notes(order["id"])} if notes_checked else set()
    if intent["note"] not in existing:
        await ctx.woo.add_order_note(order["id"], intent["note"])
    data.pop("intent", None)
    await save(data)
    action = Action("refund", "credit_note", intent["note"], tuple(intent["documents"]))
    return Written(action, "written", f"refund {refund_id}; note: {intent['note']}", changed)


def bind_refund(db: StateDB, store: str, order_id: str, refund_id: str, credit_note: str) -> None:
    """The refund stands for a credit note a person made in ERPNext: the order sync takes it as credited."""
    binding = db.get_binding(store, "refund", refund_id)
    if binding is None:
        binding = Binding(store=store, kind="refund", remote_id=refund_id, erp_doctype="Sales Invoice")
    binding.erp_name, binding.state = credit_note, FROM_ERPNEXT
    binding.data = {**binding.data, "order": order_id, "origin": "erpnext"}
    db.save_binding(binding)


async def write_note(ctx: StoreContext, order: WooOrder, action: Action, data: dict[str, Any], save: Save) -> Written:
    """A private note for a credit note that is not recorded as a refund."""
    intent = {"kind": "note", "credit_note": action.documents[0], "note": action.note}
    data["intent"] = intent
    await save(data)
    await ctx.woo.add_order_note(order["id"], action.note)
    return await _finish_note(intent, data, save, order)


async def _finish_note(intent: dict[str, Any], data: dict[str, Any], save: Save, order: WooOrder) -> Written:
    data["noted"] = sorted({*(data.get("noted") or []), str(intent["credit_note"])})
    data.pop("intent", None)
    await save(data)
    action = Action("note", "credit_note", str(intent["note"]), (str(intent["credit_note"]),))
    return Written(action, "written", f"note: {intent['note']}", order)


async def resume(ctx: StoreContext, order: WooOrder, data: dict[str, Any], save: Save) -> Written | None:
    """Finish a write a previous run announced and may have made (None: it was not made; forget it)."""
    intent = dict(data.get("intent") or {})
    kind = intent.get("kind")
    finish: Callable[[], Awaitable[Written]] | None = None
    if kind == "status" and own_marker(order) == intent.get("marker"):
        finish = lambda: _finish_status(ctx, order, intent, data, save, notes_checked=True)  # noqa: E731
    elif kind == "refund":
        refund_id = str(intent.get("refund") or await _refund_for(ctx, order, str(intent.get("credit_note"))))
        if refund_id:
            finish = lambda: _finish_refund(ctx, order, intent, refund_id, data, save, notes_checked=True)  # noqa: E731
    elif kind == "note":
        notes = {n.get("note") for n in await ctx.woo.list_order_notes(order["id"])}
        if intent.get("note") in notes:
            return await _finish_note(intent, data, save, order)
    if finish is None:
        data.pop("intent", None)
        await save(data)
        return None
    return await finish()


async def _refund_for(ctx: StoreContext, order: WooOrder, credit_note: str) -> str:
    for refund in await ctx.woo.list_refunds(order["id"]):
        for meta in refund.get("meta_data") or []:
            if meta.get("key") == CREDIT_META and str(meta.get("value")) == credit_note:
                return str(refund["id"])
    return ""
