"""Async Frappe/ERPNext REST client (`/api/resource`, `/api/method`), token auth.

Retry policy (api-contracts B8, observed-real.md): reads are retried with back-off on anything
retryable. Writes are repeated only when ERPNext provably did not apply them — throttled (429),
unavailable (503), deadlock / lock-wait timeout / document locked (the transaction was rolled back),
or a connection that never opened. Anything else that leaves a write without a clear answer raises
`ErpUncertain`: the caller must look the document up by its sync key before writing again.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from pydantic import SecretStr

from woonext import __version__
from woonext.requestline import request_line_length
from woonext.retry import backoff_delay, parse_retry_after
from woonext.telemetry import http_hooks, note_retry

from .errors import ErpError, ErpUncertain, decode_error, request_line_too_large

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
# Errors after which ERPNext has rolled back (or never started) the request: safe to resend a write.
_WRITE_SAFE_EXC_TYPES = frozenset(
    {
        "QueryDeadlockError",
        "QueryTimeoutError",
        "DocumentLockedError",
        "TooManyRequestsError",
        "RateLimitExceededError",
    }
)
_WRITE_SAFE_STATUSES = frozenset({429, 503})
# gunicorn's `limit_request_line` in front of ERPNext is 4,094 bytes (sample 103); a GET whose request
# line would be longer is sent as a POST of the same read-only method instead (sample 104).
REQUEST_LINE_BUDGET = 4000
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

Sleep = Callable[[float], Awaitable[None]]
Filters = Mapping[str, Any] | list[Any]


def _secret(value: str | SecretStr) -> SecretStr:
    return value if isinstance(value, SecretStr) else SecretStr(value)


def _json_default(value: Any) -> Any:
    # Money travels as Decimal; Frappe reads numbers into floats anyway, and for amounts with up to
    # 15 significant digits float's shortest repr is exactly the decimal text ("24.99" → 24.99).
    if isinstance(value, Decimal) and value.is_finite():
        return float(value)
    return str(value)


def dumps(value: Any) -> str:
    """JSON for ERPNext: Decimal as a number, dates and other objects as their str()."""
    return json.dumps(value, default=_json_default)


def _encode_param(value: Any) -> str:
    # Frappe reads list/dict parameters (filters, fields) as JSON strings.
    if isinstance(value, str):
        return value
    return dumps(value)


class ErpClient:
    """One ERPNext site. Use as `async with ErpClient(url, key, secret) as erp:`."""

    def __init__(
        self,
        url: str,
        api_key: str | SecretStr,
        api_secret: str | SecretStr,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        sleep: Sleep = asyncio.sleep,
        max_concurrency: int | None = None,
        user_agent: str = f"woonext/{__version__}",
    ) -> None:
        url = url.rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"ERPNext URL must start with http:// or https:// and name a host: {url!r}")
        self.url = url
        self._key = _secret(api_key)
        self._secret = _secret(api_secret)
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self.requests = 0
        # ERPNext throughput is the bottleneck; a per-target budget keeps workers from piling up.
        self._slots = asyncio.Semaphore(max_concurrency) if max_concurrency else None
        self._http = httpx.AsyncClient(
            event_hooks=http_hooks("erpnext"),
            base_url=url,
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"ErpClient({self.url!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ErpClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- transport --------------------------------------------------------------------------

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        return backoff_delay(attempt, self.backoff_base, self.backoff_cap, retry_after)

    def _build(self, method: str, path: str, params: Mapping[str, Any] | None, body: Any) -> httpx.Request:
        token = f"{self._key.get_secret_value()}:{self._secret.get_secret_value()}"
        headers = {"Authorization": f"token {token}"}
        content = None
        if body is not None:
            content = dumps(body).encode()
            headers["Content-Type"] = "application/json"
        query = {k: _encode_param(v) for k, v in (params or {}).items() if v is not None}
        return self._http.build_request(method, path, params=query, headers=headers, content=content)

    def fits(self, method: str, path: str, params: Mapping[str, Any] | None) -> bool:
        """Whether this request's line stays within ERPNext's request-line budget."""
        return request_line_length(self._build(method, path, params, None)) <= REQUEST_LINE_BUDGET

    async def _send(self, method: str, path: str, params: Mapping[str, Any] | None, body: Any) -> httpx.Response:
        request = self._build(method, path, params, body)
        length = request_line_length(request)
        if length > REQUEST_LINE_BUDGET:
            # get_list and call_get switch to POST before this; anything else this long is our bug.
            raise ErpError(
                0,
                "RequestLineTooLarge",
                f"{method} {path}: a request line of {length} bytes is over ERPNext's limit "
                f"({REQUEST_LINE_BUDGET} here, gunicorn's default is 4094); this is a woonext bug: please report it",
                [],
                "permanent",
            )
        self.requests += 1
        if self._slots is None:
            return await self._http.send(request)
        # Held only while the request is in flight, never during a back-off sleep.
        async with self._slots:
            return await self._http.send(request)

    def _decode(self, method: str, path: str, response: httpx.Response, read_only: bool = False) -> dict[str, Any]:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        safe = method in IDEMPOTENT or read_only
        try:
            payload = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            payload = None
        if payload is None or not isinstance(payload, dict):
            kind = "an HTML page" if "html" in response.headers.get("content-type", "") else "a non-JSON body"
            if not safe and status not in _WRITE_SAFE_STATUSES:
                raise ErpUncertain(
                    status,
                    f"{method} {path} answered {status} with {kind}; the write may have been applied: "
                    "look the document up by its key before writing again",
                )
            if status < 400 or status in (429, 500, 502, 503, 504):
                raise ErpError(
                    status,
                    "InvalidResponse",
                    f"{method} {path} answered {status} with {kind} where JSON was expected "
                    "(a proxy, a maintenance page or a cut response)",
                    [],
                    "retryable",
                    retry_after=retry_after,
                )
            too_large = request_line_too_large(status, response.text)
            if too_large is not None:
                raise too_large
            # Not Frappe answering (a 404 page is not "no such document"): the URL is wrong.
            raise ErpError(
                status,
                "InvalidResponse",
                f"{method} {path} answered {status} with {kind}, not a Frappe API response; "
                f"check [erpnext] url ({self.url})",
                [],
                "permanent",
            )
        if response.is_success:
            return payload
        error = decode_error(status, payload, method=method, path=path, retry_after=retry_after)
        if not safe and status in (502, 504):
            # A proxy gave up waiting; the worker behind it may still commit the write.
            raise ErpUncertain(
                status,
                f"{method} {path}: the proxy answered {status} ({error.message}); the write may have been "
                "applied: look the document up by its key before writing again",
            )
        raise error

    def _write_safe(self, error: ErpError) -> bool:
        return error.status in _WRITE_SAFE_STATUSES or error.exc_type in _WRITE_SAFE_EXC_TYPES

    async def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        *,
        read_only: bool = False,
    ) -> dict[str, Any]:
        """One API call with the retry policy above; returns the whole JSON body. `read_only` marks a
        POST that changes nothing (a long query sent as POST): it is retried like a GET."""
        method = method.upper()
        safe = method in IDEMPOTENT or read_only
        attempt = 0
        started = time.monotonic()
        while True:
            attempt += 1
            try:
                response = await self._send(method, path, params, json_body)
                return self._decode(method, path, response, read_only)
            except ErpUncertain:
                raise
            except ErpError as exc:
                retry = exc.kind == "retryable" and (safe or self._write_safe(exc))
                if not retry or attempt > self.max_retries:
                    raise
                delay = self._delay(attempt, exc.retry_after)
                why = f"HTTP {exc.status}" + (f" {exc.exc_type}" if exc.exc_type != f"HTTP{exc.status}" else "")
            except httpx.TransportError as exc:
                not_sent = isinstance(exc, _NOT_SENT)
                if (safe or not_sent) and attempt <= self.max_retries:
                    delay = self._delay(attempt, None)
                    why = type(exc).__name__
                elif safe or not_sent:
                    raise ErpError(
                        0,
                        type(exc).__name__,
                        f"{method} {path}: ERPNext did not answer ({type(exc).__name__}); is it up at {self.url}?",
                        [],
                        "retryable",
                    ) from exc
                else:
                    raise ErpUncertain(
                        0,
                        f"{method} {path}: {type(exc).__name__} before an answer arrived; the write may have "
                        "been applied: look the document up by its key before writing again",
                    ) from exc
            note_retry("erpnext", method, path, attempt, self.max_retries, delay, started, why)
            await self._sleep(delay)

    # -- documents --------------------------------------------------------------------------

    @staticmethod
    def _resource(doctype: str, name: str | None = None) -> str:
        path = f"/api/resource/{quote(doctype, safe='')}"
        return path if name is None else f"{path}/{quote(str(name), safe='')}"

    async def insert(self, doctype: str, doc: Mapping[str, Any]) -> dict[str, Any]:
        """Create a document (POST /api/resource); `docstatus: 1` in `doc` also submits it."""
        body = await self.request("POST", self._resource(doctype), json_body={**doc, "doctype": doctype})
        return dict(body.get("data") or {})

    async def insert_many(self, docs: Sequence[Mapping[str, Any]]) -> list[str]:
        """Create up to 200 documents in one request and one transaction (`frappe.client.insert_many`:
        one refused document rolls back the whole request). Returns their names."""
        if len(docs) > 200:
            raise ValueError("frappe.client.insert_many takes at most 200 documents a request")
        names = await self.call("frappe.client.insert_many", docs=[dict(d) for d in docs])
        return [str(n) for n in names or []]

    async def get_doc(self, doctype: str, name: str) -> dict[str, Any] | None:
        """The document, or None when it does not exist."""
        try:
            body = await self.request("GET", self._resource(doctype, name))
        except ErpError as exc:
            if exc.status == 404 and exc.exc_type == "DoesNotExistError":
                return None
            raise
        return dict(body.get("data") or {})

    async def get_list(
        self,
        doctype: str,
        *,
        filters: Filters | None = None,
        fields: list[str] | None = None,
        order_by: str | None = None,
        limit: int = 20,
        limit_start: int = 0,
        or_filters: Filters | None = None,
    ) -> list[dict[str, Any]]:
        """Rows of `doctype` (`limit=0` = all rows). A query too long for a GET request line (a long
        `name in [...]` list) is sent as a POST to `frappe.client.get_list`, which takes the same
        arguments in its body (sample 104): one request, whatever the length."""
        params: dict[str, Any] = {
            "fields": fields or ["name"],
            "filters": filters,
            "or_filters": or_filters,
            "order_by": order_by,
            "limit_page_length": limit,
            "limit_start": limit_start,
        }
        path = self._resource(doctype)
        if self.fits("GET", path, params):
            body = await self.request("GET", path, params=params)
            return list(body.get("data") or [])
        args = {k: v for k, v in params.items() if v is not None}
        body = await self.request(
            "POST", "/api/method/frappe.client.get_list", json_body={"doctype": doctype, **args}, read_only=True
        )
        return list(body.get("message") or [])

    async def get_all(
        self,
        doctype: str,
        *,
        filters: Filters | None = None,
        fields: list[str] | None = None,
        order_by: str = "name asc",
        page_size: int = 500,
    ) -> list[dict[str, Any]]:
        """Every matching row, fetched page by page (a stable `order_by` keeps pages from overlapping)."""
        rows: list[dict[str, Any]] = []
        while True:
            page = await self.get_list(
                doctype,
                filters=filters,
                fields=fields,
                order_by=order_by,
                limit=page_size,
                limit_start=len(rows),
            )
            rows.extend(page)
            # A short page is the last; a long one means the server ignored the limit (all rows).
            if len(page) != page_size:
                return rows

    async def get_value(self, doctype: str, filters: Filters | str, fieldname: str | list[str]) -> Any:
        """One field's value (or a dict for a list of fields); None when nothing matches."""
        message = await self.call_get("frappe.client.get_value", doctype=doctype, filters=filters, fieldname=fieldname)
        if not message:
            return None
        if isinstance(fieldname, str) and isinstance(message, dict):
            return message.get(fieldname)
        return message

    async def get_count(self, doctype: str, filters: Filters | None = None) -> int:
        return int(await self.call_get("frappe.client.get_count", doctype=doctype, filters=filters or {}))

    async def update(self, doctype: str, name: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """PUT changes onto a document (child tables given replace the existing rows)."""
        body = await self.request("PUT", self._resource(doctype, name), json_body=dict(changes))
        return dict(body.get("data") or {})

    async def submit(self, doctype: str, name: str) -> dict[str, Any]:
        """Submit a draft (`PUT {"docstatus": 1}`; a submitted document stays as it is)."""
        return await self.update(doctype, name, {"docstatus": 1})

    async def cancel(self, doctype: str, name: str) -> dict[str, Any]:
        """Cancel a submitted document (`frappe.client.cancel`, loads it fresh from the database)."""
        result = await self.call("frappe.client.cancel", doctype=doctype, name=name)
        return dict(result) if isinstance(result, dict) else {}

    async def delete(self, doctype: str, name: str) -> bool:
        """Delete a document; False when it did not exist."""
        try:
            await self.request("DELETE", self._resource(doctype, name))
        except ErpError as exc:
            if exc.status == 404 and exc.exc_type == "DoesNotExistError":
                return False
            raise
        return True

    # -- methods ----------------------------------------------------------------------------

    async def call(self, method: str, **kwargs: Any) -> Any:
        """POST /api/method/<method> with a JSON body; returns `message`."""
        body = await self.request("POST", f"/api/method/{method}", json_body=kwargs)
        return body.get("message")

    async def call_get(self, method: str, **params: Any) -> Any:
        """GET /api/method/<method> (read-only methods; GET requests are rolled back by Frappe); a POST
        with the same arguments when they are too long for a request line."""
        path = f"/api/method/{method}"
        if self.fits("GET", path, params):
            body = await self.request("GET", path, params=params)
        else:
            args = {k: v for k, v in params.items() if v is not None}
            body = await self.request("POST", path, json_body=args, read_only=True)
        return body.get("message")

    async def get_logged_user(self) -> str:
        """Who the API key belongs to — a cheap credentials check."""
        return str(await self.call_get("frappe.auth.get_logged_user"))
