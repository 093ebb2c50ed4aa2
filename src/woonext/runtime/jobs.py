"""The scheduled jobs a worker runs (event kind "job"), by name: each returns a one-line summary.

A job raises `WooError`/`ErpError` for a passing failure (the worker retries it with backoff)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from woonext.store import FAILED, NEEDS_REVIEW, SKIPPED, retention
from woonext.sync.context import StoreContext
from woonext.sync.customer_sync import customers_job
from woonext.sync.live import sync_orders_once
from woonext.sync.reconcile import reconcile_job
from woonext.sync.territories import territories_job

Job = Callable[[StoreContext], Awaitable[str]]


async def orders_job(ctx: StoreContext) -> str:
    report = await sync_orders_once(ctx)
    return (
        f"{len(report.results)} order(s): {report.created} invoiced, {report.count(SKIPPED)} skipped, "
        f"{report.count(NEEDS_REVIEW)} need review, {report.count(FAILED)} failed"
    )


async def prune_job(ctx: StoreContext) -> str:
    """Finished events older than the store's `retention_days` leave the state DB (store/retention.py)."""
    report = await asyncio.to_thread(retention.prune_store, ctx.db, ctx.store, ctx.config.retention_days)
    return report.summary()


JOBS: dict[str, Job] = {
    "orders": orders_job,
    "customers": customers_job,
    "territories": territories_job,
    "reconcile": reconcile_job,
    "prune": prune_job,
}
