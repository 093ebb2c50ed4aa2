"""Bounded state: finished events are kept `retention_days`, then pruned (the `prune` job,
`woonext events prune`).

Only Succeeded and Skipped events go: a NeedsReview or DeadLetter event stays until it is resolved
(retried, it becomes Pending and finishes again), Pending and Running ones are live work. An event
row is all there is of a trigger (a webhook body is never stored, the worker re-reads the object), so
deleting the row leaves nothing behind. What an order became stays in `bindings` and `outcomes`,
which are one row per object, not per trigger.

Deletion goes in batches, each its own short transaction, so a first prune of a large backlog never
holds SQLite's write lock for long: webhooks and workers write in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import ColumnElement, Select, delete, func, select

from .db import StateDB
from .engine import write_transaction
from .events import PENDING, RUNNING
from .models import DEAD_LETTER, NEEDS_REVIEW, SKIPPED, SUCCEEDED
from .tables import events

PRUNABLE: Final = (SUCCEEDED, SKIPPED)
OPEN: Final = (PENDING, RUNNING, NEEDS_REVIEW, DEAD_LETTER)  # work waiting or running, or for a person
BATCH: Final = 5000
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
    removed = 0
    while True:
        ids = batch_ids(store, before, batch).scalar_subquery()
        with write_transaction(db.engine) as connection:
            deleted = connection.execute(delete(events).where(events.c.id.in_(ids))).rowcount
        removed += deleted
        if deleted < batch:
            return removed


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


def batch_ids(store: str, before: datetime, batch: int) -> Select[tuple[int]]:
    """The ids of one batch to prune. No ORDER BY: the first ones in the index's order, without
    sorting all that match (a first prune may face a million)."""
    return select(events.c.id).where(*_prunable(store, before)).limit(batch)


def _prunable(store: str, before: datetime) -> tuple[ColumnElement[bool], ...]:
    # Matches the index of migration 0003 (store, status, updated_at): a range per status.
    return (events.c.store == store, events.c.status.in_(PRUNABLE), events.c.updated_at < before)


def counts_by_store(db: StateDB, store: str | None = None) -> dict[str, dict[str, int]]:
    """Events kept per store and status (for `woonext status`)."""
    query = select(events.c.store, events.c.status, func.count()).group_by(events.c.store, events.c.status)
    if store is not None:
        query = query.where(events.c.store == store)
    result: dict[str, dict[str, int]] = {}
    with db.engine.connect() as connection:
        for name, status, count in connection.execute(query):
            result.setdefault(name, {})[status] = int(count)
    return result
