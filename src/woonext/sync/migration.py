"""Historical migration: completed / cancelled / refunded WooCommerce orders become report-only
Sales Invoices (paid through POS rows, no stock), page by page, resumable from a checkpoint."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from woonext.mapping.customer import party_of
from woonext.store import SKIPPED, SUCCEEDED
from woonext.sync.context import StoreContext
from woonext.sync.customers import prefetch_customers
from woonext.sync.invoice_batch import prefetch_invoices
from woonext.sync.invoices import ensure_items
from woonext.sync.orders import Mode, OrderResult, sync_order
from woonext.sync.plan import WOULD_CREATE, PlanRow, plan_order
from woonext.sync.setup import ensure_ready
from woonext.woo.client import WooPage
from woonext.woo.types import WooOrder

Progress = Callable[[int, int], None]  # (orders handled so far, orders in scope)


@dataclass
class MigrationOptions:
    statuses: list[str] | None = None  # default: the store's migrate_statuses
    page: int | None = None  # one page only
    per_page: int = 100
    all_pages: bool = False
    since: date | None = None
    until: date | None = None
    dry_run: bool = False
    concurrency: int = 4


@dataclass
class MigrationReport:
    created: int = 0
    skipped: int = 0
    failed: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    failures: list[OrderResult] = field(default_factory=list)
    plan: list[PlanRow] = field(default_factory=list)
    would_create: Counter[str] = field(default_factory=Counter)  # dry run: documents by kind (plan.DOCUMENTS)
    pages: int = 0  # pages handled by this run
    resumed_from: int | None = None
    last_page: int = 0  # the page handled last (or being handled)
    total_pages: int = 0  # pages in scope, as WooCommerce counted them
    total_orders: int = 0  # orders in scope

    def add(self, result: OrderResult) -> None:
        if result.status == SUCCEEDED and result.created:
            self.created += 1
        elif result.status in (SUCCEEDED, SKIPPED):
            self.skipped += 1
            self.reasons[result.reason] += 1
        else:
            self.failed += 1
            self.reasons[result.reason] += 1
            self.failures.append(result)


def _query(ctx: StoreContext, opts: MigrationOptions) -> dict[str, Any]:
    params: dict[str, Any] = {
        "status": opts.statuses or list(ctx.config.migrate_statuses),
        "orderby": "id",
        "order": "asc",
    }
    if opts.since:
        params["after"] = f"{opts.since.isoformat()}T00:00:00"
    if opts.until:
        params["before"] = f"{opts.until.isoformat()}T23:59:59"
    return params


def _checkpoint_job(params: dict[str, Any], per_page: int) -> str:
    digest = hashlib.sha1(json.dumps({**params, "per_page": per_page}, sort_keys=True).encode()).hexdigest()[:12]
    return f"migrate:{digest}"


def _count_plan(report: MigrationReport, rows: list[PlanRow]) -> None:
    """One order's plan: its invoice counts as "would create" (created stays 0: nothing is written)."""
    report.plan += rows
    for row in rows:
        if row.action == WOULD_CREATE:
            report.would_create[row.document] += 1
        elif row.action == "skip":
            report.skipped += 1
            report.reasons[row.reason] += 1
        elif row.action == "fail":
            report.failed += 1
            report.reasons[row.reason] += 1


async def _handle_page(
    ctx: StoreContext,
    orders: list[WooOrder],
    opts: MigrationOptions,
    report: MigrationReport,
    people: set[str],
) -> None:
    skus = {str(li.get("sku") or "") for o in orders for li in o.get("line_items") or []} - {""}
    await ensure_items(ctx, skus)  # one request warms the item cache for the whole page
    if opts.dry_run:
        for order in orders:
            _count_plan(report, await plan_order(ctx, order, people))
        return
    migratable = [o for o in orders if o.get("status") in ctx.config.migrate_statuses]
    await prefetch_customers(ctx, [party_of(o) for o in migratable])
    # the page's new invoices in a few insert_many requests; sync_order then finds them made
    settled = await prefetch_invoices(ctx, migratable, opts.concurrency)
    slots = asyncio.Semaphore(max(1, opts.concurrency))

    async def one(order: WooOrder) -> None:
        async with slots:
            report.add(await sync_order(ctx, order, Mode.HISTORICAL))  # counted as it ends: Ctrl-C shows it

    for result in settled:
        report.add(result)
    done = {r.order_id for r in settled}
    await asyncio.gather(*(one(o) for o in orders if int(o["id"]) not in done))


async def migrate(
    ctx: StoreContext, opts: MigrationOptions, progress: Progress | None = None, report: MigrationReport | None = None
) -> MigrationReport:
    """Migrate the pages `opts` asks for. `report` (made here when not given) fills in as orders end, so
    a caller that is interrupted still holds the counts so far."""
    report = report if report is not None else MigrationReport()
    await ensure_ready(ctx)
    params = _query(ctx, opts)
    job = _checkpoint_job(params, opts.per_page)
    first = opts.page or 1
    if opts.page is None and opts.all_pages and not opts.dry_run:
        checkpoint = await ctx.state.get_checkpoint(ctx.store, job)
        if checkpoint:
            first = int(checkpoint["next_page"])
            report.resumed_from = first
    page_no = first
    handled = 0
    people: set[str] = set()  # dry run: identity keys of the Customers the plan already creates

    async def fetch(number: int) -> WooPage[WooOrder]:
        return await ctx.woo.list_orders({**params, "per_page": opts.per_page, "page": number})

    page = await fetch(page_no)
    report.total_pages, report.total_orders = page.total_pages, page.total
    while True:
        report.pages += 1
        report.last_page = page_no
        more = opts.all_pages and bool(page.items) and page_no < page.total_pages
        # The next page is read while this one is written, so the writers never wait on WooCommerce.
        ahead = asyncio.create_task(fetch(page_no + 1)) if more else None
        try:
            if page.items:
                await _handle_page(ctx, page.items, opts, report, people)
                handled += len(page.items)
        except BaseException:
            if ahead is not None:
                ahead.cancel()
            raise
        if progress:
            scope = page.total - (first - 1) * opts.per_page
            progress(handled, max(scope, handled))
        if ahead is None:
            break
        page_no += 1
        if not opts.dry_run:
            await ctx.state.set_checkpoint(ctx.store, job, {"next_page": page_no, "params": params})
        page = await ahead
    if opts.all_pages and not opts.dry_run:
        await ctx.state.clear_checkpoint(ctx.store, job)
    return report
