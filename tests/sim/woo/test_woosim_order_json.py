"""C1 item 6: the order JSON. Real samples and every docs example that is an order come back unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from conftest import DOCS, REAL, client, load, make_sim, seed_catalog
from woonext.sim.woo import WooSim


def _shape(value: Any) -> Any:
    """Keys (in order) and JSON types, recursively."""
    if isinstance(value, dict):
        return [(k, _shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return type(value).__name__


def _docs_orders() -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(DOCS.glob("wp-api-v3-orders-*.json")):
        data = load(path)
        candidates = (
            data
            if isinstance(data, list)
            else (
                [x for group in ("create", "update") for x in data.get(group, [])] + list(data.get("delete", []))
                if "create" in data
                else [data]
            )
        )
        found += [(path.name, order) for order in candidates]
    found.append(("order-74", load(DOCS / "webhook-deliveries" / "erpnext-test-woocommerce-order-74.body.json")))
    return found


async def test_c1_06_real_samples_round_trip() -> None:
    names = sorted(p.name for p in REAL.glob("order_*.json"))
    assert len(names) == 12
    for name in names:
        sample = load(REAL / name)
        sim = make_sim(https=True)
        ck, cs = sim.create_key()
        sim.import_order(sample)
        async with client(sim) as http:
            r = await http.get(f"/wp-json/wc/v3/orders/{sample['id']}", auth=(ck, cs))
        assert r.status_code == 200
        served = r.json()
        assert _shape(served) == _shape(sample), name
        assert served == sample, name


async def test_c1_06_docs_examples_round_trip() -> None:
    examples = _docs_orders()
    assert len(examples) >= 10
    for name, order in examples:
        sim = make_sim(https=True, home_url="https://example.com")
        ck, cs = sim.create_key()
        sim.import_order(order)
        async with client(sim) as http:
            r = await http.get(f"/wp-json/wc/v3/orders/{order['id']}", auth=(ck, cs))
        assert r.json() == order, name
        assert list(r.json()) == list(order), name


async def test_c1_06_created_order_matches_real_shape(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    catalog = seed_catalog(sim)
    real = load(REAL / "order_create_response_6_processing.json")
    sim.add_customer("mona.hassan@example.test", "Mona", "Hassan")
    body = {
        "payment_method": "kashier_card",
        "payment_method_title": "Card",
        "customer_id": 2,
        "set_paid": True,
        "billing": {"first_name": "Mona", "country": "EG", "email": "mona.hassan@example.test"},
        "line_items": [
            {"product_id": catalog["shirt"]["id"], "quantity": 3},
            {"product_id": catalog["box"]["id"], "variation_id": catalog["kilo"]["id"], "quantity": 1},
        ],
        "shipping_lines": [{"method_id": "flat_rate", "method_title": "Express", "total": "85.00"}],
        "fee_lines": [{"name": "Gift wrapping", "total": "25.00", "tax_status": "none"}],
        "meta_data": [{"key": "_delivery_duration", "value": 3600}, {"key": "_delivery_date", "value": "2026-12-01"}],
    }
    r = await http.post(signed("/wp-json/wc/v3/orders", "POST"), json=body)
    assert r.status_code == 201
    assert r.headers["Location"] == f"{sim.home}/wp-json/wc/v3/orders/{r.json()['id']}"
    order = r.json()
    assert list(order) == list(real)  # same keys in the same order as the real answer
    assert [k for k, _ in _shape(order["line_items"][0])] == [k for k, _ in _shape(real["line_items"][0])]
    assert isinstance(order["number"], str) and order["number"] == str(order["id"])
    # 1350 + 399.99 + 85 + 25, VAT 14 % on the items (245.00) and on shipping (11.90)
    assert order["total"] == "2116.89" and order["cart_tax"] == "245.00" and order["shipping_tax"] == "11.90"
    assert order["line_items"][0]["price"] == 450 and isinstance(order["line_items"][0]["price"], int)
    assert order["line_items"][1]["parent_name"] == "Dates Gift Box"
    assert order["line_items"][1]["meta_data"][0]["display_key"] == "Weight"
    assert order["date_created"] == "2026-11-25T06:30:00" and order["date_created_gmt"] == "2026-11-25T04:30:00"
    assert [(m["key"], m["value"]) for m in order["meta_data"]] == [
        ("_delivery_date", "2026-12-01"),
        ("_delivery_duration", "3600"),
    ]
    assert order["_links"]["customer"] == [{"href": f"{sim.home}/wp-json/wc/v3/customers/2"}]
    assert order["status"] == "processing" and order["date_paid"] == "2026-11-25T06:30:00"
    raw = (await http.get(signed(f"/wp-json/wc/v3/orders/{order['id']}"))).content
    assert b"_sim_" not in raw and b"\\/wp-json\\/" in raw  # PHP-style escaped slashes


async def test_c1_06_dp_and_sku_from_current_product(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    catalog = seed_catalog(sim)
    order = sim.create_order(
        {"line_items": [{"product_id": catalog["wallet"]["id"], "quantity": 1}], "billing": {"country": "EG"}}
    )
    r = await http.get(signed(f"/wp-json/wc/v3/orders/{order['id']}?dp=3"))
    assert r.json()["total"] == "854.990" and r.json()["line_items"][0]["total"] == "749.990"
    r = await http.get(signed(f"/wp-json/wc/v3/orders/{order['id']}?dp=0"))
    assert r.json()["total"] == "855"
    catalog["wallet"]["sku"] = "WALLET-NEW"
    r = await http.get(signed(f"/wp-json/wc/v3/orders/{order['id']}"))
    assert r.json()["line_items"][0]["sku"] == "WALLET-NEW" and r.json()["total"] == "854.99"
    sim.catalog.delete_product(catalog["wallet"]["id"])
    r = await http.get(signed(f"/wp-json/wc/v3/orders/{order['id']}"))
    assert r.json()["line_items"][0]["sku"] is None


async def test_c1_06_refunds_negative_in_order(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    sim.import_order(load(REAL / "order_20.json"))
    sim.refund(20, amount="100.00", reason="damaged")
    r = await http.get(signed("/wp-json/wc/v3/orders/20"))
    assert r.json()["refunds"] == [{"id": 21, "reason": "damaged", "total": "-100.00"}]
    text = json.dumps(r.json())
    assert "_sim_" not in text
