"""`woonext events list|retry|replay|prune` and `woonext dead-letter list|retry`: the durable event
queue (webhook and replay triggers, and how each ended) and its retention."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from woonext.commands._common import console, err_console, run
from woonext.commands._context import USAGE, cli_context
from woonext.runtime.replay import ReplayReport, replay_orders
from woonext.store import DEAD_LETTER, retention
from woonext.store import events as queue
from woonext.sync.context import StoreContext, select_stores

events_app = typer.Typer(help="The event queue: what webhooks triggered and how each ended.", no_args_is_help=True)
dead_app = typer.Typer(help="Events that gave up (DeadLetter): list them, queue them again.", no_args_is_help=True)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _moment(value: str, option: str) -> datetime:
    """An ISO date or date-time; without a zone it is UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        err_console.print(
            f"[red]{option} {escape(value)!r} is not an ISO date or date-time "
            "(e.g. 2026-11-24 or 2026-11-24T08:00:00Z)[/red]",
            highlight=False,
        )
        raise typer.Exit(2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def print_events(rows: list[queue.Event], title: str) -> None:
    # No vertical rules and short cells: eight columns that read at 80 characters (the error wraps).
    table = Table(
        "event", "store", "object", "trigger", "status", "tries", "updated", "error / reason",
        title=title, box=box.SIMPLE_HEAD,
    )  # fmt: skip
    for e in rows:
        table.add_row(
            str(e.id),
            escape(e.store),
            escape(f"{e.kind} {e.remote_id}".strip()),
            escape(e.topic),
            e.status,
            str(e.attempts),
            e.updated_at.strftime("%m-%d %H:%M") if e.updated_at else "",
            escape(e.last_error or ""),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")
    app.add_typer(dead_app, name="dead-letter")

    @events_app.command("list")
    def list_cmd(
        ctx: typer.Context,
        status: str | None = typer.Option(
            None, "--status", help=f"Only this status ({', '.join(queue.EVENT_STATUSES)})."
        ),
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store."),
        limit: int = typer.Option(50, "--limit", min=1, help="How many (newest first)."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Events, newest first, with their status, attempts and last error or reason."""
        if status is not None:
            match = {s.lower(): s for s in queue.EVENT_STATUSES}.get(status.lower())
            if match is None:
                err_console.print(
                    f"[red]unknown status {escape(status)!r}; use one of {', '.join(queue.EVENT_STATUSES)}[/red]",
                    highlight=False,
                )
                raise typer.Exit(2)
            status = match
        db = cli_context(ctx).state_db()
        rows = queue.list_events(db, status=status, store=store, limit=limit)
        if as_json:
            print(
                json.dumps(
                    [
                        {
                            "id": e.id,
                            "store": e.store,
                            "kind": e.kind,
                            "remote_id": e.remote_id,
                            "topic": e.topic,
                            "status": e.status,
                            "attempts": e.attempts,
                            "available_at": e.available_at.isoformat(),
                            "last_error": e.last_error,
                            "created_at": e.created_at.isoformat(),
                            "updated_at": e.updated_at.isoformat(),
                        }
                        for e in rows
                    ],
                    indent=2,
                )
            )
            return
        counts = queue.counts(db, store)
        print_events(rows, "events " + " · ".join(f"{k} {v}" for k, v in sorted(counts.items())))

    @events_app.command("retry")
    def retry_cmd(ctx: typer.Context, event_id: int = typer.Argument(..., help="The event's id.")) -> None:
        """Queue a finished event again (due now, attempts from zero); a running worker picks it up."""
        db = cli_context(ctx).state_db()
        try:
            event = queue.retry(db, event_id, db.clock.now())
        except queue.RetryRefused as exc:  # unknown, or not finished: nothing to retry
            err_console.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
            raise typer.Exit(USAGE) from None
        console.print(f"event {event.id} ({event.store} {event.kind} {event.remote_id}) queued again", highlight=False)

    @events_app.command("replay")
    def replay_cmd(
        ctx: typer.Context,
        store: str = typer.Option(..., "--store", "-s", help="The store."),
        since: str = typer.Option(..., "--since", help="Orders modified from (ISO; UTC unless a zone is given)."),
        until: str | None = typer.Option(None, "--until", help="… up to (default: now)."),
    ) -> None:
        """Queue an event for every order modified in the window; the worker syncs each again."""
        start, end = _moment(since, "--since"), (_moment(until, "--until") if until else None)

        async def flow(sctx: StoreContext) -> ReplayReport:
            return await replay_orders(sctx, start, end)

        for sctx, report in run(cli_context(ctx), store, flow):
            console.print(
                f"store {sctx.store}: {report.orders} order(s) modified in the window, {report.queued} "
                f"queued, {report.merged} already waiting",
                highlight=False,
            )

    @events_app.command("prune")
    def prune_cmd(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        days: int | None = typer.Option(
            None, "--older-than-days", min=1, help="Keep this many days (default: the store's retention_days)."
        ),
        dry_run: bool = typer.Option(False, "--dry-run", help="Only count what would be pruned."),
    ) -> None:
        """Prune Succeeded and Skipped events older than the retention now, as the daily `prune` job does."""
        cli = cli_context(ctx)
        db = cli.state_db()
        try:
            stores = select_stores(cli.config(), store)
        except KeyError as exc:
            err_console.print(f"[red]{exc.args[0]}[/red]", highlight=False)
            raise typer.Exit(2) from None
        for config in stores:
            keep = days or config.retention_days
            if dry_run:
                count = retention.prunable(db, config.name, retention.cutoff(db.clock.now(), keep))
                console.print(f"store {config.name}: {count} finished event(s) older than {keep} days would be pruned")
            else:
                console.print(f"store {config.name}: {retention.prune_store(db, config.name, keep).summary()}")

    @dead_app.command("list")
    def dead_list(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store."),
        limit: int = typer.Option(50, "--limit", min=1, help="How many (newest first)."),
    ) -> None:
        """Events that gave up, with their last error."""
        rows = queue.list_events(cli_context(ctx).state_db(), status=DEAD_LETTER, store=store, limit=limit)
        print_events(rows, f"{len(rows)} dead letter(s)")

    @dead_app.command("retry")
    def dead_retry(
        ctx: typer.Context,
        event_id: int | None = typer.Argument(None, help="One event's id (or --all)."),
        retry_all: bool = typer.Option(False, "--all", help="Every dead letter (of --store, if given)."),
        store: str | None = typer.Option(None, "--store", "-s", help="With --all: only this store."),
    ) -> None:
        """Queue dead letters again (due now, attempts from zero)."""
        db = cli_context(ctx).state_db()
        if (event_id is None) == (not retry_all):
            err_console.print("[red]give an event id or --all[/red]", highlight=False)
            raise typer.Exit(2)
        if retry_all:
            ids = queue.retry_dead_letters(db, db.clock.now(), store)
            console.print(f"{len(ids)} dead letter(s) queued again", highlight=False)
            return
        assert event_id is not None
        event = queue.get(db, event_id)
        if event is None or event.status != DEAD_LETTER:
            err_console.print(
                f"[red]event {event_id} is not a dead letter{f' (it is {event.status})' if event else ''}[/red]",
                highlight=False,
            )
            raise typer.Exit(USAGE)
        queue.retry(db, event_id, db.clock.now())
        console.print(f"event {event_id} queued again", highlight=False)
