"""The worker end to end: webhooks delivered by the WooCommerce simulator become exactly one invoice;
leases, one claim per order, retries with backoff, dead letters, release on shutdown."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from tests.runtime.helpers import SECRET, ready_world
from tests.sync.world import World, make_world
from woonext.runtime.metrics import PROCESS
from woonext.runtime.web import create_app
from woonext.runtime.worker import CUSTOMER_SKIP, Worker, WorkerSettings
from woonext.sim.clock import SimClock
from woonext.store import DEAD_LETTER, SKIPPED, SUCCEEDED
from woonext.store import events as queue
from woonext.store.tables import events

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
HOOK = "http://woonext.test/webhooks/woocommerce/main"


def new_order(world: World) -> dict[str, Any]:
    product = world.woo.add_product("Egyptian Cotton T-Shirt", sku="TSHIRT-EG-001", price="450.00")
    return world.woo.create_order(
        {
            "line_items": [{"product_id": product["id"], "quantity": 2}],
            "payment_method": "cod",
            "payment_method_title": "Cash on delivery",
            "status": "processing",
            "billing": {"first_name": "Mona", "last_name": "Adel", "email": "mona@example.test", "country": "EG"},
        },
        created_via="checkout",
    )


def wire(world: World, topics: tuple[str, ...] = ("order.created", "order.updated")) -> Worker:
    worker = Worker(world.config, world.db, world.transports())
    world.woo.webhook_transport = httpx.ASGITransport(app=create_app(world.config, world.db, on_enqueued=worker.notify))
    for topic in topics:
        world.woo.add_webhook(topic, HOOK, SECRET)
    return worker


async def drain(worker: Worker) -> list[queue.Event]:
    done = []
    while (event := await worker.run_once()) is not None:
        done.append(event)
    return done


async def test_a_new_order_delivered_by_webhook_becomes_exactly_one_invoice(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    worker = wire(world)
    order = new_order(world)
    deliveries = await world.woo.run_webhooks()
    assert [d.status_code for d in deliveries] == [200, 200]
    assert {d.topic for d in deliveries} == {"order.created", "order.updated"}
    [event] = queue.list_events(world.db)  # the second delivery merged into the waiting event
    done = await drain(worker)
    assert [(e.id, e.status) for e in done] == [(event.id, SUCCEEDED)]
    [invoice] = world.invoices(woo_order_id=str(order["id"]))
    assert (invoice["docstatus"], invoice["grand_total"]) == (1, 900.0)
    await worker.aclose()


async def test_duplicate_and_out_of_order_deliveries_still_make_one_invoice(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    worker = wire(world)
    order = new_order(world)
    world.woo.update_order(order["id"], {"customer_note": "ring twice"})
    deliveries = await world.woo.run_webhooks(order="lifo", times=3)
    assert len(deliveries) == 6 and all(d.status_code == 200 for d in deliveries)
    await drain(worker)
    world.woo.update_order(order["id"], {"customer_note": "ring three times"})
    await world.woo.run_webhooks(times=2)
    await drain(worker)
    assert len(world.invoices(woo_order_id=str(order["id"]))) == 1
    statuses = {e.status for e in queue.list_events(world.db)}
    assert statuses <= {SUCCEEDED, SKIPPED}
    await worker.aclose()


async def test_an_expired_lease_comes_back_and_a_busy_order_is_never_claimed_twice(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    db = world.db
    first = queue.enqueue(db, "main", "order", 15, "order.created", T0)
    crashed = queue.claim(db, "worker-a", T0, T0 + timedelta(seconds=60))
    assert crashed is not None and crashed.id == first.event_id and crashed.attempts == 1
    second = queue.enqueue(db, "main", "order", 15, "order.updated", T0 + timedelta(seconds=1))
    assert second.created  # the first is Running: a new trigger needs its own row
    other = queue.enqueue(db, "main", "order", 16, "order.created", T0 + timedelta(seconds=2))
    free = queue.claim(db, "worker-b", T0 + timedelta(seconds=30), T0 + timedelta(seconds=90))
    assert free is not None and free.id == other.event_id  # order 15 is held: its second event waits
    assert queue.claim(db, "worker-c", T0 + timedelta(seconds=30), T0 + timedelta(seconds=90)) is None
    back = queue.claim(db, "worker-b", T0 + timedelta(seconds=61), T0 + timedelta(seconds=121))
    assert back is not None and (back.id, back.lease_owner, back.attempts) == (first.event_id, "worker-b", 2)
    assert not queue.finish(db, first.event_id, "worker-a", SUCCEEDED, T0)  # the old owner lost it
    assert queue.finish(db, first.event_id, "worker-b", SUCCEEDED, T0 + timedelta(seconds=62))
    nxt = queue.claim(db, "worker-b", T0 + timedelta(seconds=63), T0 + timedelta(seconds=123))
    assert nxt is not None and nxt.id == second.event_id


async def test_retries_back_off_and_end_in_dead_letter_with_the_last_error(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    broken = world.config.model_copy(deep=True)
    broken.erpnext.api_secret = type(broken.erpnext.api_secret)("wrong-secret")
    clock = SimClock(T0)
    worker = Worker(
        broken,
        world.db,
        world.transports(),
        WorkerSettings(max_attempts=3, backoff_base=2.0),
        clock=clock,
        random=lambda: 0.5,
    )
    event = queue.enqueue(world.db, "main", "order", 15, "order.created", T0)
    counted = {
        r: PROCESS.get_sample_value("woonext_event_attempts_total", {"kind": "order", "result": r}) or 0
        for r in ("retry", DEAD_LETTER)
    }
    waits = []
    for _ in range(2):
        after = await worker.run_once()
        assert after is not None and after.status == queue.PENDING and "AuthenticationError" in (after.last_error or "")
        waits.append((after.available_at - clock.now()).total_seconds())
        assert await worker.run_once() is None  # not due yet
        clock.set(after.available_at)
    assert waits == [2.0, 4.0]
    dead = await worker.run_once()
    assert dead is not None and dead.id == event.event_id and dead.status == DEAD_LETTER
    assert (
        dead.last_error
        and dead.last_error.startswith("gave up after 3 attempts")
        and "Authentication" in dead.last_error
    )
    outcome = world.db.outcome("main", "order", 15)
    assert outcome is not None and outcome.status == DEAD_LETTER
    assert {
        r: PROCESS.get_sample_value("woonext_event_attempts_total", {"kind": "order", "result": r}) - n
        for r, n in counted.items()
    } == {"retry": 2, DEAD_LETTER: 1}
    await worker.aclose()

    fixed = Worker(world.config, world.db, world.transports(), clock=clock)
    queue.retry(world.db, event.event_id, clock.now())
    again = await fixed.run_once()
    assert again is not None and again.status == SUCCEEDED and len(world.invoices(woo_order_id="15")) == 1
    await fixed.aclose()


def test_backoff_grows_with_jitter_and_honours_retry_after(tmp_path: Path) -> None:
    settings = WorkerSettings(backoff_base=2.0, backoff_cap=60.0)
    low = Worker.__new__(Worker)
    low.settings, low.random = settings, (lambda: 0.0)
    high = Worker.__new__(Worker)
    high.settings, high.random = settings, (lambda: 0.999)
    assert [low.backoff(n) for n in (1, 2, 3, 10)] == [1.0, 2.0, 4.0, 30.0]
    assert 59.9 < high.backoff(10) < 60.0 * 1.5
    assert low.backoff(1, retry_after=45.0) == 45.0


async def test_deleted_order_and_customer_events_are_skipped_with_a_reason(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    worker = Worker(world.config, world.db, world.transports())
    missing = queue.enqueue(world.db, "main", "order", 9999, "order.deleted", world.clock.now())
    customer = queue.enqueue(world.db, "main", "customer", 7, "customer.created", world.clock.now())
    done = {e.id: e for e in await drain(worker)}
    assert done[missing.event_id].status == SKIPPED and "order_not_found" in (done[missing.event_id].last_error or "")
    assert (done[customer.event_id].status, done[customer.event_id].last_error) == (SKIPPED, CUSTOMER_SKIP)
    await worker.aclose()


async def test_shutdown_releases_an_event_that_does_not_finish_in_the_grace_period(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    started = asyncio.Event()

    class Slow(Worker):
        async def handle(self, event: queue.Event) -> Any:
            started.set()
            await asyncio.sleep(30)

    worker = Slow(world.config, world.db, world.transports(), WorkerSettings(concurrency=1, grace_seconds=0.05))
    event = queue.enqueue(world.db, "main", "order", 15, "order.created", world.clock.now())
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await asyncio.wait_for(started.wait(), 5)
    stop.set()
    await asyncio.wait_for(task, 5)
    back = queue.get(world.db, event.event_id)
    assert back is not None and (back.status, back.lease_owner, back.attempts) == (queue.PENDING, None, 0)


async def test_the_worker_loop_processes_what_the_webhook_queues(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    worker = wire(world)
    worker.settings.poll_interval = 5.0  # only the webhook's wake-up can make this fast
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    order = new_order(world)
    await world.woo.run_webhooks()
    for _ in range(200):
        if world.invoices(woo_order_id=str(order["id"])):
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert len(world.invoices(woo_order_id=str(order["id"]))) == 1


async def test_two_workers_racing_never_hold_one_order_at_once_and_make_one_invoice_each(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    holding: set[str] = set()
    overlaps: list[str] = []

    class Watched(Worker):
        async def handle(self, event: queue.Event) -> Any:
            if event.remote_id in holding:
                overlaps.append(event.remote_id)
            holding.add(event.remote_id)
            try:
                await asyncio.sleep(0.005)  # let the other worker try to claim the same order meanwhile
                return await super().handle(event)
            finally:
                holding.discard(event.remote_id)

    workers = [
        Watched(world.config, world.db, world.transports(), WorkerSettings(concurrency=3, poll_interval=0.01))
        for _ in range(2)
    ]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]
    for round_ in range(4):  # triggers keep coming while the workers run: Running orders get new rows
        for order_id in world.woo.orders:
            queue.enqueue(
                world.db,
                "main",
                "order",
                order_id,
                "order.updated",
                world.clock.now(),
                delivery_key=f"r{round_}-{order_id}",
            )
        await asyncio.sleep(0.02)
    for _ in range(500):
        if not {queue.PENDING, queue.RUNNING} & set(queue.counts(world.db)):
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.gather(*tasks)
    assert overlaps == []
    assert set(queue.counts(world.db)) <= {SUCCEEDED, SKIPPED}
    invoiced = [i["woo_order_id"] for i in world.invoices() if not i.get("is_return")]
    assert sorted(invoiced) == ["15", "16", "18", "20"]  # 17 is on hold, 19 was cancelled before invoicing


def test_the_database_refuses_a_second_running_event_for_one_order(tmp_path: Path) -> None:
    world = make_world(tmp_path, [])
    first = queue.enqueue(world.db, "main", "order", 15, "order.created", T0)
    assert queue.claim(world.db, "a", T0, T0 + timedelta(seconds=60)) is not None
    second = queue.enqueue(world.db, "main", "order", 15, "order.updated", T0)
    with pytest.raises(IntegrityError), world.db.begin() as connection:
        connection.execute(update(events).where(events.c.id == second.event_id).values(status=queue.RUNNING))
    assert first.event_id != second.event_id


async def test_an_event_whose_workers_keep_dying_ends_in_dead_letter(tmp_path: Path) -> None:
    world = make_world(tmp_path, [])
    clock = SimClock(T0)
    worker = Worker(
        world.config, world.db, world.transports(), WorkerSettings(max_attempts=2, lease_seconds=10), clock=clock
    )
    event = queue.enqueue(world.db, "main", "order", 15, "order.created", T0)
    for n in range(2):  # two workers claim it and die without a word
        assert queue.claim(world.db, f"dead-{n}", clock.now(), clock.now() + timedelta(seconds=10)) is not None
        clock.advance(11)
    dead = await worker.run_once()
    assert dead is not None and (dead.id, dead.status) == (event.event_id, DEAD_LETTER)
    assert "lease expired 2 times" in (dead.last_error or "")
    await worker.aclose()
