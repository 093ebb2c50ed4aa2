"""`woonext status`: counts per outcome, how each scheduled job is doing, the latest failures with
what to do, and the event queue with its retention (how long finished events are kept, the last prune)."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from woonext.commands._context import CliContext, cli_context, console
from woonext.runtime.job_health import JobHealth, job_health
from woonext.store import retention


def event_summary(cli: CliContext, store: str | None) -> dict[str, dict[str, Any]]:
    """Per store: open events by status, the oldest finished event kept, the retention and the last
    prune (None before the first). Bounded reads: cheap however many events are kept."""
    db = cli.state_db()
    counts = retention.open_counts(db, store)
    configured = {s.name: s.retention_days for s in cli.config().stores if store in (None, s.name)}
    summary = {}
    for name in sorted(set(configured) | set(counts)):
        oldest = retention.oldest_finished(db, name)
        summary[name] = {
            "open": {status: counts.get(name, {}).get(status, 0) for status in retention.OPEN},
            "oldest_finished": oldest.isoformat() if oldest else None,
            "retention_days": configured.get(name),
            "last_prune": db.get_checkpoint(name, retention.CHECKPOINT),
        }
    return summary


def _minute(iso: str) -> str:
    return f"{iso[:16].replace('T', ' ')} UTC"


def print_events(summary: dict[str, dict[str, Any]]) -> None:
    """One line per store: open events by status, the oldest finished one kept, retention, last prune."""
    for name, info in summary.items():
        last, days, oldest = info["last_prune"], info["retention_days"], info["oldest_finished"]
        open_events = " · ".join(f"{count} {status}" for status, count in info["open"].items())
        kept = f"finished ones kept {days} days" if days else "store not in the configuration"
        since = f"oldest from {oldest[:16].replace('T', ' ')} UTC" if oldest else "none kept"
        pruned = (
            f"last prune {last['at'][:16].replace('T', ' ')} UTC, {last['removed']} removed"
            if last
            else "not pruned yet"
        )
        console.print(
            f"events of store {name}: {open_events}; {kept} ({since}; {pruned})", highlight=False, markup=False
        )


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
        """Counts per status, the scheduled jobs (a job failing again and again shows here), the latest
        failures (NeedsReview, Failed, DeadLetter) with the fix, and the event queue with its retention."""
        cli = cli_context(ctx)
        db = cli.state_db()
        counts = db.outcome_counts(store)
        failures = db.latest_failures(limit=limit, store=store)
        events = event_summary(cli, store)
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
        print_events(events)
