"""`woonext setup`: custom fields + prerequisite checklist."""

from __future__ import annotations

import typer
from rich.table import Table

from woonext.commands._common import console, run
from woonext.commands._context import cli_context
from woonext.sync.context import StoreContext
from woonext.sync.setup import SetupReport, run_setup


def register(app: typer.Typer) -> None:
    @app.command("setup")
    def setup(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be created; write nothing."),
    ) -> None:
        """Create the custom fields the sync needs (idempotent) and check every prerequisite."""

        async def flow(sctx: StoreContext) -> SetupReport:
            return await run_setup(sctx, dry_run=dry_run)

        missing = 0
        for sctx, report in run(cli_context(ctx), store, flow):
            console.rule(f"store {sctx.store}")
            verb = "would create" if dry_run else "created"
            if report.created or report.updated:
                for name in report.created:
                    console.print(f"[green]{verb}[/green] Custom Field {name}")
                for name in report.updated:
                    console.print(f"[green]{'would update' if dry_run else 'updated'}[/green] options of {name}")
            else:
                console.print(f"custom fields: nothing to do ({len(report.present)} present)")
            table = Table("", "prerequisite", "how to fix", title="checklist")
            for check in report.checks:
                table.add_row(
                    "[green]✓[/green]" if check.ok else "[red]✗[/red]", check.what, "" if check.ok else check.fix
                )
            console.print(table)
            missing += len(report.missing)
        if missing:
            console.print(f"[yellow]{missing} prerequisite(s) missing[/yellow]")
            raise typer.Exit(1)
        console.print("[green]all prerequisites in place[/green]")
