"""Fault injection for the simulators: a seeded plan of what goes wrong, and an ASGI middleware.

The plan decides per request (in request order, from one seeded RNG) whether a fault fires; the
middleware renders it the way the failing component would: a host or proxy in front of WordPress,
Frappe itself, or the network. Spec grammar (CLI `--faults`): comma-separated
`[woo:|erpnext:]KIND[@PROB][:METHOD PATH-GLOB]`.

In-process (httpx.ASGITransport) a network failure is an httpx exception raised by the app, which
the transport hands to the caller unchanged, so the client sees exactly what a real socket would
give it. Behind uvicorn (`server_mode=True`) the same faults hold or abort the real connection.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from collections import Counter, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any, Literal
from zoneinfo import ZoneInfo

import httpx

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Flavor = Literal["woo", "erpnext"]

KINDS = (
    "429",
    "500",
    "502",
    "503",
    "504",
    "html200",
    "slow",
    "timeout",
    "reset",
    "lost",
    "deadlock",
    "timestamp",
    "truncated",
)
TARGETS = ("woo", "erpnext")
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


@dataclass
class FaultRule:
    """One fault kind, how likely it is, and which requests it may hit."""

    kind: str
    probability: float = 1.0
    method: str = "*"
    path: str = "*"

    def matches(self, method: str, path: str) -> bool:
        return (self.method == "*" or self.method == method.upper()) and fnmatchcase(path, self.path)


def _parse_route(route: str) -> tuple[str, str]:
    """`"POST /api/resource/Sales Invoice"` → (method, path glob); either part may be `*` or absent."""
    route = route.strip()
    if not route:
        return "*", "*"
    head, _, rest = route.partition(" ")
    if rest:
        return head.upper(), rest.strip() or "*"
    if head.upper() in HTTP_METHODS or head == "*":
        return head.upper(), "*"
    return "*", head


@dataclass
class FaultPlan:
    """What goes wrong: probabilistic rules drawn from a seeded RNG, plus scripted one-shots."""

    rules: list[FaultRule] = field(default_factory=list)
    seed: int = 0
    enabled: bool = True
    # Delays, kept short by default so in-process tests stay fast; `sim up` may lengthen them.
    slow_s: float = 1.5
    timeout_delay_s: float = 0.05
    server_hold_s: float = 300.0
    retry_after_s: int = 1
    injected: Counter[str] = field(default_factory=Counter)
    # (method, path, kind) of the latest injections; bounded so a long `sim up` does not grow forever
    log: deque[tuple[str, str, str]] = field(default_factory=lambda: deque(maxlen=10_000))
    requests_seen: int = 0

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._scripted: list[list[Any]] = []  # [FaultRule, remaining count]

    @classmethod
    def parse(cls, spec: str, seed: int = 0, target: str | None = None) -> FaultPlan:
        """Parse a `--faults` spec; with `target`, keep the unprefixed items and those for it."""
        if target is not None and target not in TARGETS:
            raise ValueError(f"unknown fault target {target!r}; expected one of {', '.join(TARGETS)}")
        rules: list[FaultRule] = []
        for raw in spec.split(","):
            item = raw.strip()
            if not item:
                continue
            item_target = None
            for name in TARGETS:
                if item.startswith(name + ":"):
                    item_target, item = name, item[len(name) + 1 :]
                    break
            if target is not None and item_target not in (None, target):
                continue
            head, _, route = item.partition(":")
            kind, _, prob_text = head.partition("@")
            kind = kind.strip()
            if kind not in KINDS:
                raise ValueError(f"unknown fault kind {kind!r} in {raw.strip()!r}; kinds: {', '.join(KINDS)}")
            try:
                probability = float(prob_text) if prob_text else 1.0
            except ValueError:
                raise ValueError(f"fault probability {prob_text!r} in {raw.strip()!r} is not a number") from None
            if not 0.0 <= probability <= 1.0:
                raise ValueError(f"fault probability {probability} in {raw.strip()!r} is outside 0..1")
            method, path = _parse_route(route)
            rules.append(FaultRule(kind, probability, method, path))
        return cls(rules=rules, seed=seed)

    def inject_next(self, kind: str, route: str = "* *", count: int = 1) -> None:
        """Make the next `count` requests matching `route` fail with `kind` (before any dice roll)."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; kinds: {', '.join(KINDS)}")
        method, path = _parse_route(route)
        self._scripted.append([FaultRule(kind, 1.0, method, path), count])

    def clear(self) -> None:
        """Drop every rule and pending scripted fault (counters are kept)."""
        self.rules.clear()
        self._scripted.clear()

    @property
    def pending_scripted(self) -> int:
        return sum(remaining for _, remaining in self._scripted)

    def choose(self, method: str, path: str) -> str | None:
        """The fault for this request, or None. Called once per request, in arrival order."""
        self.requests_seen += 1
        if not self.enabled:
            return None
        kind = self._take_scripted(method, path)
        if kind is None:
            for rule in self.rules:
                # One draw per matching rule keeps the sequence a pure function of seed + requests.
                if rule.matches(method, path) and self._rng.random() < rule.probability:
                    kind = rule.kind
                    break
        if kind is not None:
            self.injected[kind] += 1
            self.log.append((method, path, kind))
        return kind

    def _take_scripted(self, method: str, path: str) -> str | None:
        for entry in self._scripted:
            rule, remaining = entry
            if remaining > 0 and rule.matches(method, path):
                entry[1] = remaining - 1
                if entry[1] == 0:
                    self._scripted.remove(entry)
                return rule.kind
        return None


# --- bodies, as the component that fails would write them --------------------------------------

_PROXY_TITLES = {
    429: "429 Too Many Requests",
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
    504: "504 Gateway Time-out",
}

_WP_CRITICAL = {
    "code": "internal_server_error",
    "message": '<p>There has been a critical error on this website.</p><p><a href="https://wordpress.org/'
    'documentation/article/faq-troubleshooting/">Learn more about troubleshooting WordPress.</a></p>',
    "data": {"status": 500},
    "additional_errors": [],
}

_HOST_PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Just a moment...</title>\n'
    "</head>\n<body>\n<h1>Checking your connection</h1>\n<p>This site is protected by the hosting "
    "provider. Please wait while we verify your request.</p>\n</body>\n</html>\n"
)

_FRAPPE_TRACEBACK = (
    'Traceback (most recent call last):\n  File "apps/frappe/frappe/app.py", line 120, in application\n'
    "    response = frappe.api.handle(request)\n               ^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
    '  File "apps/frappe/frappe/database/database.py", line 244, in sql\n'
    "    self._cursor.execute(query, values)\n{exc}\n"
)


def _proxy_page(status: int) -> bytes:
    title = _PROXY_TITLES[status]
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
        "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


@dataclass
class _Reply:
    status: int
    body: bytes
    headers: list[tuple[bytes, bytes]]


def _json_reply(status: int, payload: Any, extra: list[tuple[bytes, bytes]] | None = None) -> _Reply:
    headers = [(b"content-type", b"application/json; charset=UTF-8")] + (extra or [])
    return _Reply(status, json.dumps(payload).encode(), headers)


def _html_reply(status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None) -> _Reply:
    return _Reply(status, body, [(b"content-type", b"text/html; charset=UTF-8")] + (extra or []))


class FaultMiddleware:
    """ASGI middleware: latency on every request, then the plan's fault (if any) for it."""

    def __init__(
        self,
        app: ASGIApp,
        plan: FaultPlan,
        flavor: Flavor = "woo",
        latency_ms: float = 0,
        jitter_ms: float = 0,
        server_mode: bool = False,
        now: Callable[[], datetime] | None = None,
        timezone: str = "Africa/Cairo",
    ) -> None:
        if flavor not in TARGETS:
            raise ValueError(f"unknown flavor {flavor!r}")
        self.app = app
        self.plan = plan
        self.flavor = flavor
        self.latency_ms = latency_ms
        self.jitter_ms = jitter_ms
        self.server_mode = server_mode
        self._now = now or (lambda: datetime.now(ZoneInfo(timezone)))
        self._tz = ZoneInfo(timezone)
        # Separate streams: turning latency on must not change which requests fail.
        self._latency_rng = random.Random(f"latency:{plan.seed}")
        self._id_rng = random.Random(f"ids:{plan.seed}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        delay_ms = self.latency_ms + (self._latency_rng.uniform(0, self.jitter_ms) if self.jitter_ms else 0)
        if delay_ms > 0:
            await asyncio.sleep(delay_ms / 1000)
        kind = self.plan.choose(scope["method"], scope["path"])
        if kind is None:
            await self.app(scope, receive, send)
        elif kind == "slow":
            await asyncio.sleep(self.plan.slow_s)
            await self.app(scope, receive, send)
        elif kind == "timeout":
            await self._timeout(receive, send)
        elif kind == "reset":
            await self._reset(send)
        elif kind == "lost":
            await self._lost(scope, receive, send)
        elif kind == "truncated":
            await self._truncated(scope, receive, send)
        else:
            await self._send(send, self._reply(kind))

    # --- network-level faults ---------------------------------------------------------------

    async def _timeout(self, receive: Receive, send: Send) -> None:
        if self.server_mode:
            await self._hold_until_disconnect(receive, send)
            return
        await asyncio.sleep(self.plan.timeout_delay_s)
        raise httpx.ReadTimeout("simulated timeout: the server never answered")

    async def _reset(self, send: Send) -> None:
        if self.server_mode:
            # A started response that ends early: uvicorn closes the socket, the client sees the
            # peer drop the connection mid-message.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
                }
            )
            return
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")

    async def _lost(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The change is applied and committed by the inner app; only the answer goes missing.
        async def discard(message: Message) -> None:
            return None

        await self.app(scope, receive, discard)
        if self.server_mode:
            await self._hold_until_disconnect(receive, send)
            return
        raise httpx.ReadTimeout("simulated lost response")

    async def _hold_until_disconnect(self, receive: Receive, send: Send) -> None:
        async def drain() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        try:
            await asyncio.wait_for(drain(), timeout=self.plan.server_hold_s)
        except TimeoutError:
            # The client waited longer than the hold: the proxy in front gives up, as nginx does.
            await self._send(send, _html_reply(504, _proxy_page(504)))

    async def _truncated(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        cut = body[: len(body) // 2]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await self._send(send, _Reply(200, cut, headers))

    # --- answers from a proxy, a host or the application --------------------------------------

    def _reply(self, kind: str) -> _Reply:
        if kind == "429":
            return self._rate_limited()
        if kind in ("502", "503", "504"):
            return _html_reply(int(kind), _proxy_page(int(kind)))
        if kind == "html200":
            return _html_reply(200, _HOST_PAGE.encode())
        if self.flavor == "woo":
            # WordPress has no deadlock/timestamp answers of its own: a fatal error is what shows.
            return _json_reply(500, _WP_CRITICAL)
        if kind == "deadlock":
            return self._frappe_error(
                500,
                "QueryDeadlockError",
                "frappe.exceptions.QueryDeadlockError: (1213, 'Deadlock found when trying to get lock; "
                "try restarting transaction')",
            )
        if kind == "timestamp":
            return self._timestamp_mismatch()
        return self._frappe_error(
            500,
            "OperationalError",
            "pymysql.err.OperationalError: (2013, 'Lost connection to MySQL server during query')",
        )

    def _rate_limited(self) -> _Reply:
        retry = str(self.plan.retry_after_s).encode()
        if self.flavor == "woo":
            return _html_reply(429, _proxy_page(429), [(b"retry-after", retry)])
        headers = [
            (b"retry-after", retry),
            (b"x-ratelimit-limit", b"600000000"),
            (b"x-ratelimit-remaining", b"0"),
            (b"x-ratelimit-reset", retry),
        ]
        exception = "frappe.exceptions.TooManyRequestsError"
        payload = {
            "exception": exception,
            "exc_type": "TooManyRequestsError",
            "exc": json.dumps([_FRAPPE_TRACEBACK.format(exc=exception)]),
        }
        return _json_reply(429, payload, headers)

    def _frappe_error(self, status: int, exc_type: str, exception: str, message: str = "") -> _Reply:
        payload: dict[str, Any] = {
            "exception": exception,
            "exc_type": exc_type,
            "exc": json.dumps([_FRAPPE_TRACEBACK.format(exc=exception)]),
        }
        if message:
            exc_id = hashlib.sha224(self._id_rng.randbytes(16)).hexdigest()
            inner = {
                "message": message,
                "title": "Message",
                "indicator": "red",
                "raise_exception": 1,
                "__frappe_exc_id": exc_id,
            }
            payload["_server_messages"] = json.dumps([json.dumps(inner)])
        return _json_reply(status, payload)

    def _timestamp_mismatch(self) -> _Reply:
        now = self._now()
        local = now.astimezone(self._tz).replace(tzinfo=None) if now.tzinfo else now
        opened = local - timedelta(microseconds=self._id_rng.randint(150_000, 900_000))
        fmt = "%Y-%m-%d %H:%M:%S.%f"
        message = (
            f"Error: Document has been modified after you have opened it ({opened.strftime(fmt)}, "
            f"{local.strftime(fmt)}). Please refresh to get the latest document."
        )
        return self._frappe_error(
            417, "TimestampMismatchError", f"frappe.exceptions.TimestampMismatchError: {message}", message
        )

    @staticmethod
    async def _send(send: Send, reply: _Reply) -> None:
        headers = [*reply.headers, (b"content-length", str(len(reply.body)).encode())]
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})
