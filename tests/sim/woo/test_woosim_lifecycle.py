"""C1 item 12 and the /__sim__/ control surface: lifecycle helpers for tests and demos."""

from __future__ import annotations

import httpx

from conftest import client, make_sim, real, seed_catalog
from woonext.sim.woo import WooSim


async def test_c1_12_checkout_orders_and_draft_promotion(sim: WooSim) -> None:
    catalog = seed_catalog(sim)
    line = [{"product_id": catalog["shirt"]["id"], "quantity": 1}]
    card = sim.create_order({"payment_method": "kashier_card", "line_items": line}, created_via="checkout")
    assert (card["status"], card["created_via"]) == ("processing", "checkout")
    assert card["date_paid"] == "2026-11-25T06:30:00" and card["cart_hash"] != ""
    cod = sim.create_order({"payment_method": "cod", "line_items": line}, created_via="checkout")
    assert cod["status"] == "processing" and cod["date_paid"] is None  # COD: unpaid until completed
    sim.clock.advance(3600)
    sim.complete(cod["id"])
    assert cod["date_completed"] == cod["date_paid"] == "2026-11-25T07:30:00"
    draft = sim.create_order(
        {"status": "checkout-draft", "payment_method": "kashier_card", "line_items": line}, created_via="checkout"
    )
    assert draft["status"] == "checkout-draft" and draft["date_paid"] is None
    sim.update_order(draft["id"], {"status": "pending"})
    sim.pay(draft["id"], transaction_id="KSH-1")
    assert (draft["status"], draft["transaction_id"], draft["needs_payment"]) == ("processing", "KSH-1", False)


async def test_c1_12_cancel_trash_untrash_delete(sim: WooSim) -> None:
    sim.import_order(real("order_17.json"))
    sim.cancel(17)
    assert sim.orders[17]["status"] == "cancelled" and sim.orders[17]["is_editable"] is False
    sim.trash(17)
    assert sim.orders[17]["status"] == "trash"
    sim.untrash(17)
    assert sim.orders[17]["status"] == "cancelled"
    sim.add_note(17, "kept")
    sim.delete(17)
    assert 17 not in sim.orders and 17 not in sim.book.notes


async def test_c1_12_import_keeps_ids_and_continues_after_max(sim: WooSim) -> None:
    sim.import_order(real("order_20.json"))
    order = sim.create_order({"payment_method": "cod"})
    assert order["id"] == 21
    assert order["version"] == "11.0.1" and order["order_key"].startswith("wc_order_")
    assert order["payment_url"].endswith(f"/checkout/order-pay/21/?pay_for_order=true&key={order['order_key']}")
    # Item and meta ids continue after the imported ones too (order 20 has items up to 17, meta to 131).
    edited = sim.edit_lines(21, [{"name": "Manual line", "quantity": 1, "total": "10.00"}])
    assert edited["line_items"][0]["id"] == 18
    sim.update_order(21, {"meta_data": [{"key": "k", "value": "v"}]})
    assert sim.orders[21]["meta_data"][0]["id"] == 1  # order meta: order 20 had none


async def test_sim_control_endpoints_need_no_auth() -> None:
    sim = make_sim()
    seed_catalog(sim)
    sim.import_order(real("order_create_response_1_pending.json"))  # id 15, pending, COD
    async with client(sim) as http:
        r = await http.get("/__sim__/orders")
        assert [o["id"] for o in r.json()] == [15]
        r = await http.post("/__sim__/webhooks/run")
        assert r.json() == []
        r = await http.post("/__sim__/orders/15/pay", json={"transaction_id": "T1"})
        # COD's payment-complete status is "completed".
        assert (r.json()["transaction_id"], r.json()["status"]) == ("T1", "completed")
        r = await http.post("/__sim__/orders/15/cancel")
        assert r.json()["status"] == "cancelled"
        r = await http.post("/__sim__/orders/15/refund", json={"amount": "100.00", "reason": "x"})
        assert r.status_code == 201 and r.json()["amount"] == "100.00"
        r = await http.post("/__sim__/orders/15/edit_lines", json={"line_items": [{"id": 1, "quantity": 3}]})
        assert r.json()["line_items"][0]["quantity"] == 3
        r = await http.post("/__sim__/orders/15/trash")
        assert r.json()["status"] == "trash"
        r = await http.post("/__sim__/clock", json={"advance": 90})
        assert r.json()["now"] == "2026-11-25T04:31:30+00:00"
        r = await http.post("/__sim__/clock", json={"set": "2026-12-01T00:00:00Z"})
        assert r.json()["now"] == "2026-12-01T00:00:00+00:00"
        r = await http.post("/__sim__/keys", json={"permissions": "read"})
        assert r.json()["consumer_key"].startswith("ck_")
        r = await http.post("/__sim__/orders", json={"spec": {"payment_method": "cod"}})
        assert r.status_code == 201 and r.json()["id"] == 17  # 16 went to the refund
        await http.get("/wp-json/wc/v3/orders")
        r = await http.get("/__sim__/requests")
        assert r.json()[-1] == {"method": "GET", "path": "/wp-json/wc/v3/orders", "status": 401}
        assert (await http.get("/__sim__/webhooks/deliveries")).json() == []
        assert (await http.get("/__sim__/webhooks/queue")).json() == []


async def test_sim_run_endpoint_delivers() -> None:
    from receiver import Receiver

    sim = make_sim()
    receiver = Receiver()
    sim.webhook_transport = receiver.transport()
    sim.add_webhook("order.updated", "http://receiver.test/hook", "s3cret")
    sim.import_order(real("order_15.json"))
    sim.update_order(15, {})
    async with client(sim) as http:
        assert len((await http.get("/__sim__/webhooks/queue")).json()) == 1
        r = await http.post("/__sim__/webhooks/run", json={"now": True})
        assert [d["topic"] for d in r.json()] == ["order.updated"]
        log = (await http.get("/__sim__/webhooks/deliveries")).json()
        assert log[0]["status_code"] == 200 and log[0]["request_headers"]["X-WC-Webhook-ID"] == "1"
    assert isinstance(receiver.deliveries()[0].body, bytes)
    assert httpx.URL(log[0]["url"]).host == "receiver.test"
