"""The console's pages (GET): overview, needs a person (and one cause), an order's story, events and
dead letters, reconcile (inline and CSV), the configuration. Nothing here changes anything."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from woonext.console import accounts
from woonext.console.guard import Console, page
from woonext.console.queries import failure_groups, find_group, store_overview
from woonext.console.reconcile import run_reconcile
from woonext.console.story import order_story
from woonext.store import DEAD_LETTER, FAILED
from woonext.store import events as queue

EDIT_REASON = "edited_after_invoicing"  # parked by sync/edits.py; `orders accept-edit` settles it
RETRYABLE_KINDS = ("order", "customer")
PAGE_SIZE = 50
CHART_HEIGHT = 80


def chart(days: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """Bars for the small SVG throughput chart (height in pixels, scaled to the busiest day)."""
    top = max([n for _, n in days] + [1])
    return [
        {"day": day[5:], "count": n, "height": round(CHART_HEIGHT * n / top), "x": i * 44}
        for i, (day, n) in enumerate(days)
    ]


def masked_config(console: Console) -> str:
    """The configuration as JSON, defaults filled in, every secret as `**********` (pydantic's SecretStr)."""
    return json.dumps(json.loads(console.config.model_dump_json(by_alias=True)), indent=2)


def register(console: Console) -> dict[str, Any]:
    guard = page(console)

    @guard
    async def overview(request: Request, session: accounts.Session) -> Response:
        now = console.now()
        threshold = console.config.alerts.job_failures
        views = [await console.call(store_overview, console.db, s.name, now, threshold) for s in console.config.stores]
        charts = {v.store: chart(v.invoices_per_day) for v in views}
        return console.render(
            request, "overview.html", session, views=views, charts=charts, lag_limit=console.config.alerts.lag_seconds
        )

    @guard
    async def needs(request: Request, session: accounts.Session) -> Response:
        store = request.query_params.get("store") or None
        groups = await console.call(failure_groups, console.db, store)
        return console.render(
            request,
            "needs.html",
            session,
            person=[g for g in groups if g.status != FAILED],
            retrying=[g for g in groups if g.status == FAILED],
            store=store or "",
        )

    @guard
    async def group(request: Request, session: accounts.Session) -> Response:
        found = await console.call(find_group, console.db, request.path_params["key"])
        if found is None:
            return console.refuse(request, session, 404, "Nothing waits for this cause any more: it was settled.")
        return console.render(request, "group.html", session, group=found, retryable=found.kind in RETRYABLE_KINDS)

    @guard
    async def order(request: Request, session: accounts.Session) -> Response:
        store, order_id = request.path_params["store"], request.path_params["order_id"]
        try:
            store_config = console.config.store(store)
        except KeyError:
            return console.refuse(request, session, 404, f"No store named {store!r} in the configuration.")
        story = await console.call(
            lambda: order_story(
                console.db, store, order_id, erp_url=console.config.erpnext.url, store_url=store_config.url
            )
        )
        flagged = story.outcome is not None and story.outcome.reason == EDIT_REASON
        return console.render(request, "order.html", session, story=story, flagged=flagged)

    async def _events(request: Request, session: accounts.Session, status: str | None, title: str) -> Response:
        store = request.query_params.get("store") or None
        before = request.query_params.get("before", "")
        rows = await console.state.list_events(status, store, PAGE_SIZE, int(before) if before.isdigit() else None)
        counts = await console.state.event_counts(store)
        return console.render(
            request,
            "events.html",
            session,
            rows=rows,
            counts=counts,
            status=status or "",
            store=store or "",
            title=title,
            statuses=queue.EVENT_STATUSES,
            older=rows[-1].id if len(rows) == PAGE_SIZE else None,
            dead=status == DEAD_LETTER,
        )

    @guard
    async def events(request: Request, session: accounts.Session) -> Response:
        status = request.query_params.get("status") or None
        if status is not None and status not in queue.EVENT_STATUSES:
            return console.refuse(request, session, 400, f"Unknown status {status!r}.")
        return await _events(request, session, status, "Events")

    @guard
    async def dead_letters(request: Request, session: accounts.Session) -> Response:
        return await _events(request, session, DEAD_LETTER, "Dead letter")

    @guard
    async def reconcile(request: Request, session: accounts.Session) -> Response:
        params = request.query_params
        today = console.now().date()
        start = params.get("from") or (today - timedelta(days=7)).isoformat()
        end = params.get("to") or today.isoformat()
        store = params.get("store") or console.config.stores[0].name
        outcome = await run_reconcile(console, store, start, end) if params.get("run") else None
        return console.render(
            request, "reconcile.html", session, outcome=outcome, start=start, end=end, store=store, today=today
        )

    @guard
    async def reconcile_csv(request: Request, session: accounts.Session) -> Response:
        params = request.query_params
        store = params.get("store") or console.config.stores[0].name
        start, end = params.get("from") or "", params.get("to") or ""
        outcome = await run_reconcile(console, store, start, end)
        if outcome.error or outcome.csv is None:
            return console.refuse(request, session, 400, outcome.error or "No report.")
        name = f"reconcile-{store}-{start}-{end}.csv"
        return Response(
            outcome.csv, media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )

    @guard
    async def configuration(request: Request, session: accounts.Session) -> Response:
        return console.render(request, "config.html", session, text=masked_config(console))

    return {
        "overview": overview,
        "needs": needs,
        "group": group,
        "order": order,
        "events": events,
        "dead_letters": dead_letters,
        "reconcile": reconcile,
        "reconcile_csv": reconcile_csv,
        "configuration": configuration,
    }
