"""The ASGI app: `POST /webhooks/woocommerce/{store}`, `POST /webhooks/erpnext/{store}` (erp_receiver.py),
`/healthz`, `/readyz`, `/metrics` (a bearer token or a console login), and the operator console at `/`
(`woonext.console`).

A verified order or customer delivery is recorded durably before the 200: as an event row, or —
when another process holds the state DB's write lock longer than `LOCK_WAIT_MS` — as a line in the
fsync'd spool beside the database (store/spool.py), moved into the events table as soon as the
lock frees (runtime/spool_drain.py). The worker then reads the object over REST (the body is a
trigger, never data). Checks, in order: unknown store 404, body over the limit 413, the unsigned
setup ping 200, signature 401 (logged as a security event, without the secret), malformed JSON 400
(recorded as a NeedsReview event), topic. Nothing here waits on the state DB on the event loop
(store/asyncdb.py), so `/healthz` answers whatever the database does.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Lifespan

from woonext.clock import Clock
from woonext.config import Config, StoreConfig
from woonext.console.app import console_routes, metrics_allowed, metrics_refused
from woonext.store import StateDB
from woonext.sync.context import Transports

from .bodies import BodyTooLarge, read_body
from .erp_receiver import erpnext_endpoint
from .metrics import WEBHOOKS, render
from .readiness import Readiness
from .receiver import Receiver
from .webhooks import classify, delivery_key, is_ping, signature_ok

log = structlog.get_logger(__name__)
MAX_BODY = 1024 * 1024
__all__ = ["MAX_BODY", "BodyTooLarge", "create_app", "read_body"]


def create_app(
    config: Config,
    db: StateDB,
    *,
    max_body: int = MAX_BODY,
    on_enqueued: Callable[[], None] | None = None,
    clock: Clock | None = None,
    lifespan: Lifespan[Starlette] | None = None,
    transports: Transports | None = None,
) -> Starlette:
    """`on_enqueued` is called after each new event (the in-process worker wakes up on it);
    `lifespan` runs around the app's life (the service starts its worker there; the spool's drainer
    runs for the app's life as well); `transports` reach the simulators in-process (tests) for
    `/readyz` and the console's reconcile, replay and accept-edit."""
    stores: dict[str, StoreConfig] = {s.name: s for s in config.stores}
    receiver = Receiver(db, (clock or db.clock).now, on_enqueued)
    state = receiver.state

    async def webhook(request: Request) -> JSONResponse:
        name = request.path_params["store"]
        store = stores.get(name)
        if store is None:
            WEBHOOKS.labels("", "unknown_store").inc()
            return JSONResponse({"error": f"unknown store {name!r}"}, 404)
        try:
            body = await read_body(request, max_body)
        except BodyTooLarge:
            log.warning("webhook_too_large", store=name, limit=max_body)
            WEBHOOKS.labels(name, "too_large").inc()
            return JSONResponse({"error": f"body over {max_body} bytes"}, 413)
        provided = request.headers.get("x-wc-webhook-signature")
        topic = request.headers.get("x-wc-webhook-topic", "")
        delivery = request.headers.get("x-wc-webhook-delivery-id", "")
        if provided is None and is_ping(body):
            log.info("webhook_ping", store=name)
            WEBHOOKS.labels(name, "ping").inc()
            return JSONResponse({"ok": True, "ping": True})
        secret = store.webhook_secret.get_secret_value() if store.webhook_secret else ""
        if not provided or not secret or not signature_ok(body, secret, provided):
            why = (
                "missing signature"
                if not provided
                else "no webhook secret configured"
                if not secret
                else "signature mismatch"
            )
            log.warning(
                "security_webhook_rejected",
                store=name,
                why=why,
                topic=topic,
                delivery_id=delivery,
                client=request.client.host if request.client else "",
            )
            WEBHOOKS.labels(name, "unauthorized").inc()
            return JSONResponse({"error": "invalid signature"}, 401)
        try:
            payload: Any = json.loads(body)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than the parser's stack
            error = (
                f"malformed JSON in a signed {topic or 'delivery'} (delivery {delivery or '?'}, "
                f"{len(body)} bytes): {exc}"
            )
            rejected = await receiver.reject(name, topic, error)
            log.warning("webhook_malformed", store=name, topic=topic, delivery_id=delivery, event_id=rejected.event_id)
            WEBHOOKS.labels(name, "malformed").inc()
            return JSONResponse({"error": "malformed JSON", "event_id": rejected.event_id}, 400)
        trigger = classify(topic, payload)
        if trigger.ignored:
            log.info("webhook_ignored", store=name, topic=topic, why=trigger.ignored)
            WEBHOOKS.labels(name, "ignored").inc()
            return JSONResponse({"ok": True, "ignored": trigger.ignored})
        result = await receiver.queue(name, trigger.kind, trigger.remote_id, topic, delivery_key(delivery, trigger))
        log.info(
            "webhook_spooled" if result.spooled else "webhook_queued" if result.created else "webhook_acknowledged",
            store=name,
            topic=topic,
            remote_id=trigger.remote_id,
            event_id=result.event_id,
            why=result.why,
        )
        WEBHOOKS.labels(name, "spooled" if result.spooled else "queued" if result.created else result.why).inc()
        if result.created and not result.spooled and on_enqueued is not None:
            on_enqueued()
        return JSONResponse(
            {
                "ok": True,
                "event_id": result.event_id,
                "queued": result.created,
                **({"spooled": True} if result.spooled else {}),
                **({"duplicate": result.why} if result.why else {}),
            }
        )

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    readiness = Readiness(config, db, transports)

    async def readyz(request: Request) -> JSONResponse:
        ready, body = await readiness.check()
        if not ready:
            log.warning("not_ready", **{k: v for k, v in body.items() if k != "status"})
        return JSONResponse(body, 200 if ready else 503)

    async def metrics(request: Request) -> Response:
        if not await metrics_allowed(config, state, request):
            return metrics_refused()
        body = await state.run(render, db)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    erpnext = erpnext_endpoint(stores, receiver, max_body, on_enqueued)

    @asynccontextmanager
    async def life(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        drainer = receiver.drainer
        draining = asyncio.create_task(drainer.run(stop)) if drainer is not None else None
        try:
            if lifespan is None:
                yield
            else:
                async with lifespan(app):
                    yield
        finally:
            stop.set()
            if draining is not None:
                await draining

    return Starlette(
        lifespan=life,
        routes=[
            Route("/metrics", metrics, methods=["GET"]),
            Route("/webhooks/woocommerce/{store}", webhook, methods=["POST"]),
            Route("/webhooks/erpnext/{store}", erpnext, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            *(console_routes(config, db, transports, on_enqueued) if config.console.enabled else []),
        ],
    )
