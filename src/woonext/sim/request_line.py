"""The web server in front of each simulated application refuses a request line over its limit, before
the application sees the request (observed-real.md, "Request-line limit"):

- ERPNext runs behind gunicorn, whose `limit_request_line` is 4,094 bytes: a longer line gets
  gunicorn's own 400 page, `Content-Type: text/html`, `Connection: close` (erpnext sample 103);
- WordPress runs behind Apache (`LimitRequestLine` 8,190) or nginx (8 KiB): a 414 page (woocommerce
  sample 74 notes that the PHP built-in server used for the capture has no limit; real servers do).

The request line is `METHOD target HTTP/x.y` as it came over the wire; under uvicorn the target is
`raw_path` plus `?` and the query string.
"""

from __future__ import annotations

from typing import Any

ERPNEXT_LIMIT = 4094  # gunicorn's default limit_request_line: 4094 accepted, 4095 refused
WOO_LIMIT = 8190  # Apache's default LimitRequestLine

APACHE_414 = (
    '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>414 Request-URI Too Long</title>\n'
    "</head><body>\n<h1>Request-URI Too Long</h1>\n<p>The requested URL's length exceeds the capacity\n"
    "limit for this server.<br />\n</p>\n</body></html>\n"
)


def request_line_length(scope: dict[str, Any]) -> int:
    raw_path = scope.get("raw_path") or str(scope.get("path") or "/").encode()
    target = bytes(raw_path)
    query = bytes(scope.get("query_string") or b"")
    if query and b"?" not in target:  # httpx's in-process transport may pass the query in raw_path already
        target += b"?" + query
    version = str(scope.get("http_version") or "1.1")
    return len(str(scope.get("method") or "GET")) + 1 + len(target) + len(f" HTTP/{version}")


def gunicorn_400(length: int, limit: int) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """gunicorn's page, byte for byte as sample 103 shows it."""
    body = (
        "<html>\n  <head>\n    <title>Bad Request</title>\n  </head>\n  <body>\n    <h1><p>Bad Request</p></h1>\n"
        f"    Request Line is too large ({length} &gt; {limit})\n  </body>\n</html>\n"
    ).encode()
    headers = [(b"connection", b"close"), (b"content-type", b"text/html"), (b"content-length", str(len(body)).encode())]
    return 400, headers, body


def apache_414(length: int, limit: int) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    body = APACHE_414.encode()
    headers = [
        (b"connection", b"close"),
        (b"content-type", b"text/html; charset=iso-8859-1"),
        (b"content-length", str(len(body)).encode()),
    ]
    return 414, headers, body


class RequestLineLimit:
    """ASGI middleware: refuse a request whose request line is longer than `limit` bytes (None: no limit)."""

    def __init__(self, app: Any, limit: int | None, flavor: str) -> None:
        self.app = app
        self.limit = limit
        self.reply = gunicorn_400 if flavor == "erpnext" else apache_414
        self.refused = 0  # inspection: how many requests the "web server" turned away

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.limit is not None:
            length = request_line_length(scope)
            if length > self.limit:
                self.refused += 1
                status, headers, body = self.reply(length, self.limit)
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
