"""The scheduler: each store's cron schedules (`[stores.schedules]`, evaluated in UTC) become job
events that the workers run.

A tick is queued with the key `tick:<store>:<job>:<tick time>` in the events table's unique
`delivery_id`, so however many scheduler processes run, each tick is queued once. Only the latest
tick due is queued, so after downtime a job runs once, not once per missed tick. While a job's
event is still waiting, a new tick merges into it; one job per store runs at a time (one Running
event per object). The alerts (`woonext.alerts`) are checked on every wake-up.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog
from croniter import croniter

from woonext import alerts
from woonext.clock import Clock
from woonext.config import Config, StoreConfig
from woonext.store import StateDB
from woonext.store import events as queue
from woonext.store.asyncdb import AsyncStateDB

log = structlog.get_logger(__name__)
JOBS = ("orders", "customers", "territories", "reconcile", "items", "stock", "prices", "prune", "writeback")
MAX_SLEEP = 30.0  # seconds; a changed clock or a missed wake-up costs at most this


@dataclass(frozen=True)
class Tick:
    store: str
    job: str
    at: datetime

    @property
    def key(self) -> str:
        return f"tick:{self.store}:{self.job}:{self.at.strftime('%Y-%m-%dT%H:%M')}"


def jobs_of(store: StoreConfig) -> tuple[str, ...]:
    """The store's scheduled jobs: the writeback sweep only where writeback is on (docs/writeback.md)."""
    return tuple(job for job in JOBS if job != "writeback" or store.writeback.enabled)


def latest_ticks(config: Config, now: datetime) -> list[Tick]:
    """For every store and job, the latest tick at or before `now`."""
    ticks = []
    for store in config.stores:
        for job in jobs_of(store):
            at = croniter(getattr(store.schedules, job), now).get_prev(datetime)
            if (
                croniter.match(getattr(store.schedules, job), now.replace(second=0, microsecond=0))
                and now.replace(second=0, microsecond=0) > at
            ):
                at = now.replace(second=0, microsecond=0)
            ticks.append(Tick(store.name, job, at))
    return ticks


def next_wakeup(config: Config, now: datetime) -> float:
    """Seconds until the next tick of any job (at most MAX_SLEEP)."""
    soonest = min(
        croniter(getattr(s.schedules, job), now).get_next(datetime) for s in config.stores for job in jobs_of(s)
    )
    return max(0.0, min(MAX_SLEEP, (soonest - now).total_seconds()))


def queue_due(config: Config, db: StateDB, now: datetime) -> list[Tick]:
    """Queue the latest due tick of every job; returns the ticks that became new events."""
    queued = []
    for tick in latest_ticks(config, now):
        result = queue.enqueue(db, tick.store, "job", tick.job, "schedule", now, delivery_key=tick.key)
        if result.created:
            queued.append(tick)
            log.info("job_queued", store=tick.store, job=tick.job, tick=tick.at.isoformat(), event_id=result.event_id)
    return queued


async def run_scheduler(
    config: Config,
    db: StateDB,
    stop: asyncio.Event,
    *,
    on_queued: Callable[[], None] | None = None,
    clock: Clock | None = None,
) -> None:
    """Queue due ticks until `stop` is set."""
    now = (clock or db.clock).now
    state = AsyncStateDB(db)
    log.info("scheduler_started", stores=[s.name for s in config.stores])
    while not stop.is_set():
        try:
            if await state.run(queue_due, config, db, now()) and on_queued is not None:
                on_queued()
        except Exception:  # the state DB hiccuped: try again at the next wake-up
            log.exception("scheduler_failed")
        if config.alerts.enabled:  # batched per store; the scheduler wakes at least every MAX_SLEEP
            try:
                await alerts.tick(config, db, now())
            except Exception:
                log.exception("alerts_failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=next_wakeup(config, now()) + 0.05)
    log.info("scheduler_stopped")
