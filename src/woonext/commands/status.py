"""`woonext status`: counts per outcome, how each scheduled job is doing, and the latest failures with
what to do."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from woonext.commands._context import cli_context, console
from woonext.runtime.job_health import JobHealth, job_health


def _job_json(h: JobHealth) -> dict[str, Any]:
    return {
        "store": h.store,
        "job": h.job,
        "status": h.status,
        "failures_in_row": h.failures_in_row,
        "last_error": h.last_error,
        "last_success": h.last_success.isoformat() if h.last_success else None,
        "last_attempt": h.last_attempt.isoformat(),
    }


def _jobs_table(jobs: list[JobHealth]) -> Table:
    table = Table("store", "job", "last attempt", "last success", "failing", "last error", title="scheduled jobs")
    for h in jobs:
        failing = Text(f"{h.failures_in_row} in a row", style="red") if h.failing else Text("no", style="green")
        table.add_row(
            Text(h.store),
            Text(h.job),
            Text(f"{h.last_attempt:%Y-%m-%d %H:%M:%S} {h.status}"),
            Text(f"{h.last_success:%Y-%m-%d %H:%M:%S}" if h.last_success else "never"),
            failing,
            Text(h.last_error),  # Text, not markup: error texts carry "[erpnext]" and other brackets
        )
    return table


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
        limit: int = typer.Option(20, "--limit", min=1, help="How many failures to list."),
    ) -> None:
        """Counts per status, the scheduled jobs (a job failing again and again shows here), and the
        latest failures (NeedsReview, Failed, DeadLetter) with the fix."""
        db = cli_context(ctx).state_db()
        counts = db.outcome_counts(store)
        failures = db.latest_failures(limit=limit, store=store)
        jobs = job_health(db, store)
        if as_json:
            print(
                json.dumps(
                    {
                        "counts": counts,
                        "jobs": [_job_json(h) for h in jobs],
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
        if jobs:
            console.print(_jobs_table(jobs))
        if failures:
            listing = Table("store", "kind", "id", "status", "reason", "detail", "what to do", title="latest failures")
            for f in failures:
                # Text cells: details and hints name config sections like [stores.tax_accounts]
                listing.add_row(
                    *(Text(v) for v in (f.store, f.kind, f.remote_id, f.status, f.reason, f.detail, f.hint))
                )
            console.print(listing)
