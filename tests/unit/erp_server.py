"""A small ERPNext-like Starlette app for client tests: token auth, an in-memory document table
with a unique sync key, `frappe.client` methods, and scripted failures in front of it."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def frappe_error(status: int, exc_type: str, message: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"exc_type": exc_type, "exception": f"frappe.exceptions.{exc_type}"}
    if message is not None:
        body["_server_messages"] = json.dumps([json.dumps({"message": message, "title": "Message"})])
    return JSONResponse(body, status)


@dataclass
class FakeErp:
    key: str
    secret: str
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: deque[Response] = field(default_factory=deque)
    log: list[tuple[str, str]] = field(default_factory=list)
    counter: int = 0

    def fail_next(self, *responses: Response) -> None:
        self.failures.extend(responses)

    async def handle(self, request: Request) -> Response:
        self.log.append((request.method, request.url.path))
        if request.headers.get("authorization") != f"token {self.key}:{self.secret}":
            return frappe_error(401, "AuthenticationError")
        if self.failures:
            return self.failures.popleft()
        path = request.url.path
        body = json.loads(await request.body() or b"null")
        if path.startswith("/api/method/"):
            return self._method(path.removeprefix("/api/method/"), request, body)
        parts = path.removeprefix("/api/resource/").split("/", 1)
        name = parts[1] if len(parts) > 1 else None
        if request.method == "POST" and name is None:
            key = body.get("woo_order_id")
            if key and any(d.get("woo_order_id") == key for d in self.docs.values()):
                return frappe_error(417, "UniqueValidationError", "Woo Order ID must be unique")
            self.counter += 1
            doc = {**body, "name": f"SINV-{self.counter:05d}", "docstatus": body.get("docstatus", 0)}
            self.docs[doc["name"]] = doc
            return JSONResponse({"data": doc})
        if request.method == "GET" and name is None:
            filters = json.loads(request.query_params.get("filters") or "{}")
            rows = [d for d in self.docs.values() if all(d.get(k) == v for k, v in filters.items())]
            fields = json.loads(request.query_params.get("fields") or '["name"]')
            start = int(request.query_params.get("limit_start") or 0)
            limit = int(request.query_params.get("limit_page_length") or 20)
            rows = sorted(rows, key=lambda r: str(r["name"]))[start : start + limit if limit else None]
            return JSONResponse({"data": [{f: r.get(f) for f in fields} for r in rows]})
        doc = self.docs.get(name or "")
        if doc is None:
            return frappe_error(404, "DoesNotExistError", f"Sales Invoice {name} not found")
        if request.method == "PUT":
            doc.update(body)
        if request.method == "DELETE":
            del self.docs[doc["name"]]
            return JSONResponse({"data": "ok"}, 202)
        return JSONResponse({"data": doc})

    def _method(self, method: str, request: Request, body: Any) -> Response:
        if method == "frappe.client.cancel":
            doc = self.docs[body["name"]]
            if doc["docstatus"] != 1:
                return JSONResponse(
                    {
                        "exc_type": "DocstatusTransitionError",
                        "exception": "frappe.exceptions.DocstatusTransitionError: Cannot change docstatus "
                        "from 0 (Draft) to 2 (Cancelled)",
                    },
                    417,
                )
            doc["docstatus"] = 2
            return JSONResponse({"message": doc})
        if method == "frappe.client.get_value":
            filters = json.loads(request.query_params["filters"])
            fieldname = request.query_params["fieldname"]
            for doc in self.docs.values():
                if all(doc.get(k) == v for k, v in filters.items()):
                    return JSONResponse({"message": {fieldname: doc.get(fieldname)}})
            return JSONResponse({"message": {}})
        if method == "frappe.client.get_count":
            return JSONResponse({"message": len(self.docs)})
        if method == "frappe.auth.get_logged_user":
            return JSONResponse({"message": "sync@example.com"})
        return frappe_error(404, "DoesNotExistError", f"method {method} not found")

    @property
    def app(self) -> Starlette:
        methods = ["GET", "POST", "PUT", "DELETE"]
        return Starlette(routes=[Route("/api/{path:path}", self.handle, methods=methods)])


class LoseResponse(httpx.AsyncBaseTransport):
    """Applies the next `count` matching requests on the server, then drops the answer (ReadTimeout):
    the write is committed but the client never hears about it."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        method: str,
        count: int = 1,
        error: type[httpx.TransportError] = httpx.ReadTimeout,
    ) -> None:
        self.inner, self.method, self.count, self.error = inner, method, count, error

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == self.method and self.count > 0:
            self.count -= 1
            await response.aread()
            raise self.error("response lost", request=request)
        return response
