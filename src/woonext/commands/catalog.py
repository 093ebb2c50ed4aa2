"""`woonext items sync`, `woonext stock push`, `woonext prices push` (docs/catalog.md)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from woonext.commands._common import console, err_console, run
from woonext.commands._context import cli_context
from woonext.mapping.errors import MappingError
from woonext.sync.catalog_push import Change
from woonext.sync.context import StoreContext
from woonext.sync.items import ItemsReport, sync_items
from woonext.sync.prices import PricesReport, push_prices
from woonext.sync.stock import StockReport, push_stock

items_app = typer.Typer(help="WooCommerce products and variations → ERPNext Items.", no_args_is_help=True)
stock_app = typer.Typer(help="ERPNext stock → WooCommerce stock quantities.", no_args_is_help=True)
prices_app = typer.Typer(help="ERPNext Item Prices → WooCommerce prices.", no_args_is_help=True)
SHOWN = 40  # plan rows printed (the counts cover all)
STORE = typer.Option(None, "--store", "-s", help="Only this store (default: all).")
DRY_RUN = typer.Option(False, "--dry-run", help="Show what would be written; write nothing.")


def _measured(flow: Callable[[StoreContext], Awaitable[Any]]) -> Callable[[StoreContext], Awaitable[tuple[Any, str]]]:
    async def wrapped(ctx: StoreContext) -> tuple[Any, str]:
        started, woo, erp = time.perf_counter(), ctx.woo.requests, ctx.erp.requests
        result = await flow(ctx)
        cost = (
            f"{ctx.woo.requests - woo} WooCommerce and {ctx.erp.requests - erp} ERPNext request(s), "
            f"{time.perf_counter() - started:.1f} s"
        )
        return result, cost

    return wrapped


def _run(ctx: typer.Context, store: str | None, flow: Callable[[StoreContext], Awaitable[Any]]) -> list[Any]:
    try:
        return run(cli_context(ctx), store, _measured(flow))
    except MappingError as exc:
        err_console.print(f"[red]{escape(exc.message)}[/red] — {escape(exc.hint)}", highlight=False)
        raise typer.Exit(2) from None


def print_items(store: str, report: ItemsReport, cost: str) -> None:
    title = f"items sync — store {store}" + (" (dry run: nothing written)" if report.dry_run else "")
    table = Table("action", "kind", "WooCommerce id", "Item", "detail", title=title)
    shown = [a for a in report.actions if a.action != "unchanged"]
    for a in shown[:SHOWN]:
        colour = "red" if a.action == "failed" else "green"
        table.add_row(f"[{colour}]{a.action}[/{colour}]", a.kind, str(a.woo_id), escape(a.item_code), escape(a.detail))
    if shown:
        console.print(table)
    for line in report.masters:
        console.print(f"  {escape(line)}", highlight=False, soft_wrap=True)
    more = f" (first {SHOWN} shown)" if len(shown) > SHOWN else ""
    console.print(f"store {store}: {report.summary()}{more}; {cost}", highlight=False, soft_wrap=True)


def _print_changes(title: str, changes: list[Change], failed: list[tuple[Change, str]], line: str) -> None:
    table = Table("kind", "WooCommerce id", "Item", "before", "after", title=title)
    for change in changes[:SHOWN]:
        before = ", ".join(f"{k} {change.before.get(k)}" for k in change.values)
        after = ", ".join(f"{k} {v}" for k, v in change.values.items())
        table.add_row(change.binding.kind, change.binding.remote_id, escape(change.binding.erp_name), before, after)
    if changes:
        console.print(table)
    for change, message in failed:
        console.print(f"[red]{change.binding.kind} {change.woo_id}[/red] refused: {escape(message)}", highlight=False)
    console.print(line + (f" (first {SHOWN} shown)" if len(changes) > SHOWN else ""), highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(items_app, name="items")
    app.add_typer(stock_app, name="stock")
    app.add_typer(prices_app, name="prices")

    @items_app.command("sync")
    def items_sync(
        ctx: typer.Context,
        store: str | None = STORE,
        dry_run: bool = DRY_RUN,
        everything: bool = typer.Option(
            False, "--all", help="Every product, not only those changed since the last run."
        ),
    ) -> None:
        """Make or link an ERPNext Item for every product and variation (templates and variants), by id."""

        async def flow(sctx: StoreContext) -> ItemsReport:
            return await sync_items(sctx, dry_run=dry_run, full=everything)

        failed = 0
        for sctx, (report, cost) in _run(ctx, store, flow):
            print_items(sctx.store, report, cost)
            failed += len(report.failed)
        raise typer.Exit(1 if failed else 0)

    @stock_app.command("push")
    def stock_push(
        ctx: typer.Context,
        store: str | None = STORE,
        dry_run: bool = DRY_RUN,
        everything: bool = typer.Option(
            False, "--all", help="Every bound product, against WooCommerce's current values (not the changed Bins)."
        ),
    ) -> None:
        """Push ERPNext's stock (less what orders not invoiced yet hold, and the buffer) to WooCommerce."""

        async def flow(sctx: StoreContext) -> StockReport:
            return await push_stock(sctx, everything=everything, dry_run=dry_run)

        failed = 0
        for sctx, (report, cost) in _run(ctx, store, flow):
            held = sum(report.held.values())
            note = f"; {held} unit(s) held by orders not invoiced yet" if held else ""
            title = f"stock push — store {sctx.store}" + (" (dry run: nothing written)" if dry_run else "")
            _print_changes(
                title, report.changes, report.failed, f"store {sctx.store}: {report.summary()}{note}; {cost}"
            )
            failed += len(report.failed)
        raise typer.Exit(1 if failed else 0)

    @prices_app.command("push")
    def prices_push(
        ctx: typer.Context,
        store: str | None = STORE,
        dry_run: bool = DRY_RUN,
        everything: bool = typer.Option(
            False, "--all", help="Every bound product, against WooCommerce's current prices."
        ),
    ) -> None:
        """Push the selling price list (and the sale price list, if set) to WooCommerce."""

        async def flow(sctx: StoreContext) -> PricesReport:
            return await push_prices(sctx, everything=everything, dry_run=dry_run)

        failed = 0
        for sctx, (report, cost) in _run(ctx, store, flow):
            title = f"prices push — store {sctx.store}" + (" (dry run: nothing written)" if dry_run else "")
            _print_changes(title, report.changes, report.failed, f"store {sctx.store}: {report.summary()}; {cost}")
            failed += len(report.failed)
        raise typer.Exit(1 if failed else 0)
