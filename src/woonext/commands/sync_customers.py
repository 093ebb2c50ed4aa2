"""`woonext sync customers`: new and changed WooCommerce customers → Customer, Contact, Addresses."""

from __future__ import annotations

import time

import typer
from rich.markup import escape
from rich.table import Table

from woonext.commands._common import console, run
from woonext.commands._context import cli_context
from woonext.commands.sync import sync_app
from woonext.sync.context import StoreContext
from woonext.sync.customer_sync import CustomerSyncReport, sync_customers


def print_report(store: str, report: CustomerSyncReport, seconds: float, woo_requests: int, erp_requests: int) -> None:
    table = Table(
        "store",
        "customers seen",
        "new",
        "changed",
        "unchanged",
        "Customers created",
        "failed",
        "WooCommerce req.",
        "ERPNext req.",
        "seconds",
        title="customer sync",
    )
    table.add_row(
        store,
        str(report.seen),
        str(report.new),
        str(report.changed),
        str(report.unchanged),
        str(report.created),
        str(len(report.failed)),
        str(woo_requests),
        str(erp_requests),
        f"{seconds:.2f}",
    )
    console.print(table)
    for customer_id, message in report.failed:
        console.print(f"[red]customer {customer_id}[/red] {escape(message)} → retried on the next run", highlight=False)


def register(app: typer.Typer) -> None:
    @sync_app.command("customers")
    def sync_customers_cmd(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
    ) -> None:
        """New and changed WooCommerce customers → ERPNext Customer, Contact and Addresses (no duplicates)."""
        started = time.perf_counter()

        async def flow(sctx: StoreContext) -> tuple[CustomerSyncReport, float, int, int]:
            woo_before, erp_before = sctx.woo.requests, sctx.erp.requests
            report = await sync_customers(sctx)
            return (
                report,
                time.perf_counter() - started,
                sctx.woo.requests - woo_before,
                sctx.erp.requests - erp_before,
            )

        failed = 0
        for sctx, (report, seconds, woo_requests, erp_requests) in run(cli_context(ctx), store, flow):
            print_report(sctx.store, report, seconds, woo_requests, erp_requests)
            failed += len(report.failed)
        raise typer.Exit(1 if failed else 0)
