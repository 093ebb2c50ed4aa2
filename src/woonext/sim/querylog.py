"""`sim up`'s request log and fault switch, outside the fault middleware (see `QueryLog`)."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

from .faults import FaultPlan


class QueryLog:
    """ASGI middleware of `sim up`, outside the fault middleware (so never hit by faults):
    `GET /__sim__/queries` lists every request's method, path and query string (the simulators' own
    request logs keep no query string, so they cannot tell which page of a list was read; bounded,
    like the fault log); `GET /__sim__/faults` shows the faults injected so far and `POST` with
    `{"enabled": false}` stops injecting them (a soak turns them off before checking the result)."""

    def __init__(self, app: Any, plan: FaultPlan | None = None, limit: int = 200_000) -> None:
        self.app = app
        self.plan = plan
        self.rows: deque[tuple[str, str, str]] = deque(maxlen=limit)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path == "/__sim__/queries":
            await self._json(send, [{"method": m, "path": p, "query": q} for m, p, q in self.rows])
            return
        if scope["type"] == "http" and path == "/__sim__/faults" and self.plan is not None:
            if scope["method"] == "POST":
                chunks = []
                while True:
                    message = await receive()
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body"):
                        break
                data = json.loads(b"".join(chunks) or b"{}")
                if isinstance(data, dict) and "enabled" in data:
                    self.plan.enabled = bool(data["enabled"])
            await self._json(
                send,
                {
                    "enabled": self.plan.enabled,
                    "requests_seen": self.plan.requests_seen,
                    "injected": dict(self.plan.injected),
                },
            )
            return
        if scope["type"] == "http" and not path.startswith("/__sim__/"):
            self.rows.append((scope["method"], path, scope.get("query_string", b"").decode("latin-1")))
        await self.app(scope, receive, send)

    @staticmethod
    async def _json(send: Any, payload: Any) -> None:
        body = json.dumps(payload).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
