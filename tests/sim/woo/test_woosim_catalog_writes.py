"""Products and variations written over REST, and stock moved by orders, as the real WooCommerce 11.0.1
does (samples 54–60)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from conftest import real, seed_catalog
from woonext.sim.woo import WooSim


def _managed(sim: WooSim, qty: int = 50) -> dict[str, Any]:
    return sim.add_product("Scented Candle Set", "CANDLE-SET-009", "449.99", manage_stock=True, stock_quantity=qty)


async def test_batch_over_100_objects_is_413_with_the_real_body_and_applies_nothing(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    candle = _managed(sim)
    sample = real("56-products-batch-101-items-413.json")
    for case, update, delete in (("update_101", 101, 0), ("update_60_plus_delete_41", 60, 41)):
        body = {"update": [{"id": candle["id"], "stock_quantity": 7}] * update}
        if delete:
            body["delete"] = list(range(999990, 999990 + delete))
        response = await http.post(signed("/wp-json/wc/v3/products/batch", "POST"), json=body)
        assert response.status_code == 413
        assert response.json() == sample[case]["body"]
    assert sim.catalog.products[candle["id"]]["stock_quantity"] == 50
    exactly = {"update": [{"id": candle["id"], "stock_quantity": 7}] * 100}
    response = await http.post(signed("/wp-json/wc/v3/products/batch", "POST"), json=exactly)
    assert response.status_code == 200 and len(response.json()["update"]) == 100


async def test_a_bad_id_fails_only_its_item_in_place(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    a, b = _managed(sim, 748), sim.add_product("Mug", "MUG", "185.50", manage_stock=True, stock_quantity=852)
    body = {
        "update": [
            {"id": a["id"], "stock_quantity": 740},
            {"id": 999999, "stock_quantity": 5},
            {"id": b["id"], "stock_quantity": 850},
        ],
        "delete": [999998],
    }
    response = await http.post(signed("/wp-json/wc/v3/products/batch", "POST"), json=body)
    assert response.status_code == 200
    update = response.json()["update"]
    expected = real("57-products-batch-one-bad-id.json")["body"]
    assert update[1] == expected["update"][1]
    assert response.json()["delete"] == expected["delete"]
    assert (update[0]["stock_quantity"], update[2]["stock_quantity"]) == (740, 850)


async def test_variations_batch_ignores_stock_without_manage_stock_and_bumps_the_parent(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    catalog = seed_catalog(sim)
    box = catalog["box"]
    half = sim.add_variation(box["id"], "DATES-500", "215.75", [{"name": "Weight", "option": "500g"}])
    sim.add_webhook("product.updated", "http://hook.test/", "s")
    before = box["date_modified_gmt"]
    sim.clock.advance(60)
    body = {
        "update": [
            {"id": half["id"], "stock_quantity": 40, "regular_price": "219.00"},
            {"id": catalog["kilo"]["id"], "manage_stock": True, "stock_quantity": 20, "regular_price": "405.00"},
        ]
    }
    path = f"/wp-json/wc/v3/products/{box['id']}/variations/batch"
    response = await http.post(signed(path, "POST"), json=body)
    half_out, kilo_out = response.json()["update"]
    assert (half_out["stock_quantity"], half_out["manage_stock"], half_out["price"]) == (None, False, "219.00")
    assert (kilo_out["stock_quantity"], kilo_out["stock_status"]) == (20, "instock")
    assert sim.catalog.products[box["id"]]["date_modified_gmt"] > before
    assert [a.arg for a in sim.hub.queue] == [half["id"], catalog["kilo"]["id"]]  # one product.updated each


async def test_put_product_manage_stock_and_read_back(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    candle = sim.add_product("Scented Candle Set", "CANDLE-SET-009", "449.99")
    path = f"/wp-json/wc/v3/products/{candle['id']}"
    put = await http.put(signed(path, "PUT"), json={"manage_stock": True, "stock_quantity": 50})
    got = (await http.get(signed(path))).json()
    assert put.status_code == 200 and (got["manage_stock"], got["stock_quantity"], got["stock_status"]) == (
        True,
        50,
        "instock",
    )
    variation = seed_catalog(sim)["kilo"]
    as_product = await http.get(signed(f"/wp-json/wc/v3/products/{variation['id']}"))
    assert as_product.json()["parent_id"] == variation["parent_id"]  # a variation's id answers as itself


async def test_orders_move_stock_by_status_like_sample_60(sim: WooSim) -> None:
    """The real sequence on product 30: 50 → 50 → 48 → 45 → 41 → 41 → 43 → 43 → 44 → 44 → 43 → 41."""
    candle = _managed(sim)
    line = [{"product_id": candle["id"], "quantity": 0}]
    billing = {"email": "cap50.scratch@example.test", "country": "EG"}

    def order(qty: int, status: str, **extra: Any) -> dict[str, Any]:
        return sim.create_order(
            {
                "status": status,
                "payment_method": "cod",
                "billing": billing,
                "line_items": [{**line[0], "quantity": qty}],
                **extra,
            }
        )

    stock = lambda: sim.catalog.products[candle["id"]]["stock_quantity"]  # noqa: E731
    seen = [stock()]
    a = order(2, "pending")
    seen.append(stock())
    sim.set_status(a["id"], "processing")
    seen.append(stock())
    b = order(3, "processing", set_paid=True)
    seen.append(stock())
    c = order(4, "on-hold")
    seen.append(stock())
    sim.set_status(c["id"], "processing")
    seen.append(stock())
    sim.cancel(a["id"])
    seen.append(stock())
    sim.complete(b["id"])
    seen.append(stock())
    b_line = sim.orders[b["id"]]["line_items"][0]["id"]
    sim.refund(b["id"], line_items=[{"id": b_line, "quantity": 1, "refund_total": "394.73"}], restock=True)
    seen.append(stock())
    sim.refund(b["id"], line_items=[{"id": b_line, "quantity": 1, "refund_total": "394.73"}], restock=False)
    seen.append(stock())
    order(1, "completed")
    seen.append(stock())
    sim.set_status(a["id"], "processing")
    seen.append(stock())
    sample = real("60-stock-semantics-sequence.json")
    expected = [sample["sequence"][0]["stock_before"], *(step["stock_after"] for step in sample["sequence"])]
    assert seen == expected
    meta = {m["key"]: m["value"] for m in sim.orders[a["id"]]["line_items"][0]["meta_data"]}
    assert meta["_reduced_stock"] == "2"
    notes = [n["note"] for n in sim.book.notes[a["id"]]]
    assert "Stock levels reduced: Scented Candle Set (43&rarr;41)" in notes
    assert "Stock levels increased: Scented Candle Set (41&rarr;43)" in notes
    sim.trash(c["id"])
    assert stock() == 41  # trash restores nothing
