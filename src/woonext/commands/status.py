"""`woonext status`: counts per outcome, how each scheduled job is doing, then what needs a person
grouped by cause — each cause once, with its hint and a count — and what is being retried on its own,
and the event queue with its retention (how long finished events are kept, the last prune). `--all`
(or `--verbose`) lists every object under its cause with its own detail. Exit 0 when nothing waits,
1 when something does, 2 for an unknown store."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from woonext.commands._context import FAILURES, USAGE, CliContext, cli_context, console, err_console
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


def _failure(o: Any) -> dict[str, Any]:
    return {
        "store": o.store,
        "kind": o.kind,
        "id": o.remote_id,
        "status": o.status,
        "reason": o.reason,
        "detail": o.detail,
        "hint": o.hint,
        "attempts": o.attempts,
        "updated_at": o.updated_at.isoformat(),
    }


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
        show_all: bool = typer.Option(False, "--all", help="Every object under its cause, with its own detail."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="The same as --all."),
        limit: int = typer.Option(20, "--limit", min=1, help="With --json: how many latest failures to list."),
    ) -> None:
        """Counts per status, the scheduled jobs (a job failing again and again shows here), what needs a
        person (NeedsReview, DeadLetter) by cause with the fix, and the event queue with its retention."""
        from woonext.console.queries import unresolved
        from woonext.reports.failures import group_failures, print_groups
        from woonext.store import FAILED

        cli = cli_context(ctx)
        config = cli.config()
        if store is not None and store not in {s.name for s in config.stores}:
            known = ", ".join(s.name for s in config.stores)
            err_console.print(f"[red]no store named {escape(store)!r} (known: {escape(known)})[/red]", highlight=False)
            raise typer.Exit(USAGE)
        db = cli.state_db()
        counts = db.outcome_counts(store)
        waiting = unresolved(db, store)
        groups = group_failures(waiting)
        events = event_summary(cli, store)
        jobs = job_health(db, store)
        if as_json:
            shown = waiting if show_all or verbose else waiting[:limit]
            data = {
                "counts": counts,
                "groups": [
                    {
                        "store": g.store,
                        "kind": g.kind,
                        "status": g.status,
                        "reason": g.reason,
                        "cause": g.cause,
                        "hint": g.hint,
                        "count": g.count,
                        "ids": g.ids,
                    }
                    for g in groups
                ],
                "failures": [_failure(o) for o in shown],
                "jobs": [_job_json(h) for h in jobs],
                "events": events,
            }
            print(json.dumps(data, indent=2))
            raise typer.Exit(FAILURES if waiting else 0)
        table = Table("status", "count", title="outcomes" + (f" in store {escape(store)}" if store else ""))
        for name, count in sorted(counts.items()):
            table.add_row(name, str(count))
        console.print(table)
        if jobs:
            console.print(_jobs_table(jobs))
        print_events(events)
        person = [g for g in groups if g.status != FAILED]
        retrying = [g for g in groups if g.status == FAILED]
        full = show_all or verbose
        if person:
            console.print(f"[bold]needs a person[/bold], {sum(g.count for g in person)} in {len(person)} cause(s):")
            print_groups(console, person, verbose=full, more="`woonext status --all` lists each with its own detail")
        if retrying:
            console.print(f"[bold]being retried[/bold] on their own, {sum(g.count for g in retrying)}:")
            print_groups(console, retrying, verbose=full)
        if not waiting:
            console.print("[green]nothing waits for a person[/green]")
            return
        raise typer.Exit(FAILURES)
