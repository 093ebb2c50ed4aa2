"""The scheduler: each tick queued once however many schedulers run, one run after downtime, and the
order poll job running through the worker."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.runtime.helpers import ready_world
from tests.sync.world import make_world
from woonext.runtime.scheduler import latest_ticks, next_wakeup, queue_due, run_scheduler
from woonext.runtime.worker import Worker
from woonext.store import SUCCEEDED
from woonext.store import events as queue


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 11, 25, hour, minute, second, tzinfo=UTC)


def jobs(ticks: list) -> dict[str, datetime]:  # type: ignore[type-arg]
    return {t.job: t.at for t in ticks}


def finish_all(world, now: datetime) -> None:  # type: ignore[no-untyped-def]
    while (event := queue.claim(world.db, "t", now, now + timedelta(seconds=60))) is not None:
        queue.finish(world.db, event.id, "t", SUCCEEDED, now)


def test_latest_ticks_follow_the_default_cron_expressions(tmp_path: Path) -> None:
    config = make_world(tmp_path, []).config
    assert jobs(latest_ticks(config, at(6, 3, 10))) == {
        "orders": at(6, 2),
        "customers": at(6, 0),
        "territories": at(6, 0),
        "reconcile": at(6, 0),
        "items": at(6, 0),
        "stock": at(6, 0),
        "prices": at(6, 0),
    }
    assert jobs(latest_ticks(config, at(6, 4)))["orders"] == at(6, 4)  # exactly on a tick
    assert next_wakeup(config, at(6, 3, 40)) == 20.0
    assert next_wakeup(config, at(6, 2, 0)) == 30.0  # capped


async def test_each_tick_is_queued_once_across_schedulers_and_once_after_downtime(tmp_path: Path) -> None:
    world = make_world(tmp_path, [])
    racing = await asyncio.gather(
        *(asyncio.to_thread(queue_due, world.config, world.db, at(6, 3, 10)) for _ in range(4))
    )
    assert sorted(t.job for ticks in racing for t in ticks) == [
        "customers",
        "items",
        "orders",
        "prices",
        "reconcile",
        "stock",
        "territories",
    ]
    assert queue_due(world.config, world.db, at(6, 3, 50)) == []
    assert queue_due(world.config, world.db, at(6, 4, 1)) == []  # the 06:02 poll still waits: the tick merges
    finish_all(world, at(6, 4, 2))
    assert [t.job for t in queue_due(world.config, world.db, at(6, 4, 3))] == ["orders"]
    finish_all(world, at(6, 4, 4))
    after_downtime = queue_due(world.config, world.db, at(9, 17))  # down from 06:04 to 09:17
    assert jobs(after_downtime) == {
        "orders": at(9, 16),
        "customers": at(9, 15),
        "reconcile": at(9, 0),
        "items": at(9, 0),
        "stock": at(9, 10),
        "prices": at(9, 10),
    }
    assert len(queue.list_events(world.db, limit=100)) == 14


async def test_every_scheduled_job_runs_through_the_worker(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    world.db.set_cursor("main", "orders", {"modified_gmt": "2026-11-25T04:00:00", "id": 0})
    stop = asyncio.Event()
    world.clock.set(at(6, 3, 10))
    scheduler = asyncio.create_task(run_scheduler(world.config, world.db, stop))
    for _ in range(200):
        if len(queue.list_events(world.db)) == 7:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(scheduler, 5)
    worker = Worker(world.config, world.db, world.transports())
    done = {}
    while (event := await worker.run_once()) is not None:
        done[event.remote_id] = event
    await worker.aclose()
    assert done["orders"].status == SUCCEEDED and "4 invoiced" in (done["orders"].last_error or "")
    assert sorted(i["woo_order_id"] for i in world.invoices()) == ["15", "16", "18", "20"]
    others = ("customers", "territories", "reconcile", "items", "stock", "prices")
    assert {job: done[job].status for job in others} == dict.fromkeys(others, SUCCEEDED)
    for job in others:
        assert done[job].last_error, f"the {job} job left no summary"
