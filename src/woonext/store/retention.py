"""Bounded state: finished events are kept `retention_days`, then pruned (the `prune` job,
`woonext events prune`).

Only Succeeded and Skipped events go: a NeedsReview or DeadLetter event stays until it is resolved
(retried, it becomes Pending and finishes again), Pending and Running ones are live work. An event
row is all there is of a trigger (a webhook body is never stored, the worker re-reads the object), so
deleting the row leaves nothing behind. What an order became stays in `bindings` and `outcomes`,
which are one row per object, not per trigger.

Deletion goes in batches, each its own short transaction, so a first prune of a large backlog never
holds SQLite's write lock for long; on SQLite it pauses between batches, longer than a waiting
writer's busy-retry sleep (SQLite gives no turn to waiters: without the pause, a webhook's insert
could lose every race to the next batch until the whole prune is done).

What `woonext status` reads is bounded too: the open events (by index range, as `/metrics` does)
and the oldest finished event kept (one index seek per status), never a count of the finished ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import ColumnElement, Select, delete, func, select

from .db import StateDB
from .engine import write_transaction
from .events import PENDING, RUNNING
from .models import DEAD_LETTER, NEEDS_REVIEW, SKIPPED, SUCCEEDED
from .tables import events

PRUNABLE: Final = (SUCCEEDED, SKIPPED)
OPEN: Final = (PENDING, RUNNING, NEEDS_REVIEW, DEAD_LETTER)  # work waiting or running, or for a person
BATCH: Final = 2000  # rows per transaction: a batch holds the SQLite write lock for about 0.1 s
SQLITE_PAUSE_SECONDS: Final = 0.12  # longer than SQLite's longest busy-handler sleep (100 ms)
CHECKPOINT: Final = "prune"  # the checkpoint (per store) where the last prune is recorded


@dataclass(frozen=True)
class PruneReport:
    store: str
    removed: int
    before: datetime  # events last changed before this moment were pruned
    at: datetime

    def summary(self) -> str:
        return f"{self.removed} finished event(s) older than {self.before.isoformat(timespec='seconds')} pruned"


def cutoff(now: datetime, retention_days: int) -> datetime:
    return now - timedelta(days=retention_days)


def prunable(db: StateDB, store: str, before: datetime) -> int:
    """How many of the store's events a prune at `before` would remove (for a dry run)."""
    query = select(func.count()).where(*_prunable(store, before))
    with db.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def prune(db: StateDB, store: str, before: datetime, batch: int = BATCH) -> int:
    """Delete the store's Succeeded and Skipped events last changed before `before`; returns how many."""
    pause = SQLITE_PAUSE_SECONDS if db.engine.dialect.name == "sqlite" else 0.0
    removed = 0
    while True:
        ids = batch_ids(store, before, batch).scalar_subquery()
        with write_transaction(db.engine) as connection:
            deleted = connection.execute(delete(events).where(events.c.id.in_(ids))).rowcount
        removed += deleted
        if deleted < batch:
            return removed
        time.sleep(pause)  # a pause between batches (not a date: the one clock is not involved)


def prune_store(db: StateDB, store: str, retention_days: int) -> PruneReport:
    """The prune job's work for one store; the result is recorded for `woonext status`."""
    now = db.clock.now()
    before = cutoff(now, retention_days)
    report = PruneReport(store, prune(db, store, before), before, now)
    db.set_checkpoint(
        store,
        CHECKPOINT,
        {"at": report.at.isoformat(), "removed": report.removed, "before": report.before.isoformat()},
    )
    return report


def batch_ids(store: str, before: datetime, batch: int) -> Select[int]:
    """The ids of one batch to prune. No ORDER BY: the first ones in the index's order, without
    sorting all that match (a first prune may face a million)."""
    return select(events.c.id).where(*_prunable(store, before)).limit(batch)


def _prunable(store: str, before: datetime) -> tuple[ColumnElement[bool], ...]:
    # Matches the index of migration 0003 (store, status, updated_at): a range per status.
    return (events.c.store == store, events.c.status.in_(PRUNABLE), events.c.updated_at < before)


def open_counts_query() -> Select[str, str, int]:
    """Open events (Pending, Running, NeedsReview, DeadLetter) by store and status: an index range
    whose size is the work waiting, whatever the number of finished events kept."""
    return (
        select(events.c.store, events.c.status, func.count())
        .where(events.c.status.in_(OPEN))
        .group_by(events.c.status, events.c.store)
    )


def open_counts(db: StateDB, store: str | None = None) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    with db.engine.connect() as connection:
        for name, status, count in connection.execute(open_counts_query()):
            if store in (None, name):
                result.setdefault(name, {})[status] = int(count)
    return result


def oldest_finished(db: StateDB, store: str) -> datetime | None:
    """When the oldest Succeeded or Skipped event kept last changed (None when none is kept)."""
    oldest: list[datetime] = []
    with db.engine.connect() as connection:
        for status in PRUNABLE:
            value = connection.execute(oldest_query(status, store)).scalar()
            if value is not None:
                oldest.append(value if value.tzinfo else value.replace(tzinfo=UTC))
    return min(oldest, default=None)


def oldest_query(status: str, store: str) -> Select[datetime]:
    """One index seek on (status, store, updated_at)."""
    return select(func.min(events.c.updated_at)).where(events.c.status == status, events.c.store == store)
