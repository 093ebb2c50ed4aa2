"""Process-wide Prometheus instruments shared by the API clients and the service.

They live in their own registry (never prometheus_client's global one) that `/metrics` renders;
the clients record every HTTP answer through httpx event hooks, so nothing in the flows changes.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import unquote

import httpx
import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram

PROCESS = CollectorRegistry(auto_describe=True)
HTTP_REQUESTS = Histogram(
    "woonext_http_request_seconds",
    "Requests to WooCommerce and ERPNext by target, method, route and status",
    ["target", "method", "route", "status"],
    registry=PROCESS,
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RETRIES = Counter(
    "woonext_http_retries", "Requests repeated after a retryable answer, by target", ["target"], registry=PROCESS
)
_log = structlog.get_logger("woonext.http")
SYSTEMS = {"woocommerce": "WooCommerce", "erpnext": "ERPNext"}


def note_retry(
    target: str, method: str, path: str, attempt: int, retries: int, delay: float, started: float, why: str
) -> None:
    """Before a retry's wait: count it, and say what is waited for and how long (a hung system must
    never look like a hung woonext). `started` is the request's first try (time.monotonic())."""
    RETRIES.labels(target).inc()
    _log.warning(
        "waiting_for_" + target,
        message=f"{SYSTEMS.get(target, target)} did not answer {method} {unquote(path.split('?')[0])} ({why}); "
        f"try {attempt + 1} of {retries + 1} in {delay:.1f} s, {time.monotonic() - started:.0f} s so far",
        attempt=attempt,
        retry_in=round(delay, 1),
    )


_ID = re.compile(r"/\d+(?=/|$)")


def route_of(target: str, path: str) -> str:
    """A low-cardinality route: numeric ids and ERPNext document names are replaced."""
    if target == "erpnext" and path.startswith("/api/resource/"):
        parts = path.split("/")
        return "/".join(parts[:4]) + ("/{name}" if len(parts) > 4 and parts[4] else "")
    return _ID.sub("/{id}", path)


def http_hooks(target: str) -> dict[str, list[Any]]:
    """httpx event hooks that time each request and record its answer."""

    async def started(request: httpx.Request) -> None:
        request.extensions["woonext_started"] = time.perf_counter()

    async def answered(response: httpx.Response) -> None:
        started_at = response.request.extensions.get("woonext_started")
        if started_at is None:
            return
        request = response.request
        HTTP_REQUESTS.labels(
            target, request.method, route_of(target, request.url.path), str(response.status_code)
        ).observe(time.perf_counter() - started_at)

    return {"request": [started], "response": [answered]}
