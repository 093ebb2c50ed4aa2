"""`woonext sync territories`: the store's shipping zones → ERPNext's Territory tree."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from woonext.commands._common import console, run
from woonext.commands._context import cli_context
from woonext.commands.sync import sync_app
from woonext.sync.territories import TerritoryReport, sync_territories


def print_report(report: TerritoryReport) -> None:
    table = Table("store", "created", "renamed", "moved", "removed", "kept in use", "unchanged", title="territory sync")
    table.add_row(
        report.store,
        str(len(report.created)),
        str(len(report.renamed)),
        str(len(report.moved)),
        str(len(report.removed)),
        str(len(report.kept)),
        str(report.unchanged),
    )
    console.print(table)
    for name in report.created:
        console.print(f"  created {escape(name)}", highlight=False)
    for old, new in report.renamed:
        console.print(f"  renamed {escape(old)} → {escape(new)}", highlight=False)
    for name in report.moved:
        console.print(f"  moved {escape(name)}", highlight=False)
    for name in report.removed:
        console.print(f"  removed {escape(name)} (its zone or rule is gone, nothing used it)", highlight=False)
    for name, why in report.kept:
        console.print(
            f"  [yellow]kept {escape(name)}[/yellow] (its zone or rule is gone, but it is in use; "
            f"ERPNext: {escape(why)})",
            highlight=False,
        )
    for problem in report.problems:
        console.print(f"  [red]problem[/red]: {escape(problem)}", highlight=False)


def register(app: typer.Typer) -> None:
    @sync_app.command("territories")
    def sync_territories_cmd(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
    ) -> None:
        """Shipping zones (and territory rules) → the Territory tree under `territory_root`; exit 1 on problems."""
        problems = 0
        for _sctx, report in run(cli_context(ctx), store, sync_territories):
            print_report(report)
            problems += len(report.problems)
        raise typer.Exit(1 if problems else 0)
