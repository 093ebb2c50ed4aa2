"""`woonext reconcile`: WooCommerce orders of a period against ERPNext invoices, credit notes and payments.

Exit status: 0 everything matches (nothing missing, mismatched or parked), 1 a mismatch or a parked
order, 2 no verdict (bad options, configuration, ERPNext not set up, keys refused, a report file that
cannot be written), 3 a system could not be reached.
"""

from __future__ import annotations

import asyncio
import re
from datetime import date
from pathlib import Path

import typer
from rich.markup import escape

from woonext.commands._common import console, err_console, exit_code, explain, for_each_store
from woonext.commands._context import USAGE, cli_context
from woonext.erpnext.errors import ErpError
from woonext.mapping.reconcile import Period, Report
from woonext.reports.files import render_csv, render_html, render_json
from woonext.reports.terminal import print_report
from woonext.sync.context import StoreContext
from woonext.sync.lost import mark_lost
from woonext.sync.reconcile import reconcile
from woonext.sync.setup import NotReady
from woonext.woo.errors import WooError

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(value: str, option: str) -> date:
    """A calendar day written YYYY-MM-DD, or exit 2 with what was wrong."""
    problem = ""
    if not DAY.match(value.strip()):
        problem = "is not a date written YYYY-MM-DD"
    else:
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            problem = f"is not a valid date ({exc})"
    err_console.print(f"[red]{option} {escape(repr(value))} {problem}, e.g. {option} 2026-11-01[/red]", highlight=False)
    raise typer.Exit(2)


def _write(path: Path, text: str, what: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        err_console.print(
            f"[red]cannot write the {what} report to {escape(str(path))}: {escape(str(exc))}[/red]", highlight=False
        )
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    @app.command("reconcile")
    def reconcile_cmd(
        ctx: typer.Context,
        date_from: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD, the shop's own date)."),
        date_to: str = typer.Option(..., "--to", help="Last day, inclusive (YYYY-MM-DD)."),
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        csv_path: Path | None = typer.Option(None, "--csv", help="Also write one CSV row per finding here."),
        html_path: Path | None = typer.Option(None, "--html", help="Also write a self-contained HTML report here."),
        as_json: bool = typer.Option(False, "--json", help="Print the machine-readable report (and nothing else)."),
        limit: int = typer.Option(50, "--limit", min=1, help="Findings listed in the terminal."),
    ) -> None:
        """Orders created in the period against ERPNext: missing, duplicate, total, tax, payment and status
        mismatches. Exit 0 when everything matches, 1 on a mismatch or a parked order, 2 when no verdict could
        be reached, 3 when a system could not be reached."""
        start, end = parse_day(date_from, "--from"), parse_day(date_to, "--to")
        try:
            period = Period(start, end)
        except ValueError as exc:
            err_console.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
            raise typer.Exit(2) from None
        cli = cli_context(ctx)

        async def flow(sctx: StoreContext) -> Report:
            report = await reconcile(sctx, period)
            await mark_lost(sctx, report)  # documents a restored ERPNext lost: made again by the next sync
            return report

        try:
            reports = [report for _, report in asyncio.run(for_each_store(cli, store, flow))]
        except NotReady as exc:
            err_console.print(f"[red]not ready: {escape(str(exc))}[/red]", highlight=False)
            raise typer.Exit(2) from None
        except (ErpError, WooError) as exc:
            err_console.print(f"[red]could not reconcile: {escape(str(exc))}[/red]", highlight=False)
            if hint := explain(exc):
                err_console.print(hint, highlight=False, markup=False)
            raise typer.Exit(max(exit_code(exc), USAGE)) from None
        if csv_path is not None:
            _write(csv_path, render_csv(reports), "CSV")
        if html_path is not None:
            _write(html_path, render_html(reports), "HTML")
        if as_json:
            typer.echo(render_json(reports), nl=False)
        else:
            for report in reports:
                print_report(console, report, limit)
                if report.lost:
                    console.print(
                        f"{report.store}: {len(report.lost)} document(s) woonext made are gone from ERPNext "
                        f"({', '.join(report.lost[:10])}{' …' if len(report.lost) > 10 else ''}): the next "
                        "`woonext sync orders` makes them again",
                        highlight=False,
                        markup=False,
                    )
            for path in (csv_path, html_path):
                if path is not None:
                    console.print(f"written: {escape(str(path))}", highlight=False)
        raise typer.Exit(0 if all(r.all_clear for r in reports) else 1)
