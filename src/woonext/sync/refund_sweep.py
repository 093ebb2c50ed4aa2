"""Find refunds deleted in WooCommerce on orders nobody syncs again.

Deleting a refund does not save its order (sync/refund_deletions.py): no webhook, no new
`date_modified`, so neither the live poll nor a webhook brings the order back. The scheduled
reconciliation (`reconcile_job`) therefore first re-reads the orders that got a credit note in the
last `SWEEP_DAYS` days — a few `GET /orders?include=…` pages of 100, not one request per order — and
sends each order that no longer lists one of its credited refunds through `sync_order`, which
confirms the deletion with the order's refund list and cancels the credit note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from woonext.store import StateDB
from woonext.store.tables import bindings
from woonext.sync.context import StoreContext
from woonext.sync.orders import Mode, OrderResult, sync_order
from woonext.sync.refunds import REFUNDING

SWEEP_DAYS = 30  # a refund recorded by mistake is deleted within days; older credit notes are not re-read
PAGE = 100


@dataclass
class SweepReport:
    orders_checked: int = 0
    results: list[OrderResult] = field(default_factory=list)  # the orders sent through sync_order again

    def summary(self) -> str:
        if not self.results:
            return f"{self.orders_checked} order(s) with recent credit notes: no refund deleted"
        done = ", ".join(f"{r.order_id} {r.status} {r.reason}" for r in self.results)
        return f"{self.orders_checked} order(s) with recent credit notes, {len(self.results)} re-synced ({done})"


def _credited_by_order(db: StateDB, store: str, since: datetime) -> dict[str, set[str]]:
    """Refund ids with a live credit note made since `since`, per order id. Credit notes recorded
    before their binding kept the order id are matched to it through the invoice. Two reads of the
    state DB: run on a thread (`ctx.state.run`)."""
    credits = db.refund_bindings_since(store, since, ("submitted", REFUNDING))
    by_invoice = {str(c.data.get("invoice")) for c in credits if not c.data.get("order") and c.data.get("invoice")}
    order_of: dict[str, str] = {}
    if by_invoice:
        query = select(bindings.c.remote_id, bindings.c.erp_name).where(
            bindings.c.store == store, bindings.c.kind == "order", bindings.c.erp_name.in_(sorted(by_invoice))
        )
        with db.engine.connect() as connection:
            order_of = {str(row.erp_name): str(row.remote_id) for row in connection.execute(query)}
    credited: dict[str, set[str]] = {}
    for credit in credits:
        order_id = str(credit.data.get("order") or order_of.get(str(credit.data.get("invoice")), ""))
        if order_id:
            credited.setdefault(order_id, set()).add(str(credit.remote_id))
    return credited


async def sweep_deleted_refunds(ctx: StoreContext, days: int = SWEEP_DAYS) -> SweepReport:
    credited = await ctx.state.run(_credited_by_order, ctx.db, ctx.store, ctx.now() - timedelta(days=days))
    report = SweepReport(orders_checked=len(credited))
    ids = sorted(credited, key=int)
    for start in range(0, len(ids), PAGE):
        chunk = ids[start : start + PAGE]
        page = await ctx.woo.list_orders({"include": ",".join(chunk), "status": "any", "per_page": PAGE})
        for order in page.items:
            listed = {str(r.get("id")) for r in order.get("refunds") or []}
            if credited.get(str(order.get("id")), set()) <= listed:
                continue
            report.results.append(await sync_order(ctx, order, await _mode(ctx, order)))
    return report


async def _mode(ctx: StoreContext, order: dict[str, Any]) -> Mode:
    binding = await ctx.state.get_binding(ctx.store, "order", order["id"])
    return Mode.LIVE if binding is not None and binding.data.get("purpose") == "live" else Mode.HISTORICAL
