"""The webhook endpoint over HTTP: every rule, and the real WooCommerce 11 captures."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
import structlog
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from tests.runtime.helpers import capture, client, ready_world, signed
from tests.simproc import free_port
from tests.sync.world import make_world, real_orders
from woonext.runtime.service import build_server
from woonext.runtime.web import create_app
from woonext.runtime.worker import Worker
from woonext.store import NEEDS_REVIEW, StateDB
from woonext.store import events as queue
from woonext.sync.setup import run_setup

URL = "/webhooks/woocommerce/main"


@pytest.fixture
def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    return make_world(tmp_path, real_orders())


@pytest.mark.parametrize(
    "name", ["order_created_order17", "order_created_order20", "order_updated_order15", "order_updated_order20"]
)
async def test_real_captures_verify_with_the_secret_and_queue_their_order(world, name: str) -> None:
    data = capture(name)
    headers = {k: v for k, v in data["headers"].items() if k.lower().startswith(("x-wc-", "content-type"))}
    async with client(world) as http:
        response = await http.post(URL, content=data["body_raw"].encode(), headers=headers)
    assert response.status_code == 200, response.text
    [event] = queue.list_events(world.db)
    order_id = name.rsplit("order", 1)[1]
    assert (event.store, event.kind, event.remote_id, event.status) == ("main", "order", order_id, queue.PENDING)
    assert event.topic == headers["X-WC-Webhook-Topic"]
    assert event.delivery_id and event.delivery_id.startswith(headers["X-WC-Webhook-Delivery-ID"])


async def test_real_ping_is_answered_200_and_queues_nothing(world) -> None:
    data = capture("ping")
    async with client(world) as http:
        response = await http.post(
            URL, content=data["body_raw"].encode(), headers={"Content-Type": data["headers"]["Content-Type"]}
        )
    assert response.status_code == 200
    assert queue.list_events(world.db) == []


@pytest.mark.parametrize("mutation", ["missing", "wrong_secret", "tampered_body"])
async def test_bad_signature_is_401_queues_nothing_and_logs_without_the_secret(world, mutation: str) -> None:
    data = capture("order_created_order17")
    body = data["body_raw"].encode()
    headers = {k: v for k, v in data["headers"].items() if k.lower().startswith("x-wc-")}
    if mutation == "missing":
        del headers["X-WC-Webhook-Signature"]
    elif mutation == "wrong_secret":
        headers["X-WC-Webhook-Signature"] = signed(body, "order.created", secret="not-it")["headers"][
            "X-WC-Webhook-Signature"
        ]
    else:
        body = body.replace(b'"total":"1079.99"', b'"total":"1.00"')
    with structlog.testing.capture_logs() as logs:
        async with client(world) as http:
            response = await http.post(URL, content=body, headers=headers)
    assert response.status_code == 401
    assert queue.list_events(world.db) == []
    [security] = [e for e in logs if e["event"] == "security_webhook_rejected"]
    assert security["store"] == "main" and security["log_level"] == "warning"
    assert "s3cret" not in repr(logs)


async def test_unknown_store_is_404(world) -> None:
    async with client(world) as http:
        response = await http.post("/webhooks/woocommerce/nope", **signed({"id": 15}, "order.updated"))
    assert response.status_code == 404
    assert queue.list_events(world.db) == []


async def test_body_over_the_limit_is_413(world) -> None:
    big = {"id": 15, "pad": "x" * (1024 * 1024)}
    async with client(world) as http:
        response = await http.post(URL, **signed(big, "order.updated"))
        small_limit = await http.post(URL, **signed({"id": 15, "pad": "x" * 100}, "order.updated"))
    assert response.status_code == 413
    assert small_limit.status_code == 200
    async with client(world, max_body=64) as http:
        assert (await http.post(URL, **signed({"id": 15, "pad": "x" * 100}, "order.updated"))).status_code == 413


async def test_malformed_json_with_a_valid_signature_is_400_and_recorded(world) -> None:
    async with client(world) as http:
        response = await http.post(URL, **signed(b'{"id": 15, "status": ', "order.updated", delivery="abc"))
    assert response.status_code == 400
    [event] = queue.list_events(world.db)
    assert (event.kind, event.status, event.topic) == ("webhook", NEEDS_REVIEW, "order.updated")
    assert event.last_error and "malformed JSON" in event.last_error and "abc" in event.last_error
    with pytest.raises(queue.RetryRefused):
        queue.retry(world.db, event.id, event.created_at)


@pytest.mark.parametrize("topic", ["order.created", "order.updated", "order.deleted", "order.restored"])
async def test_order_topics_queue_an_order_event(world, topic: str) -> None:
    async with client(world) as http:
        response = await http.post(URL, **signed({"id": 16}, topic))
    assert response.status_code == 200 and response.json()["queued"] is True
    [event] = queue.list_events(world.db)
    assert (event.kind, event.remote_id, event.topic) == ("order", "16", topic)
    assert response.json()["event_id"] == event.id


async def test_customer_and_product_topics_queue_their_events_and_others_are_ignored(world) -> None:
    async with client(world) as http:
        customer = await http.post(URL, **signed({"id": 7, "email": "a@b.test"}, "customer.created", "c1"))
        product = await http.post(URL, **signed({"id": 11}, "product.updated", "p1"))
        variation = await http.post(URL, **signed({"id": 12, "parent_id": 30}, "product.updated", "p4"))
        coupon = await http.post(URL, **signed({"id": 3}, "coupon.created", "p2"))
        draft = await http.post(URL, **signed({"id": 16, "status": "checkout-draft"}, "order.updated", "p3"))
        gone = await http.post(URL, **signed({"code": "woocommerce_rest_shop_order_invalid_id"}, "order.created"))
    assert [r.status_code for r in (customer, product, variation, coupon, draft, gone)] == [200] * 6
    assert coupon.json()["ignored"] and draft.json()["ignored"] and gone.json()["ignored"]
    queued = sorted((e.kind, e.remote_id, e.topic) for e in queue.list_events(world.db))
    # a variation's delivery syncs its product (the variation is read with it)
    assert queued == [
        ("customer", "7", "customer.created"),
        ("product", "11", "product.updated"),
        ("product", "30", "product.updated"),
    ]


async def test_a_repeated_delivery_is_acknowledged_and_not_queued_twice(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    data = capture("order_updated_order15")
    headers = {k: v for k, v in data["headers"].items() if k.lower().startswith(("x-wc-", "content-type"))}
    async with client(world) as http:
        first = await http.post(URL, content=data["body_raw"].encode(), headers=headers)
        worker = Worker(world.config, world.db, world.transports())
        assert (await worker.run_once()) is not None  # the first one is done: nothing pending to merge with
        await worker.aclose()
        again = await http.post(URL, content=data["body_raw"].encode(), headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == {
        "ok": True,
        "event_id": first.json()["event_id"],
        "queued": False,
        "duplicate": "duplicate_delivery",
    }
    assert len(queue.list_events(world.db)) == 1


async def test_same_delivery_id_for_another_order_is_not_a_duplicate(world) -> None:
    # WooCommerce's delivery id is wp_hash(webhook id + second): shared by deliveries in the same second.
    async with client(world) as http:
        a = await http.post(URL, **signed({"id": 15}, "order.created", delivery="same"))
        b = await http.post(URL, **signed({"id": 16}, "order.created", delivery="same"))
    assert a.json()["queued"] and b.json()["queued"]
    assert sorted(e.remote_id for e in queue.list_events(world.db)) == ["15", "16"]


async def test_health_and_readiness(world, tmp_path: Path) -> None:
    async with client(world) as http:
        assert (await http.get("/healthz")).status_code == 200
        before = await http.get("/readyz")  # `woonext setup` has not run: not ready, and it says why
    assert before.status_code == 503 and before.json()["state_db"] == "ok"
    erp = before.json()["stores"]["main"]["erpnext"]
    assert erp.startswith("not set up") and "woonext setup" in erp
    assert before.json()["stores"]["main"]["woocommerce"] == "ok"
    ctx = world.context()
    await run_setup(ctx)
    await ctx.aclose()
    async with client(world) as http:
        ready = await http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["state_db"] == "ok"
    world.woo.faults.inject_next("503", count=100)  # WooCommerce down: not ready, and which system says so
    async with client(world) as http:
        down = await http.get("/readyz")
    assert down.status_code == 503 and down.json()["stores"]["main"]["woocommerce"].startswith("unreachable")
    assert down.json()["stores"]["main"]["erpnext"] == "ok"
    unreachable = StateDB(create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'state.sqlite'}"))
    app = create_app(world.config, unreachable)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://w.test") as http:
        assert (await http.get("/healthz")).status_code == 200
        assert (await http.get("/readyz")).status_code == 503


async def test_the_web_process_alone_queues_over_real_http_and_leaves_the_work_to_workers(world) -> None:
    port = free_port()
    server = build_server(world.config, world.db, "127.0.0.1", port, worker=None)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            response = await http.post(URL, **signed({"id": 15}, "order.created"))
            # its simulators are unreachable from this server (no transports): not ready, and it says so
            ready = await http.get("/readyz")
            assert ready.status_code == 503 and ready.json()["stores"]["main"]["woocommerce"].startswith("unreachable")
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
    assert response.status_code == 200
    [event] = queue.list_events(world.db)
    assert event.status == queue.PENDING and world.erp.db.all("Sales Invoice") == []


def sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


async def test_metrics_count_deliveries_by_result_and_the_queue_by_status(world) -> None:
    async with client(world) as http:
        before = (await http.get("/metrics")).text
        await http.post(URL, **signed({"id": 15}, "order.created", delivery="m1"))
        await http.post(URL, **signed({"id": 15}, "order.created", delivery="m1"))
        await http.post(URL, **signed({"id": 16}, "order.created", secret="nope"))
        await http.post(URL, content=b"webhook_id=3")
        response = await http.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    after = response.text
    for result, delta in (("queued", 1), ("duplicate_delivery", 1), ("unauthorized", 1), ("ping", 1)):
        name = "woonext_webhooks_total"
        got = sample(after, name, store="main", result=result) - sample(before, name, store="main", result=result)
        assert got == delta, result
    assert sample(after, "woonext_events", store="main", status="Pending") == 1.0


async def test_metrics_show_requests_per_target_documents_and_cursor_lag(tmp_path: Path) -> None:
    from datetime import datetime

    from woonext.sync.live import sync_orders_once

    world = await ready_world(tmp_path)
    ctx = world.context()
    async with client(world) as http:
        before = (await http.get("/metrics")).text
        await sync_orders_once(ctx, now=datetime(2026, 11, 25, 5, 0))  # an hour after the captured orders
        after = (await http.get("/metrics")).text
    await ctx.aclose()
    name = "woonext_http_request_seconds_count"
    posted = sample(
        after, name, target="erpnext", method="POST", route="/api/resource/Sales Invoice", status="200"
    ) - sample(before, name, target="erpnext", method="POST", route="/api/resource/Sales Invoice", status="200")
    invoices = world.erp.db.all("Sales Invoice")
    assert posted == len(invoices) > 0
    listed = sample(after, name, target="woocommerce", method="GET", route="/wp-json/wc/v3/orders", status="200")
    assert listed >= 1
    paid = sample(after, "woonext_documents", store="main", kind="order", state="paid")
    unpaid = sample(after, "woonext_documents", store="main", kind="order", state="submitted")
    assert paid + unpaid == len(invoices)
    assert sample(after, "woonext_documents", store="main", kind="payment", state="submitted") == 2
    assert sample(after, "woonext_cursor_lag_seconds", store="main", stream="orders") > 0
