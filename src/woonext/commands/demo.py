"""`woonext demo`: the main job against the built-in simulators (no configuration, no network)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from woonext.commands._common import console, err_console
from woonext.commands.migrate import print_report
from woonext.demo import DemoResult, run_demo
from woonext.reports.failures import short_ids
from woonext.reports.terminal import print_summary
from woonext.store import FAILED, NEEDS_REVIEW, SKIPPED


def _print_invoice(invoice: dict[str, Any], payment: dict[str, Any] | None) -> None:
    head = (
        f"{invoice['name']}  customer {invoice.get('customer')}  {invoice.get('posting_date')}  "
        f"status {invoice.get('status')}  payment method {invoice.get('custom_payment_method')}  "
        f"WooCommerce order {invoice.get('woo_order_number')}"
    )
    console.print(escape(head), highlight=False)
    table = Table("item", "qty", "rate", "amount")
    for row in invoice.get("items") or []:
        table.add_row(str(row.get("item_code")), str(row.get("qty")), f"{row.get('rate')}", f"{row.get('amount')}")
    for tax in invoice.get("taxes") or []:
        table.add_row(f"tax: {tax.get('account_head')}", "", "", f"{tax.get('tax_amount')}")
    table.add_row("[bold]grand total[/bold]", "", "", f"[bold]{invoice.get('grand_total')}[/bold]")
    table.add_row("outstanding", "", "", f"{invoice.get('outstanding_amount')}")
    console.print(table)
    if invoice.get("custom_delivery_date"):
        console.print(
            f"delivery {invoice['custom_delivery_date']} from {invoice.get('custom_delivery_time_from')} "
            f"for {invoice.get('custom_delivery_duration')} s"
        )
    if payment:
        console.print(
            f"Payment Entry {payment['name']}: {payment.get('paid_amount')} into {payment.get('paid_to')}, "
            f"reference {payment.get('reference_no')}, status {payment.get('status')}"
        )


def _print(result: DemoResult) -> None:
    console.rule("setup")
    console.print(
        f"custom fields created: {len(result.setup.created)}; second run: "
        f"{'nothing to do' if not result.setup_again.created else result.setup_again.created}"
    )
    for label, report in (("first run", result.setup), ("second run", result.setup_again)):
        missing = report.missing
        console.print(
            f"{label}: "
            + ("all prerequisites in place" if not missing else "missing: " + "; ".join(c.what for c in missing)),
            highlight=False,
        )
    console.rule("historical migration")
    print_report("main", result.migration, dry_run=False)
    console.rule("live sync")
    table = Table("cycle", "invoiced", "skipped", "need review", "failed")
    for n, cycle in enumerate(result.cycles, 1):
        table.add_row(
            str(n),
            str(cycle.created),
            str(cycle.count(SKIPPED)),
            str(cycle.count(NEEDS_REVIEW)),
            str(cycle.count(FAILED)),
        )
    console.print(table)
    console.print("skipped: waiting for payment (pending), or unchanged since the last cycle", highlight=False)
    if result.sample_invoice:
        console.rule("one invoice in full")
        _print_invoice(result.sample_invoice, result.sample_payment)
    console.rule("reconciliation")
    recon = result.reconciliation
    console.print(
        f"{recon.orders} invoiced orders over the whole period, net of refunds, per currency:", highlight=False
    )
    for currency, woo, erp in recon.by_currency():
        same = "[green]equal[/green]" if woo == erp else "[red]DIFFERENT[/red]"
        console.print(f"  {escape(currency)}: WooCommerce {woo:.2f} · ERPNext {erp:.2f}  {same}", highlight=False)
    if recon.missing:
        console.print(
            f"[red]orders without an invoice: {escape(short_ids([str(i) for i in recon.missing]))}[/red]",
            highlight=False,
        )
    print_summary(console, recon.report)
    colour = "green" if recon.report.all_clear else ("yellow" if recon.matches else "red")
    console.print(f"[{colour}]{escape(recon.report.verdict())}[/{colour}]", highlight=False)
    if recon.matches and not recon.report.all_clear:
        console.print(
            "the parked orders are the ones listed under the migration, on purpose: the demo store has a "
            "payment method (valU) the configuration does not map",
            highlight=False,
        )
    console.print(
        f"done in {result.seconds:.1f} s · ERPNext requests {result.erp_requests} · "
        f"WooCommerce requests {result.woo_requests}"
    )


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        orders: int = typer.Option(1000, "--orders", min=10, help="Historical orders in the seeded store."),
        seed: int = typer.Option(1, "--seed", help="Seed of the store generator."),
        cycles: int = typer.Option(3, "--cycles", min=1, help="Live sync cycles."),
        per_cycle: int = typer.Option(10, "--per-cycle", min=2, help="New orders arriving per cycle."),
        state_dir: Path | None = typer.Option(None, "--state-dir", help="Keep the state DB here (default: temp)."),
    ) -> None:
        """Run the whole job against the built-in simulators and print what happened."""
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err_console, transient=True
        ) as bar:
            task = bar.add_task("starting", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            def step(text: str) -> None:
                bar.update(task, description=text)
                bar.console.print(f"· {text}")

            result = asyncio.run(run_demo(orders, seed, cycles, per_cycle, state_dir, progress, step))
        _print(result)
        if not result.reconciliation.matches:
            raise typer.Exit(1)
