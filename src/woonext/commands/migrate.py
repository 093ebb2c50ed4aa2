"""`woonext migrate`: the historical migration with a progress bar and a final count."""

from __future__ import annotations

from datetime import date, datetime

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from woonext.commands._common import console, err_console, run
from woonext.commands._context import cli_context
from woonext.sync.context import StoreContext
from woonext.sync.migration import MigrationOptions, MigrationReport, migrate


def _date(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        err_console.print(f"[red]{flag} wants a date as YYYY-MM-DD, got {value!r}[/red]")
        raise typer.Exit(2) from None


def print_report(store: str, report: MigrationReport, dry_run: bool) -> None:
    if dry_run:
        plan = Table("order", "action", "why", title=f"plan for store {store} (nothing written)")
        for row in report.plan:
            plan.add_row(str(row.order_id), row.action, row.detail)
        console.print(plan)
    table = Table(
        "store",
        "created" if not dry_run else "would create",
        "skipped",
        "failed",
        title="migration" + (" (dry run)" if dry_run else ""),
    )
    table.add_row(store, str(report.created), str(report.skipped), str(report.failed))
    console.print(table)
    if report.reasons:
        reasons = Table("reason", "orders", title="skipped / failed, by reason")
        for reason, count in report.reasons.most_common():
            reasons.add_row(reason, str(count))
        console.print(reasons)
    for failure in report.failures[:20]:
        console.print(
            f"[red]order {failure.order_id}[/red] {escape(failure.reason)}: {escape(failure.detail)}"
            + (f"\n  → {escape(failure.hint)}" if failure.hint else ""),
            highlight=False,
        )
    if len(report.failures) > 20:
        console.print(f"… and {len(report.failures) - 20} more: `woonext status` lists them")
    console.print(f"{report.created} created, {report.skipped} skipped, {report.failed} errors", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("migrate")
    def migrate_cmd(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        page: int | None = typer.Option(None, "--page", min=1, help="Migrate only this page."),
        per_page: int = typer.Option(100, "--per-page", min=1, max=100, help="Orders per page (WooCommerce max 100)."),
        all_pages: bool = typer.Option(False, "--all", help="Every page; resumes where an interrupted run stopped."),
        since: str | None = typer.Option(None, "--since", help="Orders created on or after this date (YYYY-MM-DD)."),
        until: str | None = typer.Option(None, "--until", help="Orders created on or before this date (YYYY-MM-DD)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan; write nothing."),
        concurrency: int = typer.Option(4, "--concurrency", min=1, max=32, help="Orders in flight at once."),
    ) -> None:
        """Historical orders (completed / cancelled / refunded) → paid report-only Sales Invoices."""
        if page is None and not all_pages:
            page = 1
        opts = MigrationOptions(
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            since=_date(since, "--since"),
            until=_date(until, "--until"),
            dry_run=dry_run,
            concurrency=concurrency,
        )
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("migrating", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            async def flow(sctx: StoreContext) -> MigrationReport:
                bar.update(task, description=f"store {sctx.store}", completed=0, total=None)
                return await migrate(sctx, opts, progress)

            results = run(cli_context(ctx), store, flow)
        failed = 0
        for sctx, report in results:
            if report.resumed_from:
                console.print(f"resumed at page {report.resumed_from}")
            print_report(sctx.store, report, dry_run)
            failed += report.failed
        if failed:
            raise typer.Exit(1)
