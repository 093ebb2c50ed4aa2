"""Async WooCommerce REST v3 client.

Auth follows what WooCommerce 11 accepts (observed-real.md): over `http://` only OAuth 1.0a
one-legged (HMAC-SHA256) works, so requests are signed; over `https://` HTTP Basic is used. GETs are
retried with back-off on 429/502/503/504, HTML pages and connection errors; writes are not retried
unless the request provably never left this machine (connection refused / pool timeout).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from woonext import __version__
from woonext.requestline import request_line_length
from woonext.retry import backoff_delay, parse_retry_after
from woonext.telemetry import http_hooks, note_retry

from . import oauth
from .errors import WooError, WooUncertain, decode_error
from .types import WooOrder, WooRefund

API_PREFIX = "/wp-json/wc/v3"
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
# Raised before any byte of the request was sent: safe to repeat even for writes.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# A proxy's "gave up waiting": PHP may still be running the request behind it.
_MAYBE_APPLIED = frozenset({502, 504})
# Apache refuses a request line over 8,190 bytes (`LimitRequestLine`), nginx over 8 KiB, both with a
# 414 before WordPress runs (woocommerce sample 74); OAuth parameters count too.
REQUEST_LINE_BUDGET = 8000
_SIGNATURE_SLACK = 2 * 44  # a base64 HMAC-SHA256 is 44 characters; each may grow by 2 when percent-encoded

Sleep = Callable[[float], Awaitable[None]]


T = TypeVar("T")


@dataclass
class WooPage(Generic[T]):
    """One page of a list endpoint, with WooCommerce's X-WP-Total / X-WP-TotalPages."""

    items: list[T]
    total: int
    total_pages: int
    page: int = 1
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set):
        # WordPress splits comma lists for array parameters (status=completed,cancelled).
        return ",".join(_query_value(v) for v in value)
    return str(value)


def flatten_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Query parameters as strings (None dropped), the exact values that get signed and sent."""
    return {str(k): _query_value(v) for k, v in (params or {}).items() if v is not None}


def _secret(value: str | SecretStr) -> SecretStr:
    return value if isinstance(value, SecretStr) else SecretStr(value)


def _int_header(headers: httpx.Headers, name: str, default: int) -> int:
    try:
        return int(headers.get(name, ""))
    except ValueError:
        return default


class WooClient:
    """One WooCommerce store. `base_url` is the site's home URL (e.g. `http://shop.example`) or the
    REST root itself (`…/wp-json/wc/v3`). Use as `async with WooClient(...) as woo:`."""

    def __init__(
        self,
        base_url: str,
        consumer_key: str | SecretStr,
        consumer_secret: str | SecretStr,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        max_retries: int = 4,
        user_agent: str = f"woonext/{__version__}",
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        sleep: Sleep = asyncio.sleep,
        max_concurrency: int | None = 2,
        clock: Callable[[], float] = time.time,
    ) -> None:
        base_url = base_url.rstrip("/")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"WooCommerce URL must start with http:// or https:// and name a host: {base_url!r}")
        self.api_root = base_url if "/wp-json/" in base_url + "/" else base_url + API_PREFIX
        self.use_oauth = parts.scheme == "http"
        self._key = _secret(consumer_key)
        self._secret = _secret(consumer_secret)
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self.requests = 0
        # OAuth timestamps must be within 15 minutes of the shop's clock (a simulator's may be moved).
        self._clock = clock
        # WooCommerce runs on a few PHP workers: keep parallel requests low (api-contracts A6).
        self._slots = asyncio.Semaphore(max_concurrency) if max_concurrency else None
        self._http = httpx.AsyncClient(
            event_hooks=http_hooks("woocommerce"),
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"WooClient({self.api_root!r}, auth={'oauth1' if self.use_oauth else 'basic'})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> WooClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- transport --------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.api_root}/{path.lstrip('/')}"

    def _signed(self, method: str, url: str, query: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        """(query, extra headers) carrying the credentials for this request."""
        key, secret = self._key.get_secret_value(), self._secret.get_secret_value()
        if self.use_oauth:
            # In the query string like the official client: survives servers that drop Authorization.
            signed = oauth.oauth_params(method, url, query, key, secret, timestamp=int(self._clock()))
            return {**query, **signed}, {}
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        return query, {"Authorization": f"Basic {token}"}

    def _build(self, method: str, path: str, query: dict[str, str], body: Any) -> httpx.Request:
        url = self._url(path)
        signed_query, headers = self._signed(method, url, query)
        content = None
        if body is not None:
            content = json.dumps(body, default=str).encode()
            headers["Content-Type"] = "application/json"
        return self._http.build_request(method, url, params=signed_query, headers=headers, content=content)

    def fits(self, method: str, path: str, params: Mapping[str, Any] | None) -> bool:
        """Whether this request's line (signature included) stays within the web server's limit. The
        OAuth signature's percent-encoded length varies from request to request ("+", "/", "=" take
        three bytes each), so its worst case is allowed for."""
        slack = _SIGNATURE_SLACK if self.use_oauth else 0
        length = request_line_length(self._build(method, path, flatten_params(params), None))
        return length + slack <= REQUEST_LINE_BUDGET

    async def _send(self, method: str, path: str, query: dict[str, str], body: Any) -> httpx.Response:
        request = self._build(method, path, query, body)
        length = request_line_length(request)
        if length > REQUEST_LINE_BUDGET:
            # Long id lists are split before this (woo/include.py); anything else this long is our bug.
            raise WooError(
                0,
                "request_line_too_long",
                f"{method} {path}: a request line of {length} bytes is over the web server's limit "
                f"({REQUEST_LINE_BUDGET} here; Apache refuses 8190, nginx 8 KiB); this is a woonext bug: "
                "please report it",
                False,
            )
        self.requests += 1
        if self._slots is None:
            return await self._http.send(request)
        # Held only while the request is in flight, never during a back-off sleep.
        async with self._slots:
            return await self._http.send(request)

    def _decode(self, method: str, path: str, response: httpx.Response) -> Any:
        """The JSON body, or a `WooError`."""
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        try:
            payload = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            kind = "an HTML page" if "html" in response.headers.get("content-type", "") else "a non-JSON body"
            if method not in IDEMPOTENT and (response.is_success or response.status_code in _MAYBE_APPLIED):
                raise WooUncertain(
                    response.status_code,
                    "invalid_response",
                    f"{method} {path} answered {response.status_code} with {kind}; the write may have been "
                    "applied: read the object back before writing again",
                    True,
                ) from None
            if response.status_code == 414:
                raise WooError(
                    414,
                    "request_uri_too_long",
                    f"{method} {path}: the web server in front of WooCommerce refused the request line as too "
                    "long (414); woonext splits long queries, so this is a woonext bug: please report it",
                    False,
                ) from None
            retryable = response.is_success or response.status_code in (429, 500, 502, 503, 504)
            hint = (
                "a proxy, firewall or maintenance page answered"
                if retryable
                else ("check the store url: this does not look like a WordPress REST endpoint")
            )
            raise WooError(
                response.status_code,
                "invalid_response",
                f"{method} {path} answered {response.status_code} with {kind} where JSON was expected ({hint})",
                retryable,
                retry_after=retry_after,
            ) from None
        if response.is_success:
            return payload
        error = decode_error(response.status_code, payload, retry_after)
        if method not in IDEMPOTENT and response.status_code in _MAYBE_APPLIED:
            raise WooUncertain(
                error.status,
                error.code,
                f"{method} {path}: {error.message}; a gateway gave up waiting and the write may have been "
                "applied: read the object back before writing again",
                True,
            )
        raise error

    async def request(
        self, method: str, path: str, params: Mapping[str, Any] | None = None, json_body: Any = None
    ) -> tuple[Any, httpx.Headers]:
        """Send one request (retrying where that is safe); returns (parsed JSON, response headers)."""
        method = method.upper()
        query = flatten_params(params)
        attempt = 0
        started = time.monotonic()
        while True:
            attempt += 1
            try:
                response = await self._send(method, path, query, json_body)
                return self._decode(method, path, response), response.headers
            except WooError as exc:
                if not (exc.retryable and method in IDEMPOTENT and attempt <= self.max_retries):
                    raise
                delay = backoff_delay(attempt, self.backoff_base, self.backoff_cap, exc.retry_after)
                why = f"HTTP {exc.status} {exc.code}"
            except httpx.TransportError as exc:
                not_sent = isinstance(exc, _NOT_SENT)
                if (method in IDEMPOTENT or not_sent) and attempt <= self.max_retries:
                    delay = backoff_delay(attempt, self.backoff_base, self.backoff_cap)
                    why = type(exc).__name__
                else:
                    raise self._transport_error(method, path, exc, not_sent) from exc
            note_retry("woocommerce", method, path, attempt, self.max_retries, delay, started, why)
            await self._sleep(delay)

    def _transport_error(self, method: str, path: str, exc: httpx.TransportError, not_sent: bool) -> WooError:
        what = type(exc).__name__
        if method in IDEMPOTENT or not_sent:
            return WooError(
                0,
                "connection_error",
                f"{method} {path}: {what}; WooCommerce did not answer (is the shop up?)",
                True,
            )
        return WooUncertain(
            0,
            "uncertain",
            f"{method} {path}: {what} before an answer arrived; the write may have been applied: read the "
            "object back before writing again",
            True,
        )

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> tuple[Any, httpx.Headers]:
        return await self.request("GET", path, params)

    async def post(
        self, path: str, data: Any = None, params: Mapping[str, Any] | None = None
    ) -> tuple[Any, httpx.Headers]:
        return await self.request("POST", path, params, data)

    async def put(
        self, path: str, data: Any = None, params: Mapping[str, Any] | None = None
    ) -> tuple[Any, httpx.Headers]:
        return await self.request("PUT", path, params, data)

    async def delete(self, path: str, params: Mapping[str, Any] | None = None) -> tuple[Any, httpx.Headers]:
        return await self.request("DELETE", path, params)

    # -- lists ------------------------------------------------------------------------------

    async def list_page(self, path: str, params: Mapping[str, Any] | None = None) -> WooPage[dict[str, Any]]:
        body, headers = await self.get(path, params)
        if not isinstance(body, list):
            raise WooError(200, "invalid_response", f"GET {path} answered {type(body).__name__}, not a list", True)
        page = int((params or {}).get("page") or 1)
        total = _int_header(headers, "X-WP-Total", len(body))
        total_pages = _int_header(headers, "X-WP-TotalPages", 1 if body else 0)
        return WooPage(items=body, total=total, total_pages=total_pages, page=page, headers=headers)

    async def iter_pages(
        self, path: str, params: Mapping[str, Any] | None = None, per_page: int = 100
    ) -> AsyncIterator[WooPage[dict[str, Any]]]:
        """Every page from `params["page"]` (default 1) to the last, as WooPage objects."""
        query = dict(params or {})
        query["per_page"] = per_page
        page_no = int(query.pop("page", 1) or 1)
        while True:
            page = await self.list_page(path, {**query, "page": page_no})
            if page.items:
                yield page
            if not page.items or page_no >= page.total_pages:
                return
            page_no += 1

    async def _all(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        async for page in self.iter_pages(path, params):
            items.extend(page.items)
        return items

    # -- orders -----------------------------------------------------------------------------

    # The payloads are trusted to be what WooCommerce sends (woo/types.py): typed, not validated.
    async def list_orders(self, params: Mapping[str, Any] | None = None) -> WooPage[WooOrder]:
        return cast("WooPage[WooOrder]", await self.list_page("orders", params))

    def iter_orders(
        self, params: Mapping[str, Any] | None = None, per_page: int = 100
    ) -> AsyncIterator[WooPage[WooOrder]]:
        return cast("AsyncIterator[WooPage[WooOrder]]", self.iter_pages("orders", params, per_page))

    async def get_order(self, order_id: int | str) -> WooOrder | None:
        """The order, or None when WooCommerce says it does not exist (404 invalid id)."""
        try:
            body, _ = await self.get(f"orders/{order_id}")
        except WooError as exc:
            if exc.status == 404 and exc.code.endswith("invalid_id"):
                return None
            raise
        return cast(WooOrder, dict(body))

    async def update_order(self, order_id: int | str, data: Mapping[str, Any]) -> WooOrder:
        """The order as the update left it."""
        body, _ = await self.put(f"orders/{order_id}", dict(data))
        return cast(WooOrder, dict(body))

    async def list_refunds(self, order_id: int | str) -> list[WooRefund]:
        return cast("list[WooRefund]", await self._all(f"orders/{order_id}/refunds"))

    async def create_refund(self, order_id: int | str, data: Mapping[str, Any]) -> dict[str, Any]:
        """A refund object (`api_refund` false records it without asking the gateway to pay)."""
        body, _ = await self.post(f"orders/{order_id}/refunds", dict(data))
        return dict(body)

    async def add_order_note(self, order_id: int | str, note: str, *, customer_note: bool = False) -> dict[str, Any]:
        """A private note, or one for the customer (WooCommerce e-mails it: "Customer note")."""
        body, _ = await self.post(f"orders/{order_id}/notes", {"note": note, "customer_note": customer_note})
        return dict(body)

    async def list_order_notes(self, order_id: int | str) -> list[dict[str, Any]]:
        body, _ = await self.get(f"orders/{order_id}/notes")
        return [dict(n) for n in body or []]

    # -- other resources --------------------------------------------------------------------

    async def list_customers(self, params: Mapping[str, Any] | None = None) -> WooPage[dict[str, Any]]:
        return await self.list_page("customers", params)

    async def list_products(self, params: Mapping[str, Any] | None = None) -> WooPage[dict[str, Any]]:
        return await self.list_page("products", params)

    async def get_product(self, product_id: int | str) -> dict[str, Any] | None:
        """A product (or a variation, by its own id), or None when WooCommerce has no such id."""
        try:
            body, _ = await self.get(f"products/{product_id}")
        except WooError as exc:
            if exc.status == 404 and exc.code.endswith("invalid_id"):
                return None
            raise
        return dict(body)

    async def list_variations(
        self, product_id: int | str, params: Mapping[str, Any] | None = None
    ) -> WooPage[dict[str, Any]]:
        return await self.list_page(f"products/{product_id}/variations", params)

    async def all_variations(self, product_id: int | str) -> list[dict[str, Any]]:
        return await self._all(f"products/{product_id}/variations")

    async def batch(self, path: str, update: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """`POST <path>/batch` with `update` (at most 100 objects, the store's limit); the answer's
        `update` list, in the same order, each a saved object or `{"id", "error"}`."""
        body, _ = await self.post(f"{path}/batch", {"update": update})
        return list((body or {}).get("update") or [])

    async def list_webhooks(self) -> list[dict[str, Any]]:
        return await self._all("webhooks")

    async def create_webhook(self, data: Mapping[str, Any]) -> dict[str, Any]:
        body, _ = await self.post("webhooks", dict(data))
        return dict(body)

    async def update_webhook(self, webhook_id: int | str, data: Mapping[str, Any]) -> dict[str, Any]:
        body, _ = await self.put(f"webhooks/{webhook_id}", dict(data))
        return dict(body)

    async def list_shipping_zones(self) -> list[dict[str, Any]]:
        body, _ = await self.get("shipping/zones")
        return list(body)

    async def list_zone_locations(self, zone_id: int | str) -> list[dict[str, Any]]:
        body, _ = await self.get(f"shipping/zones/{zone_id}/locations")
        return list(body)

    # -- the store's set-up (onboarding) ----------------------------------------------------

    async def list_payment_gateways(self) -> list[dict[str, Any]]:
        """Every installed gateway, enabled or not (one unpaged list)."""
        body, _ = await self.get("payment_gateways")
        return list(body)

    async def list_tax_rates(self) -> list[dict[str, Any]]:
        """Every tax rate of every class (paged by 100)."""
        return await self._all("taxes")

    async def list_shipping_methods(self) -> list[dict[str, Any]]:
        body, _ = await self.get("shipping_methods")
        return list(body)

    async def system_status(self) -> dict[str, Any]:
        """WooCommerce → Status as JSON: versions, currency, settings (admin keys only)."""
        body, _ = await self.get("system_status")
        return dict(body)
