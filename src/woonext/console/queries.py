"""What the console's pages read from the state database (read-only; each function one connection).

The overview per store: the last successful order poll and the last webhook, how far behind the
service is, outcomes today and over seven days, invoices made per day (the chart), what waits for a
person, scheduled jobs that keep failing, and the catalog's stock and price cursors once they exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from woonext.clock import as_utc
from woonext.reports.failures import FailureGroup, group_failures
from woonext.store import DEAD_LETTER, NEEDS_REVIEW, UNRESOLVED_STATUSES, Outcome, StateDB
from woonext.store import events as queue
from woonext.store.db import outcome_from_row
from woonext.store.tables import bindings, cursors, events, outcomes

# The catalog flows (sync/items.py, stock.py, prices.py): (label, scheduled job, ERPNext/WooCommerce
# trigger event kind). Shown once any of their events exists.
CATALOG_FLOWS = (
    ("stock to WooCommerce", "stock", "stock"),
    ("prices to WooCommerce", "prices", "price"),
    ("items from WooCommerce products", "items", "product"),
)
CHART_DAYS = 7


@dataclass
class JobState:
    event_id: int
    job: str
    status: str
    attempts: int
    last_error: str
    updated_at: datetime


@dataclass
class CatalogFlow:
    label: str
    last_success: datetime | None
    waiting: int
    oldest_wait: float | None  # seconds: how far behind the push is


@dataclass
class StoreOverview:
    store: str
    last_poll: datetime | None = None
    last_webhook: datetime | None = None
    poll_lag: float | None = None  # seconds since the last successful order poll
    waiting: int = 0  # events due and not yet taken
    oldest_wait: float | None = None  # seconds the oldest due event has waited
    order_cursor: datetime | None = None  # the data's own clock: the newest order modification seen
    today: dict[str, int] = field(default_factory=dict)
    week: dict[str, int] = field(default_factory=dict)
    invoices_per_day: list[tuple[str, int]] = field(default_factory=list)
    needs_person: int = 0
    dead_letters: int = 0
    failing_jobs: list[JobState] = field(default_factory=list)
    catalog: list[CatalogFlow] = field(default_factory=list)  # empty until a catalog flow has run


def _cursor_time(value: Any) -> datetime | None:
    raw = value.get("modified_gmt") if isinstance(value, dict) else None
    try:
        return datetime.fromisoformat(str(raw)).replace(tzinfo=UTC) if raw else None
    except ValueError:
        return None


def unresolved(db: StateDB, store: str | None = None, statuses: tuple[str, ...] = UNRESOLVED_STATUSES) -> list[Outcome]:
    query = select(outcomes).where(outcomes.c.status.in_(statuses))
    if store is not None:
        query = query.where(outcomes.c.store == store)
    with db.engine.connect() as connection:
        return [outcome_from_row(row) for row in connection.execute(query.order_by(outcomes.c.updated_at.desc()))]


def failure_groups(db: StateDB, store: str | None = None) -> list[FailureGroup]:
    return group_failures(unresolved(db, store))


def find_group(db: StateDB, key: str) -> FailureGroup | None:
    return next((g for g in failure_groups(db) if g.key == key), None)


def _counts_since(connection: Any, store: str, since: datetime) -> dict[str, int]:
    query = (
        select(outcomes.c.status, func.count())
        .where(outcomes.c.store == store, outcomes.c.updated_at >= since)
        .group_by(outcomes.c.status)
    )
    return {status: int(n) for status, n in connection.execute(query)}


def _invoices_per_day(connection: Any, store: str, now: datetime) -> list[tuple[str, int]]:
    first = (now - timedelta(days=CHART_DAYS - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    query = select(bindings.c.created_at).where(
        bindings.c.store == store, bindings.c.kind == "order", bindings.c.created_at >= first
    )
    days = {(first + timedelta(days=n)).date().isoformat(): 0 for n in range(CHART_DAYS)}
    for (created,) in connection.execute(query):
        day = (as_utc(created) or now).date().isoformat()
        if day in days:
            days[day] += 1
    return list(days.items())


def _failing_jobs(connection: Any, store: str, threshold: int) -> list[JobState]:
    """Scheduled jobs retrying after `threshold` or more failed attempts, or given up."""
    query = (
        select(events)
        .where(events.c.store == store, events.c.kind == "job", events.c.last_error.is_not(None))
        .where(
            ((events.c.status == queue.PENDING) & (events.c.attempts >= threshold)) | (events.c.status == DEAD_LETTER)
        )
        .order_by(events.c.id.desc())
    )
    latest: dict[str, JobState] = {}
    for row in connection.execute(query):
        updated = as_utc(row.updated_at) or datetime.min.replace(tzinfo=UTC)
        latest.setdefault(
            row.remote_id,
            JobState(int(row.id), row.remote_id, row.status, int(row.attempts), str(row.last_error or ""), updated),
        )
    return list(latest.values())


def _catalog(connection: Any, store: str, now: datetime) -> list[CatalogFlow]:
    flows = []
    for label, job, kind in CATALOG_FLOWS:
        mine = (events.c.store == store) & (
            ((events.c.kind == "job") & (events.c.remote_id == job)) | (events.c.kind == kind)
        )
        if connection.execute(select(func.count()).where(mine)).scalar() == 0:
            continue
        last = as_utc(
            connection.execute(
                select(func.max(events.c.updated_at)).where(mine, events.c.status == "Succeeded")
            ).scalar()
        )
        due = (mine, events.c.status == queue.PENDING, events.c.available_at <= now)
        waiting = int(connection.execute(select(func.count()).where(*due)).scalar() or 0)
        oldest = as_utc(connection.execute(select(func.min(events.c.available_at)).where(*due)).scalar())
        flows.append(CatalogFlow(label, last, waiting, (now - oldest).total_seconds() if oldest else None))
    return flows


def _last_success(connection: Any, store: str) -> datetime | None:
    query = select(func.max(events.c.updated_at)).where(
        events.c.store == store,
        events.c.kind == "job",
        events.c.remote_id == "orders",
        events.c.status == "Succeeded",
    )
    return as_utc(connection.execute(query).scalar())


def store_overview(db: StateDB, store: str, now: datetime, job_threshold: int = 3) -> StoreOverview:
    view = StoreOverview(store)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with db.engine.connect() as connection:
        view.last_poll = _last_success(connection, store)
        view.last_webhook = as_utc(
            connection.execute(
                select(func.max(events.c.created_at)).where(
                    events.c.store == store,
                    events.c.delivery_id.is_not(None),
                    events.c.topic.contains("."),  # order.created, customer.updated…: not a scheduler tick
                )
            ).scalar()
        )
        due = (events.c.store == store, events.c.status == queue.PENDING, events.c.available_at <= now)
        view.waiting = int(connection.execute(select(func.count()).where(*due)).scalar() or 0)
        oldest = as_utc(connection.execute(select(func.min(events.c.available_at)).where(*due)).scalar())
        view.oldest_wait = (now - oldest).total_seconds() if oldest else None
        view.today = _counts_since(connection, store, today)
        view.week = _counts_since(connection, store, today - timedelta(days=CHART_DAYS - 1))
        view.invoices_per_day = _invoices_per_day(connection, store, now)
        view.needs_person = int(
            connection.execute(
                select(func.count()).where(
                    outcomes.c.store == store, outcomes.c.status.in_((NEEDS_REVIEW, DEAD_LETTER))
                )
            ).scalar()
            or 0
        )
        view.dead_letters = int(
            connection.execute(
                select(func.count()).where(events.c.store == store, events.c.status == DEAD_LETTER)
            ).scalar()
            or 0
        )
        view.failing_jobs = _failing_jobs(connection, store, job_threshold)
        orders_cursor = connection.execute(
            select(cursors.c.value).where(cursors.c.store == store, cursors.c.stream == "orders")
        ).scalar()
        view.order_cursor = _cursor_time(orders_cursor)
        view.catalog = _catalog(connection, store, now)
    view.poll_lag = (now - view.last_poll).total_seconds() if view.last_poll else None
    return view


def ago(seconds: float | None) -> str:
    """`3 min ago`, `2 h 5 min ago`; `never` for None."""
    if seconds is None:
        return "never"
    s = int(max(0, seconds))
    if s < 60:
        return f"{s} s ago"
    if s < 3600:
        return f"{s // 60} min ago"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60} min ago"
    return f"{s // 86400} d {s % 86400 // 3600} h ago"
