"""`woonext status`: counts per outcome, then what needs a person grouped by cause — each cause once,
with its hint and a count — and what is being retried on its own. `--all` (or `--verbose`) lists every
object under its cause with its own detail. Exit 0 when nothing waits, 1 when something does, 2 for an
unknown store."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from woonext.commands._context import FAILURES, USAGE, cli_context, console, err_console


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
        """Counts per status and what needs a person (NeedsReview, DeadLetter), by cause, with the fix."""
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
            }
            print(json.dumps(data, indent=2))
            raise typer.Exit(FAILURES if waiting else 0)
        table = Table("status", "count", title="outcomes" + (f" in store {escape(store)}" if store else ""))
        for name, count in sorted(counts.items()):
            table.add_row(name, str(count))
        console.print(table)
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
