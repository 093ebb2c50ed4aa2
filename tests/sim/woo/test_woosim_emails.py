"""The e-mails and notes WooCommerce sends on its own, and what moves `date_modified`, replayed from the
real captures: sample 60 (the e-mails of each status change, refunds included), 69 (processing →
completed: only "Completed order", date_completed and date_paid set, one order.updated), 70 (a
private note sends nothing and moves nothing; a customer note sends "Customer note"), 71
(`_woonext_writeback` meta is stored, returned, moves date_modified and fires order.updated, sends
nothing), 72 (a refund with `api_refund` false and line items: amount computed, "Refunded order"
partial, status kept), and the notes list of 70 in the real order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from tests.sim.woo.conftest import real

from woonext.sim.woo import WooSim

ORDERS = "/wp-json/wc/v3/orders"


def mails(sim: WooSim, since: int) -> list[tuple[str, str]]:
    return [(e.to, e.subject) for e in sim.emails[since:]]


def real_mails(lines: list[str]) -> list[tuple[str, str]]:
    """mail.log lines "time<TAB>to<TAB>subject" as (to, subject)."""
    return [(line.split("\t")[1], line.split("\t")[2]) for line in lines]


async def test_each_step_of_sample_60_sends_the_real_e_mails(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    capture = real("60-stock-semantics-sequence.json")
    candle = sim.add_product("Scented Candle Set", "CANDLE", "449.99", manage_stock=True, stock_quantity=50)
    sim.book.next_order_id = 319  # the real store's next id: orders and refunds share the sequence
    ids: dict[int, int] = {}  # the real order / line ids → the simulator's
    for step in capture["sequence"]:
        request = step["request"]
        body: Any = dict(request["body"])
        if "line_items" in body:
            body["line_items"] = [
                {**line, "id": ids[line["id"]]} if "id" in line else {**line, "product_id": candle["id"]}
                for line in body["line_items"]
            ]
        path = request["path"].replace("/wp-json/wc/v3/orders", "")
        for real_id, sim_id in ids.items():
            path = path.replace(f"/{real_id}", f"/{sim_id}")
        before = len(sim.emails)
        response = await http.request(request["method"], signed(ORDERS + path, request["method"]), json=body)
        assert response.status_code == step["status"], (step["step"], response.text[-300:])
        if step.get("order_id") and request["method"] == "POST":
            ids[step["order_id"]] = response.json()["id"]
            real_line = step["line_items_meta"][0]["id"]
            ids[real_line] = response.json()["line_items"][0]["id"]
        assert sorted(mails(sim, before)) == sorted(real_mails(step["emails_sent"])), step["step"]
        if "order_status_in_response" in step:
            assert response.json()["status"] == step["order_status_in_response"], step["step"]


@pytest.fixture
async def order_328(sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]) -> dict[str, Any]:
    """The scratch order of samples 69–72: cash on delivery, created processing, two unmanaged lines."""
    book = sim.add_product("Children's Story Book", "BOOK-KID-006", "75.25")
    coffee = sim.add_product("Arabic Coffee Beans 250g", "COFFEE-BEAN-005", "95.19")
    billing = real("69-order-writeback-put-completed.json")["put"]["body"]["billing"]
    sim.book.next_order_id = 328
    sim.clock.set(datetime(2026, 12, 7, 14, 30, 16, tzinfo=UTC))  # when the real one was made
    spec = {
        "status": "processing",
        "payment_method": "cod",
        "billing": billing,
        "line_items": [{"product_id": book["id"], "quantity": 2}, {"product_id": coffee["id"], "quantity": 1}],
    }
    response = await http.post(signed(ORDERS, "POST"), json=spec)
    assert response.status_code == 201
    return dict(response.json())


def updated_hooks(sim: WooSim, order_id: int) -> int:
    """order.updated deliveries queued for the order since the last call (the queue is emptied)."""
    count = sum(1 for action in sim.hub.queue if action.arg == order_id)
    sim.hub.queue.clear()
    return count


async def test_samples_69_to_72_writeback_steps(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str], order_328: dict[str, Any]
) -> None:
    oid = order_328["id"]
    sim.add_webhook("order.updated", "http://listener.test/hook", "s3cret")
    created = real("69-order-writeback-put-completed.json")["create_effects"]["emails_sent"]
    assert sorted(mails(sim, 0)) == sorted(real_mails(created))  # New order + Processing order

    # 69: processing → completed
    sim.clock.advance(14)
    before = len(sim.emails)
    done = (await http.put(signed(f"{ORDERS}/{oid}", "PUT"), json={"status": "completed"})).json()
    effects = real("69-order-writeback-put-completed.json")["effects"]
    assert mails(sim, before) == real_mails(effects["emails_sent"])
    assert done["date_modified_gmt"] > order_328["date_modified_gmt"]
    assert done["date_completed_gmt"] == done["date_paid_gmt"] == done["date_modified_gmt"]
    assert updated_hooks(sim, oid) == len(effects["webhooks_fired"]) == 1

    # 70: a private note, then a note for the customer
    notes = real("70-order-notes-private-and-customer.json")
    for key in ("customer_note_false", "customer_note_true"):
        sim.clock.advance(7)
        before = len(sim.emails)
        note = await http.post(signed(f"{ORDERS}/{oid}/notes", "POST"), json=notes[key]["request"]["body"])
        assert note.status_code == 201 and list(note.json()) == list(notes[key]["body"])
        assert note.json()["author"] == notes[key]["body"]["author"] == "WooCommerce"
        assert mails(sim, before) == real_mails(notes[f"{key}_effects"]["emails_sent"])
        assert sim.orders[oid]["date_modified_gmt"] == done["date_modified_gmt"] and updated_hooks(sim, oid) == 0

    # 71: woonext's marker as order meta
    sim.clock.advance(6)
    marker = real("71-order-meta-underscore-key.json")
    before = len(sim.emails)
    put = (await http.put(signed(f"{ORDERS}/{oid}", "PUT"), json=marker["put"]["request"]["body"])).json()
    assert [(m["key"], m["value"]) for m in put["meta_data"]] == [
        (m["key"], m["value"]) for m in marker["put"]["body"]["meta_data"]
    ]
    assert put["date_modified_gmt"] > done["date_modified_gmt"] and mails(sim, before) == []
    assert updated_hooks(sim, oid) == 1

    # 72: a refund record without money moving (api_refund false), one line
    sim.clock.advance(8)
    capture = real("72-order-refund-api-refund-false-line-items.json")
    body = capture["refund"]["request"]["body"]
    body = {**body, "line_items": [{**body["line_items"][0], "id": order_328["line_items"][0]["id"]}]}
    before = len(sim.emails)
    refund = await http.post(signed(f"{ORDERS}/{oid}/refunds", "POST"), json=body)
    assert refund.status_code == 201
    assert (refund.json()["amount"], refund.json()["refunded_payment"]) == ("75.25", False)
    assert [line["quantity"] for line in refund.json()["line_items"]] == [-1]
    assert mails(sim, before) == real_mails(capture["effects"]["emails_sent"])
    after = sim.orders[oid]
    assert after["status"] == capture["effects"]["order_status_after"] == "completed"
    assert after["date_modified_gmt"] > put["date_modified_gmt"] and updated_hooks(sim, oid) == 1

    listed = (await http.get(signed(f"{ORDERS}/{oid}/notes"))).json()
    wanted = notes["notes_list_after_all_writeback_steps"]["body"]
    assert [(n["note"], n["customer_note"]) for n in listed] == [(n["note"], n["customer_note"]) for n in wanted]


async def test_an_e_mail_switched_off_is_neither_sent_nor_noted(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str], order_328: dict[str, Any]
) -> None:
    sim.email_enabled["customer_completed_order"] = False
    before = len(sim.emails)
    await http.put(signed(f"{ORDERS}/{order_328['id']}", "PUT"), json={"status": "completed"})
    assert mails(sim, before) == []
    notes = (await http.get(signed(f"{ORDERS}/{order_328['id']}/notes"))).json()
    assert not any("Completed order" in n["note"] for n in notes)
