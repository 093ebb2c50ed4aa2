"""Recording a verified webhook delivery durably, within a second whatever the state DB does.

First choice: the event row, waiting at most `LOCK_WAIT_MS` for the write lock. When another
process holds the lock longer (a CLI command, a backup, a migration of another worker), the
delivery goes to the spool beside the database (store/spool.py): one fsync'd line, then the 200.
The drainer (runtime/spool_drain.py) turns it into the event row when the lock frees; the delivery
key makes that once only. Without a spool (PostgreSQL, whose inserts take no table lock) the
insert waits as long as it must.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.exc import OperationalError

from woonext.store import StateDB
from woonext.store.asyncdb import AsyncStateDB
from woonext.store.spool import Delivery, Spool, new_key, spool_dir

from .spool_drain import SpoolDrainer

log = structlog.get_logger(__name__)
# Long enough for the service's own writes (milliseconds each), short enough that a spooled answer
# (this wait + one fsync) stays far under a second.
LOCK_WAIT_MS = 250


@dataclass(frozen=True)
class Recorded:
    event_id: int | None  # None: spooled, the event row comes when the lock frees
    created: bool
    why: str = ""  # not created: "duplicate_delivery" or "merged" (events.Enqueued)

    @property
    def spooled(self) -> bool:
        return self.event_id is None


class Receiver:
    def __init__(self, db: StateDB, now: Callable[[], datetime], on_enqueued: Callable[[], None] | None = None) -> None:
        self.state = AsyncStateDB(db, lane="web")
        self.now = now
        directory = spool_dir(db)
        self.spool = Spool(directory) if directory is not None else None
        self.drainer = (
            SpoolDrainer(AsyncStateDB(db, lane="spool"), self.spool, on_enqueued) if self.spool is not None else None
        )
        self.lock_wait_ms = LOCK_WAIT_MS if self.spool is not None else None

    async def queue(self, store: str, kind: str, remote_id: str | int, topic: str, key: str | None) -> Recorded:
        """An event for `kind` `remote_id` (see `events.enqueue` for duplicates and merging)."""
        now = self.now()
        try:
            result = await self.state.enqueue(store, kind, remote_id, topic, now, key, lock_wait_ms=self.lock_wait_ms)
        except OperationalError as exc:
            await self._spool(exc, Delivery(store, topic, now.isoformat(), key or new_key(), kind, str(remote_id)))
            return Recorded(None, True)
        return Recorded(result.event_id, result.created, result.why)

    async def reject(self, store: str, topic: str, error: str) -> Recorded:
        """A signed delivery that could not be used: a NeedsReview event (`events.record_rejected`)."""
        now = self.now()
        try:
            event_id = await self.state.record_rejected(store, topic, now, error, lock_wait_ms=self.lock_wait_ms)
        except OperationalError as exc:
            await self._spool(exc, Delivery(store, topic[:60], now.isoformat(), new_key(), rejected=error))
            return Recorded(None, True)
        return Recorded(event_id, True)

    async def _spool(self, exc: OperationalError, delivery: Delivery) -> None:
        if self.spool is None or self.drainer is None:
            raise exc
        await self.state.run(self.spool.append, delivery)
        log.info("webhook_spooled", store=delivery.store, topic=delivery.topic, why=str(exc.orig or exc)[:120])
        self.drainer.wake()
