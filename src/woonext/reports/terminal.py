"""The reconciliation in the terminal: a summary table per store, totals, and the mismatches."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from woonext.mapping.reconcile import MISMATCH_KINDS, NOTE_KINDS, PARKED, Report
from woonext.reports.html import TITLES


def print_summary(console: Console, report: Report) -> None:
    table = Table(
        "finding",
        "count",
        title=f"reconciliation of store {escape(report.store)}: {report.orders} "
        f"orders created {report.period.start} to {report.period.end}",
        title_justify="left",
    )
    for kind in (*MISMATCH_KINDS, *NOTE_KINDS):
        n = report.count(kind)
        style = "red" if n and kind in MISMATCH_KINDS else ("yellow" if n else "dim")
        table.add_row(TITLES[kind], f"[{style}]{n}[/{style}]")
    console.print(table)
    if report.totals:
        totals = Table(
            "currency",
            "orders",
            "WooCommerce",
            "ERPNext",
            "refunds",
            "credit notes",
            "balanced",
            title="totals of invoiced orders",
            title_justify="left",
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
    table = Table("kind", "order", "status", "total", "documents", "detail", title="findings", title_justify="left")
    for f in shown[:limit]:
        style = "red" if f.mismatch else "yellow"
        table.add_row(
            f"[{style}]{f.kind}[/{style}]",
            escape(f"{f.order_number} (id {f.order_id})"),
            escape(f.order_status),
            escape(f"{f.order_total} {f.currency}"),
            escape(" ".join(f.documents)),
            escape(f.detail),
        )
    console.print(table)
    if len(shown) > limit:
        console.print(f"… {len(shown) - limit} more; --csv or --html lists them all", highlight=False)


def print_report(console: Console, report: Report, limit: int = 50) -> None:
    print_summary(console, report)
    print_findings(console, report, limit)
    verdict = "[green]no mismatches[/green]" if report.ok else f"[red]{len(report.mismatches)} mismatch(es)[/red]"
    console.print(
        f"{escape(report.store)}: {verdict} · {report.requests.get('woocommerce', 0)} WooCommerce and "
        f"{report.requests.get('erpnext', 0)} ERPNext requests in {report.seconds:.1f} s",
        highlight=False,
    )
