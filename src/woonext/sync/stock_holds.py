"""What orders WooCommerce counted but woonext has not invoiced yet hold (docs/catalog.md, "Stock").

Two kinds of orders can hold stock: those woonext has not handled yet (modified after the live
orders cursor, minus its overlap: one listing, usually one page) and those it saw but did not invoice
(waiting on-hold, needing review, failed — from the state DB's outcomes of the last `hold_days`, read
back 100 a request). An order whose invoice is submitted or paid already took its stock from ERPNext
and holds nothing. Holds are read before the Bins: an invoice made between the two reads is then
counted twice for a moment (WooCommerce shows less, never more), not zero times.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from woonext.mapping.stock import INVOICED_STATES, held_quantities
from woonext.store import FAILED, NEEDS_REVIEW, SKIPPED, StateDB
from woonext.store.models import DEAD_LETTER
from woonext.store.tables import bindings, outcomes
from woonext.sync.context import StoreContext
from woonext.sync.live import CURSOR as ORDERS_CURSOR
from woonext.sync.live import OVERLAP as ORDERS_OVERLAP

HOLDING = "processing,on-hold,completed"  # statuses in which WooCommerce keeps stock reduced (sample 60)
BATCH = 100


# The two reads below are state-DB queries: they run on a thread (`ctx.state.run`), never on the loop.


def _uninvoiced_ids(db: StateDB, store: str, since: datetime) -> list[int]:
    """Orders seen lately whose last outcome was not an invoice (waiting, parked, failed)."""
    query = select(outcomes.c.remote_id).where(
        outcomes.c.store == store,
        outcomes.c.kind == "order",
        outcomes.c.status.in_((SKIPPED, NEEDS_REVIEW, FAILED, DEAD_LETTER)),
        outcomes.c.updated_at >= since,
    )
    with db.engine.connect() as connection:
        return sorted({int(r) for r in connection.execute(query).scalars() if str(r).isdigit()})


def _invoiced(db: StateDB, store: str, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    found: set[int] = set()
    ordered = sorted(str(i) for i in ids)
    for start in range(0, len(ordered), 500):
        query = select(bindings.c.remote_id).where(
            bindings.c.store == store,
            bindings.c.kind == "order",
            bindings.c.remote_id.in_(ordered[start : start + 500]),
            bindings.c.state.in_(INVOICED_STATES),
        )
        with db.engine.connect() as connection:
            found |= {int(r) for r in connection.execute(query).scalars()}
    return found


async def held_by_orders(ctx: StoreContext) -> dict[tuple[int, int], int]:
    """Units held per (product id, variation id)."""
    now = ctx.now()
    since = now - timedelta(days=ctx.config.stock.hold_days)
    cursor = await ctx.state.get_cursor(ctx.store, ORDERS_CURSOR)
    after = since.replace(tzinfo=None)
    if cursor:
        after = max(after, datetime.fromisoformat(cursor["modified_gmt"]) - ORDERS_OVERLAP)
    orders: dict[int, dict[str, Any]] = {}
    params = {"status": HOLDING, "modified_after": after.strftime("%Y-%m-%dT%H:%M:%S"), "dates_are_gmt": True}
    async for page in ctx.woo.iter_orders(params, per_page=BATCH):
        orders.update({int(o["id"]): o for o in page.items})
    seen = [i for i in await ctx.state.run(_uninvoiced_ids, ctx.db, ctx.store, since) if i not in orders]
    for start in range(0, len(seen), BATCH):
        page = await ctx.woo.list_orders({"include": seen[start : start + BATCH], "per_page": BATCH, "status": "any"})
        orders.update({int(o["id"]): o for o in page.items})
    return held_quantities(orders.values(), await ctx.state.run(_invoiced, ctx.db, ctx.store, set(orders)))
