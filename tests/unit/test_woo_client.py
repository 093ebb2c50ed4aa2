from __future__ import annotations

import httpx
import pytest

from woonext.woo import WooClient, WooError, WooUncertain

from .conftest import SleepRecorder
from .woo_server import FakeWoo, Scripted

KEY, SECRET = "ck_testkey123", "cs_testsecret456"


def client_for(fake: FakeWoo, sleeps: SleepRecorder, **kwargs: object) -> WooClient:
    transport = httpx.ASGITransport(app=fake.app)
    return WooClient(fake.home_url, KEY, SECRET, transport=transport, sleep=sleeps, **kwargs)  # type: ignore[arg-type]


async def test_http_requests_are_signed_with_oauth(sleeps: SleepRecorder) -> None:
    fake = FakeWoo("http://shop.test:8081", KEY, SECRET).then(
        Scripted(body=[{"id": 1}, {"id": 2}], headers={"X-WP-Total": "250", "X-WP-TotalPages": "3"})
    )
    async with client_for(fake, sleeps) as woo:
        page = await woo.list_orders({"status": ["completed", "cancelled"], "dates_are_gmt": True, "page": 2})
    assert [o["id"] for o in page.items] == [1, 2]
    assert (page.total, page.total_pages, page.page) == (250, 3, 2)
    request = fake.seen[0]
    assert request.query_params["status"] == "completed,cancelled"
    assert request.query_params["dates_are_gmt"] == "true"
    assert request.query_params["oauth_signature_method"] == "HMAC-SHA256"
    assert "authorization" not in request.headers


async def test_wrong_secret_fails_the_server_check(sleeps: SleepRecorder) -> None:
    fake = FakeWoo("http://shop.test", KEY, "cs_other")
    async with client_for(fake, sleeps) as woo:
        with pytest.raises(WooError) as caught:
            await woo.get("orders")
    error = caught.value
    assert (error.status, error.code, error.retryable) == (401, "woocommerce_rest_cannot_view", False)
    assert "http://" in error.message and "home URL" in error.message
    assert sleeps.delays == []


async def test_https_uses_basic_auth(sleeps: SleepRecorder) -> None:
    fake = FakeWoo("https://shop.test", KEY, SECRET).then(Scripted(body={"id": 7, "status": "completed"}))
    async with client_for(fake, sleeps) as woo:
        order = await woo.get_order(7)
    assert order == {"id": 7, "status": "completed"}
    assert not any(k.startswith("oauth_") for k in fake.seen[0].query_params)
    assert fake.seen[0].headers["authorization"].startswith("Basic ")


async def test_retry_after_is_honoured_on_get(sleeps: SleepRecorder) -> None:
    fake = FakeWoo("http://shop.test", KEY, SECRET).then(
        Scripted(status=429, raw=b"<html>slow down</html>", headers={"Retry-After": "7"}, content_type="text/html"),
        Scripted(
            status=503,
            body={"code": "busy", "message": "busy", "data": {"status": 503}},
            headers={"Retry-After": "2"},
        ),
        Scripted(body={"id": 3}),
    )
    async with client_for(fake, sleeps) as woo:
        order = await woo.get_order(3)
        assert woo.requests == 3
    assert order == {"id": 3}
    assert sleeps.delays == [7.0, 2.0]


async def test_backoff_without_retry_after_grows_and_gives_up(sleeps: SleepRecorder) -> None:
    gateway = Scripted(status=502, raw=b"<html>Bad Gateway</html>", content_type="text/html")
    fake = FakeWoo("http://shop.test", KEY, SECRET).then(*[gateway] * 10)
    async with client_for(fake, sleeps, max_retries=3, backoff_base=1.0) as woo:
        with pytest.raises(WooError) as caught:
            await woo.get("orders")
        assert woo.requests == 4
    assert caught.value.retryable and caught.value.status == 502
    assert len(sleeps.delays) == 3
    assert 0.5 <= sleeps.delays[0] <= 1.0 and 1.0 <= sleeps.delays[1] <= 2.0 and 2.0 <= sleeps.delays[2] <= 4.0


async def test_html_page_with_status_200_is_retried(sleeps: SleepRecorder) -> None:
    fake = FakeWoo("http://shop.test", KEY, SECRET).then(
        Scripted(raw=b"<!DOCTYPE html><html>Maintenance</html>", content_type="text/html"),
        Scripted(body=[]),
    )
    async with client_for(fake, sleeps) as woo:
        page = await woo.list_orders()
    assert page.items == [] and len(sleeps.delays) == 1


async def test_html_200_on_a_write_is_uncertain_and_not_retried(sleeps: SleepRecorder) -> None:
    fake = FakeWoo("http://shop.test", KEY, SECRET).then(
        Scripted(raw=b"<html>cached</html>", content_type="text/html"), Scripted(body={"id": 1})
    )
    async with client_for(fake, sleeps) as woo:
        with pytest.raises(WooUncertain, match="read the object back"):
            await woo.update_order(1, {"status": "completed"})
        assert woo.requests == 1
    assert fake.bodies[0] == {"status": "completed"}


async def test_writes_are_not_retried_on_503(sleeps: SleepRecorder) -> None:
    fake = FakeWoo("http://shop.test", KEY, SECRET).then(
        Scripted(status=503, body={"code": "x", "message": "down", "data": {"status": 503}}),
        Scripted(body={"id": 1}),
    )
    async with client_for(fake, sleeps) as woo:
        with pytest.raises(WooError) as caught:
            await woo.create_webhook({"topic": "order.updated"})
        assert woo.requests == 1
    assert caught.value.retryable


async def test_get_order_404_is_none_but_no_route_is_an_error(sleeps: SleepRecorder) -> None:
    fake = FakeWoo("http://shop.test", KEY, SECRET).then(
        Scripted(
            status=404,
            body={
                "code": "woocommerce_rest_shop_order_invalid_id",
                "message": "Invalid ID.",
                "data": {"status": 404},
            },
        ),
        Scripted(
            status=404,
            body={
                "code": "rest_no_route",
                "message": "No route was found matching the URL and request method.",
                "data": {"status": 404},
            },
        ),
    )
    async with client_for(fake, sleeps) as woo:
        assert await woo.get_order(999) is None
        with pytest.raises(WooError) as caught:
            await woo.get_order(1)
    assert caught.value.code == "rest_no_route" and not caught.value.retryable


async def test_validation_error_is_decoded(sleeps: SleepRecorder) -> None:
    body = {
        "code": "rest_invalid_param",
        "message": "Invalid parameter(s): per_page",
        "data": {"status": 400, "params": {"per_page": "per_page must be between 1 (inclusive) and 100"}},
    }
    fake = FakeWoo("http://shop.test", KEY, SECRET).then(Scripted(status=400, body=body))
    async with client_for(fake, sleeps) as woo:
        with pytest.raises(WooError) as caught:
            await woo.list_orders({"per_page": 500})
    error = caught.value
    assert (error.status, error.code, error.message, error.retryable) == (
        400,
        "rest_invalid_param",
        "Invalid parameter(s): per_page",
        False,
    )
    assert error.data["params"]["per_page"].startswith("per_page must be")


async def test_read_only_key_error_says_what_to_fix(sleeps: SleepRecorder) -> None:
    body = {
        "code": "woocommerce_rest_authentication_error",
        "message": "The API key provided does not have write permissions.",
        "data": {"status": 401},
    }
    fake = FakeWoo("http://shop.test", KEY, SECRET).then(Scripted(status=401, body=body))
    async with client_for(fake, sleeps) as woo:
        with pytest.raises(WooError, match="Read/Write"):
            await woo.update_order(5, {"status": "completed"})


async def test_iter_orders_walks_every_page(sleeps: SleepRecorder) -> None:
    pages = {"X-WP-Total": "5", "X-WP-TotalPages": "3"}
    fake = FakeWoo("http://shop.test", KEY, SECRET).then(
        Scripted(body=[{"id": 1}, {"id": 2}], headers=pages),
        Scripted(body=[{"id": 3}, {"id": 4}], headers=pages),
        Scripted(body=[{"id": 5}], headers=pages),
    )
    async with client_for(fake, sleeps) as woo:
        seen = [(page.page, [o["id"] for o in page.items]) async for page in woo.iter_orders({"status": "any"}, 2)]
    assert seen == [(1, [1, 2]), (2, [3, 4]), (3, [5])]
    assert [r.query_params["page"] for r in fake.seen] == ["1", "2", "3"]
    assert {r.query_params["per_page"] for r in fake.seen} == {"2"}


class _FlakyTransport(httpx.AsyncBaseTransport):
    """Fails the first `failures` requests with `error`, then answers from the wrapped transport."""

    def __init__(self, inner: httpx.AsyncBaseTransport, error: type[httpx.TransportError], failures: int) -> None:
        self.inner, self.error, self.failures = inner, error, failures

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.failures > 0:
            self.failures -= 1
            raise self.error("simulated", request=request)
        return await self.inner.handle_async_request(request)


async def test_connection_errors_are_retried_for_gets_and_uncertain_for_writes(sleeps: SleepRecorder) -> None:
    fake = FakeWoo("http://shop.test", KEY, SECRET).then(Scripted(body={"id": 1}))
    transport = _FlakyTransport(httpx.ASGITransport(app=fake.app), httpx.ReadTimeout, 2)
    async with WooClient(fake.home_url, KEY, SECRET, transport=transport, sleep=sleeps) as woo:
        assert await woo.get_order(1) == {"id": 1}
        transport.failures = 1
        with pytest.raises(WooUncertain):
            await woo.update_order(1, {"status": "completed"})
    assert len(sleeps.delays) == 2


async def test_refused_connection_is_retried_even_for_writes(sleeps: SleepRecorder) -> None:
    fake = FakeWoo("http://shop.test", KEY, SECRET).then(Scripted(body={"id": 9}))
    transport = _FlakyTransport(httpx.ASGITransport(app=fake.app), httpx.ConnectError, 1)
    async with WooClient(fake.home_url, KEY, SECRET, transport=transport, sleep=sleeps) as woo:
        assert await woo.create_webhook({"topic": "order.updated"}) == {"id": 9}


def test_base_url_forms_and_repr() -> None:
    woo = WooClient("http://shop.test/", KEY, SECRET)
    assert woo.api_root == "http://shop.test/wp-json/wc/v3" and woo.use_oauth
    assert WooClient("https://shop.test/wp-json/wc/v3", KEY, SECRET).api_root == "https://shop.test/wp-json/wc/v3"
    assert KEY not in repr(woo) and SECRET not in repr(woo)
    with pytest.raises(ValueError, match="http:// or https://"):
        WooClient("shop.test", KEY, SECRET)


async def test_gateway_timeout_on_a_write_is_uncertain(sleeps: SleepRecorder) -> None:
    fake = FakeWoo("http://shop.test", KEY, SECRET).then(
        Scripted(status=504, raw=b"<html>Gateway Time-out</html>", content_type="text/html"),
        Scripted(status=502, body={"code": "bad_gateway", "message": "Bad gateway", "data": {"status": 502}}),
    )
    async with client_for(fake, sleeps) as woo:
        with pytest.raises(WooUncertain) as html_error:
            await woo.update_order(1, {"status": "completed"})
        with pytest.raises(WooUncertain) as json_error:
            await woo.update_order(1, {"status": "completed"})
        assert woo.requests == 2
    assert (html_error.value.status, json_error.value.status) == (504, 502)
    assert sleeps.delays == []
