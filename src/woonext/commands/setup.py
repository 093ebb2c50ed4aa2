"""`woonext setup [--apply [--yes]]`: custom fields, what ERPNext lacks (created with --apply, each
listed first), then the prerequisite checklist and the store checks (docs/onboarding.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer
from rich.markup import escape
from rich.table import Table

from woonext.commands import _common
from woonext.commands._common import console, run
from woonext.commands._context import cli_context
from woonext.sync.context import StoreContext
from woonext.sync.discover import read_products
from woonext.sync.setup import SetupReport, check_prerequisites, ensure_custom_fields, run_setup
from woonext.sync.setup_checks import store_checks
from woonext.sync.setup_items import ItemsOutcome, items_preview, sync_store_items
from woonext.sync.setup_plan import apply_plan, plan_masters
from woonext.sync.setup_plan_types import Action, SetupPlan


@dataclass
class Outcome:
    report: SetupReport
    plan: SetupPlan = field(default_factory=SetupPlan)
    failed: list[tuple[Action, str]] = field(default_factory=list)
    items: ItemsOutcome | None = None  # what the catalog sync did
    applied: bool = False
    listed_only: bool = False  # --apply declined or nothing to do: the report lists, it did not create


def _print_plan(fields: list[str], plan: SetupPlan, verb: str) -> None:
    count = len(fields) + len(plan.actions) + len(plan.items)
    console.print(f"{verb} {count} thing(s) in ERPNext:" if count else "ERPNext lacks nothing: nothing to create")
    for name in fields:
        console.print(f"  • create Custom Field {name!r}", highlight=False, markup=False)
    for action in plan.actions:
        console.print(f"  • {action.label()}", highlight=False, markup=False)
    for line in plan.items:
        console.print(f"  • {line}", highlight=False, markup=False)
    for problem in plan.problems:
        console.print(f"  [red]✗[/red] {escape(problem)}", highlight=False)


async def _apply(sctx: StoreContext, ask: bool) -> Outcome:
    products, _ = await read_products(sctx.woo)
    listed = SetupReport()
    await ensure_custom_fields(sctx, listed, dry_run=True)
    plan = await plan_masters(sctx, await sctx.woo.list_tax_rates())
    plan.items = await items_preview(sctx, products)
    _print_plan(listed.created + listed.updated, plan, "setup --apply creates or changes")
    outcome = Outcome(listed, plan, listed_only=True)  # nothing applied: the listing is the report
    work = listed.created or listed.updated or plan.actions or plan.items
    if work and not (ask and not typer.confirm("go ahead?")):
        outcome.report, outcome.listed_only = SetupReport(), False
        await ensure_custom_fields(sctx, outcome.report, dry_run=False)
        outcome.failed = await apply_plan(sctx, plan)
        if plan.items:  # after the masters: Items need the Item fields, groups need nothing else
            outcome.items = await sync_store_items(sctx)
        outcome.applied = True
    report = outcome.report
    await check_prerequisites(sctx, report, {p.sku for p in products})
    return outcome


async def _check(sctx: StoreContext, dry_run: bool) -> Outcome:
    report = await run_setup(sctx, dry_run=dry_run)
    plan = await plan_masters(sctx, await sctx.woo.list_tax_rates())
    plan.items = await items_preview(sctx, (await read_products(sctx.woo))[0])
    if plan.actions or plan.items:
        _print_plan([], plan, "`setup --apply` would create or change")
    return Outcome(report, plan)


def _print_report(outcome: Outcome, dry_run: bool) -> None:
    report = outcome.report
    if not outcome.applied:
        verb = "would create" if dry_run or outcome.listed_only else "created"
        for name in report.created:
            console.print(f"[green]{verb}[/green] Custom Field {name}")
        for name in report.updated:
            console.print(f"[green]{'would update' if verb != 'created' else 'updated'}[/green] options of {name}")
        if not (report.created or report.updated):
            console.print(f"custom fields: nothing to do ({len(report.present)} present)")
    else:
        done = len(report.created) + len(report.updated) + len(outcome.plan.actions) - len(outcome.failed)
        console.print(
            f"[green]created or changed {done}[/green]" + (f", {len(outcome.failed)} refused" if outcome.failed else "")
        )
        for action, error in outcome.failed:
            console.print(f"  [red]✗[/red] {escape(action.label())}: {escape(error)}", highlight=False)
        if outcome.items is not None:
            console.print(f"items (catalog sync): {escape(outcome.items.summary)}", highlight=False)
            for failure in outcome.items.failed:
                console.print(f"  [red]✗[/red] {escape(failure)}", highlight=False)
    table = Table("", "prerequisite", "how to fix", title="checklist")
    for check in report.checks:
        mark = "[green]✓[/green]" if check.ok else ("[yellow]![/yellow]" if check.warning else "[red]✗[/red]")
        table.add_row(mark, escape(check.what), "" if check.ok else escape(check.fix))
    console.print(table)


def register(app: typer.Typer) -> None:
    @app.command("setup")
    def setup(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be created; write nothing."),
        apply: bool = typer.Option(
            False, "--apply", help="Also create what ERPNext lacks (accounts, modes of payment, items, …)."
        ),
        yes: bool = typer.Option(False, "--yes", "-y", help="With --apply: do not ask before creating."),
    ) -> None:
        """Create the custom fields the sync needs, check every prerequisite; --apply creates what is missing."""
        ask = _common.is_terminal() and not yes

        async def flow(sctx: StoreContext) -> Outcome:
            console.rule(f"store {sctx.store}")
            outcome = await (_apply(sctx, ask) if apply and not dry_run else _check(sctx, dry_run))
            outcome.report.checks += await store_checks(sctx)
            _print_report(outcome, dry_run)
            return outcome

        missing = warnings = failed = 0
        for _sctx, outcome in run(cli_context(ctx), store, flow):
            missing += len(outcome.report.missing)
            warnings += len(outcome.report.warnings)
            failed += len(outcome.failed) + (len(outcome.items.failed) if outcome.items else 0)
        if warnings:
            console.print(f"[yellow]{warnings} warning(s): the sync can start, but read the fix (!)[/yellow]")
        if missing or failed:
            console.print(
                f"[yellow]{missing} prerequisite(s) missing[/yellow]" + (f", {failed} refused" if failed else "")
            )
            raise typer.Exit(1)
        console.print("[green]all prerequisites in place[/green]")
