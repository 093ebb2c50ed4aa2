"""C1 item 11: customers, products (sku matching variations), variations, shipping, taxes, batch."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from conftest import REAL, load, real
from woonext.sim.woo import WooSim


def _import_real_store(sim: WooSim) -> None:
    sim.import_store(
        products=load(REAL / "store-products.json"),
        variations=load(REAL / "store-variations.json"),
        taxes=load(REAL / "store-taxes.json"),
        tax_classes=load(REAL / "store-tax-classes.json"),
        zones=load(REAL / "store-shipping-zones.json"),
        coupons=load(REAL / "store-coupons.json"),
    )


async def test_c1_11_products_and_variations(sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]) -> None:
    _import_real_store(sim)
    products = load(REAL / "store-products.json")
    variations = load(REAL / "store-variations.json")
    r = await http.get(signed("/wp-json/wc/v3/products?per_page=100"))
    assert r.status_code == 200 and r.headers["X-WP-Total"] == str(len(products))
    assert {p["id"] for p in r.json()} == {p["id"] for p in products}
    first = products[0]
    assert (await http.get(signed(f"/wp-json/wc/v3/products/{first['id']}"))).json() == first
    parent_id, items = next(iter(variations.items()))
    variation = items[0]
    r = await http.get(signed(f"/wp-json/wc/v3/products?sku={variation['sku']}"))
    assert [p["id"] for p in r.json()] == [variation["id"]]  # the sku filter finds variations too
    r = await http.get(signed(f"/wp-json/wc/v3/products?sku={variation['sku']},{first['sku']}"))
    assert {p["id"] for p in r.json()} == {variation["id"], first["id"]}
    r = await http.get(signed(f"/wp-json/wc/v3/products/{parent_id}/variations"))
    assert {v["id"] for v in r.json()} == {v["id"] for v in items}
    r = await http.get(signed(f"/wp-json/wc/v3/products/{parent_id}/variations/{variation['id']}"))
    assert r.json() == variation
    r = await http.get(signed("/wp-json/wc/v3/products/999999"))
    assert (r.status_code, r.json()["code"], r.json()["message"]) == (
        404,
        "woocommerce_rest_product_invalid_id",
        "Invalid ID.",
    )
    r = await http.get(signed(f"/wp-json/wc/v3/products/{parent_id}/variations/999999"))
    assert r.json()["code"] == "woocommerce_rest_product_variation_invalid_id"


async def test_c1_11_customers(sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]) -> None:
    sample = real("customer_create_response.json")
    body = {
        "email": sample["email"],
        "first_name": "Mona",
        "last_name": "Hassan",
        "username": "mona.hassan",
        "billing": sample["billing"],
        "shipping": sample["shipping"],
    }
    r = await http.post(signed("/wp-json/wc/v3/customers", "POST"), json=body)
    assert r.status_code == 201
    created = r.json()
    assert list(created) == list(sample)
    assert (created["id"], created["avatar_url"], created["billing"]) == (2, sample["avatar_url"], sample["billing"])
    r = await http.post(signed("/wp-json/wc/v3/customers", "POST"), json=body)
    assert (r.status_code, r.json()["code"]) == (400, "registration-error-email-exists")
    assert r.json()["message"] == (
        "An account is already registered with mona.hassan@example.test. "
        "Please log in or use a different email address."
    )
    r = await http.get(signed("/wp-json/wc/v3/customers?email=MONA.HASSAN@example.test"))
    assert [c["id"] for c in r.json()] == [2]
    r = await http.put(signed("/wp-json/wc/v3/customers/2", "PUT"), json={"billing": {"phone": "0100"}})
    assert r.json()["billing"]["phone"] == "0100"
    r = await http.get(signed("/wp-json/wc/v3/customers/9"))
    assert (r.status_code, r.json()["code"]) == (404, "woocommerce_rest_invalid_id")


async def test_c1_11_shipping_and_taxes(sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]) -> None:
    _import_real_store(sim)
    zones = load(REAL / "store-shipping-zones.json")
    r = await http.get(signed("/wp-json/wc/v3/shipping/zones"))
    assert [z["id"] for z in r.json()] == [z["id"] for z in sorted(zones, key=lambda z: (z["order"], z["id"]))]
    assert "X-WP-Total" not in r.headers
    cairo = zones[1]
    r = await http.get(signed(f"/wp-json/wc/v3/shipping/zones/{cairo['id']}/locations"))
    assert r.json() == cairo["locations"]
    r = await http.get(signed(f"/wp-json/wc/v3/shipping/zones/{cairo['id']}/methods"))
    assert r.json() == cairo["methods"]
    r = await http.put(signed("/wp-json/wc/v3/shipping/zones/0/locations", "PUT"), json=[{"code": "EG"}])
    assert r.status_code == 403
    r = await http.put(
        signed(f"/wp-json/wc/v3/shipping/zones/{cairo['id']}/locations", "PUT"),
        json=[{"code": "EG:EGGZ", "type": "state"}],
    )
    assert r.json() == [{"code": "EG:EGGZ", "type": "state"}]
    r = await http.get(signed("/wp-json/wc/v3/shipping/zones/77"))
    assert (r.status_code, r.json()["code"]) == (404, "woocommerce_rest_shipping_zone_invalid")
    zone = sim.add_shipping_zone(
        "Alexandria",
        [{"code": "EG:EGALX", "type": "state"}],
        [{"method_id": "flat_rate", "title": "Flat", "cost": "60"}],
    )
    r = await http.get(signed(f"/wp-json/wc/v3/shipping/zones/{zone['id']}/methods"))
    assert r.json()[0]["settings"]["cost"]["value"] == "60"
    r = await http.get(signed("/wp-json/wc/v3/taxes"))
    assert r.json() == sorted(load(REAL / "store-taxes.json"), key=lambda t: (t["order"], t["id"]))
    r = await http.get(signed("/wp-json/wc/v3/taxes/classes"))
    assert r.json() == load(REAL / "store-tax-classes.json")


async def test_c1_11_shipping_disabled() -> None:
    from conftest import client, make_sim, oauth_url

    sim = make_sim(shipping_enabled=False)
    ck, cs = sim.create_key()
    async with client(sim) as http:
        r = await http.get(oauth_url(sim, "/wp-json/wc/v3/shipping/zones", ck, cs))
        assert (r.status_code, r.json()["code"], r.json()["message"]) == (404, "rest_no_route", "Shipping is disabled.")


async def test_c1_11_batch(sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]) -> None:
    sim.import_order(real("order_15.json"))
    sim.import_order(real("order_16.json"))
    r = await http.post(
        signed("/wp-json/wc/v3/orders/batch", "POST"),
        json={
            "create": [{"payment_method": "cod"}],
            "update": [{"id": 15, "status": "completed"}, {"id": 404, "status": "completed"}],
            "delete": [16],
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["create", "update", "delete"]
    assert body["create"][0]["id"] == 17 and body["update"][0]["status"] == "completed"
    assert body["update"][1] == {
        "id": 404,
        "error": {
            "code": "woocommerce_rest_shop_order_invalid_id",
            "message": "ID is invalid.",
            "data": {"status": 400},
        },
    }
    assert body["delete"][0]["id"] == 16 and 16 not in sim.orders  # batch deletes are forced
    r = await http.post(signed("/wp-json/wc/v3/orders/batch", "POST"), json={"delete": ["abc"]})
    assert r.json() == {
        "delete": [
            {
                "id": 0,
                "error": {
                    "code": "woocommerce_rest_shop_order_invalid_id",
                    "message": "Invalid ID.",
                    "data": {"status": 404},
                },
            }
        ]
    }
    r = await http.post(signed("/wp-json/wc/v3/orders/batch", "POST"), json={"delete": list(range(1, 102))})
    assert (r.status_code, r.json()["code"], r.json()["message"]) == (
        413,
        "woocommerce_rest_request_entity_too_large",
        "Unable to accept more than 100 items for this request.",
    )
