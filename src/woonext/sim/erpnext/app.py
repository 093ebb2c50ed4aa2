"""The HTTP face of the simulator: Frappe v1 routes, parameters, envelopes and error rendering."""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from .auth import GUEST
from .base import Doc, FrappeError, throw
from .client_methods import Method, get_list, run_named_method
from .documents import DocCtx
from .errors import error_body, no_doctype_permission, not_permitted, raised
from .ratelimit import epoch
from .serialize import jsonable, out_doc

if TYPE_CHECKING:
    from .sim import ErpSim


def dumps(payload: Any) -> bytes:
    return json.dumps(jsonable(payload), separators=(",", ":")).encode()


class FrappeApp:
    """ASGI app; one request = one transaction (committed unless it fails or is a GET)."""

    def __init__(self, sim: ErpSim) -> None:
        self.sim = sim
        # per event loop: an asyncio.Lock belongs to the loop that first waited on it, and one
        # simulator may serve several loops (a test suite, uvicorn)
        self.locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, str], asyncio.Lock]] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":  # nothing to start or stop: acknowledge both
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response = await self.handle(request)
        await response(scope, receive, send)

    # -- dispatch -----------------------------------------------------------------------------------
    async def handle(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        segments = [unquote(s) for s in raw_path.decode("latin-1").split("?")[0].split("/") if s]
        method = request.method.upper()
        started = time.perf_counter()
        limiter = self.sim.site_rate_limit
        now = epoch(self.sim.clock.now)
        try:
            if segments[:1] == ["__sim__"]:
                response = await self.sim.inspector.handle(request, segments[1:])
            else:
                if limiter is not None:
                    limiter.check(now)
                response = await self._api(request, method, segments)
        except FrappeError as err:
            response = self.error_response(err, [])
        except Exception as exc:  # noqa: BLE001 - Frappe renders any crash as a 500 with its class name
            crash = FrappeError(
                status=500, exc_type=type(exc).__name__, exception=str(exc), exc_module=type(exc).__module__
            )
            crash.exc_source = "erpnext (app)" if "accounting" in _origin(exc) else ""
            response = self.error_response(crash, [])
        if limiter is not None and segments[:1] != ["__sim__"]:
            limiter.spend(now, time.perf_counter() - started)
            for k, val in limiter.headers(now).items():
                response.headers[k] = val
            if response.status_code == 429 and not response.headers.get("Retry-After"):
                response.headers["Retry-After"] = str(limiter.reset_in(now))
        self.sim.request_log.append((method, "/" + "/".join(segments), response.status_code))
        return response

    async def _api(self, request: Request, method: str, segments: list[str]) -> Response:
        if segments[:1] != ["api"]:
            return Response(b"Not Found", status_code=404, media_type="text/html")
        rest = segments[1:]
        if rest[:1] == ["v1"]:
            rest = rest[1:]
        if not rest or rest[0] not in ("resource", "method"):
            raise throw("Not Found", "DoesNotExistError", 404)
        params, body = await self._params(request, method)
        sid = request.cookies.get("sid")
        if rest[0] == "method" and len(rest) == 2 and rest[1] in ("login", "logout"):
            return self._session(rest[1], params, sid)
        user = self.sim.users.resolve(request.headers.get("authorization", ""), sid)
        if rest[0] == "method":
            if len(rest) != 2:
                raise throw("Not Found", "DoesNotExistError", 404)
            return await self._method(rest[1], method, params, user)
        return await self._resource(method, rest[1:], params, body, user)

    async def _params(self, request: Request, method: str) -> tuple[dict[str, Any], bytes]:
        """B2.1: a JSON body is the whole parameter set; otherwise query string + form fields."""
        body = await request.body()
        ctype = request.headers.get("content-type", "")
        if body and "application/json" in ctype:
            try:
                parsed = json.loads(body)
            except json.JSONDecodeError as exc:
                raise raised("JSONDecodeError", str(exc), 500) from exc
            return (parsed if isinstance(parsed, dict) else {"data": parsed}), body
        params: dict[str, Any] = dict(request.query_params)
        if body and ("form-urlencoded" in ctype or "multipart/form-data" in ctype):
            form = await request.form()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        return params, body

    # -- sessions -----------------------------------------------------------------------------------
    def _session(self, action: str, params: dict[str, Any], sid: str | None) -> Response:
        if action == "logout":
            self.sim.users.logout(sid)
            response = Response(dumps({}), media_type="application/json")
            response.set_cookie("sid", "Guest")
            return response
        try:
            new_sid, user = self.sim.users.login(str(params.get("usr") or ""), str(params.get("pwd") or ""))
        except FrappeError as err:
            body = {"message": err.exception, **error_body(err, [], self.sim.config.allow_error_traceback)}
            return Response(dumps(body), status_code=401, media_type="application/json")
        response = Response(
            dumps({"message": "Logged In", "home_page": "/app", "full_name": user.full_name}),
            media_type="application/json",
        )
        for k, val in (
            ("sid", new_sid),
            ("system_user", "yes"),
            ("full_name", user.full_name),
            ("user_id", user.name),
            ("user_image", ""),
        ):
            response.set_cookie(k, val)
        return response

    # -- transactions ----------------------------------------------------------------------------
    async def _in_txn(
        self, user: str, write: bool, work: Callable[[DocCtx], Any], lock_key: tuple[str, str] | None = None
    ) -> tuple[Any, DocCtx]:
        """Run `work` in a fresh transaction; commit if `write` and it succeeded. A named document
        is locked for the whole request (Frappe's `FOR UPDATE`), so two PUTs on it serialise."""
        if lock_key and write and lock_key in self.sim.queued_documents:
            raise throw(
                "This document is currently locked and queued for execution. Please try again after some time.",
                "DocumentLockedError",
                title="Document Queued",
            )
        loop_locks = self.locks.setdefault(asyncio.get_running_loop(), {})
        lock = loop_locks.setdefault(lock_key, asyncio.Lock()) if lock_key else None
        if lock is not None:
            try:
                await asyncio.wait_for(lock.acquire(), self.sim.config.lock_wait_timeout_s)
            except TimeoutError:
                # innodb_lock_wait_timeout: the waiting request gives up, nothing of it is applied
                raise FrappeError(
                    status=500,
                    exc_type="QueryTimeoutError",
                    exception="(1205, 'Lock wait timeout exceeded; try restarting transaction')",
                ) from None
        try:
            if self.sim.config.write_hold_ms and write:
                await asyncio.sleep(self.sim.config.write_hold_ms / 1000)
            self.sim.run_daily_jobs()
            ctx = self.sim.new_ctx(user)
            try:
                result = work(ctx)
            except FrappeError as err:
                err.messages = ctx.messages + err.messages
                raise
            if write:
                ctx.txn.commit()
                self.sim.webhooks.after_commit(ctx.events)
            return result, ctx
        finally:
            if lock is not None:
                lock.release()

    def ok(self, payload: dict[str, Any], ctx: DocCtx, status: int = 200) -> Response:
        if ctx.messages:
            from .errors import encode_messages

            payload["_server_messages"] = encode_messages(ctx.messages, self.sim.config.frappe_version)
        return Response(dumps(payload), status_code=status, media_type="application/json")

    def error_response(self, err: FrappeError, extra: list[dict[str, Any]]) -> Response:
        config = self.sim.config
        body = error_body(err, extra, config.allow_error_traceback, config.frappe_version)
        return Response(dumps(body), status_code=err.status, media_type="application/json")

    # -- /api/resource ------------------------------------------------------------------------------
    async def _resource(
        self, method: str, parts: list[str], params: dict[str, Any], body: bytes, user: str
    ) -> Response:
        if not parts:
            raise throw("Not Found", "DoesNotExistError", 404)
        doctype = parts[0]
        name = "/".join(parts[1:]) if len(parts) > 1 else None
        if user == GUEST:
            raise no_doctype_permission(doctype)
        write = method != "GET"
        if name is None and method == "GET":
            result, ctx = await self._in_txn(user, False, lambda c: get_list(c, doctype=doctype, **params))
            return self.ok({"data": result}, ctx)
        if name is None and method == "POST":
            data = self._doc_body(params, body)

            def create(c: DocCtx) -> Doc:
                doc = c.engine.insert(c, doctype, data)
                return out_doc(doc, c.meta(doctype), c.child_meta)

            result, ctx = await self._in_txn(user, True, create)
            return self.ok({"data": result}, ctx)
        if name is None:
            raise not_permitted()
        key = (doctype, name.casefold())
        if method == "GET":

            def read(c: DocCtx) -> Doc:
                doc = c.engine.load_for_update(c, doctype, name)
                return out_doc(doc, c.meta(doctype), c.child_meta)

            result, ctx = await self._in_txn(user, False, read)
            return self.ok({"data": result}, ctx)
        if method == "PUT":
            data = self._doc_body(params, body)

            def update(c: DocCtx) -> Doc:
                doc = c.engine.update(c, doctype, name, data)
                return out_doc(doc, c.meta(doctype), c.child_meta)

            result, ctx = await self._in_txn(user, True, update, key)
            return self.ok({"data": result}, ctx)
        if method == "DELETE":
            _, ctx = await self._in_txn(user, True, lambda c: c.engine.delete(c, doctype, name), key)
            deleted = {"message": "ok"} if self.sim.config.frappe_version < 15 else {"data": "ok"}
            return self.ok(deleted, ctx, status=202)
        if method == "POST":
            data = self._doc_body(params, body)
            run_method = str(data.pop("run_method", "") or params.get("run_method") or "")
            if not run_method:
                raise not_permitted()

            def call(c: DocCtx) -> Doc:
                doc = run_named_method(c, doctype, name, run_method)
                return out_doc(doc, c.meta(doctype), c.child_meta)

            result, ctx = await self._in_txn(user, write, call, key)
            return self.ok({"data": result}, ctx)
        raise not_permitted()

    @staticmethod
    def _doc_body(params: dict[str, Any], body: bytes) -> Doc:
        """`get_request_form_data`: the `data` parameter, else the raw body, parsed as JSON; what
        does not parse falls back to the form parameters themselves."""
        raw: Any = params.get("data") if params.get("data") is not None else body.decode("utf-8", "replace")
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raw = {k: v for k, v in params.items() if k != "data"}
        if not isinstance(raw, dict):
            raise raised(
                "TypeError", f"frappe.new_doc() argument after ** must be a mapping, not {type(raw).__name__}", 500
            )
        raw.pop("doctype", None)
        return raw

    # -- /api/method --------------------------------------------------------------------------------
    async def _method(self, path: str, http_method: str, params: dict[str, Any], user: str) -> Response:
        entry = self.sim.methods.get(path)
        if path == "run_doc_method":
            entry = Method(_run_doc_method_entry, frozenset({"GET", "POST", "PUT"}))
        if entry is None:
            module = path.rsplit(".", 1)[0]
            if module in ("frappe.client", "frappe.auth", "frappe") or path in self.sim.methods:
                raise throw(
                    f"Failed to get method for command {path} with module '{module}' has no attribute "
                    f"'{path.rsplit('.', 1)[-1]}'"
                )
            raise throw(f"Failed to get method for command {path} with No module named '{module}'")
        if user == GUEST and not entry.allow_guest:
            raise throw(
                "<details><summary>You are not permitted to access this resource.</summary>Function "
                f"<strong>{path}</strong> is not whitelisted.</details>",
                "PermissionError",
                403,
                title="Method Not Allowed",
            )
        if http_method not in entry.methods:
            raise not_permitted()
        if self.sim.method_rate_limits is not None:
            self.sim.method_rate_limits.check(path, epoch(self.sim.clock.now))
        call_params = {k: v for k, v in params.items() if k not in ("cmd",)}
        write = http_method != "GET"

        def call(c: DocCtx) -> Any:
            return entry.fn(c, **call_params)

        lock_key = None
        if call_params.get("doctype") and call_params.get("name") and write:
            lock_key = (str(call_params["doctype"]), str(call_params["name"]).casefold())
        result, ctx = await self._in_txn(user, write, call, lock_key)
        if path == "run_doc_method":
            message, doc = result
            payload: dict[str, Any] = {"docs": [doc]}
            if message is not None:
                payload["message"] = message
            return self.ok(payload, ctx)
        return self.ok({} if result is None else {"message": result}, ctx)


def _origin(exc: BaseException) -> str:
    """The module the exception was raised in (to attribute crashes to ERPNext code)."""
    tb = exc.__traceback__
    last = ""
    while tb is not None:
        last = tb.tb_frame.f_globals.get("__name__", "")
        tb = tb.tb_next
    return last


def _run_doc_method_entry(ctx: DocCtx, **params: Any) -> Any:
    from .client_methods import run_doc_method

    return run_doc_method(ctx, **params)
