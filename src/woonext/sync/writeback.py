"""Orders back to WooCommerce: paid and/or delivered in ERPNext → the order moves forward, never stale
(docs/writeback.md). Off unless `[stores.writeback] enabled`: with it off nothing here reads or writes.

Triggers: ERPNext Webhooks on Payment Entry submit/cancel, Delivery Note submit/cancel and credit-note
submit (`woonext webhooks install`) queue `writeback_document`; the hourly sweep (`writeback_job`)
and `woonext orders writeback` look at what changed since a cursor, plus the orders put off last time.
Every path ends in `_one`: hold the order (store/writebacks.py lease), finish a write a dead run
announced, read the order first, decide (mapping/writeback.py `plan`), write (sync/writeback_apply.py),
record each write, skip and finding in the order's history — `writeback_history(db, store, order_id)`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from woonext.config import StoreConfig
from woonext.mapping.writeback import Action, CreditNote, InvoiceFacts, Memory, Rules, plan
from woonext.store import NEEDS_REVIEW, SKIPPED, SUCCEEDED, Binding, StateDB
from woonext.store import writebacks as wb
from woonext.store.writebacks import WritebackEntry, writeback_history
from woonext.sync.context import StoreContext
from woonext.sync.edits import INVOICED
from woonext.sync.setup import ensure_ready
from woonext.sync.writeback_apply import Save, Written, resume, write_note, write_refund, write_status
from woonext.sync.writeback_facts import changed_since, credit_lines, invoice_facts, invoices_of
from woonext.woo.errors import WooError
from woonext.woo.types import WooOrder

CURSOR = "writeback"
LEASE = timedelta(minutes=5)
FIRST_LOOK = timedelta(days=1, hours=14)  # the first sweep: a day back, in any site time zone
RESULTS = {"status": wb.WRITTEN, "refund": wb.WRITTEN, "note": wb.WRITTEN, "review": wb.REVIEW, "skip": wb.SKIPPED}

__all__ = ["run_writeback", "sweep", "writeback_document", "writeback_history", "writeback_job"]


def rules_of(store: StoreConfig) -> Rules:
    c = store.writeback
    return Rules(
        when=c.when,
        status=c.status,
        transitions={k: tuple(v) for k, v in c.transitions.items()},
        invoice_stock_is_delivery=c.invoice_stock_is_delivery,
        customer_note=c.customer_note,
        refunds=c.refunds,
        charge_items=frozenset({store.shipping_item, store.fee_item}),
    )


@dataclass
class OrderReport:
    order_id: str
    invoice: str
    status: str = ""  # the order's status when read
    planned: list[Action] = field(default_factory=list)
    done: list[tuple[Action, str, str]] = field(default_factory=list)  # (action, result, detail)
    busy: bool = False  # another run held the order


@dataclass
class WritebackReport:
    trigger: str
    dry_run: bool = False
    orders: list[OrderReport] = field(default_factory=list)
    note: str = ""

    def count(self, result: str) -> int:
        return sum(1 for o in self.orders for _, r, _ in o.done if r == result)

    def summary(self) -> str:
        if self.note:
            return self.note
        if self.dry_run:
            planned = sum(1 for o in self.orders for a in o.planned if a.kind in ("status", "refund", "note"))
            return f"{len(self.orders)} order(s) looked at, {planned} write(s) would be made (dry run)"
        busy = sum(1 for o in self.orders if o.busy)
        return (
            f"{len(self.orders)} order(s) looked at: {self.count(wb.WRITTEN)} written, "
            f"{self.count(wb.SKIPPED)} skipped, {self.count(wb.REVIEW)} for a person, {self.count(wb.FAILED)} failed"
            + (f", {busy} busy" if busy else "")
        )


def _off(store: StoreConfig) -> str:
    return "" if store.writeback.enabled else "writeback is off ([stores.writeback] enabled = false): nothing written"


async def run_writeback(
    ctx: StoreContext, invoices: set[str], *, trigger: str, dry_run: bool = False, also: set[str] | None = None
) -> WritebackReport:
    """Write back the live orders of these invoices (and the orders `also` names, by id)."""
    report = WritebackReport(trigger, dry_run, note=_off(ctx.config))
    if report.note:
        return report
    await ensure_ready(ctx)  # once per context: never write to a store from an ERPNext site not its own
    bound, own = await ctx.state.run(_orders_of, ctx.db, ctx.store, invoices, also or set())
    facts = await invoice_facts(ctx, {b.erp_name for b in bound}, own)
    rules = rules_of(ctx.config)
    for binding in sorted(bound, key=lambda b: int(b.remote_id) if b.remote_id.isdigit() else 0):
        if binding.erp_name in facts:
            report.orders.append(await _one(ctx, binding, facts[binding.erp_name], rules, trigger, dry_run))
    return report


def _orders_of(db: StateDB, store: str, invoices: set[str], also: set[str]) -> tuple[list[Binding], set[str]]:
    """The live orders of these invoices (and of the ids in `also`), and the Payment Entries woonext
    made for them itself (a prepaid order's: not a payment recorded in ERPNext)."""
    bound = [b for b in db.bindings_named(store, ("order",), sorted(invoices)) if _live(b)] if invoices else []
    bound += [b for oid in sorted(also) if (b := db.get_binding(store, "order", oid)) and _live(b)]
    unique = list({b.remote_id: b for b in bound}.values())
    own = {p.erp_name for b in unique if (p := db.get_binding(store, "payment", b.remote_id)) and p.erp_name}
    return unique, own


def _live(b: Binding) -> bool:
    return b.state in INVOICED and bool(b.erp_name) and b.data.get("purpose") == "live"


async def _one(
    ctx: StoreContext, binding: Binding, facts: InvoiceFacts, rules: Rules, trigger: str, dry_run: bool
) -> OrderReport:
    oid, report = binding.remote_id, OrderReport(binding.remote_id, binding.erp_name)
    owner = f"{trigger[:60]}:{secrets.token_hex(4)}"
    if dry_run:
        data: dict[str, Any] | None = await ctx.state.run(wb.state, ctx.db, ctx.store, oid)
    else:
        data = await ctx.state.run(wb.claim, ctx.db, ctx.store, oid, owner, ctx.now() + LEASE)
    if data is None:
        report.busy = True
        return report
    try:
        await _decide_and_write(ctx, binding, facts, rules, trigger, dry_run, data, report, owner)
    except WooError as exc:  # recorded; a webhook's event is retried, the next sweep tries again
        data["pending"] = f"woocommerce_{exc.code}"
        failed = Action("skip", f"woocommerce_{exc.code}", f"WooCommerce answered {exc}: tried again later")
        report.done.append((failed, wb.FAILED, failed.detail))
        await ctx.state.run(_record, ctx.db, ctx.store, oid, _entry(ctx, trigger, failed, wb.FAILED, failed.detail))
    finally:
        if not dry_run:
            await ctx.state.run(wb.release, ctx.db, ctx.store, oid, owner, data)
    return report


async def _decide_and_write(
    ctx: StoreContext,
    binding: Binding,
    facts: InvoiceFacts,
    rules: Rules,
    trigger: str,
    dry_run: bool,
    data: dict[str, Any],
    report: OrderReport,
    owner: str,
) -> None:
    oid = binding.remote_id

    async def save(value: dict[str, Any]) -> None:
        await ctx.state.run(wb.save, ctx.db, ctx.store, oid, owner, value)

    order = await ctx.woo.get_order(oid)  # read first, always
    if order is None:
        action = Action("skip", "order_gone", f"WooCommerce has no order {oid} any more: nothing written")
        report.done.append((action, wb.SKIPPED, action.detail))
        await ctx.state.run(
            _record, ctx.db, ctx.store, oid, _entry(ctx, trigger, action, wb.SKIPPED, action.detail), True
        )
        return
    report.status = str(order.get("status") or "")
    if data.get("intent") and not dry_run:
        finished = await resume(ctx, order, data, save)
        if finished is not None:
            await _done(ctx, oid, trigger + " (finished)", finished, report)
            order = finished.order or order
    data.pop("pending", None)
    actions = plan(order, facts, rules, Memory.load(data), str(binding.data.get("version") or ""))
    report.planned = actions
    if dry_run:
        return
    notes = {n.name: n for n in await credit_lines(ctx, [c for c in facts.credit_notes if _refunding(c, actions)])}
    for action in actions:
        written = await _apply(ctx, order, action, notes, data, save)
        await _done(ctx, oid, trigger, written, report)
        order = written.order or order
        if action.pending:
            data["pending"] = action.reason
        if action.kind == "review":
            data["reviewed"] = sorted({*(data.get("reviewed") or []), *action.documents})


def _refunding(note: CreditNote, actions: list[Action]) -> bool:
    return any(a.kind == "refund" and note.name in a.documents for a in actions)


async def _apply(
    ctx: StoreContext,
    order: WooOrder,
    action: Action,
    notes: dict[str, CreditNote],
    data: dict[str, Any],
    save: Save,
) -> Written:
    if action.kind == "status":
        return await write_status(ctx, order, action, data, save)
    if action.kind == "refund":
        return await write_refund(ctx, order, action, notes[action.documents[0]], data, save)
    if action.kind == "note":
        return await write_note(ctx, order, action, data, save)
    return Written(action, RESULTS[action.kind], action.detail)


async def _done(ctx: StoreContext, oid: str, trigger: str, written: Written, report: OrderReport) -> None:
    action = written.action
    report.done.append((action, written.result, written.detail))
    once = written.result != wb.WRITTEN  # the same skip or finding seen again is not a new event
    entry = _entry(ctx, trigger, action, written.result, written.detail if once else action.detail)
    if not await ctx.state.run(_record, ctx.db, ctx.store, oid, entry, once):
        return  # nothing new: the order's last outcome says it already
    if written.result == wb.REVIEW:
        hint = "check the order in WooCommerce and ERPNext by hand; woonext never moves an order back on its own"
        await ctx.state.record_outcome(ctx.store, "writeback", oid, NEEDS_REVIEW, action.reason, action.detail, hint)
    elif written.result == wb.WRITTEN:
        await ctx.state.record_outcome(ctx.store, "writeback", oid, SUCCEEDED, action.reason, written.detail)
    elif not action.pending:
        await ctx.state.record_outcome(ctx.store, "writeback", oid, SKIPPED, action.reason, action.detail)


def _entry(ctx: StoreContext, trigger: str, action: Action, result: str, detail: str) -> WritebackEntry:
    return WritebackEntry(
        at=ctx.now(),
        trigger=trigger,
        action=action.kind,
        result=result,
        reason=action.reason,
        to_status=action.to_status,
        documents=list(action.documents),
        detail=detail,
    )


def _record(db: StateDB, store: str, oid: str, entry: WritebackEntry, once: bool = False) -> bool:
    return wb.record(db, store, oid, entry, once=once)


# -- triggers ----------------------------------------------------------------------------------------
async def writeback_document(ctx: StoreContext, doctype: str, name: str, event: str = "") -> WritebackReport:
    """An ERPNext Webhook's trigger: the orders of the invoices this document is about."""
    trigger = f"{doctype} {name}" + (f" {event}" if event else "")
    if _off(ctx.config):
        return WritebackReport(trigger, note=_off(ctx.config))
    return await run_writeback(ctx, set(await invoices_of(ctx, doctype, name)), trigger=trigger)


async def sweep(ctx: StoreContext, *, dry_run: bool = False, trigger: str = "sweep") -> WritebackReport:
    """What changed in ERPNext since the cursor, and the orders put off last time."""
    if _off(ctx.config):
        return WritebackReport(trigger, dry_run, note=_off(ctx.config))
    cursor = await ctx.state.get_cursor(ctx.store, CURSOR) or {}
    first = (ctx.now() - FIRST_LOOK).replace(tzinfo=None)
    own_stock = ctx.config.writeback.invoice_stock_is_delivery
    invoices, after = await changed_since(ctx, cursor, first, own_stock=own_stock)
    pending = set(await ctx.state.run(wb.pending_orders, ctx.db, ctx.store))
    report = await run_writeback(ctx, invoices, trigger=trigger, dry_run=dry_run, also=pending)
    if not dry_run:
        await ctx.state.set_cursor(ctx.store, CURSOR, after)
    return report


async def writeback_job(ctx: StoreContext) -> str:
    """The hourly sweep (`[stores.schedules] writeback`), through the worker."""
    return (await sweep(ctx)).summary()
