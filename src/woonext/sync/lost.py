"""Documents woonext recorded that ERPNext no longer has — an ERPNext restored from an older backup
keeps its site marker (sync/identity.py) but lost the invoices, Payment Entries and credit notes made
after the backup. `reconcile` finds the orders whose documents are missing; here each document their
bindings name is looked up by name (one query per doctype), and a binding whose document is gone is
marked `lost`. The usual exactly-once path then makes it again: `sync_order` treats a lost invoice as
one not made yet (with its own sync key, which ERPNext no longer holds), a lost Payment Entry or credit
note likewise. Each such order is recorded Failed `document_lost`, which the next live run retries —
on the path it was made on (a migrated invoice is made again as a migrated one).
"""

from __future__ import annotations

from typing import Any

from woonext.mapping.reconcile import Report
from woonext.store import FAILED, Binding, StateDB
from woonext.sync.context import StoreContext

LOST = "lost"
_MADE = ("submitted", "paid", "refunding")  # states in which a binding names a document ERPNext should hold
REASON = "document_lost"


def _bound(db: StateDB, store: str, order_id: int) -> list[Binding]:
    """The order's bindings that name a document: invoice, Payment Entry, credit notes and their entries.
    (In a thread: several reads in one hop.)"""
    order = db.get_binding(store, "order", order_id)
    if order is None:
        return []
    found = [order, db.get_binding(store, "payment", order_id)]
    for refund_id in order.data.get("credited_refunds") or []:
        found += [db.get_binding(store, "refund", refund_id), db.get_binding(store, "refund_payment", refund_id)]
    return [b for b in found if b is not None and b.erp_name and b.state in _MADE]


async def _missing(ctx: StoreContext, doctype: str, names: set[str]) -> set[str]:
    if not names:
        return set()
    rows = await ctx.erp.get_list(doctype, filters=[["name", "in", sorted(names)]], fields=["name"], limit=0)
    return names - {str(r["name"]) for r in rows}


async def mark_lost(ctx: StoreContext, report: Report) -> list[str]:
    """Bindings of the report's mismatching orders whose document ERPNext does not have: marked lost, the
    order recorded Failed to be made again. Returns the documents' names."""
    bound = {
        oid: await ctx.state.run(_bound, ctx.db, ctx.store, oid)
        for oid in sorted({f.order_id for f in report.mismatches})
    }
    names: dict[str, set[str]] = {}
    for binding in (b for bs in bound.values() for b in bs):
        names.setdefault(binding.erp_doctype, set()).add(binding.erp_name)
    gone = {name for doctype, wanted in names.items() for name in await _missing(ctx, doctype, wanted)}
    lost: list[str] = []
    for order_id, bindings in bound.items():
        mine = [b for b in bindings if b.erp_name in gone]
        if not mine:
            continue
        for binding in mine:
            await _forget(ctx, binding, bindings)
        lost += [b.erp_name for b in mine]
        await ctx.state.record_outcome(
            ctx.store,
            "order",
            order_id,
            FAILED,
            REASON,
            f"ERPNext no longer has {', '.join(b.erp_name for b in mine)}, which woonext made for this order "
            "(a site restored from an older backup?)",
            "the next `woonext sync orders` (or the running service) makes it again, exactly once",
        )
    report.lost = lost
    return lost


async def _forget(ctx: StoreContext, binding: Binding, siblings: list[Binding]) -> None:
    info: dict[str, Any] = {"document": binding.erp_name, "at": ctx.now().isoformat(timespec="seconds")}
    binding.data = {**binding.data, LOST: info}
    binding.state = LOST
    await ctx.state.save_binding(binding)
    if binding.kind == "payment":  # the invoice it paid is open again: the next sync pays it again
        order = next((b for b in siblings if b.kind == "order"), None)
        if order is not None and order.state == "paid" and order.data.get("payment_entry") == binding.erp_name:
            order.state = "submitted"
            await ctx.state.save_binding(order)
