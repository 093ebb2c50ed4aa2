"""A tiny WooCommerce-like Starlette app for client tests: verifies OAuth 1.0a (with the spec
implementation from test_woo_oauth) or Basic auth, and plays back scripted answers."""

from __future__ import annotations

import base64
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .oauth_reference import rfc5849_signature


@dataclass
class Scripted:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json"


@dataclass
class FakeWoo:
    home_url: str
    key: str
    secret: str
    script: deque[Scripted] = field(default_factory=deque)
    seen: list[Request] = field(default_factory=list)
    bodies: list[Any] = field(default_factory=list)

    def then(self, *answers: Scripted) -> FakeWoo:
        self.script.extend(answers)
        return self

    def _authenticated(self, request: Request) -> bool:
        if self.home_url.startswith("https://"):
            header = request.headers.get("authorization", "")
            expected = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
            return header == f"Basic {expected}"
        params = dict(request.query_params)
        signature = params.pop("oauth_signature", None)
        if params.get("oauth_consumer_key") != self.key or signature is None:
            return False
        url = self.home_url + request.url.path
        return rfc5849_signature(request.method, url, params, self.secret)[1] == signature

    async def handle(self, request: Request) -> Response:
        self.seen.append(request)
        raw = await request.body()
        self.bodies.append(json.loads(raw) if raw else None)
        if not self._authenticated(request):
            return JSONResponse(
                {
                    "code": "woocommerce_rest_cannot_view",
                    "message": "Sorry, you cannot list resources.",
                    "data": {"status": 401},
                },
                status_code=401,
            )
        answer = self.script.popleft() if self.script else Scripted(body={"ok": True})
        if answer.raw is not None:
            return Response(answer.raw, answer.status, answer.headers, media_type=answer.content_type)
        return JSONResponse(answer.body, answer.status, answer.headers)

    @property
    def app(self) -> Starlette:
        methods = ["GET", "POST", "PUT", "DELETE"]
        return Starlette(routes=[Route("/wp-json/wc/v3/{path:path}", self.handle, methods=methods)])
