"""The console's actions (POST, operator only, CSRF-checked by `guard.action`): retry a cause's
orders after the fix, retry one order, accept an edit, retry or replay events, retry dead letters.

A retry queues the object for the worker with the topic `retry`: the worker then reads ERPNext's
masters afresh (the fix was probably made there) and runs the one sync path. Each action is written
to the audit log, per object, so an order's story says who retried it and when.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from woonext.console import accounts
from woonext.console.guard import Console, action, back
from woonext.console.queries import find_group
from woonext.erpnext.errors import ErpError
from woonext.runtime.replay import replay_orders
from woonext.store import DEAD_LETTER, StateDB
from woonext.store import events as queue
from woonext.sync.accept import accept_edit
from woonext.sync.context import open_store
from woonext.woo.errors import WooError


def retry_object(db: StateDB, user: str, store: str, kind: str, remote_id: str, why: str) -> bool:
    """Queue one object again: its dead letter if it has one, else a new event. True when queued
    (False: an event for it was already waiting)."""
    now = db.clock.now()
    dead = [e for e in queue.for_object(db, store, kind, remote_id, 20) if e.status == DEAD_LETTER]
    if dead:
        queue.retry(db, dead[0].id, now)
        queued = True
    else:
        queued = queue.enqueue(db, store, kind, remote_id, queue.RETRY_TOPIC, now).created
    accounts.audit(db, user, "retry", store, f"{kind}:{remote_id}", why)
    return queued


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def register(console: Console) -> dict[str, object]:
    act = action(console)

    @act
    async def retry_group(request: Request, session: accounts.Session, form: dict[str, str]) -> Response:
        key = request.path_params["key"]
        group = await console.call(find_group, console.db, key)
        if group is None:
            return back("/needs", "Nothing waits for that cause any more.")
        if group.kind not in ("order", "customer"):
            return back(f"/needs/{key}", f"{group.kind} records are not retried: {group.hint}")
        why = f"retry of the cause: {group.headline}"
        queued = 0
        for remote_id in group.ids:
            queued += await console.call(
                retry_object, console.db, session.user.name, group.store, group.kind, remote_id, why
            )
        console.woke()
        waiting = group.count - queued
        note = f"{queued} {group.noun if queued == group.count else 'of them'} queued again"
        return back("/needs", note + (f", {waiting} already waiting" if waiting else ""))

    @act
    async def retry_order(request: Request, session: accounts.Session, form: dict[str, str]) -> Response:
        store, order_id = request.path_params["store"], request.path_params["order_id"]
        path = f"/orders/{store}/{order_id}"
        if store not in {s.name for s in console.config.stores}:
            return console.refuse(request, session, 404, f"No store named {store!r}.")
        queued = await console.call(
            retry_object, console.db, session.user.name, store, "order", order_id, "retry of the order"
        )
        console.woke()
        return back(path, "queued again" if queued else "an event for it is already waiting")

    @act
    async def accept(request: Request, session: accounts.Session, form: dict[str, str]) -> Response:
        store, order_id = request.path_params["store"], request.path_params["order_id"]
        path = f"/orders/{store}/{order_id}"
        if not order_id.isdigit():
            return console.refuse(request, session, 404, f"{order_id!r} is not an order id.")
        try:
            store_config = console.config.store(store)
        except KeyError:
            return console.refuse(request, session, 404, f"No store named {store!r}.")
        note = form.get("note", "").strip()
        if not note:
            return back(path, "Say in the note what was corrected by hand: it stays with the invoice's history.")
        ctx = open_store(console.config, store_config, console.db, console.transports)
        try:
            result = await accept_edit(ctx, int(order_id), f"{note} ({session.user.name})")
        except (ErpError, WooError) as exc:
            return back(path, f"stopped: {exc}")
        finally:
            await ctx.aclose()
        await console.call(
            accounts.audit, console.db, session.user.name, "accept_edit", store, f"order:{order_id}", result.message
        )
        return back(path, result.message)

    @act
    async def retry_event(request: Request, session: accounts.Session, form: dict[str, str]) -> Response:
        event_id = int(request.path_params["event_id"])
        origin = "/dead-letter" if form.get("from") == "dead-letter" else "/events"
        try:
            event = await console.state.retry_event(event_id, console.now())
        except queue.RetryRefused as exc:
            return back(origin, str(exc))
        await console.call(
            accounts.audit,
            console.db,
            session.user.name,
            "retry",
            event.store,
            f"{event.kind}:{event.remote_id}",
            f"event {event_id} queued again",
        )
        console.woke()
        return back(origin, f"event {event_id} ({event.kind} {event.remote_id}) queued again")

    @act
    async def retry_dead(request: Request, session: accounts.Session, form: dict[str, str]) -> Response:
        store = form.get("store") or None
        ids = await console.state.retry_dead_letters(console.now(), store)
        await console.call(
            accounts.audit, console.db, session.user.name, "retry_dead_letters", store or "", "", f"{len(ids)} events"
        )
        console.woke()
        return back("/dead-letter", f"{len(ids)} dead letter(s) queued again")

    @act
    async def replay(request: Request, session: accounts.Session, form: dict[str, str]) -> Response:
        try:
            store_config = console.config.store(form.get("store", ""))
            since = _moment(form.get("since", ""))
            until = _moment(form["until"]) if form.get("until") else None
        except (KeyError, ValueError):
            return back("/events", "Replay needs a store and an ISO date or date-time (e.g. 2026-11-24T08:00).")
        ctx = open_store(console.config, store_config, console.db, console.transports)
        try:
            report = await replay_orders(ctx, since, until)
        except (ErpError, WooError) as exc:
            return back("/events", f"stopped: {exc}")
        finally:
            await ctx.aclose()
        await console.call(
            accounts.audit,
            console.db,
            session.user.name,
            "replay",
            store_config.name,
            "",
            f"{since.isoformat()} to {until.isoformat() if until else 'now'}: {report.orders} orders",
        )
        console.woke()
        return back(
            "/events",
            f"{report.orders} order(s) modified in the window: {report.queued} queued, {report.merged} already waiting",
        )

    return {
        "retry_group": retry_group,
        "retry_order": retry_order,
        "accept": accept,
        "retry_event": retry_event,
        "retry_dead": retry_dead,
        "replay": replay,
    }
