"""`woonext status`: counts per outcome and the latest failures with what to do."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from woonext.commands._context import cli_context, console


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
        limit: int = typer.Option(20, "--limit", min=1, help="How many failures to list."),
    ) -> None:
        """Counts per status and the latest failures (NeedsReview, Failed, DeadLetter) with the fix."""
        db = cli_context(ctx).state_db()
        counts = db.outcome_counts(store)
        failures = db.latest_failures(limit=limit, store=store)
        if as_json:
            print(
                json.dumps(
                    {
                        "counts": counts,
                        "failures": [
                            {
                                "store": f.store,
                                "kind": f.kind,
                                "id": f.remote_id,
                                "status": f.status,
                                "reason": f.reason,
                                "detail": f.detail,
                                "hint": f.hint,
                                "attempts": f.attempts,
                                "updated_at": f.updated_at.isoformat(),
                            }
                            for f in failures
                        ],
                    },
                    indent=2,
                )
            )
            return
        table = Table("status", "count", title="outcomes" + (f" for store {store}" if store else ""))
        for name, count in sorted(counts.items()):
            table.add_row(name, str(count))
        console.print(table)
        if failures:
            listing = Table("store", "kind", "id", "status", "reason", "detail", "what to do", title="latest failures")
            for f in failures:
                listing.add_row(f.store, f.kind, f.remote_id, f.status, f.reason, f.detail, f.hint)
            console.print(listing)
