"""`woonext events list|retry`: the durable event queue (webhook triggers and their end)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.markup import escape
from rich.table import Table

from woonext.cli import cli_context
from woonext.commands._common import console, err_console
from woonext.store import events as queue

events_app = typer.Typer(help="The event queue: what webhooks triggered and how each ended.", no_args_is_help=True)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")

    @events_app.command("list")
    def list_cmd(
        ctx: typer.Context,
        status: str | None = typer.Option(None, "--status",
                                          help=f"Only this status ({', '.join(queue.EVENT_STATUSES)})."),
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store."),
        limit: int = typer.Option(50, "--limit", min=1, help="How many (newest first)."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Events, newest first, with their status, attempts and last error or reason."""
        if status is not None:
            match = {s.lower(): s for s in queue.EVENT_STATUSES}.get(status.lower())
            if match is None:
                err_console.print(f"[red]unknown status {escape(status)!r}; use one of "
                                  f"{', '.join(queue.EVENT_STATUSES)}[/red]", highlight=False)
                raise typer.Exit(2)
            status = match
        db = cli_context(ctx).state_db()
        rows = queue.list_events(db, status=status, store=store, limit=limit)
        if as_json:
            print(json.dumps([{
                "id": e.id, "store": e.store, "kind": e.kind, "remote_id": e.remote_id, "topic": e.topic,
                "status": e.status, "attempts": e.attempts, "available_at": e.available_at.isoformat(),
                "last_error": e.last_error, "created_at": e.created_at.isoformat(),
                "updated_at": e.updated_at.isoformat(),
            } for e in rows], indent=2))
            return
        counts = queue.counts(db, store)
        table = Table("event", "store", "kind", "object id", "topic", "status", "attempts", "updated", "error / reason",
                      title="events " + " · ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        for e in rows:
            table.add_row(str(e.id), e.store, e.kind, e.remote_id, e.topic, e.status, str(e.attempts),
                          _when(e.updated_at), escape(e.last_error or ""))
        console.print(table)

    @events_app.command("retry")
    def retry_cmd(ctx: typer.Context, event_id: int = typer.Argument(..., help="The event's id.")) -> None:
        """Queue a finished event again (due now, attempts from zero); a running worker picks it up."""
        db = cli_context(ctx).state_db()
        try:
            event = queue.retry(db, event_id, datetime.now(UTC))
        except queue.RetryRefused as exc:
            err_console.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
            raise typer.Exit(1) from None
        console.print(f"event {event.id} ({event.store} {event.kind} {event.remote_id}) queued again", highlight=False)
