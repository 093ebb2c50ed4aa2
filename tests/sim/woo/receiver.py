"""A webhook receiver for the tests: records raw requests, answers with scripted status codes."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from starlette.requests import Request
from starlette.responses import Response


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # consumed one per request; 200 when empty
    default_status: int = 200

    async def __call__(self, scope: dict, receive: object, send: object) -> None:
        request = Request(scope, receive)  # type: ignore[arg-type]
        body = await request.body()
        self.received.append(Received(dict(request.headers.items()), body))
        status = self.statuses.pop(0) if self.statuses else self.default_status
        headers = {"Location": "http://elsewhere.test/"} if 300 <= status < 400 else {}
        await Response(b"ok", status_code=status, headers=headers)(scope, receive, send)  # type: ignore[arg-type]

    def transport(self) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=self)

    def deliveries(self) -> list[Received]:
        return [r for r in self.received if "x-wc-webhook-topic" in r.headers]

    def pings(self) -> list[Received]:
        return [r for r in self.received if r.body.startswith(b"webhook_id=")]


class TimeoutTransport(httpx.AsyncBaseTransport):
    """A receiver that never answers in time."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)
