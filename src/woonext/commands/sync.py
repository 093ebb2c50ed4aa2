"""`woonext sync orders` and `woonext pull-recent`: the live order sync."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import typer
from croniter import croniter
from rich.markup import escape
from rich.table import Table

from woonext.commands._common import console, err_console, run
from woonext.commands._context import FAILURES, INTERRUPTED, CliContext, cli_context
from woonext.reports.failures import from_results, group_failures, print_groups
from woonext.store import FAILED, NEEDS_REVIEW, SKIPPED, SUCCEEDED
from woonext.sync.context import StoreContext
from woonext.sync.live import LiveReport, pull_recent, sync_orders_once

sync_app = typer.Typer(help="Sync WooCommerce into ERPNext.", no_args_is_help=True)


def print_live(store: str, report: LiveReport, title: str, verbose: bool = False) -> None:
    table = Table("store", "invoiced", "updated", "skipped", "need review", "failed", title=title)
    updated = sum(1 for r in report.results if r.status == SUCCEEDED and not r.created)
    table.add_row(
        escape(store),
        str(report.created),
        str(updated),
        str(report.count(SKIPPED)),
        str(report.count(NEEDS_REVIEW)),
        str(report.count(FAILED)),
    )
    console.print(table)
    failures = [r for r in report.results if r.status in (NEEDS_REVIEW, FAILED)]
    if failures:
        groups = group_failures(from_results(store, failures, datetime.now(UTC)))
        print_groups(console, groups, verbose=verbose, more="--verbose lists each order with its own detail")


def _once(cli: CliContext, store: str | None, verbose: bool = False) -> int:
    problems = 0
    for sctx, report in run(cli, store, sync_orders_once):
        print_live(sctx.store, report, "order sync", verbose)
        problems += report.count(NEEDS_REVIEW) + report.count(FAILED)
    return problems


def register(app: typer.Typer) -> None:
    app.add_typer(sync_app, name="sync")

    @sync_app.command("orders")
    def sync_orders(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        once: bool = typer.Option(False, "--once", help="One pass, then exit (default: on the orders schedule)."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="List each order that failed with its detail."),
    ) -> None:
        """New and changed orders → unpaid submitted Sales Invoices (prepaid ones paid, cancelled ones cancelled)."""
        cli = cli_context(ctx)
        if once:
            raise typer.Exit(FAILURES if _once(cli, store, verbose) else 0)
        schedule = cli.config().stores[0].schedules.orders
        console.print(f"syncing orders on '{escape(schedule)}'; Ctrl-C to stop", highlight=False)
        passes = 0
        try:
            while True:
                _once(cli, store, verbose)
                passes += 1
                next_at = croniter(schedule, datetime.now()).get_next(datetime)
                wait = max(1.0, (next_at - datetime.now()).total_seconds())
                err_console.print(f"next pass at {next_at:%H:%M} (in {wait:.0f} s); Ctrl-C to stop", highlight=False)
                time.sleep(wait)
        except KeyboardInterrupt:
            err_console.print(
                f"stopped after {passes} pass(es); nothing is lost: `woonext sync orders` (or `woonext serve`) "
                "goes on from the orders cursor",
                highlight=False,
                markup=False,
            )
            raise typer.Exit(INTERRUPTED) from None

    @app.command("pull-recent")
    def pull_recent_cmd(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        limit: int = typer.Option(20, "--limit", min=1, max=100, help="How many of the latest orders."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="List each order that failed with its detail."),
    ) -> None:
        """The latest orders by date through the live path (a quick catch-up or a check)."""

        async def flow(sctx: StoreContext) -> LiveReport:
            return await pull_recent(sctx, limit)

        problems = 0
        for sctx, report in run(cli_context(ctx), store, flow):
            print_live(sctx.store, report, f"latest {limit} orders", verbose)
            problems += report.count(NEEDS_REVIEW) + report.count(FAILED)
        if problems:
            raise typer.Exit(FAILURES)
