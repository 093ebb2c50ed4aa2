"""`woonext status`: counts per outcome, the latest failures with what to do, and the event queue
with its retention (how long finished events are kept, the last prune)."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from woonext.commands._context import CliContext, cli_context, console
from woonext.store import SKIPPED, SUCCEEDED, retention


def event_summary(cli: CliContext, store: str | None) -> dict[str, dict[str, Any]]:
    """Per store: events kept by status, the retention and the last prune (None before the first)."""
    db = cli.state_db()
    counts = retention.counts_by_store(db, store)
    configured = {s.name: s.retention_days for s in cli.config().stores if store in (None, s.name)}
    return {
        name: {
            "counts": counts.get(name, {}),
            "retention_days": configured.get(name),
            "last_prune": db.get_checkpoint(name, retention.CHECKPOINT),
        }
        for name in sorted(set(configured) | set(counts))
    }


def print_events(summary: dict[str, dict[str, Any]]) -> None:
    """One line per store: open events by status, finished ones kept, the retention and the last prune."""
    for name, info in summary.items():
        counts, last, days = info["counts"], info["last_prune"], info["retention_days"]
        open_events = " · ".join(f"{counts.get(status, 0)} {status}" for status in retention.OPEN)
        finished = counts.get(SUCCEEDED, 0) + counts.get(SKIPPED, 0)
        kept = f"kept {days} days" if days else "store not in the configuration"
        pruned = (
            f"last prune {last['at'][:16].replace('T', ' ')} UTC, {last['removed']} removed"
            if last
            else "not pruned yet"
        )
        console.print(
            f"events of store {name}: {open_events} · {finished} finished ({kept}; {pruned})",
            highlight=False,
            markup=False,
        )


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
        limit: int = typer.Option(20, "--limit", min=1, help="How many failures to list."),
    ) -> None:
        """Counts per status, the latest failures (NeedsReview, Failed, DeadLetter) with the fix, and the event
        queue with its retention."""
        cli = cli_context(ctx)
        db = cli.state_db()
        counts = db.outcome_counts(store)
        failures = db.latest_failures(limit=limit, store=store)
        events = event_summary(cli, store)
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
                        "events": events,
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
        print_events(events)
