"""`woonext migrate`: the historical migration with a progress bar and a final count."""

from __future__ import annotations

from datetime import UTC, date, datetime

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from woonext.commands._common import console, err_console, run
from woonext.commands._context import FAILURES, INTERRUPTED, USAGE, cli_context
from woonext.reports.failures import from_results, group_failures, print_groups
from woonext.sync.context import StoreContext
from woonext.sync.migration import MigrationOptions, MigrationReport, migrate
from woonext.sync.plan import DOCUMENTS


def _date(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        err_console.print(f"[red]{flag} wants a date as YYYY-MM-DD, got {escape(repr(value))}[/red]", highlight=False)
        raise typer.Exit(USAGE) from None


def _planned(report: MigrationReport) -> str:
    """ "98 Sales Invoices, 12 credit notes, 40 Customers" (the plan's documents by kind)."""
    parts = [f"{report.would_create[kind]} {kind}{'s' if report.would_create[kind] != 1 else ''}" for kind in DOCUMENTS]
    return ", ".join(p for p, kind in zip(parts, DOCUMENTS, strict=True) if report.would_create[kind]) or "nothing"


def print_plan(store: str, report: MigrationReport) -> None:
    """The dry run: every document the run would write, one row each, and what it would skip or fail."""
    plan = Table("order", "action", "document", "what", title=f"plan for store {store} (nothing written)")
    for row in report.plan:
        plan.add_row(str(row.order_id), Text(row.action), Text(row.document), Text(row.detail))
    console.print(plan)
    table = Table("store", "would create", "skipped", "would fail", title="migration (dry run)")
    table.add_row(store, Text(_planned(report)), str(report.skipped), str(report.failed))
    console.print(table)
    _reasons(report)
    console.print(
        f"would create {_planned(report)}; {report.skipped} skipped, {report.failed} would fail; nothing was written",
        highlight=False,
    )


def _reasons(report: MigrationReport) -> None:
    if report.reasons:
        reasons = Table("reason", "orders", title="skipped / failed, by reason")
        for reason, count in report.reasons.most_common():
            reasons.add_row(Text(reason), str(count))
        console.print(reasons)


def print_report(store: str, report: MigrationReport, dry_run: bool, verbose: bool = False) -> None:
    if dry_run:
        print_plan(store, report)
        return
    table = Table("store", "created", "skipped", "failed", title="migration")
    table.add_row(escape(store), str(report.created), str(report.skipped), str(report.failed))
    console.print(table)
    failed_reasons = {f.reason for f in report.failures}
    skipped = [(r, n) for r, n in report.reasons.most_common() if r not in failed_reasons]
    if skipped:
        console.print("skipped: " + ", ".join(f"{n} {escape(r)}" for r, n in skipped), highlight=False)
    if report.failures:
        groups = group_failures(from_results(store, report.failures, datetime.now(UTC)))
        console.print(f"failed, by cause ({len(groups)}):", highlight=False)
        print_groups(console, groups, verbose=verbose, more="--verbose lists each order with its own detail")
    console.print(f"{report.created} created, {report.skipped} skipped, {report.failed} failed", highlight=False)


def resume_command(store: str | None, opts: MigrationOptions) -> str:
    """The command that goes on where an interrupted run stopped (`--all` resumes from its checkpoint)."""
    parts = ["woonext migrate", "--all" if opts.page is None else f"--page {opts.page}"]
    if store:
        parts.append(f"--store {store}")
    if opts.since:
        parts.append(f"--since {opts.since.isoformat()}")
    if opts.until:
        parts.append(f"--until {opts.until.isoformat()}")
    if opts.per_page != 100:
        parts.append(f"--per-page {opts.per_page}")
    return " ".join(parts)


def print_interrupted(store: str | None, opts: MigrationOptions, reports: dict[str, MigrationReport]) -> None:
    err_console.print("[yellow]interrupted (Ctrl-C)[/yellow]", highlight=False)
    for name, report in reports.items():
        where = f", page {report.last_page} of {report.total_pages}" if report.total_pages else ""
        err_console.print(
            f"store {escape(name)} so far: {report.created} created, {report.skipped} skipped, "
            f"{report.failed} failed{where}",
            highlight=False,
        )
    if not opts.dry_run:
        err_console.print(
            f"nothing is lost: resume with `{resume_command(store, opts)}` (orders already done are skipped)",
            highlight=False,
            markup=False,
        )


def _one_page_note(store: str, report: MigrationReport, opts: MigrationOptions) -> None:
    if opts.all_pages or report.total_pages <= 1:
        return
    console.print(
        f"store {escape(store)}: did page {report.last_page} of {report.total_pages} "
        f"({report.total_orders} orders in scope); `woonext migrate --all` does every page "
        f"(resumable), `--page N` another one",
        highlight=False,
    )


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
        verbose: bool = typer.Option(False, "--verbose", "-v", help="List each failed order with its detail."),
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
        reports: dict[str, MigrationReport] = {}
        # The bar goes to stderr (like the logs, which print above it), so stdout holds only the results.
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
        ) as bar:
            task = bar.add_task("migrating", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            async def flow(sctx: StoreContext) -> MigrationReport:
                bar.update(task, description=f"store {sctx.store}", completed=0, total=None)
                report = reports[sctx.store] = MigrationReport()
                return await migrate(sctx, opts, progress, report)

            try:
                results = run(cli_context(ctx), store, flow)
            except KeyboardInterrupt:
                bar.stop()
                print_interrupted(store, opts, reports)
                raise typer.Exit(INTERRUPTED) from None
        failed = 0
        for sctx, report in results:
            if report.resumed_from:
                console.print(f"resumed at page {report.resumed_from}")
            print_report(sctx.store, report, dry_run, verbose)
            _one_page_note(sctx.store, report, opts)
            failed += report.failed
        if failed:
            raise typer.Exit(FAILURES)
