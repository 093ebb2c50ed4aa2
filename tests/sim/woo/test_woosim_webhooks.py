"""C1 items 13–18: webhook registry, triggering, the asynchronous queue, delivery, ping, failures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable

import httpx
from receiver import Receiver, TimeoutTransport

from conftest import DOCS, REAL, load, real, seed_catalog
from woonext.sim.woo import WooSim

URL = "http://receiver.test/hook"


def _signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _hooked(sim: WooSim, *topics: str, secret: str = "s3cret") -> Receiver:
    receiver = Receiver()
    sim.webhook_transport = receiver.transport()
    for topic in topics:
        sim.add_webhook(topic, URL, secret)
    return receiver


def _topics(receiver: Receiver) -> list[tuple[str, int]]:
    out = []
    for r in receiver.deliveries():
        out.append((r.headers["x-wc-webhook-topic"], json.loads(r.body)["id"]))
    return out


async def test_c1_13_webhook_registry(sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]) -> None:
    receiver = Receiver()
    sim.webhook_transport = receiver.transport()
    r = await http.post(
        signed("/wp-json/wc/v3/webhooks", "POST"),
        json={
            "name": "ERPNext sync - order created",
            "topic": "order.created",
            "delivery_url": URL,
            "secret": "s3cret",
        },
    )
    assert r.status_code == 201
    created = r.json()
    real_created = load(REAL / "webhook_create_response.json")
    assert list(created) == list(real_created) and "secret" not in created
    assert created["hooks"] == ["woocommerce_new_order"] and created["status"] == "active"
    assert (created["resource"], created["event"]) == ("order", "created")
    assert [p.body for p in receiver.pings()] == [b"webhook_id=1"]  # the ping on creation
    r = await http.post(
        signed("/wp-json/wc/v3/webhooks", "POST"),
        json={"topic": "order.updated", "delivery_url": URL, "status": "paused"},
    )
    assert r.json()["hooks"] == ["woocommerce_update_order", "woocommerce_order_refunded"]
    assert len(sim.hub.webhooks[2].secret) == 50  # a random secret when none is given
    assert len(receiver.pings()) == 1  # paused: no ping
    r = await http.get(signed("/wp-json/wc/v3/webhooks"))
    assert [w["id"] for w in r.json()] == [2, 1] and r.headers["X-WP-Total"] == "2"
    r = await http.put(signed("/wp-json/wc/v3/webhooks/2", "PUT"), json={"status": "disabled"})
    assert r.json()["status"] == "disabled"
    r = await http.put(signed("/wp-json/wc/v3/webhooks/2", "PUT"), json={"status": "asleep"})
    assert r.status_code == 400 and r.json()["code"] == "rest_invalid_param"
    r = await http.post(
        signed("/wp-json/wc/v3/webhooks", "POST"), json={"topic": "order.created", "delivery_url": "ftp://x"}
    )
    assert r.json()["message"] == "Webhook delivery URL must be a valid URL starting with http:// or https://."
    r = await http.delete(signed("/wp-json/wc/v3/webhooks/2", "DELETE"))
    assert r.status_code == 501
    r = await http.delete(signed("/wp-json/wc/v3/webhooks/2?force=true", "DELETE"))
    assert r.status_code == 200 and 2 not in sim.hub.webhooks
    assert (await http.get(signed("/wp-json/wc/v3/webhooks/2"))).status_code == 404


async def test_c1_14_triggering(sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]) -> None:
    receiver = _hooked(sim, "order.created", "order.updated", "order.deleted", "order.restored")
    r = await http.post(signed("/wp-json/wc/v3/orders", "POST"), json={"payment_method": "cod"})
    oid = r.json()["id"]
    await sim.run_webhooks()
    assert _topics(receiver) == [("order.created", oid), ("order.updated", oid)]
    created, updated = receiver.deliveries()
    assert created.body == updated.body  # identical bodies (rendered at delivery)
    receiver.received.clear()
    # One request, several saves-worth of changes: one delivery per webhook (same-request de-dup).
    await http.put(
        signed(f"/wp-json/wc/v3/orders/{oid}", "PUT"),
        json={"status": "processing", "meta_data": [{"key": "a", "value": "1"}]},
    )
    await http.post(signed(f"/wp-json/wc/v3/orders/{oid}/notes", "POST"), json={"note": "no webhook"})
    await sim.run_webhooks()
    assert _topics(receiver) == [("order.updated", oid)]
    receiver.received.clear()
    await http.delete(signed(f"/wp-json/wc/v3/orders/{oid}", "DELETE"))
    await sim.run_webhooks()
    assert [(r.headers["x-wc-webhook-topic"], r.body) for r in receiver.deliveries()] == [
        ("order.deleted", f'{{"id":{oid}}}'.encode())
    ]
    receiver.received.clear()
    sim.untrash(oid)
    await sim.run_webhooks()
    assert _topics(receiver) == [("order.restored", oid)]
    assert sim.orders[oid]["status"] == "processing"
    receiver.received.clear()
    await http.delete(signed(f"/wp-json/wc/v3/orders/{oid}?force=true", "DELETE"))
    await sim.run_webhooks()
    assert receiver.deliveries() == []  # nothing on a permanent delete


async def test_c1_14_checkout_draft_and_refund(sim: WooSim) -> None:
    receiver = _hooked(sim, "order.created", "order.updated")
    catalog = seed_catalog(sim)
    draft = sim.create_order(
        {
            "status": "checkout-draft",
            "payment_method": "kashier_card",
            "line_items": [{"product_id": catalog["shirt"]["id"], "quantity": 1}],
        },
        created_via="checkout",
    )
    await sim.run_webhooks()
    assert _topics(receiver) == [("order.updated", draft["id"])]
    assert json.loads(receiver.deliveries()[0].body)["status"] == "checkout-draft"
    receiver.received.clear()
    sim.update_order(draft["id"], {"status": "processing"})  # the draft becomes a real order
    await sim.run_webhooks()
    assert _topics(receiver) == [("order.created", draft["id"]), ("order.updated", draft["id"])]
    assert sim.orders[draft["id"]]["created_via"] == "checkout"
    receiver.received.clear()
    sim.refund(draft["id"], amount="10.00")
    await sim.run_webhooks()
    assert _topics(receiver) == [("order.updated", draft["id"])]


async def test_c1_15_queue_coalesces_and_renders_at_delivery(sim: WooSim) -> None:
    receiver = _hooked(sim, "order.updated")
    sim.import_order(real("order_15.json"))
    sim.update_order(15, {"customer_note": "first"})
    sim.update_order(15, {"customer_note": "second"})
    assert len(sim.hub.queue) == 1  # an identical pending action: the burst collapses
    sim.complete(15)
    await sim.run_webhooks()
    [delivery] = receiver.deliveries()
    body = json.loads(delivery.body)
    assert body["status"] == "completed" and body["customer_note"] == "second"  # state at delivery time
    sim.update_order(15, {"customer_note": "third"})
    sim.delete(15)
    await sim.run_webhooks()
    assert json.loads(receiver.deliveries()[-1].body) == {
        "code": "woocommerce_rest_shop_order_invalid_id",
        "message": "Invalid ID.",
        "data": {"status": 404},
    }


async def test_c1_15_runner_later_twice_out_of_order() -> None:
    from conftest import make_sim

    sim = make_sim(webhook_delay_seconds=30)
    receiver = _hooked(sim, "order.updated")
    for number in (15, 16):
        sim.import_order(real(f"order_{number}.json"))
    sim.update_order(15, {})
    sim.clock.advance(10)
    sim.update_order(16, {})
    assert await sim.run_webhooks(now=False) == []  # nothing due yet
    sim.clock.advance(21)
    assert [d.arg for d in await sim.run_webhooks(now=False)] == [15]
    sim.clock.advance(10)
    assert [d.arg for d in await sim.run_webhooks(now=False)] == [16]
    sim.update_order(15, {})
    sim.update_order(16, {})
    done = await sim.run_webhooks(order="lifo", times=2)  # out of order, and each twice
    assert [d.arg for d in done] == [16, 16, 15, 15]
    assert len(receiver.deliveries()) == 6


async def test_c1_16_delivery_request(sim: WooSim) -> None:
    receiver = _hooked(sim, "order.updated")
    order = sim.import_order(real("order_17.json"))
    order["billing"]["first_name"] = "Yōussef"
    sim.update_order(17, {})
    await sim.run_webhooks()
    [got] = receiver.deliveries()
    assert got.headers["user-agent"] == "WooCommerce/11.0.1 Hookshot (WordPress/7.1)"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["x-wc-webhook-source"] == "http://127.0.0.1:8080/"
    assert (
        got.headers["x-wc-webhook-topic"],
        got.headers["x-wc-webhook-resource"],
        got.headers["x-wc-webhook-event"],
        got.headers["x-wc-webhook-id"],
    ) == ("order.updated", "order", "updated", "1")
    assert re.fullmatch(r"[0-9a-f]{32}", got.headers["x-wc-webhook-delivery-id"])
    assert got.headers["x-wc-webhook-signature"] == _signature(got.body, "s3cret")
    assert b"Y\\u014dussef" in got.body and b"http:\\/\\/127.0.0.1:8080\\/checkout" in got.body
    log = sim.webhook_log[-1]
    assert (log.status_code, log.request_body) == (200, got.body)
    # Delivery ids repeat within one second (wp_hash of id + unix second).
    sim.update_order(17, {})
    await sim.run_webhooks()
    assert receiver.deliveries()[-1].headers["x-wc-webhook-delivery-id"] == got.headers["x-wc-webhook-delivery-id"]


async def test_c1_17_ping(sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]) -> None:
    receiver = Receiver(statuses=[500])  # the first ping fails
    sim.webhook_transport = receiver.transport()
    await http.post(
        signed("/wp-json/wc/v3/webhooks", "POST"),
        json={"topic": "order.updated", "delivery_url": URL, "secret": "s3cret"},
    )
    [ping] = receiver.pings()
    assert ping.body == b"webhook_id=1"
    assert ping.headers["content-type"] == "application/x-www-form-urlencoded"
    assert ping.headers["user-agent"] == "WooCommerce/11.0.1 Hookshot (WordPress/7.1)"
    assert not [h for h in ping.headers if h.startswith("x-wc-webhook")]
    assert sim.hub.webhooks[1].pending_delivery
    sim.import_order(real("order_15.json"))
    sim.update_order(15, {})
    await sim.run_webhooks()
    assert len(receiver.pings()) == 2  # the ping accompanies deliveries until one gets a 200
    assert not sim.hub.webhooks[1].pending_delivery
    sim.update_order(15, {})
    await sim.run_webhooks()
    assert len(receiver.pings()) == 2


async def test_c1_18_failures_disable_on_seventh(sim: WooSim) -> None:
    receiver = _hooked(sim, "order.updated")
    sim.import_order(real("order_15.json"))
    webhook = sim.hub.webhooks[1]
    receiver.statuses = [500, 404, 302, 303]
    for _ in range(4):
        sim.update_order(15, {})
        await sim.run_webhooks()
    assert webhook.failure_count == 1  # 302 counted as success and reset the counter; 303 failed
    receiver.default_status = 503
    for _ in range(5):
        sim.update_order(15, {})
        await sim.run_webhooks()
    assert (webhook.failure_count, webhook.status) == (6, "active")
    sim.webhook_transport = TimeoutTransport()  # timeouts are failures too
    sim.update_order(15, {})
    await sim.run_webhooks()
    assert webhook.status == "disabled" and sim.webhook_log[-1].status_code is None
    assert "ReadTimeout" in sim.webhook_log[-1].error
    sim.update_order(15, {})
    assert await sim.run_webhooks() == []  # disabled webhooks stop silently; nothing was retried
    assert len([d for d in sim.webhook_log if d.kind == "delivery"]) == 10


async def test_c1_16_real_captures_verify_and_reproduce() -> None:
    from conftest import make_sim

    for name in (
        "webhook_capture_order_created_order17.json",
        "webhook_capture_order_updated_order15.json",
        "webhook_capture_order_created_order20.json",
        "webhook_capture_order_updated_order20.json",
    ):
        capture = load(REAL / name)
        raw = capture["body_raw"].encode()
        assert capture["headers"]["X-WC-Webhook-Signature"] == _signature(raw, "s3cret"), name
        sim = make_sim()
        receiver = Receiver()
        sim.webhook_transport = receiver.transport()
        sim.add_webhook("order.created", "http://127.0.0.1:9099/hook", "s3cret")
        sim.add_webhook("order.updated", "http://127.0.0.1:9099/hook", "s3cret")
        order = sim.import_order(json.loads(raw))
        topic = capture["headers"]["X-WC-Webhook-Topic"]
        sim.hub.fire(topic, order["id"], order["status"])
        await sim.run_webhooks()
        [got] = [r for r in receiver.deliveries() if r.headers["x-wc-webhook-topic"] == topic]
        assert got.body == raw, name  # byte for byte, so the signature matches too
        for header in (
            "X-WC-Webhook-Signature",
            "X-WC-Webhook-ID",
            "X-WC-Webhook-Source",
            "User-Agent",
            "X-WC-Webhook-Resource",
            "X-WC-Webhook-Event",
            "Content-Type",
        ):
            assert got.headers[header.lower()] == capture["headers"][header], (name, header)
    ping = load(REAL / "webhook_capture_ping.json")
    assert ping["body_raw"] == "webhook_id=1" and ping["signature_header"] is None


async def test_c1_16_docs_delivery_and_signature_vector() -> None:
    from conftest import make_sim

    vector = load(DOCS / "webhook-deliveries" / "woocommerce-core-generate-signature-test-vector.json")
    assert _signature(vector["payload"].encode(), vector["webhook_secret"]) == vector["expected_signature"]
    delivery = load(DOCS / "webhook-deliveries" / "erpnext-test-woocommerce-order-74.delivery.json")
    sim = make_sim()
    receiver = Receiver()
    sim.webhook_transport = receiver.transport()
    sim.add_webhook("order.created", URL, delivery["webhook_secret"])
    sim.import_order(load(DOCS / "webhook-deliveries" / delivery["request_body_file"]))
    sim.hub.fire("order.created", 74, "processing")
    await sim.run_webhooks()
    [got] = receiver.deliveries()
    assert got.body == delivery["request_body_raw"].encode()
    assert got.headers["x-wc-webhook-signature"] == delivery["request_headers"]["X-Wc-Webhook-Signature"]


async def test_c1_15_synchronous_delivery_mode() -> None:
    from conftest import client, make_sim, oauth_url

    sim = make_sim(webhook_deliver_sync=True)  # filter woocommerce_webhook_deliver_async = false
    receiver = _hooked(sim, "order.updated")
    sim.import_order(real("order_15.json"))
    ck, cs = sim.create_key()
    async with client(sim) as http:
        await http.put(oauth_url(sim, "/wp-json/wc/v3/orders/15", ck, cs, "PUT"), json={})
    assert _topics(receiver) == [("order.updated", 15)] and sim.hub.queue == []


async def test_c1_13_action_topic_payload(sim: WooSim) -> None:
    receiver = _hooked(sim, "action.woocommerce_order_status_completed")
    sim.hub.fire("action.woocommerce_order_status_completed", 15)
    await sim.run_webhooks()
    assert json.loads(receiver.deliveries()[0].body) == {"action": "woocommerce_order_status_completed", "arg": 15}


async def test_c1_16_safe_url_rule_refuses_loopback_and_odd_ports() -> None:
    from conftest import make_sim

    sim = make_sim(webhook_safe_urls_only=True)
    receiver = Receiver()
    sim.webhook_transport = receiver.transport()
    sim.add_webhook("order.updated", "http://127.0.0.1:9099/hook", "s3cret")
    sim.add_webhook("order.updated", "http://receiver.test:8080/hook", "s3cret")
    sim.import_order(real("order_15.json"))
    sim.update_order(15, {})
    await sim.run_webhooks()
    refused, sent = sim.webhook_log
    assert refused.status_code is None and "A valid URL was not provided." in refused.error
    assert sim.hub.webhooks[1].failure_count == 1
    assert sent.status_code == 200 and len(receiver.deliveries()) == 1


async def test_c1_15_cron_runner_when_served() -> None:
    import asyncio

    from conftest import make_sim

    sim = make_sim(webhook_autorun_seconds=0.01)
    receiver = _hooked(sim, "order.updated")
    sim.import_order(real("order_15.json"))
    sent: list[dict] = []

    async def receive() -> dict:
        if not sent:
            sent.append({})
            return {"type": "lifespan.startup"}
        await asyncio.sleep(0.2)  # the server runs for a while, then shuts down
        return {"type": "lifespan.shutdown"}

    async def send(message: dict) -> None:
        if message["type"] == "lifespan.startup.complete":
            sim.update_order(15, {})

    await sim.app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    assert _topics(receiver) == [("order.updated", 15)]
