"""What a worker runs besides orders and customers: the scheduled jobs (event kind "job", by name)
and the event handlers by event kind (a product webhook, an ERPNext webhook's trigger). Each returns
a one-line summary; a passing failure raises `WooError`/`ErpError` (the worker retries it with backoff).

A new ERPNext event (runtime/erp_webhooks.py `ERP_TOPICS`) queues events of its `kind`; its handler
goes in `EVENT_HANDLERS`: `async (ctx, remote_id) -> (status, note)`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from woonext.store import FAILED, NEEDS_REVIEW, SKIPPED, SUCCEEDED
from woonext.sync.context import StoreContext
from woonext.sync.customer_sync import customers_job
from woonext.sync.items import items_job, sync_items
from woonext.sync.live import sync_orders_once
from woonext.sync.prices import prices_job, push_prices
from woonext.sync.reconcile import reconcile_job
from woonext.sync.stock import push_stock, stock_job
from woonext.sync.territories import territories_job

Job = Callable[[StoreContext], Awaitable[str]]


async def orders_job(ctx: StoreContext) -> str:
    report = await sync_orders_once(ctx)
    return (
        f"{len(report.results)} order(s): {report.created} invoiced, {report.count(SKIPPED)} skipped, "
        f"{report.count(NEEDS_REVIEW)} need review, {report.count(FAILED)} failed"
    )


JOBS: dict[str, Job] = {
    "orders": orders_job,
    "customers": customers_job,
    "territories": territories_job,
    "reconcile": reconcile_job,
    "items": items_job,
    "stock": stock_job,
    "prices": prices_job,
}

EventHandler = Callable[[StoreContext, str], Awaitable[tuple[str, str]]]


async def product_event(ctx: StoreContext, remote_id: str) -> tuple[str, str]:
    """product.created / product.updated: that product's Items, re-read over REST."""
    report = await sync_items(ctx, product_ids=[int(remote_id)])
    if not report.products:
        return SKIPPED, f"product_not_found: WooCommerce has no product {remote_id}"
    status = NEEDS_REVIEW if report.failed else SUCCEEDED
    return status, report.summary()


async def stock_event(ctx: StoreContext, remote_id: str) -> tuple[str, str]:
    """A Stock Ledger Entry was inserted: the stock sweep (the Bins say what changed)."""
    return SUCCEEDED, (await push_stock(ctx)).summary()


async def price_event(ctx: StoreContext, remote_id: str) -> tuple[str, str]:
    """An Item Price changed (sweep) or went away (`remote_id` = its Item, checked as well)."""
    return SUCCEEDED, (await push_prices(ctx, item_codes=[remote_id] if remote_id else [])).summary()


EVENT_HANDLERS: dict[str, EventHandler] = {
    "product": product_event,
    "stock": stock_event,
    "price": price_event,
}
