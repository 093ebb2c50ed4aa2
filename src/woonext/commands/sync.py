"""`woonext sync orders` and `woonext pull-recent`: the live order sync."""

from __future__ import annotations

import time
from datetime import datetime

import typer
from croniter import croniter
from rich.markup import escape
from rich.table import Table

from woonext.commands._common import console, run
from woonext.commands._context import CliContext, cli_context
from woonext.store import FAILED, NEEDS_REVIEW, SKIPPED, SUCCEEDED
from woonext.sync.context import StoreContext
from woonext.sync.live import LiveReport, pull_recent, sync_orders_once

sync_app = typer.Typer(help="Sync WooCommerce into ERPNext.", no_args_is_help=True)


def print_live(store: str, report: LiveReport, title: str) -> None:
    table = Table("store", "invoices created", "updated", "skipped", "needs review", "failed", title=title)
    updated = sum(1 for r in report.results if r.status == SUCCEEDED and not r.created)
    table.add_row(
        store,
        str(report.created),
        str(updated),
        str(report.count(SKIPPED)),
        str(report.count(NEEDS_REVIEW)),
        str(report.count(FAILED)),
    )
    console.print(table)
    for result in report.results:
        if result.status in (NEEDS_REVIEW, FAILED):
            console.print(
                f"[red]order {result.order_id}[/red] {result.status} {escape(result.reason)}: "
                f"{escape(result.detail)}" + (f"\n  → {escape(result.hint)}" if result.hint else ""),
                highlight=False,
            )


def _once(cli: CliContext, store: str | None) -> int:
    problems = 0
    for sctx, report in run(cli, store, sync_orders_once):
        print_live(sctx.store, report, "order sync")
        problems += report.count(NEEDS_REVIEW) + report.count(FAILED)
    return problems


def register(app: typer.Typer) -> None:
    app.add_typer(sync_app, name="sync")

    @sync_app.command("orders")
    def sync_orders(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        once: bool = typer.Option(False, "--once", help="One pass, then exit (default: on the orders schedule)."),
    ) -> None:
        """New and changed orders → unpaid submitted Sales Invoices (prepaid ones paid, cancelled ones cancelled)."""
        cli = cli_context(ctx)
        if once:
            raise typer.Exit(1 if _once(cli, store) else 0)
        schedule = cli.config().stores[0].schedules.orders
        console.print(f"syncing orders on '{schedule}'; Ctrl-C to stop")
        try:
            while True:
                _once(cli, store)
                next_at = croniter(schedule, datetime.now()).get_next(datetime)
                time.sleep(max(1.0, (next_at - datetime.now()).total_seconds()))
        except KeyboardInterrupt:
            console.print("stopped")

    @app.command("pull-recent")
    def pull_recent_cmd(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        limit: int = typer.Option(20, "--limit", min=1, max=100, help="How many of the latest orders."),
    ) -> None:
        """The latest orders by date through the live path (a quick catch-up or a check)."""

        async def flow(sctx: StoreContext) -> LiveReport:
            return await pull_recent(sctx, limit)

        for sctx, report in run(cli_context(ctx), store, flow):
            print_live(sctx.store, report, f"latest {limit} orders")
