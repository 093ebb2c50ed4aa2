"""The durable event queue on the `events` table: webhooks (and later polls and replays) become rows
that workers claim with a lease.

Life of an event: `Pending` → claimed (`Running`, `lease_owner`, `lease_until`, `attempts` + 1) →
`Succeeded`, `Skipped`, `NeedsReview`, `DeadLetter`, or back to `Pending` with a later
`available_at` (a retry). A Running event whose lease ran out (its worker died) is claimable again.
At most one event per object (store, kind, remote id) is Running at a time: the claim query skips
objects that are busy and a partial unique index (migration 0002) enforces it in the database.

`last_error` holds why an event ended as it did: the last error of a retry or dead letter, or the
reason of a Skipped / NeedsReview event ("reason: detail").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import and_, exists, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from woonext.clock import as_utc

from .db import StateDB
from .engine import write_transaction
from .models import DEAD_LETTER, NEEDS_REVIEW, SKIPPED, SUCCEEDED
from .tables import events

PENDING: Final = "Pending"
RUNNING: Final = "Running"
FINAL_STATUSES: Final = (SUCCEEDED, SKIPPED, NEEDS_REVIEW, DEAD_LETTER)
EVENT_STATUSES: Final = (PENDING, RUNNING, *FINAL_STATUSES)
MAX_KEY = 100  # the delivery_id column's width
# What workers process: an object to sync (order, customer, product, …), a scheduled job (remote_id =
# the job's name) or an ERPNext trigger (stock, price, …: runtime/jobs.py EVENT_HANDLERS). Rejected
# deliveries are recorded with kind "webhook" and are never claimed; every other kind is work, so a new
# trigger needs no change here.
REJECTED: Final = "webhook"
# The topic of an event a person queued (console or CLI) after fixing a cause: the worker reads the
# store's ERPNext masters afresh before it runs it.
RETRY_TOPIC: Final = "retry"


@dataclass(frozen=True)
class Event:
    id: int
    store: str
    kind: str
    remote_id: str
    topic: str
    delivery_id: str | None
    status: str
    attempts: int
    available_at: datetime
    lease_owner: str | None
    lease_until: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Enqueued:
    event_id: int
    created: bool
    why: str = ""  # when not created: "duplicate_delivery" or "merged" (a Pending event already covers it)


def _event(row: Any) -> Event:
    data = dict(row._mapping)
    for key in ("available_at", "lease_until", "created_at", "updated_at"):
        data[key] = as_utc(data[key])
    return Event(**data)


def _object(store: str, kind: str, remote_id: str) -> tuple[Any, ...]:
    return (events.c.store == store, events.c.kind == kind, events.c.remote_id == remote_id)


def enqueue(
    db: StateDB,
    store: str,
    kind: str,
    remote_id: str | int,
    topic: str,
    now: datetime,
    delivery_key: str | None = None,
    *,
    lock_wait_ms: int | None = None,
) -> Enqueued:
    """Record a trigger durably (committed when this returns).

    A `delivery_key` seen before is not queued again. When a Pending event for the same object is
    already waiting, no second row is added: its worker reads the object after this moment anyway.
    `lock_wait_ms`: see `write_transaction` (the webhook receiver spools instead of waiting longer)."""
    remote = str(remote_id)
    key = delivery_key[:MAX_KEY] if delivery_key else None
    try:
        with write_transaction(db.engine, lock_wait_ms) as connection:
            if key is not None:
                seen = connection.execute(select(events.c.id).where(events.c.delivery_id == key)).scalar()
                if seen is not None:
                    return Enqueued(int(seen), False, "duplicate_delivery")
            waiting = connection.execute(
                select(events.c.id)
                .where(*_object(store, kind, remote), events.c.status == PENDING)
                .order_by(events.c.id)
                .limit(1)
            ).scalar()
            if waiting is not None:
                return Enqueued(int(waiting), False, "merged")
            result = connection.execute(
                insert(events).values(
                    store=store,
                    kind=kind,
                    remote_id=remote,
                    topic=topic,
                    delivery_id=key,
                    status=PENDING,
                    attempts=0,
                    available_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
    except IntegrityError:  # the same delivery recorded concurrently
        with db.engine.connect() as connection:
            seen = connection.execute(select(events.c.id).where(events.c.delivery_id == key)).scalar()
        if seen is None:
            raise
        return Enqueued(int(seen), False, "duplicate_delivery")
    inserted = result.inserted_primary_key
    assert inserted is not None
    return Enqueued(int(inserted[0]), True)


def record_rejected(
    db: StateDB,
    store: str,
    topic: str,
    now: datetime,
    error: str,
    delivery_key: str | None = None,
    *,
    lock_wait_ms: int | None = None,
) -> int:
    """A signed delivery that could not be used (e.g. malformed JSON): kept as a NeedsReview event.
    With a `delivery_key` (a spooled delivery, store/spool.py) it is recorded once."""
    key = delivery_key[:MAX_KEY] if delivery_key else None
    with write_transaction(db.engine, lock_wait_ms) as connection:
        if key is not None:
            seen = connection.execute(select(events.c.id).where(events.c.delivery_id == key)).scalar()
            if seen is not None:
                return int(seen)
        result = connection.execute(
            insert(events).values(
                store=store,
                kind=REJECTED,
                remote_id="",
                topic=topic[:60],
                delivery_id=key,
                status=NEEDS_REVIEW,
                attempts=0,
                available_at=now,
                last_error=error,
                created_at=now,
                updated_at=now,
            )
        )
    inserted = result.inserted_primary_key
    assert inserted is not None
    return int(inserted[0])


def claim(
    db: StateDB, owner: str, now: datetime, lease_until: datetime, kinds: tuple[str, ...] | None = None
) -> Event | None:
    """Lease the next due event: a Pending one whose object no other event holds, or a Running one
    whose lease expired. Its `attempts` grows by one (a crash mid-way counts as an attempt)."""
    other = events.alias("other")
    busy = exists().where(
        other.c.store == events.c.store,
        other.c.kind == events.c.kind,
        other.c.remote_id == events.c.remote_id,
        other.c.status == RUNNING,
        other.c.id != events.c.id,
    )
    due = or_(
        and_(events.c.status == PENDING, events.c.available_at <= now, ~busy),
        and_(events.c.status == RUNNING, events.c.lease_until < now),
    )
    query = (
        select(events.c.id)
        .where(due, events.c.kind.in_(kinds) if kinds is not None else events.c.kind != REJECTED)
        .order_by(events.c.available_at, events.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    for _ in range(5):  # a concurrent claimer took the object first (unique index): look again
        try:
            with write_transaction(db.engine) as connection:
                event_id = connection.execute(query).scalar()
                if event_id is None:
                    return None
                connection.execute(
                    update(events)
                    .where(events.c.id == event_id)
                    .values(
                        status=RUNNING,
                        lease_owner=owner,
                        lease_until=lease_until,
                        attempts=events.c.attempts + 1,
                        updated_at=now,
                    )
                )
                row = connection.execute(select(events).where(events.c.id == event_id)).one()
            return _event(row)
        except IntegrityError:
            continue
    return None


def _held(event_id: int, owner: str) -> tuple[Any, ...]:
    return (events.c.id == event_id, events.c.status == RUNNING, events.c.lease_owner == owner)


def _change(db: StateDB, event_id: int, owner: str, **values: Any) -> bool:
    """Update an event this owner still holds; False when the lease was lost meanwhile."""
    with write_transaction(db.engine) as connection:
        result = connection.execute(update(events).where(*_held(event_id, owner)).values(**values))
    return bool(result.rowcount)


def extend_lease(db: StateDB, event_id: int, owner: str, lease_until: datetime, now: datetime) -> bool:
    return _change(db, event_id, owner, lease_until=lease_until, updated_at=now)


def finish(db: StateDB, event_id: int, owner: str, status: str, now: datetime, note: str | None = None) -> bool:
    if status not in FINAL_STATUSES:
        raise ValueError(f"{status!r} is not a final event status ({', '.join(FINAL_STATUSES)})")
    return _change(
        db, event_id, owner, status=status, last_error=note, lease_owner=None, lease_until=None, updated_at=now
    )


def retry_later(db: StateDB, event_id: int, owner: str, available_at: datetime, now: datetime, error: str) -> bool:
    return _change(
        db,
        event_id,
        owner,
        status=PENDING,
        available_at=available_at,
        last_error=error,
        lease_owner=None,
        lease_until=None,
        updated_at=now,
    )


def release(db: StateDB, event_id: int, owner: str, now: datetime) -> bool:
    """Give an event back untouched (shutdown): Pending, due now, the attempt not counted."""
    return _change(
        db,
        event_id,
        owner,
        status=PENDING,
        available_at=now,
        attempts=events.c.attempts - 1,
        lease_owner=None,
        lease_until=None,
        updated_at=now,
    )


def get(db: StateDB, event_id: int) -> Event | None:
    with db.engine.connect() as connection:
        row = connection.execute(select(events).where(events.c.id == event_id)).first()
    return _event(row) if row is not None else None


def list_events(
    db: StateDB, status: str | None = None, store: str | None = None, limit: int = 50, before: int | None = None
) -> list[Event]:
    """Newest first; with `before`, only events older than that id (the next page)."""
    query = select(events)
    if status is not None:
        query = query.where(events.c.status == status)
    if store is not None:
        query = query.where(events.c.store == store)
    if before is not None:
        query = query.where(events.c.id < before)
    with db.engine.connect() as connection:
        rows = connection.execute(query.order_by(events.c.id.desc()).limit(limit))
        return [_event(row) for row in rows]


def for_object(db: StateDB, store: str, kind: str, remote_id: str, limit: int = 100) -> list[Event]:
    """One object's events (its webhook deliveries, polls, retries, replays), newest first."""
    query = select(events).where(*_object(store, kind, remote_id)).order_by(events.c.id.desc()).limit(limit)
    with db.engine.connect() as connection:
        return [_event(row) for row in connection.execute(query)]


def counts(db: StateDB, store: str | None = None) -> dict[str, int]:
    query = select(events.c.status, func.count()).group_by(events.c.status)
    if store is not None:
        query = query.where(events.c.store == store)
    with db.engine.connect() as connection:
        return {status: int(n) for status, n in connection.execute(query)}


class RetryRefused(Exception):
    """The event cannot be retried (unknown, still queued or running, or not a sync event)."""


def retry(db: StateDB, event_id: int, now: datetime) -> Event:
    """Queue a finished event again: Pending, due now, attempts from zero."""
    with write_transaction(db.engine) as connection:
        row = connection.execute(select(events).where(events.c.id == event_id)).first()
        if row is None:
            raise RetryRefused(f"no event with id {event_id}")
        if row.status not in FINAL_STATUSES:
            raise RetryRefused(f"event {event_id} is {row.status}; only a finished event can be retried")
        if row.kind == REJECTED:
            raise RetryRefused(
                f"event {event_id} is a rejected {row.kind} delivery ({row.last_error}); there is nothing to retry"
            )
        connection.execute(
            update(events)
            .where(events.c.id == event_id)
            .values(status=PENDING, attempts=0, available_at=now, lease_owner=None, lease_until=None, updated_at=now)
        )
        fresh = connection.execute(select(events).where(events.c.id == event_id)).one()
    return _event(fresh)


def ping(db: StateDB) -> None:
    """Raises when the state database cannot be reached."""
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def retry_dead_letters(db: StateDB, now: datetime, store: str | None = None) -> list[int]:
    """Queue every DeadLetter event of a sync kind again; returns their ids."""
    where = [events.c.status == DEAD_LETTER, events.c.kind != REJECTED]
    if store is not None:
        where.append(events.c.store == store)
    with write_transaction(db.engine) as connection:
        ids = [int(i) for i in connection.execute(select(events.c.id).where(*where).order_by(events.c.id)).scalars()]
        if ids:
            connection.execute(
                update(events)
                .where(events.c.id.in_(ids))
                .values(
                    status=PENDING, attempts=0, available_at=now, lease_owner=None, lease_until=None, updated_at=now
                )
            )
    return ids
