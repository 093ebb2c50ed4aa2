"""HTTP request lines and the limits servers put on them (observed-real.md, "Request-line limit").

A web server reads the request line (`GET /path?query HTTP/1.1`) into a fixed buffer before the
application sees anything: gunicorn in front of ERPNext refuses more than 4,094 bytes with its own
400 page, Apache (`LimitRequestLine`) more than 8,190 and nginx more than 8 KiB with a 414. Long
`filters=[["name","in",[…]]]` or `include=1,2,3,…` lists reach these limits, so the clients measure
each GET before sending it and the flows split long lists into requests that fit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import httpx

T = TypeVar("T")
HTTP_VERSION = "HTTP/1.1"


def request_line_length(request: httpx.Request) -> int:
    """Bytes of `METHOD target HTTP/1.1` as httpx sends it (the target percent-encoded)."""
    return len(request.method) + 1 + len(request.url.raw_path) + 1 + len(HTTP_VERSION)


def split_to_fit(values: Sequence[T], fits: Callable[[list[T]], bool], max_items: int | None = None) -> list[list[T]]:
    """Consecutive chunks of `values`, each as long as `fits(chunk)` allows (and `max_items` at most).

    Raises ValueError when a single value does not fit on its own (nothing could send it)."""
    chunks: list[list[T]] = []
    chunk: list[T] = []
    for value in values:
        candidate = [*chunk, value]
        if (max_items is None or len(candidate) <= max_items) and fits(candidate):
            chunk = candidate
            continue
        if not chunk:
            raise ValueError(f"{value!r} alone does not fit in one request")
        chunks.append(chunk)
        if not fits([value]):
            raise ValueError(f"{value!r} alone does not fit in one request")
        chunk = [value]
    if chunk:
        chunks.append(chunk)
    return chunks
