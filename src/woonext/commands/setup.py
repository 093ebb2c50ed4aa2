"""`woonext setup`: custom fields + prerequisite checklist."""

from __future__ import annotations

import typer
from rich.table import Table

from woonext.commands._common import console, run
from woonext.commands._context import cli_context
from woonext.sync.context import StoreContext
from woonext.sync.setup import SetupReport, run_setup


def print_emails(sctx: StoreContext, report: SetupReport) -> None:
    """The WooCommerce e-mails the writeback makes the store send (docs/writeback.md, "A silent store")."""
    if not sctx.config.writeback.enabled:
        console.print("writeback is off: woonext changes no order in WooCommerce, so it makes the store send no e-mail")
        return
    if not report.emails:
        console.print("writeback: WooCommerce sends no e-mail for what woonext writes (custom status, private notes)")
        return
    table = Table("e-mail", "to", "sent when woonext …", title="WooCommerce e-mails the writeback makes the store send")
    for email in report.emails:
        table.add_row(email.title, email.recipient, email.when)
    console.print(table)
    console.print(
        "to keep the store silent, switch these off in WooCommerce → Settings → Emails (each e-mail → "
        "'Enable this email notification' off); leave them on if customers should hear of it"
    )


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
            print_emails(sctx, report)
            missing += len(report.missing)
        if missing:
            console.print(f"[yellow]{missing} prerequisite(s) missing[/yellow]")
            raise typer.Exit(1)
        console.print("[green]all prerequisites in place[/green]")
