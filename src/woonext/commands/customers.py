"""`woonext customers dedupe`: duplicate Customers in ERPNext, the merge plan with its evidence, and
with `--apply` the provable merges.

Exit status: 0 when no duplicates are left (nothing found, or every merge applied); 1 when some are
left — groups that need a person, merges that failed, or (dry run) merges not applied yet — or when
ERPNext or WooCommerce stopped the run (the message says which); 2 for a bad configuration.
"""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from woonext.commands._common import console, run
from woonext.commands._context import cli_context
from woonext.mapping.dedupe import Evidence
from woonext.sync.context import StoreContext
from woonext.sync.dedupe import DedupeReport, run_dedupe

customers_app = typer.Typer(help="Customers in ERPNext: find and merge duplicates.", no_args_is_help=True)


def _evidence(items: tuple[Evidence, ...]) -> str:
    return "\n".join(e.describe() for e in items)


def _as_json(store: str, report: DedupeReport) -> dict[str, Any]:
    def ev(items: tuple[Evidence, ...]) -> list[dict[str, Any]]:
        return [
            {"kind": e.kind, "value": e.value, "customers": list(e.customers), "written": list(e.written)}
            for e in items
        ]

    return {
        "store": store,
        "applied": report.applied,
        "phone_region": report.region,
        "customers": report.plan.customers,
        "merges": [
            {
                "survivor": m.survivor,
                "merged": list(m.merged),
                "why_survivor": m.survivor_reason,
                "evidence": ev(m.evidence),
            }
            for m in report.plan.merges
        ],
        "needs_a_person": [
            {"customers": list(r.customers), "reason": r.reason, "detail": r.detail, "evidence": ev(r.evidence)}
            for r in report.plan.review
        ],
        "results": [
            {"merged": r.old, "into": r.survivor, "ok": r.ok, "bindings_moved": r.bindings_moved, "error": r.error}
            for r in report.resumed + report.results
        ],
        "left_over": report.left_over,
    }


def _print(store: str, report: DedupeReport) -> None:
    plan = report.plan
    region = report.region or "unknown: only numbers written with their country code are compared"
    console.print(
        f"store {store}: {plan.customers} customers read; {len(plan.merges)} group(s) to merge "
        f"({plan.duplicates} duplicate(s)), {len(plan.review)} for a person; phone region {region}",
        highlight=False,
    )
    if plan.merges:
        table = Table(
            "survivor",
            "merged into it",
            "evidence",
            "why this survivor",
            title="provable merges" + ("" if report.applied else " (dry run)"),
            show_lines=True,
        )
        for m in plan.merges:
            table.add_row(
                escape(m.survivor),
                escape("\n".join(m.merged)),
                escape(_evidence(m.evidence)),
                escape(m.survivor_reason),
            )
        console.print(table)
    if plan.review:
        table = Table("customers", "reason", "why not automatic", "evidence", title="needs a person", show_lines=True)
        for r in plan.review:
            table.add_row(escape("\n".join(r.customers)), r.reason, escape(r.detail), escape(_evidence(r.evidence)))
        console.print(table)
    done = report.resumed + report.results
    if done:
        table = Table("merged", "into", "result", title="applied")
        for res in done:
            table.add_row(
                escape(res.old),
                escape(res.survivor),
                f"ok, {res.bindings_moved} binding(s) moved" if res.ok else f"[red]{escape(res.error)}[/red]",
            )
        console.print(table)
    if not report.applied and plan.merges:
        console.print(
            f"dry run: nothing changed; `--apply` merges the {plan.duplicates} provable duplicate(s)", highlight=False
        )
    if report.applied and plan.review:
        console.print(
            f"{len(plan.review)} group(s) left for a person (also listed by `woonext status`)", highlight=False
        )
    if not plan.merges and not plan.review:
        console.print("no duplicate customers", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(customers_app, name="customers")

    @customers_app.command("dedupe")
    def dedupe(
        ctx: typer.Context,
        store: str | None = typer.Option(
            None, "--store", "-s", help="Store whose country reads local phone numbers (default: the first)."
        ),
        apply: bool = typer.Option(False, "--apply", help="Merge the provable duplicates (default: plan only)."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Duplicate Customers (same e-mail or phone): the plan with its evidence; `--apply` merges the provable
        ones through ERPNext's rename-with-merge and lists the rest for a person. Exit 1 while any are left."""
        cli = cli_context(ctx)
        config = cli.config()
        name = store or config.stores[0].name
        regions = {s.name: s.country.upper() for s in config.stores if s.country}

        async def flow(sctx: StoreContext) -> DedupeReport:
            return await run_dedupe(sctx, apply=apply, regions=regions)

        results = run(cli, name, flow)
        left = False
        for sctx, report in results:
            left = left or report.left_over
            if as_json:
                print(json.dumps(_as_json(sctx.store, report), indent=2))
            else:
                _print(sctx.store, report)
        raise typer.Exit(1 if left else 0)
