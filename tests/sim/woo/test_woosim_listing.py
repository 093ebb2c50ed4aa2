"""C1 items 4–5: GET /orders parameters, filtering, ordering and the pagination headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from conftest import REAL, make_sim, real
from woonext.sim.woo import WooSim


def _import_real_orders(sim: WooSim) -> None:
    for number in range(15, 21):
        sim.import_order(real(f"order_{number}.json"))


async def _ids(http: httpx.AsyncClient, signed: Callable[..., str], query: str) -> list[int]:
    r = await http.get(signed(f"/wp-json/wc/v3/orders?{query}"))
    assert r.status_code == 200, r.text
    return [o["id"] for o in r.json()]


async def test_c1_04_invalid_params(http: httpx.AsyncClient, signed: Callable[..., str]) -> None:
    r = await http.get(signed("/wp-json/wc/v3/orders?per_page=500"))
    assert r.status_code == 400
    assert r.json() == {
        "code": "rest_invalid_param",
        "message": "Invalid parameter(s): per_page",
        "data": {
            "status": 400,
            "params": {"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"},
            "details": {
                "per_page": {
                    "code": "rest_out_of_bounds",
                    "message": "per_page must be between 1 (inclusive) and 100 (inclusive)",
                    "data": None,
                }
            },
        },
    }
    r = await http.get(signed("/wp-json/wc/v3/orders?per_page=0&page=0&status=bogus&after=2025-05-01"))
    body: dict[str, Any] = r.json()
    assert body["message"] == "Invalid parameter(s): page, per_page, after, status"
    assert body["data"]["params"]["page"] == "page must be greater than or equal to 1"
    assert body["data"]["params"]["after"] == "Invalid date."
    assert body["data"]["details"]["status"]["code"] == "rest_not_in_enum"
    assert body["data"]["params"]["status"] == (
        "status[0] is not one of any, trash, auto-draft, pending, processing, on-hold, completed, cancelled, "
        "refunded, failed, and checkout-draft."
    )
    r = await http.get(signed("/wp-json/wc/v3/orders?per_page=abc&order=up&orderby=name"))
    params = r.json()["data"]["params"]
    assert params["per_page"] == "per_page is not of type integer."
    assert params["order"] == "order is not one of asc and desc."
    assert params["orderby"] == "orderby is not one of date, id, include, title, slug, and modified."


async def test_c1_04_status_semantics_and_filters(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    _import_real_orders(sim)
    sim.trash(16)
    sim.orders[17]["status"] = "checkout-draft"
    assert await _ids(http, signed, "") == [20, 19, 18, 15]  # date desc, id desc; no trash/draft
    assert await _ids(http, signed, "status=trash") == [16]
    assert await _ids(http, signed, "status=checkout-draft,cancelled") == [19, 17]
    assert await _ids(http, signed, "status[0]=processing&status[1]=completed") == [20, 18, 15]
    assert await _ids(http, signed, "orderby=id&order=asc") == [15, 18, 19, 20]
    assert await _ids(http, signed, "include=19,15&orderby=include") == [19, 15]
    assert await _ids(http, signed, "exclude=20,19") == [18, 15]
    assert await _ids(http, signed, "customer=2") == [20]
    assert await _ids(http, signed, "search=ahmed") == [15]
    assert await _ids(http, signed, "orderby=modified&order=asc") == [18, 19, 15, 20]


async def test_c1_04_dates_strict_second_precision_site_time(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    _import_real_orders(sim)
    # order 20: created 2026-11-25T06:18:01 Cairo = 04:18:01 UTC; the others at 06:14:18–06:14:19.
    assert await _ids(http, signed, "after=2026-11-25T06:18:00") == [20]
    assert await _ids(http, signed, "after=2026-11-25T06:18:01") == []  # exclusive
    assert await _ids(http, signed, "after=2026-11-25T06:18:00.999") == [20]  # fractions dropped
    assert await _ids(http, signed, "after=2026-11-25T04:18:00&dates_are_gmt=true") == [20]
    assert await _ids(http, signed, "after=2026-11-25T04:18:01&dates_are_gmt=1") == []
    # A naive value is site time (Cairo), not UTC: 04:18 Cairo is before every order.
    assert len(await _ids(http, signed, "after=2026-11-25T04:18:00")) == 6
    # An explicit offset is converted into site time before the comparison.
    assert await _ids(http, signed, "after=2026-11-25T04:18:00Z") == [20]
    assert await _ids(http, signed, "before=2026-11-25T06:14:19") == [16, 15]
    assert await _ids(http, signed, "modified_after=2026-11-25T04:16:00&dates_are_gmt=true") == [20, 15]
    assert await _ids(http, signed, "modified_before=2026-11-25T04:14:19&dates_are_gmt=true") == []


async def test_c1_04_timezone_configurable() -> None:
    sim = make_sim(timezone="UTC")
    from conftest import client, oauth_url

    ck, cs = sim.create_key()
    _import_real_orders(sim)
    async with client(sim) as http:
        r = await http.get(oauth_url(sim, "/wp-json/wc/v3/orders?after=2026-11-25T06:18:00Z", ck, cs))
        # Converted into the site zone (UTC here) and compared with the stored local column.
        assert [o["id"] for o in r.json()] == [20]


async def test_c1_05_pagination_headers_match_real(sim: WooSim, http: httpx.AsyncClient, keys: tuple[str, str]) -> None:
    _import_real_orders(sim)
    https = make_sim(https=True)
    ck, cs = https.create_key()
    _import_real_orders(https)
    from conftest import client

    async with client(https) as c:
        r = await c.get("/wp-json/wc/v3/orders?per_page=2", auth=(ck, cs))
    expected = (REAL / "orders_list_per_page_2.headers.txt").read_text()
    assert r.headers["X-WP-Total"] == "6" and r.headers["X-WP-TotalPages"] == "3"
    link_line = next(line for line in expected.splitlines() if line.startswith("Link:"))
    assert f"Link: {r.headers['Link']}" == link_line
    assert r.content == (REAL / "orders_list_per_page_2.raw.json").read_bytes()  # byte for byte
    async with client(https) as c:
        r = await c.get("/wp-json/wc/v3/orders?page=2&per_page=2", auth=(ck, cs))
        link = r.headers["Link"]
        assert 'page=1&per_page=2&status%5B0%5D=any&dp=2&context=view>; rel="prev"' in link
        assert 'page=3&per_page=2&status%5B0%5D=any&dp=2&context=view>; rel="next"' in link
        r = await c.get("/wp-json/wc/v3/orders?page=9&per_page=2", auth=(ck, cs))
        assert r.status_code == 200 and r.json() == [] and r.headers["X-WP-Total"] == "6"
        assert "page=3&per_page=2" in r.headers["Link"] and "next" not in r.headers["Link"]
        r = await c.get("/wp-json/wc/v3/orders?per_page=100", auth=(ck, cs))
        assert r.headers["Link"] == '<http://127.0.0.1:8080/wp-json/>; rel="https://api.w.org/"'


async def test_c1_05_modify_orders_while_paging(
    sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]
) -> None:
    _import_real_orders(sim)
    seen: list[int] = []

    def arrive(s: WooSim, values: dict[str, Any]) -> None:
        if values.get("page") == 2:  # between page 1 and 2 a new order arrives
            seen.append(s.create_order({"payment_method": "cod"})["id"])

    sim.between_pages = arrive
    first = await _ids(http, signed, "per_page=3")
    second = await _ids(http, signed, "per_page=3&page=2")
    assert seen == [21]  # ids continue after the imported maximum
    # Default order is date desc: the newcomer shifts everything and order 18 is served twice.
    assert first == [20, 19, 18] and second == [18, 17, 16]


async def test_c1_04_fields_and_meta_filters(sim: WooSim, http: httpx.AsyncClient, signed: Callable[..., str]) -> None:
    _import_real_orders(sim)
    sim.update_order(17, {"meta_data": [{"key": "erp_invoice", "value": "SINV-1"}]})
    r = await http.get(signed("/wp-json/wc/v3/orders?include=17&_fields=id,status,billing.email"))
    assert r.json() == [{"id": 17, "status": "on-hold", "billing": {"email": "youssef.ibrahim@example.test"}}]
    r = await http.get(signed("/wp-json/wc/v3/orders/17?include_meta=erp_invoice"))
    assert [m["key"] for m in r.json()["meta_data"]] == ["erp_invoice"]
    r = await http.get(signed("/wp-json/wc/v3/orders?include=17&exclude_meta=erp_invoice"))
    assert [m["key"] for m in r.json()[0]["meta_data"]] == ["_kashier_order_reference"]
