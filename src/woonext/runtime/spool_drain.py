"""Moves spooled webhook deliveries (store/spool.py) into the events table once the state DB's
write lock is free; runs beside the web app for its whole life (`web.create_app`).

It drains at start (what a stopped or crashed receiver left), when the receiver spools something,
and every `interval` seconds while files remain (a lock still held, another process's spool).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog
from sqlalchemy.exc import OperationalError

from woonext.store.asyncdb import AsyncStateDB
from woonext.store.spool import Spool

log = structlog.get_logger(__name__)


class SpoolDrainer:
    def __init__(
        self,
        state: AsyncStateDB,
        spool: Spool,
        on_enqueued: Callable[[], None] | None = None,
        interval: float = 1.0,
    ) -> None:
        self.state, self.spool, self.on_enqueued, self.interval = state, spool, on_enqueued, interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def drain_once(self) -> int:
        """One pass; returns the number of new events (0 when the database is still busy)."""
        if not await self.state.run(self.spool.pending_files):
            return 0
        try:
            created = await self.state.run(self.spool.drain, self.state.db)
        except OperationalError as exc:  # still locked past the busy timeout, or unreachable: next pass
            log.warning("webhook_spool_waiting", error=str(exc.orig or exc)[:200])
            return 0
        if created:
            log.info("webhook_spool_drained", events=created)
            if self.on_enqueued is not None:
                self.on_enqueued()
        return created

    async def run(self, stop: asyncio.Event) -> None:
        while True:
            try:
                await self.drain_once()
            except Exception:  # a bug or a disk error must not end the receiver's life: try again
                log.exception("webhook_spool_drain_failed")
            if stop.is_set():
                return
            self._wake.clear()
            waits = [asyncio.create_task(stop.wait()), asyncio.create_task(self._wake.wait())]
            await asyncio.wait(waits, timeout=self.interval, return_when=asyncio.FIRST_COMPLETED)
            for task in waits:
                task.cancel()
