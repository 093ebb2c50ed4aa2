"""The console's pages and actions on a world of simulators: the needs-a-person groups, a retry after
the fix through the worker, an order's story, events and dead letters, reconcile, the configuration."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from tests.console.helpers import browser, console_world, login, page_csrf
from woonext.runtime.worker import Worker, WorkerSettings
from woonext.store import DEAD_LETTER, NEEDS_REVIEW, SUCCEEDED
from woonext.store import events as queue
from woonext.sync.live import sync_orders_once


async def _live_sync(world) -> None:  # type: ignore[no-untyped-def]
    ctx = world.context()
    try:
        await sync_orders_once(ctx)
    finally:
        await ctx.aclose()


async def _drain(world) -> None:  # type: ignore[no-untyped-def]
    worker = Worker(world.config, world.db, world.transports(), WorkerSettings(concurrency=1))
    try:
        while await worker.run_once() is not None:
            pass
    finally:
        await worker.aclose()


async def test_a_cause_is_grouped_fixed_in_erpnext_and_retried_from_the_console(tmp_path: Path) -> None:
    world = await console_world(tmp_path)
    await _live_sync(world)  # the Kashier orders park: the company has no Kashier account
    parked = [o for o in world.db.latest_failures(50) if o.status == NEEDS_REVIEW]
    assert {o.reason for o in parked} == {"missing_kashier_account"}
    async with browser(world) as client:
        await login(client, "olga")
        needs = await client.get("/needs")
        assert needs.status_code == 200
        # one group per cause (per gateway here: each names its own setting), each with its hint once
        headlines = re.findall(r'<h3><a href="/needs/([0-9a-f]{12})">([^<]+)</a></h3>', needs.text)
        assert len(headlines) == len({o.hint for o in parked}) and all("order" in h for _, h in headlines)
        assert needs.text.count("What to do") == 0  # the label is CSS; the hint text appears once per group
        for o in {o.hint: o for o in parked}.values():
            assert needs.text.count(o.hint.replace("'", "&#39;")) == 1
        key = headlines[0][0]
        group_page = await client.get(f"/needs/{key}")
        assert group_page.status_code == 200 and "/orders/main/" in group_page.text

        # the operator fixes ERPNext, then retries every group
        ctx = world.context()
        await ctx.erp.update("Company", "Jarz Test", {"custom_kashier_account": "Kashier - JT"})
        await ctx.aclose()
        token = await page_csrf(client, "/needs")
        for key, _ in headlines:
            done = await client.post(f"/needs/{key}/retry", data={"csrf": token})
            assert done.status_code == 303 and "queued again" in unquote(done.headers["location"])
        assert {e.topic for e in queue.list_events(world.db)} == {queue.RETRY_TOPIC}
        await _drain(world)
        for o in parked:
            assert world.db.outcome("main", "order", o.remote_id).status == SUCCEEDED  # type: ignore[union-attr]
        after = await client.get("/needs")
        assert "Nothing waits for a person" in after.text

        story = await client.get(f"/orders/main/{parked[0].remote_id}")
        assert story.status_code == 200
        assert "/app/sales-invoice/ACC-SINV-" in story.text and "/app/payment-entry/" in story.text
        assert "wp-admin/admin.php?page=wc-orders&amp;action=edit&amp;id=" in story.text
        assert "olga" in story.text and "retry of the cause" in story.text  # who did what
        assert "Succeeded" in story.text and "retry" in story.text


async def test_dead_letters_are_listed_and_retried(tmp_path: Path) -> None:
    world = await console_world(tmp_path)
    now = world.clock.now()
    event = queue.enqueue(world.db, "main", "order", "1001", "order.updated", now, "d-1").event_id
    claimed = queue.claim(world.db, "w", now, now)
    assert claimed is not None and claimed.id == event
    queue.finish(world.db, event, "w", DEAD_LETTER, now, "gave up after 10 attempts; last error: HTTP 502")
    async with browser(world) as client:
        await login(client, "olga")
        page = await client.get("/dead-letter")
        assert "HTTP 502" in page.text and "Retry every dead letter" in page.text
        token = await page_csrf(client, "/dead-letter")
        done = await client.post(f"/events/{event}/retry", data={"csrf": token, "from": "dead-letter"})
        assert done.status_code == 303 and unquote(done.headers["location"]).startswith("/dead-letter?note=event")
        assert queue.get(world.db, event).status == queue.PENDING  # type: ignore[union-attr]
        again = await client.post(f"/events/{event}/retry", data={"csrf": token})
        assert "only a finished event can be retried" in unquote(again.headers["location"])
        events_page = await client.get("/events?status=Pending")
        assert f"<td>{event}</td>" in events_page.text
        assert (await client.get("/events?status=Bogus")).status_code == 400


async def test_reconcile_inline_and_as_csv_and_the_configuration_masked(tmp_path: Path) -> None:
    world = await console_world(tmp_path)
    await _live_sync(world)
    async with browser(world) as client:
        await login(client, "vic")  # reading both systems is not an action: a viewer may
        window = {"store": "main", "from": "2026-11-01", "to": "2026-11-30"}
        report = await client.get("/reconcile", params={"run": "1", **window})
        assert report.status_code == 200
        assert "parked order(s)" in report.text and 'class="banner bad"' in report.text  # parked Kashier orders
        assert "Missing invoices" in report.text and "EGP" in report.text
        csv = await client.get("/reconcile.csv", params={"store": "main", "from": "2026-11-01", "to": "2026-11-30"})
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert csv.text.splitlines()[0].startswith("store,") and "parked" in csv.text
        bad = await client.get("/reconcile", params={"run": "1", "from": "2026-12-01", "to": "2026-11-01"})
        assert "ends before it starts" in bad.text

        config = await client.get("/config")
        assert config.status_code == 200 and "**********" in config.text
        for secret in world.config.secret_values():
            assert secret not in config.text


async def test_overview_shows_polls_webhooks_outcomes_and_the_chart(tmp_path: Path) -> None:
    world = await console_world(tmp_path)
    await _live_sync(world)
    now = world.clock.now()
    queue.enqueue(world.db, "main", "job", "orders", "schedule", now, "tick:main:orders:x")
    await _drain(world)
    async with browser(world) as client:
        await login(client, "vic")
        page = await client.get("/")
    text = page.text
    assert "Last successful order poll" in text and "never" not in text.split("Last webhook")[0]
    assert "need a person" in text and "<svg" in text and "invoices per day" in text
    assert "No stock or price push has run" in text  # the catalog slot, empty until those flows run

    t = world.clock.now()
    pushed = queue.enqueue(world.db, "main", "job", "stock", "schedule", t, "tick:main:stock:x").event_id
    assert queue.claim(world.db, "w", t, t) is not None
    queue.finish(world.db, pushed, "w", SUCCEEDED, t)
    queue.enqueue(world.db, "main", "price", "", "erpnext.Item Price.on_update", t)  # waiting for a worker
    world.clock.advance(90)
    async with browser(world) as client:
        await login(client, "vic")
        catalog = (await client.get("/")).text.split("Catalog: stock and prices")[1]
    assert "stock to WooCommerce" in catalog and "prices to WooCommerce" in catalog
    assert "items from WooCommerce" not in catalog  # never ran: not shown
    assert "1 min" in catalog  # the price change has waited a minute and a half
