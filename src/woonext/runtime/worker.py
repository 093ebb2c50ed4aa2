"""The event worker: claim an event with a lease, re-read its object over REST, run the one sync
path (`sync_order(ctx, order, Mode.LIVE)`), and give the event its final status. Scheduled jobs
(kind "job", see `scheduler.py`) run the same way: the order poll is `sync_orders_once`.

Outcomes: Succeeded, Skipped (reason), NeedsReview → final; a passing failure (a Failed order
result, a WooCommerce or ERPNext error, a bug) → Pending again after an exponential backoff with
jitter (at least the server's Retry-After), until `max_attempts` → DeadLetter with the last error.
While an event is processed its lease is extended; on shutdown a slot finishes its event, or
releases it when the grace period runs out.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from woonext.clock import Clock
from woonext.config import Config
from woonext.erpnext.errors import ErpError
from woonext.store import DEAD_LETTER, FAILED, NEEDS_REVIEW, SKIPPED, SUCCEEDED, StateDB
from woonext.store import events as queue
from woonext.store.asyncdb import AsyncStateDB
from woonext.sync.context import StoreContext, Transports, open_store
from woonext.sync.customer_sync import CUSTOMER_GONE, sync_customer_event
from woonext.sync.orders import Mode, sync_order
from woonext.sync.setup import NotReady, ensure_ready
from woonext.woo.errors import WooError

from .job_health import record_job
from .jobs import EVENT_HANDLERS, JOBS
from .metrics import ATTEMPTS

log = structlog.get_logger(__name__)
CUSTOMER_SKIP = CUSTOMER_GONE  # a customer event whose customer WooCommerce no longer has


@dataclass
class WorkerSettings:
    concurrency: int = 4
    lease_seconds: float = 60.0
    # 5 s, 10 s, … capped at 15 min: ten attempts span about 36 minutes of an outage before DeadLetter.
    max_attempts: int = 10
    backoff_base: float = 5.0  # seconds before the 2nd attempt (×[0.5, 1.5) jitter); doubles each time
    backoff_cap: float = 900.0
    poll_interval: float = 1.0  # idle wait when the queue is empty (a new webhook wakes the worker earlier)
    grace_seconds: float = 20.0  # on shutdown, how long in-flight events may take before they are released


@dataclass
class Verdict:
    """What became of one attempt: a final status, or `retry` with the error."""

    status: str
    note: str = ""
    retry_after: float | None = None

    @property
    def retry(self) -> bool:
        return self.status == FAILED


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{random.randrange(16**6):06x}"


@dataclass
class Worker:
    config: Config
    db: StateDB
    transports: Transports | None = None
    settings: WorkerSettings = field(default_factory=WorkerSettings)
    owner: str = field(default_factory=default_owner)
    clock: Clock | None = None  # default: the state DB's clock (woonext/clock.py)
    random: Callable[[], float] = random.random  # jitter source in [0, 1)
    _contexts: dict[str, StoreContext] = field(default_factory=dict, repr=False)
    _wake: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    state: AsyncStateDB = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.state = AsyncStateDB(self.db)  # every state-DB call of the worker goes through here

    def now(self) -> datetime:
        return (self.clock or self.db.clock).now()

    # -- lifecycle ----------------------------------------------------------------------------

    def context(self, store: str) -> StoreContext | None:
        if store not in self._contexts:
            try:
                store_config = self.config.store(store)
            except KeyError:
                return None
            self._contexts[store] = open_store(self.config, store_config, self.db, self.transports)
        return self._contexts[store]

    async def aclose(self) -> None:
        for ctx in self._contexts.values():
            await ctx.aclose()
        self._contexts.clear()

    def notify(self) -> None:
        """Something was queued: idle slots look again now."""
        self._wake.set()

    # -- one event ----------------------------------------------------------------------------

    def _lease_end(self) -> datetime:
        return self.now() + timedelta(seconds=self.settings.lease_seconds)

    # The lease runs from when the database takes the write, not from when we asked: a call that
    # waited for another process's lock must not start with a lease already partly spent.
    def _claim(self) -> queue.Event | None:
        return queue.claim(self.db, self.owner, self.now(), self._lease_end())

    def _extend(self, event_id: int) -> bool:
        return queue.extend_lease(self.db, event_id, self.owner, self._lease_end(), self.now())

    async def run_once(self) -> queue.Event | None:
        """Claim one due event and process it to its next status; None when nothing is due."""
        event = await self.state.run(self._claim)
        if event is None:
            return None
        await self.process(event)
        return await self.state.get_event(event.id)

    async def process(self, event: queue.Event) -> None:
        if event.attempts > self.settings.max_attempts:  # its workers kept dying before recording anything
            await self._settle(
                event,
                Verdict(
                    DEAD_LETTER, event.last_error or f"lease expired {event.attempts - 1} times (a worker crashed?)"
                ),
            )
            return
        heartbeat = asyncio.create_task(self._heartbeat(event))
        try:
            verdict = await self.handle(event)
        except asyncio.CancelledError:
            await self.state.release(event.id, self.owner, self.now())
            log.info("event_released", event_id=event.id)
            raise
        finally:
            heartbeat.cancel()
        await self._settle(event, verdict)

    async def _heartbeat(self, event: queue.Event) -> None:
        while True:
            await asyncio.sleep(self.settings.lease_seconds / 3)
            if not await self.state.run(self._extend, event.id):
                log.warning("event_lease_lost", event_id=event.id)
                return

    async def handle(self, event: queue.Event) -> Verdict:
        """Run one attempt; never raises for the event's own problems."""
        if event.kind not in ("order", "job", "customer") and event.kind not in EVENT_HANDLERS:
            return Verdict(DEAD_LETTER, f"unknown event kind {event.kind!r}")
        ctx = self.context(event.store)
        if ctx is None:
            return Verdict(DEAD_LETTER, f"store {event.store!r} is not in the configuration")
        if event.topic == queue.RETRY_TOPIC:  # queued by a person after a fix, probably in ERPNext
            ctx.cache.forget_masters()
        try:
            if event.kind == "job":
                return await self.run_job(ctx, event.remote_id)
            if event.kind in EVENT_HANDLERS:  # product webhooks, ERPNext triggers (runtime/jobs.py)
                status, note = await EVENT_HANDLERS[event.kind](ctx, event.remote_id)
                return Verdict(status, note)
            await ensure_ready(ctx)  # once per context: another ERPNext site or store is refused here too
            if event.kind == "customer":  # customer.created/updated: re-read over REST, same path as the customer sync
                status, note = await sync_customer_event(ctx, event.remote_id)
                return Verdict(status, note)
            order = await ctx.woo.get_order(event.remote_id)
            if order is None:
                return Verdict(SKIPPED, f"order_not_found: WooCommerce has no order {event.remote_id} (deleted)")
            result = await sync_order(ctx, order, Mode.LIVE)
        except NotReady as exc:  # set-up missing, or the state belongs to another site: retried until fixed
            return Verdict(FAILED, f"not_ready: {exc}")
        except WooError as exc:
            return Verdict(FAILED, f"woocommerce_{exc.code}: {exc}", exc.retry_after)
        except ErpError as exc:  # permanent (credentials, permissions): retried until fixed or dead-lettered
            return Verdict(FAILED, f"erpnext_{exc.exc_type or exc.status}: {exc}", exc.retry_after)
        except Exception as exc:  # a bug costs this attempt, not the worker
            log.exception("event_crashed", event_id=event.id)
            return Verdict(FAILED, f"internal_error: {type(exc).__name__}: {exc}")
        note = f"{result.reason}: {result.detail}" if result.detail else result.reason
        if result.status in (SUCCEEDED, SKIPPED, NEEDS_REVIEW):
            return Verdict(result.status, "" if result.status == SUCCEEDED else note)
        return Verdict(FAILED, note, result.retry_after)

    async def run_job(self, ctx: StoreContext, job: str) -> Verdict:
        """A scheduled job (`runtime/jobs.py`); the order poll goes through the same `sync_order` path as webhooks."""
        run = JOBS.get(job)
        if run is None:
            return Verdict(DEAD_LETTER, f"unknown job {job!r} (known: {', '.join(JOBS)})")
        return Verdict(SUCCEEDED, await run(ctx))

    def backoff(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds before the next attempt after `attempts` failed ones: base·2^(n-1), capped, ×[0.5, 1.5)."""
        s = self.settings
        delay = min(s.backoff_cap, s.backoff_base * 2 ** max(0, attempts - 1)) * (0.5 + self.random())
        return max(delay, retry_after or 0.0)

    async def _settle(self, event: queue.Event, verdict: Verdict) -> None:
        now = self.now()
        if verdict.retry and event.attempts >= self.settings.max_attempts:
            verdict = Verdict(DEAD_LETTER, f"gave up after {event.attempts} attempts; last error: {verdict.note}")
        if verdict.retry:
            at = now + timedelta(seconds=self.backoff(event.attempts, verdict.retry_after))
            held = await self.state.retry_later(event.id, self.owner, at, now, verdict.note)
        else:
            held = await self.state.finish(event.id, self.owner, verdict.status, now, verdict.note or None)
            if verdict.status == DEAD_LETTER and event.kind == "order":
                await self.state.record_outcome(
                    event.store,
                    "order",
                    event.remote_id,
                    DEAD_LETTER,
                    "dead_letter",
                    verdict.note,
                    f"fix the cause, then `woonext events retry {event.id}`",
                )
        if event.kind == "job":  # every attempt, so a job that keeps failing shows in status and /metrics
            ok = verdict.status == SUCCEEDED
            await self.state.run(record_job, self.db, event.store, event.remote_id, ok, verdict.note)
        ATTEMPTS.labels(event.kind, "retry" if verdict.retry else verdict.status).inc()
        if not held:
            log.warning("event_lease_lost", event_id=event.id, status=verdict.status)
        log.info(
            "event_done",
            event_id=event.id,
            store=event.store,
            kind=event.kind,
            remote_id=event.remote_id,
            status="retry" if verdict.retry else verdict.status,
            attempts=event.attempts,
        )

    # -- the loop -----------------------------------------------------------------------------

    async def _slot(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                done = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the state DB hiccuped: wait and go on
                log.exception("worker_claim_failed")
                done = None
            if done is None and not stop.is_set():
                self._wake.clear()
                waits = [asyncio.create_task(stop.wait()), asyncio.create_task(self._wake.wait())]
                await asyncio.wait(waits, timeout=self.settings.poll_interval, return_when=asyncio.FIRST_COMPLETED)
                for task in waits:
                    task.cancel()

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set; then let in-flight events finish within the grace period, or
        release them (they are claimable again at once)."""
        slots = [asyncio.create_task(self._slot(stop)) for _ in range(max(1, self.settings.concurrency))]
        log.info("worker_started", owner=self.owner, concurrency=len(slots))
        try:
            await stop.wait()
            _, pending = await asyncio.wait(slots, timeout=self.settings.grace_seconds)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        finally:
            for task in slots:
                task.cancel()
            await asyncio.gather(*slots, return_exceptions=True)
            await self.aclose()
            log.info("worker_stopped", owner=self.owner)
