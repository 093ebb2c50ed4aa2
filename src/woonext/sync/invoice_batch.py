"""The migration's invoices in a few requests instead of one per order (issue 13: ERPNext requests per
order matter most).

Before its orders go through `sync_order`, a page's new invoices are prepared exactly as
`create_invoice` prepares them (masters, customer, mapping: sync/invoices.py) and sent to ERPNext in
`frappe.client.insert_many` requests of `BATCH` (one transaction each: all or nothing; ERPNext takes at
most 200, and a batch stays well inside a web server's time-out at ~0.3 s per invoice). `insert_many`
answers only names, so the batch's invoices are then read back by their sync keys in one request,
each checked against its order's totals and recorded like `create_invoice` records one. `sync_order`
then finds the invoice made and does the rest (cancellation, credit notes, Payment Entry) as always.

Exactly once as everywhere: every binding records its intent (state `inserting` with the sync key)
before the batch is sent. A refusal rolls the whole batch back in ERPNext, so its orders take the
one-by-one path, which names the order ERPNext refused; after an uncertain answer the bindings stay
`inserting`, and each order looks its invoice up by key before writing again.
"""

from __future__ import annotations

import asyncio

import structlog

from woonext.erpnext.errors import ErpError, ErpUncertain
from woonext.mapping.invoice import MappingError
from woonext.mapping.keys import SYNC_KEY_FIELD
from woonext.store import NEEDS_REVIEW, Binding, BindingExists
from woonext.sync.context import StoreContext
from woonext.sync.documents import INSERTING, LOOKUP_FIELDS
from woonext.sync.invoices import Mode, PreparedInvoice, prepare_invoice, record_invoice
from woonext.sync.orders import OrderResult
from woonext.woo.types import WooOrder

log = structlog.get_logger(__name__)
BATCH = 25
Prepared = tuple[WooOrder, Binding, PreparedInvoice]


async def prefetch_invoices(ctx: StoreContext, orders: list[WooOrder], concurrency: int = 4) -> list[OrderResult]:
    """Insert the page's new invoices in batches. Returns the orders it settled itself (an invoice ERPNext
    totalled differently, cancelled at once: NeedsReview, recorded); every other order goes through
    `sync_order` as usual, finding its invoice made (or making it, when the batch could not)."""
    slots = asyncio.Semaphore(max(1, concurrency))

    async def one(order: WooOrder) -> Prepared | None:
        async with slots:
            return await _prepared(ctx, order)

    ready = [p for p in await asyncio.gather(*(one(o) for o in orders)) if p is not None]

    async def batch(start: int) -> list[OrderResult]:
        async with slots:  # batches side by side: each ERPNext web worker takes one
            return await _insert_batch(ctx, ready[start : start + BATCH])

    done = await asyncio.gather(*(batch(start) for start in range(0, len(ready), BATCH)))
    return [result for results in done for result in results]


async def _prepared(ctx: StoreContext, order: WooOrder) -> Prepared | None:
    """A new order the migration invoices, prepared; None for anything else (the one-by-one path
    decides and records those: known orders, other statuses, orders that cannot be mapped)."""
    if order.get("status") not in ctx.config.migrate_statuses:
        return None
    if await ctx.state.get_binding(ctx.store, "order", order["id"]) is not None:
        return None
    binding = Binding(store=ctx.store, kind="order", remote_id=str(order["id"]), erp_doctype="Sales Invoice")
    try:
        return order, binding, await prepare_invoice(ctx, order, Mode.HISTORICAL, binding)
    except Exception:  # whatever it is, the one-by-one path meets it again and records it
        return None


async def _intent(ctx: StoreContext, batch: list[Prepared]) -> list[Prepared]:
    """Record every invoice's intent before the batch is sent; an order another run took is left out."""
    kept = []
    for order, binding, prepared in batch:
        binding.state = INSERTING
        binding.data = {**binding.data, "key": prepared.plan.doc[SYNC_KEY_FIELD]}
        try:
            await ctx.state.save_binding(binding)
        except BindingExists:
            continue
        kept.append((order, binding, prepared))
    return kept


async def _insert_batch(ctx: StoreContext, batch: list[Prepared]) -> list[OrderResult]:
    batch = await _intent(ctx, batch)
    if not batch:
        return []
    docs = [{"doctype": "Sales Invoice", **prepared.plan.doc} for _, _, prepared in batch]
    try:
        await ctx.erp.call("frappe.client.insert_many", docs=docs)
    except ErpUncertain:
        return []  # the bindings stay `inserting`: each order looks its invoice up by key first
    except ErpError as exc:
        for _, binding, _ in batch:  # rolled back: nothing was made; one by one, the refused one is named
            binding.state = ""
            await ctx.state.save_binding(binding)
        log.info("invoice_batch_fell_back", store=ctx.store, orders=len(batch), error=exc.message)
        return []
    keys = [str(prepared.plan.doc[SYNC_KEY_FIELD]) for _, _, prepared in batch]
    rows = await ctx.erp.get_list(
        "Sales Invoice", filters=[[SYNC_KEY_FIELD, "in", keys]], fields=[*LOOKUP_FIELDS, SYNC_KEY_FIELD], limit=0
    )
    made = {str(row[SYNC_KEY_FIELD]): row for row in rows}
    settled = []
    for (order, binding, prepared), key in zip(batch, keys, strict=True):
        doc = made.get(key)
        if doc is None:
            continue  # not found (cannot happen after a committed batch): the one-by-one path looks again
        try:
            await record_invoice(ctx, binding, prepared, doc)
        except MappingError as exc:  # totalled differently by ERPNext: cancelled already, parked for a person
            await ctx.state.record_outcome(
                ctx.store, "order", order["id"], NEEDS_REVIEW, exc.reason, exc.message, exc.hint
            )
            settled.append(OrderResult(int(order["id"]), NEEDS_REVIEW, exc.reason, exc.message, exc.hint))
            continue
        ctx.cache.batched.add(int(order["id"]))
    return settled
