"""ERPNext Webhooks → woonext: `webhooks install`, the signed receiver, and a stock or price change in
ERPNext reaching WooCommerce through the webhook — and, with the webhook off, through the sweep."""

from __future__ import annotations

import json

import httpx

from tests.catalog.conftest import BASE, ERP_SECRET, client, stock_entry
from tests.sync.world import World
from woonext.runtime.erp_install import erpnext_status, install_erpnext
from woonext.runtime.erp_webhooks import ERP_TOPICS, sign
from woonext.runtime.web import create_app
from woonext.runtime.worker import Worker
from woonext.store import events as queue
from woonext.sync.context import StoreContext
from woonext.sync.items import sync_items

URL = f"{BASE}/webhooks/erpnext/main"
SLE = {"doctype": "Stock Ledger Entry", "event": "after_insert", "name": "eeb0b0a5c9", "item_code": "CANDLE-SET-009"}


def signed(payload: dict, secret: str = ERP_SECRET) -> dict:
    body = json.dumps(payload).encode()  # Python's json.dumps, as Frappe sends it
    return {"content": body, "headers": {"X-Frappe-Webhook-Signature": sign(body, secret)}}


async def test_a_bad_or_missing_signature_is_401_and_nothing_is_queued(world: World) -> None:
    async with client(world) as http:
        missing = await http.post(URL, content=json.dumps(SLE).encode())
        wrong = await http.post(URL, **signed(SLE, secret="not-the-secret"))
        other_store = await http.post(f"{BASE}/webhooks/erpnext/nope", **signed(SLE))
    assert (missing.status_code, wrong.status_code, other_store.status_code) == (401, 401, 404)
    assert queue.list_events(world.db) == []


async def test_a_signed_delivery_is_queued_once_and_repeats_are_acknowledged(world: World) -> None:
    async with client(world) as http:
        first = await http.post(URL, **signed(SLE))
        again = await http.post(URL, **signed(SLE))  # ERPNext's retry: the same bytes
        other = await http.post(URL, **signed({**SLE, "name": "e0db1ec6e5"}))  # another row: merges
        ignored = await http.post(URL, **signed({"doctype": "Sales Order", "event": "on_submit", "name": "x"}))
        broken = await http.post(
            URL, content=b"{not json", headers={"X-Frappe-Webhook-Signature": sign(b"{not json", ERP_SECRET)}
        )
    assert first.json()["queued"] is True
    assert again.json()["duplicate"] == "duplicate_delivery" and other.json()["duplicate"] == "merged"
    assert ignored.json()["ignored"] and broken.status_code == 400
    [event, rejected] = sorted(queue.list_events(world.db), key=lambda e: e.kind)
    assert (rejected.kind, rejected.status) == ("webhook", "NeedsReview")
    assert (event.kind, event.remote_id, event.topic) == ("stock", "", "erpnext:Stock Ledger Entry:after_insert")


async def test_install_creates_the_webhooks_once_and_status_reports_them(world: World, ctx: StoreContext) -> None:
    states = await install_erpnext(ctx, BASE)
    assert [s.action for s in states] == ["created"] * len(ERP_TOPICS)
    hook = world.erp.db.get("Webhook", "woonext-main-stock-ledger-entry-after-insert")
    assert (
        hook["request_url"] == URL and hook["webhook_secret"] == "*" * len(ERP_SECRET) and hook["enable_security"] == 1
    )
    assert [s.action for s in await install_erpnext(ctx, BASE)] == ["kept"] * len(ERP_TOPICS)
    ctx.config.erpnext_webhook_secret = type(ctx.config.erpnext_webhook_secret)("rotated")
    assert [s.action for s in await install_erpnext(ctx, BASE)] == ["updated"] * len(ERP_TOPICS)
    ctx.config.stock.enabled = False
    states = await install_erpnext(ctx, BASE)
    assert ("Stock Ledger Entry:after_insert", "disabled") in [(s.topic, s.action) for s in states]
    assert [s.action for s in await erpnext_status(ctx)] == ["active", "active"]


async def _deliver_and_work(world: World) -> None:
    """ERPNext's worker sends what is due; woonext's worker runs what was queued."""
    world.clock.advance(1)
    await world.erp.run_webhooks(now=False)
    worker = Worker(world.config, world.db, world.transports())
    while await worker.run_once() is not None:
        pass
    await worker.aclose()


async def test_a_stock_entry_reaches_woocommerce_through_the_webhook(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    await sync_items(ctx)
    await install_erpnext(ctx, BASE)
    world.erp.webhook_transport = httpx.ASGITransport(app=create_app(world.config, world.db))
    world.db.set_cursor("main", "stock", {"modified": "2000-01-01 00:00:00.000000", "seen": {}})
    await stock_entry(ctx, "CANDLE-SET-009", 12)
    await _deliver_and_work(world)
    [event] = [e for e in queue.list_events(world.db) if e.kind == "stock"]
    assert event.status == "Succeeded" and "1 quantit(ies) written" in (event.last_error or "")
    assert world.woo.catalog.products[cat["candle"]["id"]]["stock_quantity"] == 12


async def test_with_the_webhook_off_the_sweep_carries_stock_and_prices(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    await sync_items(ctx)
    await stock_entry(ctx, "CANDLE-SET-009", 12)
    await ctx.erp.insert(
        "Item Price", {"item_code": "CANDLE-SET-009", "price_list": "Standard Selling", "price_list_rate": 460}
    )
    await _deliver_and_work(world)  # nothing installed: nothing delivered, nothing queued
    assert world.woo.catalog.products[cat["candle"]["id"]]["stock_quantity"] == 50
    for job in ("stock", "prices"):  # the scheduled sweeps, through the worker
        queue.enqueue(world.db, "main", "job", job, "schedule", world.clock.now())
    await _deliver_and_work(world)
    done = {e.remote_id: e for e in queue.list_events(world.db) if e.kind == "job"}
    assert done["stock"].status == done["prices"].status == "Succeeded"
    product = world.woo.catalog.products[cat["candle"]["id"]]
    assert (product["stock_quantity"], product["regular_price"]) == (12, "460.00")
