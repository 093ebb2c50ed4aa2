"""C1 items 7–10: get/put/delete errors, PUT rules, notes, refunds."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from conftest import load, make_sim, real, seed_catalog
from woonext.sim.woo import WooSim


async def test_c1_07_not_found_and_trash_semantics(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    r = await http.get(signed("/wp-json/wc/v3/orders/999"))
    assert (r.status_code, r.json()) == (
        404,
        {"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID.", "data": {"status": 404}},
    )
    r = await http.put(signed("/wp-json/wc/v3/orders/999", "PUT"), json={"status": "completed"})
    assert (r.status_code, r.json()["message"]) == (400, "ID is invalid.")
    assert (await http.delete(signed("/wp-json/wc/v3/orders/999", "DELETE"))).status_code == 404
    sim.import_order(real("order_18.json"))
    r = await http.delete(signed("/wp-json/wc/v3/orders/18", "DELETE"))
    assert r.status_code == 200 and r.json()["status"] == "completed"  # the order as it was
    assert sim.orders[18]["status"] == "trash"
    r = await http.delete(signed("/wp-json/wc/v3/orders/18", "DELETE"))
    assert (r.status_code, r.json()) == (
        410,
        {
            "code": "woocommerce_rest_already_trashed",
            "message": "The shop_order has already been deleted.",
            "data": {"status": 410},
        },
    )
    assert (await http.get(signed("/wp-json/wc/v3/orders/18"))).json()["status"] == "trash"
    r = await http.delete(signed("/wp-json/wc/v3/orders/18?force=true", "DELETE"))
    assert r.status_code == 200 and 18 not in sim.orders
    assert (await http.get(signed("/wp-json/wc/v3/orders/18"))).status_code == 404


async def test_c1_08_put_status_enum_and_any_transition(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    sim.import_order(real("order_19.json"))  # cancelled
    r = await http.put(signed("/wp-json/wc/v3/orders/19", "PUT"), json={"status": "shipped"})
    assert r.status_code == 400
    message = (
        "status is not one of pending, processing, on-hold, completed, cancelled, refunded, failed, and checkout-draft."
    )
    assert r.json() == {
        "code": "rest_invalid_param",
        "message": "Invalid parameter(s): status",
        "data": {
            "status": 400,
            "params": {"status": message},
            "details": {"status": {"code": "rest_not_in_enum", "message": message, "data": None}},
        },
    }
    for status in ("completed", "pending", "refunded", "on-hold"):  # no transition table
        r = await http.put(signed("/wp-json/wc/v3/orders/19", "PUT"), json={"status": status})
        assert r.json()["status"] == status
    assert r.json()["date_completed"] == "2026-11-25T06:30:00"


async def test_c1_08_custom_status_config() -> None:
    sim = make_sim(https=True, custom_statuses=("shipped",))
    ck, cs = sim.create_key()
    sim.import_order(real("order_16.json"))
    from conftest import client

    async with client(sim) as http:
        r = await http.put("/wp-json/wc/v3/orders/16", auth=(ck, cs), json={"status": "shipped"})
        assert r.json()["status"] == "shipped"
        r = await http.get("/wp-json/wc/v3/orders?status=shipped", auth=(ck, cs))
        assert [o["id"] for o in r.json()] == [16]


async def test_c1_08_meta_rules_and_modified_bump(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    order = load_order(sim)
    sim.clock.advance(60)
    url = signed("/wp-json/wc/v3/orders/17", "PUT")
    r = await http.put(
        url,
        json={
            "meta_data": [
                {"key": "erp_invoice", "value": "SINV-1"},
                {"key": "erp_invoice", "value": "dup"},
                {"key": "b_count", "value": 3},
            ]
        },
    )
    meta = r.json()["meta_data"]
    # Ordered by key; integers stored as strings; the second entry updates the first (same key).
    assert [(m["key"], m["value"]) for m in meta] == [
        ("_kashier_order_reference", "KSH-ORD-778899"),
        ("b_count", "3"),
        ("erp_invoice", "dup"),
    ]
    assert r.json()["date_modified_gmt"] == "2026-11-25T04:31:00"
    order["meta_data"].append({"id": 900, "key": "erp_invoice", "value": "older duplicate"})
    erp_id = next(m["id"] for m in meta if m["key"] == "erp_invoice")
    sim.clock.advance(60)
    r = await http.put(
        signed("/wp-json/wc/v3/orders/17", "PUT"), json={"meta_data": [{"key": "erp_invoice", "value": "SINV-2"}]}
    )
    rows = [m for m in r.json()["meta_data"] if m["key"] == "erp_invoice"]
    assert rows == [{"id": erp_id, "key": "erp_invoice", "value": "SINV-2"}]  # duplicates deleted
    assert r.json()["date_modified"] == "2026-11-25T06:32:00"
    r = await http.put(
        signed("/wp-json/wc/v3/orders/17", "PUT"),
        json={
            "meta_data": [
                {"id": erp_id, "key": "erp_invoice", "value": "by id"},
                {"key": "b_count", "value": None},
                {"value": "no key"},
            ]
        },
    )
    assert [(m["key"], m["value"]) for m in r.json()["meta_data"]] == [
        ("_kashier_order_reference", "KSH-ORD-778899"),
        ("erp_invoice", "by id"),
    ]
    sim.clock.advance(5)
    r = await http.put(signed("/wp-json/wc/v3/orders/17", "PUT"), json={})  # even an empty save bumps
    assert r.json()["date_modified_gmt"] == "2026-11-25T04:32:05"


def load_order(sim: WooSim) -> dict:
    return sim.import_order(real("order_17.json"))


async def test_c1_08_set_paid_and_line_recalculation(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    catalog = seed_catalog(sim)
    order = sim.create_order(
        {
            "payment_method": "kashier_card",
            "billing": {"country": "EG"},
            "line_items": [{"product_id": catalog["shirt"]["id"], "quantity": 1}],
        }
    )
    assert order["status"] == "pending" and order["total"] == "513.00" and order["date_paid"] is None
    oid = order["id"]
    r = await http.put(signed(f"/wp-json/wc/v3/orders/{oid}", "PUT"), json={"set_paid": True})
    assert r.json()["status"] == "processing" and r.json()["date_paid"] == "2026-11-25T06:30:00"
    line_id = r.json()["line_items"][0]["id"]
    r = await http.put(
        signed(f"/wp-json/wc/v3/orders/{oid}", "PUT"),
        json={"line_items": [{"product_id": catalog["wallet"]["id"], "quantity": 2}]},
    )
    assert r.json()["total"] == str(round((450 + 2 * 749.99) * 1.14, 2))
    # Changing only the quantity does not reprice the line (observed §8): total stays, price drops.
    r = await http.put(
        signed(f"/wp-json/wc/v3/orders/{oid}", "PUT"), json={"line_items": [{"id": line_id, "quantity": 3}]}
    )
    shirt = next(li for li in r.json()["line_items"] if li["id"] == line_id)
    assert (shirt["quantity"], shirt["total"], shirt["price"]) == (3, "450.00", 150)
    r = await http.put(
        signed(f"/wp-json/wc/v3/orders/{oid}", "PUT"), json={"line_items": [{"id": line_id, "quantity": 0}]}
    )
    remaining = [li["id"] for li in r.json()["line_items"]]
    assert remaining and line_id not in remaining
    assert r.json()["total"] == "1709.98"
    before = dict(sim.orders[oid])
    r = await http.put(
        signed(f"/wp-json/wc/v3/orders/{oid}", "PUT"),
        json={"meta_data": [{"key": "lost", "value": "1"}], "line_items": [{"id": 99999}]},
    )
    assert r.status_code == 400 and r.json()["code"] == "woocommerce_rest_invalid_item_id"
    assert sim.orders[oid] == before  # nothing of the failed request was kept
    r = await http.put(signed(f"/wp-json/wc/v3/orders/{oid}", "PUT"), json={"customer_id": 777})
    assert (r.status_code, r.json()["message"]) == (400, "Customer ID is invalid.")
    r = await http.post(signed("/wp-json/wc/v3/orders", "POST"), json={"id": 5})
    assert (r.status_code, r.json()["code"]) == (400, "woocommerce_rest_shop_order_exists")
    r = await http.post(signed("/wp-json/wc/v3/orders", "POST"), json={"line_items": [{"product_id": 4040}]})
    assert (r.status_code, r.json()["code"]) == (400, "woocommerce_rest_invalid_product_id")
    assert sim.create_order({})["id"] == oid + 1  # the failed create took no id


async def test_c1_09_notes(sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]) -> None:
    sim.import_order(real("order_15.json"))
    before = dict(sim.orders[15])
    r = await http.post(signed("/wp-json/wc/v3/orders/15/notes", "POST"), json={"note": "synced to ERPNext"})
    assert r.status_code == 201
    note = r.json()
    assert r.headers["Location"] == f"{sim.home}/wp-json/wc/v3/orders/15/notes/{note['id']}"
    assert list(note) == list(load_docs_note())
    assert note["author"] == "WooCommerce" and note["customer_note"] is False  # sample 70
    r = await http.post(
        signed("/wp-json/wc/v3/orders/15/notes", "POST"),
        json={"note": "on its way", "customer_note": True, "added_by_user": True},
    )
    assert r.json()["customer_note"] is True and r.json()["author"] == "admin"
    r = await http.get(signed("/wp-json/wc/v3/orders/15/notes"))
    # newest first, notes of one second in the order they were written (sample 70); the customer's
    # note sent the "Customer note" e-mail, which WooCommerce notes too
    assert [n["note"] for n in r.json()] == ["synced to ERPNext", "on its way", 'Email "Customer note" sent.']
    assert "X-WP-Total" not in r.headers
    r = await http.get(signed("/wp-json/wc/v3/orders/15/notes?type=customer"))
    assert [n["note"] for n in r.json()] == ["on its way"]
    assert sim.orders[15] == before  # the order was not saved
    assert sim.hub.queue == []
    r = await http.post(signed("/wp-json/wc/v3/orders/15/notes", "POST"), json={"customer_note": True})
    assert r.json() == {
        "code": "rest_missing_callback_param",
        "message": "Missing parameter(s): note",
        "data": {"status": 400, "params": ["note"]},
    }
    r = await http.post(signed("/wp-json/wc/v3/orders/99/notes", "POST"), json={"note": "x"})
    assert (r.status_code, r.json()["code"]) == (404, "woocommerce_rest_order_invalid_id")


def load_docs_note() -> dict:
    from conftest import DOCS

    return load(DOCS / "wp-api-v3-order-notes-create-an-order-note.json")


async def test_c1_10_refunds(sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]) -> None:
    sim.import_order(real("order_20.json"))  # kashier_card, total 1999.99
    sim.import_order(real("order_15.json"))  # cod
    r = await http.post(signed("/wp-json/wc/v3/orders/15/refunds", "POST"), json={"amount": "10.00"})
    assert r.status_code == 500
    assert r.json() == {
        "code": "woocommerce_rest_cannot_create_order_refund",
        "message": "The payment gateway for this order does not support automatic refunds.",
        "data": 500,
    }
    r = await http.post(signed("/wp-json/wc/v3/orders/404/refunds", "POST"), json={"amount": "1"})
    assert (r.status_code, r.json()) == (
        500,
        {"code": "woocommerce_rest_invalid_order_id", "message": "Invalid order ID.", "data": 404},
    )
    r = await http.post(signed("/wp-json/wc/v3/orders/20/refunds", "POST"), json={"amount": "-5"})
    assert (r.status_code, r.json()["message"]) == (500, "Refund amount must be greater than zero.")
    r = await http.post(signed("/wp-json/wc/v3/orders/20/refunds", "POST"), json={"amount": "5000"})
    assert (r.status_code, r.json()["message"]) == (500, "Invalid refund amount.")
    order = sim.orders[20]
    line = order["line_items"][0]
    r = await http.post(
        signed("/wp-json/wc/v3/orders/20/refunds", "POST"),
        json={"reason": "one shirt back", "line_items": [{"id": line["id"], "quantity": 1, "refund_total": "405.00"}]},
    )
    assert r.status_code == 201
    refund = r.json()
    assert refund["amount"] == "405.00" and refund["refunded_payment"] is True
    assert refund["line_items"][0]["quantity"] == -1 and refund["line_items"][0]["total"] == "-405.00"
    assert sim.orders[20]["status"] == "processing"  # partial refund keeps the status
    r = await http.post(
        signed("/wp-json/wc/v3/orders/20/refunds", "POST"), json={"amount": "1594.99", "api_refund": False}
    )
    assert r.status_code == 201 and r.json()["refunded_payment"] is False
    got = (await http.get(signed("/wp-json/wc/v3/orders/20"))).json()
    assert got["status"] == "refunded"
    assert [x["total"] for x in got["refunds"]] == ["-1594.99", "-405.00"]
    r = await http.get(signed("/wp-json/wc/v3/orders/20/refunds"))
    assert [x["amount"] for x in r.json()] == ["1594.99", "405.00"] and r.headers["X-WP-Total"] == "2"
    assert (await http.get(signed("/wp-json/wc/v3/orders/77/refunds"))).json() == []
    assert len((await http.get(signed("/wp-json/wc/v3/refunds"))).json()) == 2


async def test_c1_10_refund_restock(sim: WooSim) -> None:
    catalog = seed_catalog(sim)
    catalog["shirt"].update({"manage_stock": True, "stock_quantity": 10})
    order = sim.create_order(
        {
            "payment_method": "kashier_card",
            "billing": {"country": "EG"},
            "line_items": [{"product_id": catalog["shirt"]["id"], "quantity": 2}],
        }
    )
    assert order["total"] == "1026.00"
    line = order["line_items"][0]
    sim.refund(order["id"], line_items=[{"id": line["id"], "quantity": 1, "refund_total": "450.00"}])
    assert catalog["shirt"]["stock_quantity"] == 11
    sim.refund(order["id"], line_items=[{"id": line["id"], "quantity": 1, "refund_total": "1.00"}], restock=False)
    assert catalog["shirt"]["stock_quantity"] == 11


async def test_c1_08_coupon_lines_and_removal(sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]) -> None:
    from conftest import REAL

    catalog = seed_catalog(sim)
    sim.import_store(coupons=load(REAL / "store-coupons.json"))
    r = await http.post(
        signed("/wp-json/wc/v3/orders", "POST"),
        json={
            "payment_method": "kashier_card",
            "billing": {"country": "EG"},
            "line_items": [{"product_id": catalog["shirt"]["id"], "quantity": 2}],
            "coupon_lines": [{"code": "EID10"}],
        },
    )
    order = r.json()
    coupon = order["coupon_lines"][0]
    assert (coupon["code"], coupon["discount"], coupon["discount_type"], coupon["nominal_amount"]) == (
        "eid10",
        "90",
        "percent",
        10,
    )  # coupon discounts are raw, unformatted strings
    assert coupon["meta_data"][0]["key"] == "coupon_info"
    assert coupon["meta_data"][0]["value"] == '[24,"eid10","percent",10]'
    assert (order["discount_total"], order["total"]) == ("90.00", "923.40")  # (900 - 90) × 1.14
    r = await http.put(
        signed(f"/wp-json/wc/v3/orders/{order['id']}", "PUT"),
        json={"coupon_lines": [{"id": coupon["id"], "code": None}]},
    )
    assert (r.json()["coupon_lines"], r.json()["discount_total"], r.json()["total"]) == ([], "0.00", "1026.00")
    r = await http.post(signed("/wp-json/wc/v3/orders", "POST"), json={"coupon_lines": [{"code": "nope"}]})
    assert r.status_code == 400 and r.json()["code"] == "woocommerce_rest_invalid_coupon"


async def test_c1_09_status_changes_leave_system_notes(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    sim.import_order(real("order_17.json"))
    await http.put(signed("/wp-json/wc/v3/orders/17", "PUT"), json={"status": "processing"})
    await http.put(signed("/wp-json/wc/v3/orders/17", "PUT"), json={"customer_note": "no status change"})
    r = await http.get(signed("/wp-json/wc/v3/orders/17/notes"))
    assert [(n["author"], n["note"]) for n in r.json()] == [
        ("WooCommerce", 'Email "Processing order" sent.'),  # sent before the transition is noted (sample 70)
        ("WooCommerce", "Order status changed from On hold to Processing."),
    ]


async def test_c1_10_imported_refunds_are_served(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    from conftest import DOCS

    refund = load(DOCS / "wp-api-v3-order-refunds-retrieve-a-refund.json")
    sim.import_order({**real("order_20.json"), "id": 723})
    sim.import_refund(723, refund)
    r = await http.get(signed("/wp-json/wc/v3/orders/723/refunds/726"))
    assert r.json() == refund
    assert sim.create_order({"payment_method": "cod"})["id"] == 727  # after the refund's id


async def test_c1_08_body_types_are_validated(sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]) -> None:
    sim.import_order(real("order_15.json"))
    r = await http.put(
        signed("/wp-json/wc/v3/orders/15", "PUT"),
        json={
            "customer_id": "abc",
            "billing": {"email": "not-an-email"},
            "set_paid": "maybe",
            "line_items": [{"id": 1, "quantity": "two"}],
        },
    )
    assert r.status_code == 400
    data = r.json()["data"]
    assert r.json()["message"] == "Invalid parameter(s): customer_id, set_paid, billing, line_items"
    assert data["params"] == {
        "customer_id": "customer_id is not of type integer.",
        "set_paid": "set_paid is not of type boolean.",
        "billing": "Invalid email address.",
        "line_items": "line_items[0][quantity] is not of type integer.",
    }
    assert data["details"]["billing"]["code"] == "rest_invalid_email"
    r = await http.put(signed("/wp-json/wc/v3/orders/15", "PUT"), json={"billing": {"email": "Mona.H@Example.test"}})
    assert r.json()["billing"]["email"] == "Mona.H@Example.test"  # stored as sent, case kept
