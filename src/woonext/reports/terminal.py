"""The reconciliation in the terminal: a summary table per store, totals, and the mismatches."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from woonext.mapping.reconcile import MISMATCH_KINDS, NOTE_KINDS, PARKED, Report
from woonext.reports.html import TITLES


def print_summary(console: Console, report: Report) -> None:
    console.print(
        f"[bold]reconciliation of store {escape(report.store)}[/bold]: {report.orders} orders created "
        f"{report.period.start} to {report.period.end}",
        highlight=False,
    )
    table = Table("finding", "count")
    for kind in (*MISMATCH_KINDS, *NOTE_KINDS):
        n = report.count(kind)
        style = "red" if n and kind in MISMATCH_KINDS else ("yellow" if n else "dim")
        table.add_row(TITLES[kind], f"[{style}]{n}[/{style}]")
    console.print(table)
    if report.totals:
        console.print("totals of invoiced orders, per currency (never added across currencies):", highlight=False)
        totals = Table(  # no vertical rules: seven columns fit 80 characters
            "currency", "orders", "WooCommerce", "ERPNext", "refunds", "credit notes", "balanced", box=box.SIMPLE_HEAD
        )
        for currency, t in sorted(report.totals.items()):
            totals.add_row(
                escape(currency),
                str(t.orders),
                f"{t.woocommerce:.2f}",
                f"{t.erpnext:.2f}",
                f"{t.woocommerce_refunds:.2f}",
                f"{t.erpnext_credit_notes:.2f}",
                "[green]yes[/green]" if t.balanced else "[red]NO[/red]",
            )
        console.print(totals)


def print_findings(console: Console, report: Report, limit: int) -> None:
    """Mismatches first, then parked orders; `not_synced` notes are only counted (see --csv/--html)."""
    shown = [f for f in report.findings if f.mismatch] + [f for f in report.findings if f.kind == PARKED]
    if not shown:
        return
    console.print(f"findings ({len(shown)}):", highlight=False)
    for f in shown[:limit]:  # plain lines, not a table: a finding's detail is long, and reads at any width
        style = "red" if f.mismatch else "yellow"
        documents = f" · {' '.join(f.documents)}" if f.documents else ""
        console.print(
            f"[{style}]{f.kind}[/{style}] order {escape(f.order_number)} (id {f.order_id}) · "
            f"{escape(f.order_status)} · {escape(f'{f.order_total} {f.currency}')}{escape(documents)}",
            highlight=False,
        )
        if f.detail:
            console.print(f"  {escape(f.detail)}", highlight=False)
    if len(shown) > limit:
        console.print(f"… {len(shown) - limit} more; --csv or --html lists them all", highlight=False)


def print_report(console: Console, report: Report, limit: int = 50) -> None:
    print_summary(console, report)
    print_findings(console, report, limit)
    colour = "green" if report.all_clear else "red"  # green only when nothing is missing, mismatched or parked
    verdict = f"[{colour}]{escape(report.verdict())}[/{colour}]"
    console.print(
        f"{escape(report.store)}: {verdict} · {report.requests.get('woocommerce', 0)} WooCommerce and "
        f"{report.requests.get('erpnext', 0)} ERPNext requests in {report.seconds:.1f} s",
        highlight=False,
    )
