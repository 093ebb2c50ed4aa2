"""Live order sync: poll orders by their own modification clock and bring each into ERPNext.

The cursor is `(date_modified_gmt, id)` of the last order handled, read back with an overlap
window and `dates_are_gmt=true`, so an order saved while we paged is seen on the next run; the
content hash and bindings make seeing an order twice free.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from woonext.store import FAILED
from woonext.sync.context import StoreContext
from woonext.sync.orders import Mode, OrderResult, sync_order
from woonext.sync.setup import ensure_ready

CURSOR = "orders"
OVERLAP = timedelta(minutes=5)
FIRST_RUN_LOOKBACK = timedelta(days=1)
# Orders that are open at go-live whatever their age: a "processing" order from last month is a real
# sale the migration leaves to the live sync (it is not a historical status), and its modification
# date may be far older than the first run's look-back.
OPEN_STATUSES = ("processing",)


@dataclass
class LiveReport:
    results: list[OrderResult] = field(default_factory=list)
    pages: int = 0
    swept: set[tuple[int, str]] = field(default_factory=set)  # (id, date_modified_gmt) handled by the sweep
    cursor: dict[str, Any] | None = None

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def created(self) -> int:
        return sum(1 for r in self.results if r.created)


def _gmt(order: dict[str, Any]) -> str:
    return str(order.get("date_modified_gmt") or order.get("date_modified") or "")


async def _handle(ctx: StoreContext, orders: list[dict[str, Any]], report: LiveReport, concurrency: int) -> None:
    slots = asyncio.Semaphore(max(1, concurrency))

    async def one(order: dict[str, Any]) -> OrderResult:
        async with slots:
            return await sync_order(ctx, order, Mode.LIVE)

    report.results += await asyncio.gather(*(one(o) for o in orders))


async def retry_failed(ctx: StoreContext, report: LiveReport, concurrency: int = 4) -> None:
    """Orders whose last attempt failed for a passing reason are fetched again and retried."""
    failed = [
        o
        for o in await ctx.state.latest_failures(limit=200, store=ctx.store)
        if o.status == FAILED and o.kind == "order"
    ]
    orders = [order for o in failed if (order := await ctx.woo.get_order(o.remote_id)) is not None]
    await _handle(ctx, orders, report, concurrency)


async def sync_orders_once(
    ctx: StoreContext, *, now: datetime | None = None, concurrency: int = 4, per_page: int = 100
) -> LiveReport:
    report = LiveReport()
    await ensure_ready(ctx)
    await retry_failed(ctx, report, concurrency)
    cursor = await ctx.state.get_cursor(ctx.store, CURSOR)
    if cursor:
        since = datetime.fromisoformat(cursor["modified_gmt"]) - OVERLAP
    else:
        since = (now or ctx.now()).replace(tzinfo=None) - FIRST_RUN_LOOKBACK
        await _sweep_open_orders(ctx, report, concurrency, per_page)
    params = {
        "modified_after": since.strftime("%Y-%m-%dT%H:%M:%S"),
        "dates_are_gmt": True,
        "orderby": "modified",
        "order": "asc",
        "status": "any",
    }
    best = (cursor["modified_gmt"], int(cursor["id"])) if cursor else None
    async for page in ctx.woo.iter_orders(params, per_page=per_page):
        report.pages += 1
        fresh = [o for o in page.items if (int(o["id"]), _gmt(o)) not in report.swept]
        await _handle(ctx, fresh, report, concurrency)
        for order in page.items:
            mark = (_gmt(order), int(order["id"]))
            if best is None or mark > best:
                best = mark
        if best is not None:
            await ctx.state.set_cursor(ctx.store, CURSOR, {"modified_gmt": best[0], "id": best[1]})
    report.cursor = await ctx.state.get_cursor(ctx.store, CURSOR)
    return report


async def _sweep_open_orders(ctx: StoreContext, report: LiveReport, concurrency: int, per_page: int) -> None:
    """First run only: every order still open at go-live, however old (later runs follow the cursor)."""
    statuses = [s for s in OPEN_STATUSES if s not in ctx.config.migrate_statuses and s not in ctx.config.wait_statuses]
    if not statuses:
        return
    params = {"status": ",".join(statuses), "orderby": "id", "order": "asc"}
    async for page in ctx.woo.iter_orders(params, per_page=per_page):
        report.pages += 1
        await _handle(ctx, page.items, report, concurrency)
        report.swept |= {(int(o["id"]), _gmt(o)) for o in page.items}


async def pull_recent(ctx: StoreContext, limit: int = 20, concurrency: int = 4) -> LiveReport:
    """The latest `limit` orders by date, through the live path (a quick catch-up or a check)."""
    report = LiveReport()
    await ensure_ready(ctx)
    page = await ctx.woo.list_orders({"per_page": limit, "orderby": "date", "order": "desc"})
    report.pages = 1
    await _handle(ctx, page.items, report, concurrency)
    return report
