"""Trashed orders as the real WooCommerce 11.0.1 handles them (woocommerce samples 65–67), over a real
port: DELETE without force trashes and bumps date_modified; `status=any` leaves the order out, only
`status=trash` lists it (also with `modified_after`); DELETE again is 410; a PUT of a status restores
it with a note and fires no webhook at all."""

from __future__ import annotations

import httpx
from tests.ports import free_port, serving
from tests.sync.world import WORLD_START

from woonext.sim.clock import SimClock
from woonext.sim.woo import WooSim, WooSimConfig
from woonext.woo.client import WooClient
from woonext.woo.errors import WooError


async def test_trash_is_hidden_from_any_found_by_trash_and_restored_silently() -> None:
    port = free_port()
    sim = WooSim(WooSimConfig(home_url=f"http://127.0.0.1:{port}"), SimClock.running_from(WORLD_START))
    order = sim.create_order({"status": "processing", "payment_method": "cod", "line_items": []})
    oid, before = order["id"], order["date_modified_gmt"]
    ck, cs = sim.create_key("read_write")
    fired: list[str] = []

    def receive(request: httpx.Request) -> httpx.Response:
        fired.append(request.headers.get("x-wc-webhook-topic", ""))
        return httpx.Response(200)

    sim.webhook_transport = httpx.MockTransport(receive)
    for topic in ("order.updated", "order.deleted", "order.restored"):
        sim.add_webhook(topic, "http://receiver.test/hook", "s3cret")
    await sim.run_webhooks()
    fired.clear()
    sim.clock.advance(9)
    async with (
        serving(sim.app, ports=[port]) as [url],
        WooClient(url, ck, cs, clock=lambda: sim.clock.now().timestamp()) as woo,
    ):
        trashed, _ = await woo.delete(f"orders/{oid}")
        assert trashed["status"] == "processing"  # the order as it was before trashing (sample 65)
        await sim.run_webhooks()
        assert fired == ["order.deleted"]
        assert (await woo.list_orders({"status": "any", "include": [oid]})).items == []
        [listed] = (await woo.list_orders({"status": "trash"})).items
        assert listed["status"] == "trash" and listed["date_modified_gmt"] > before
        window = {"modified_after": before, "dates_are_gmt": True, "include": [oid]}
        assert (await woo.list_orders({**window, "status": "any"})).items == []
        assert len((await woo.list_orders({**window, "status": "trash"})).items) == 1
        try:
            await woo.delete(f"orders/{oid}")
            raise AssertionError("a second DELETE must be refused")
        except WooError as exc:
            assert (exc.status, exc.code) == (410, "woocommerce_rest_already_trashed")
        fired.clear()
        restored = await woo.update_order(oid, {"status": "processing"})
        await sim.run_webhooks()
        notes, _ = await woo.get(f"orders/{oid}/notes")
    assert restored["status"] == "processing" and fired == []  # no webhook at all (sample 67)
    assert any(n["note"] == "Order status changed from trash to Processing." for n in notes)
