"""`woonext orders writeback`: the writeback sweep by hand — orders paid or delivered in ERPNext moved
forward in WooCommerce, credit notes recorded (docs/writeback.md). `--dry-run` reads both systems and
lists what would be written and why, writing nothing (not even woonext's own cursor)."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.markup import escape

from woonext.commands._common import console, run
from woonext.commands._context import cli_context
from woonext.commands.orders import orders_app
from woonext.sync.context import StoreContext
from woonext.sync.writeback import OrderReport, WritebackReport, sweep

VERBS = {"status": "set status", "refund": "record a refund", "note": "add a private note", "review": "report"}


def _lines(o: OrderReport, dry_run: bool) -> list[str]:
    head = f"order {o.order_id} ({o.invoice}, {o.status or 'not read'})"
    if o.busy:
        return [f"{head}: held by another run, left to it"]
    if dry_run:
        items = [(a, "would " + VERBS.get(a.kind, a.kind) if a.kind != "skip" else "skip") for a in o.planned]
        return (
            [f"{head}: nothing to write"]
            if not items
            else [
                f"{head}: {verb}{' ' + a.to_status if a.to_status else ''} — {a.reason}: {a.detail}"
                for a, verb in items
            ]
        )
    if not o.done:
        return [f"{head}: nothing to write"]
    return [
        f"{head}: {a.kind}{' ' + a.to_status if a.to_status else ''} {result} — {a.reason}: {detail}"
        for a, result, detail in o.done
    ]


def _json(report: WritebackReport) -> dict[str, Any]:
    def action(a: Any) -> dict[str, Any]:
        return {
            "kind": a.kind,
            "reason": a.reason,
            "detail": a.detail,
            "documents": list(a.documents),
            "to_status": a.to_status,
        }

    return {
        "trigger": report.trigger,
        "dry_run": report.dry_run,
        "note": report.note,
        "summary": report.summary(),
        "orders": [
            {
                "order_id": o.order_id,
                "invoice": o.invoice,
                "status": o.status,
                "busy": o.busy,
                "planned": [action(a) for a in o.planned],
                "done": [{**action(a), "result": r, "detail": d} for a, r, d in o.done],
            }
            for o in report.orders
        ],
    }


def register(app: typer.Typer) -> None:
    @orders_app.command("writeback")
    def writeback_cmd(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="List what would be written and why; write nothing."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Write back to WooCommerce what ERPNext settled since the last sweep (paid, delivered, credit notes)."""

        async def flow(sctx: StoreContext) -> WritebackReport:
            return await sweep(sctx, dry_run=dry_run, trigger="orders writeback")

        results = run(cli_context(ctx), store, flow)
        if as_json:
            print(json.dumps({sctx.store: _json(r) for sctx, r in results}, indent=2, ensure_ascii=False))
            return
        for sctx, report in results:
            console.rule(f"store {sctx.store}")
            for o in report.orders:
                for line in _lines(o, report.dry_run):
                    console.print(escape(line), highlight=False, soft_wrap=True)
            console.print(escape(report.summary()), highlight=False)
