"""Issue 13, item 1: long request lines. The simulators refuse what gunicorn and Apache refuse (on
real ports, raw sockets), and woonext's clients never send a request line over the limit: a long
ERPNext list query becomes one POST to `frappe.client.get_list`, a long WooCommerce `include=` list
is split into requests that fit."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.fixtures import REAL
from tests.ports import free_port, raw_request, serving
from tests.sync.world import jarz_masters
from woonext.erpnext.client import REQUEST_LINE_BUDGET as ERP_BUDGET
from woonext.erpnext.client import ErpClient
from woonext.erpnext.errors import ErpError
from woonext.requestline import request_line_length, split_to_fit
from woonext.sim.erpnext import ErpSim, ErpSimConfig
from woonext.sim.woo import WooSim, WooSimConfig
from woonext.woo.client import REQUEST_LINE_BUDGET as WOO_BUDGET
from woonext.woo.client import WooClient
from woonext.woo.errors import WooError
from woonext.woo.include import id_chunks, list_orders_by_ids

SAMPLE_103 = json.loads((REAL / "erpnext-real-samples" / "103-get-request-line-too-long.json").read_text())


def _line(method: str, path: str, total: int) -> str:
    """A request line of exactly `total` bytes: `METHOD path?pad=xxx HTTP/1.1`."""
    head = f"{method} {path}?pad="
    return head + "x" * (total - len(head) - len(" HTTP/1.1")) + " HTTP/1.1"


async def test_the_erpnext_simulator_answers_an_overlong_line_with_gunicorns_page() -> None:
    erp = ErpSim(ErpSimConfig())
    async with serving(erp.app) as [url]:
        head, body = await raw_request(url, _line("GET", "/api/method/frappe.ping", 4095))
        ok_head, _ = await raw_request(url, _line("GET", "/api/method/frappe.ping", 4094))
    assert head.startswith(b"HTTP/1.1 400 Bad Request")
    assert b"connection: close" in head.lower() and b"content-type: text/html" in head.lower()
    assert body.decode() == SAMPLE_103["body"].replace("4215", "4095")
    assert ok_head.startswith(b"HTTP/1.1 200")  # 4,094 bytes pass, as on the real gunicorn


async def test_the_woocommerce_simulator_answers_an_overlong_line_with_414() -> None:
    woo = WooSim(WooSimConfig())
    async with serving(woo.app) as [url]:
        head, body = await raw_request(url, _line("GET", "/wp-json/wc/v3/orders", 8191))
        ok_head, _ = await raw_request(url, _line("GET", "/wp-json/wc/v3/orders", 8190))
    assert head.startswith(b"HTTP/1.1 414")
    assert b"Request-URI Too Long" in body
    assert ok_head.startswith(b"HTTP/1.1 401")  # reached WordPress (no credentials), not the web server's 414


async def test_a_long_name_list_is_one_post_and_a_short_one_a_get() -> None:
    skus = [f"WOO-SKU-{n:05d}" for n in range(1500)]
    erp = ErpSim(ErpSimConfig())
    erp.seed(jarz_masters(skus[:700]))
    key, secret = erp.create_api_user()
    async with serving(erp.app) as [url], ErpClient(url, key, secret) as client:
        found = await client.get_list("Item", filters=[["name", "in", skus]], fields=["name"], limit=0)
        few = await client.get_list("Item", filters=[["name", "in", skus[:5]]], fields=["name"], limit=0)
        count = await client.get_count("Item", [["name", "in", skus]])
    assert {r["name"] for r in found} == set(skus[:700])
    assert len(few) == 5 and count == 700
    routes = [(m, p) for m, p, _ in erp.request_log]
    assert ("POST", "/api/method/frappe.client.get_list") in routes
    assert ("GET", "/api/resource/Item") in routes  # the short one stays a GET
    assert ("POST", "/api/method/frappe.client.get_count") in routes
    assert all(status == 200 for *_, status in erp.request_log)


async def test_a_read_sent_as_post_is_retried_like_a_get() -> None:
    """A POST to get_list changes nothing: a 500 HTML page on it is retried, not reported as a
    write that may have been applied."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            return httpx.Response(502, text="<html>bad gateway</html>", headers={"content-type": "text/html"})
        return httpx.Response(200, json={"message": [{"name": "A"}]})

    async def no_sleep(_: float) -> None:
        return None

    client = ErpClient("http://erp.test", "k", "s", transport=httpx.MockTransport(handler), sleep=no_sleep)
    rows = await client.get_list("Item", filters=[["name", "in", [f"X{n:06d}" for n in range(800)]]], limit=0)
    assert rows == [{"name": "A"}] and calls == ["POST", "POST"]


async def test_the_client_refuses_to_send_an_overlong_get_itself() -> None:
    client = ErpClient("http://erp.test", "k", "s", transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    with pytest.raises(ErpError) as caught:
        await client.request("GET", "/api/resource/Item", params={"q": "x" * ERP_BUDGET})
    assert caught.value.exc_type == "RequestLineTooLarge" and caught.value.kind == "permanent"
    assert client.requests == 0


async def test_include_lists_are_split_to_fit_and_every_order_comes_back(monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    woo = WooSim(WooSimConfig(home_url=f"http://127.0.0.1:{port}"))
    ids = [woo.create_order({"status": "completed", "line_items": []})["id"] for _ in range(30)]
    ck, cs = woo.create_key("read")
    wanted = [*ids, *range(100_000, 103_000)]  # 3,000 ids that match nothing: the list is long
    async with serving(woo.app, ports=[port]) as [url], WooClient(url, ck, cs) as client:
        orders = await list_orders_by_ids(client, wanted, {"status": "any"})
        chunks = id_chunks(client, "orders", wanted, {"status": "any"})
    assert sorted(o["id"] for o in orders) == sorted(ids)
    assert len(chunks) == 31 and all(len(c) <= 100 for c in chunks)  # a page holds 100
    assert [s for *_, s in woo.request_log if s != 200] == []
    # Where the line is the limit (long ids, a long store URL), the chunks shrink to fit it.
    monkeypatch.setattr("woonext.woo.client.REQUEST_LINE_BUDGET", 700)
    small = WooClient(f"http://127.0.0.1:{port}", ck, cs)
    tight = id_chunks(small, "orders", wanted, {"status": "any"})
    assert len(tight) > 31 and [v for c in tight for v in c] == [str(i) for i in wanted]
    for chunk in tight:  # sent as is, whatever the signature
        query = {"status": "any", "per_page": "100", "page": "1", "include": ",".join(chunk)}
        assert request_line_length(small._build("GET", "orders", query, None)) <= 700
    await small.aclose()


async def test_a_414_from_the_web_server_is_named_as_such() -> None:
    woo = WooSim(WooSimConfig(home_url="http://woo.test", request_line_limit=500))
    ck, cs = woo.create_key("read")
    async with WooClient("http://woo.test", ck, cs, transport=httpx.ASGITransport(app=woo.app)) as client:
        with pytest.raises(WooError) as caught:
            await client.list_orders({"include": list(range(1, 200))})
    assert caught.value.status == 414 and caught.value.code == "request_uri_too_long"
    assert not caught.value.retryable and "woonext bug" in str(caught.value)
    assert WOO_BUDGET < 8190


def test_split_to_fit_keeps_order_and_limits() -> None:
    chunks = split_to_fit(list(range(10)), lambda c: sum(c) <= 10, max_items=3)
    assert [v for c in chunks for v in c] == list(range(10))
    assert all(sum(c) <= 10 and len(c) <= 3 for c in chunks)
    with pytest.raises(ValueError):
        split_to_fit([1, 50], lambda c: sum(c) <= 10)
