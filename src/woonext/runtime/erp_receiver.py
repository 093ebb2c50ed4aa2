"""`POST /webhooks/erpnext/{store}`: ERPNext Webhook deliveries (runtime/erp_webhooks.py).

Checks, in order: unknown store 404, body over the limit 413, no secret configured or a missing or
wrong `X-Frappe-Webhook-Signature` 401 (constant-time comparison; nothing is recorded but a
security log line without the secret), malformed JSON 400 (recorded as a NeedsReview event), an
event woonext does not follow 200 "ignored". Otherwise the event is recorded durably before the 200
(the event row, or the spool while another process holds the state DB's lock: runtime/receiver.py); a
repeated delivery (ERPNext retries with the same bytes) is acknowledged without a second event, and a
trigger for an object that already has one waiting merges into it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse

from woonext.config import StoreConfig

from .bodies import BodyTooLarge, read_body
from .erp_webhooks import SIGNATURE_HEADER, classify, delivery_key, signature_ok
from .metrics import WEBHOOKS
from .receiver import Receiver

log = structlog.get_logger(__name__)


def erpnext_endpoint(
    stores: dict[str, StoreConfig],
    receiver: Receiver,
    max_body: int,
    on_enqueued: Callable[[], None] | None,
) -> Callable[[Request], Any]:
    """The route's handler."""

    async def receive(request: Request) -> JSONResponse:
        name = request.path_params["store"]
        store = stores.get(name)
        if store is None:
            WEBHOOKS.labels("", "unknown_store").inc()
            return JSONResponse({"error": f"unknown store {name!r}"}, 404)
        try:
            body = await read_body(request, max_body)
        except BodyTooLarge:
            WEBHOOKS.labels(name, "too_large").inc()
            return JSONResponse({"error": f"body over {max_body} bytes"}, 413)
        secret = store.erpnext_webhook_secret.get_secret_value() if store.erpnext_webhook_secret else ""
        provided = request.headers.get(SIGNATURE_HEADER, "")
        if not provided or not secret or not signature_ok(body, secret, provided):
            why = "missing signature" if not provided else "no erpnext_webhook_secret" if not secret else "mismatch"
            log.warning("security_erpnext_webhook_rejected", store=name, why=why, client=_client(request))
            WEBHOOKS.labels(name, "unauthorized").inc()
            return JSONResponse({"error": "invalid signature"}, 401)
        try:
            payload: Any = json.loads(body)
        except (ValueError, RecursionError) as exc:
            error = f"malformed JSON in a signed ERPNext delivery ({len(body)} bytes): {exc}"
            rejected = await receiver.reject(name, "erpnext", error)
            WEBHOOKS.labels(name, "malformed").inc()
            return JSONResponse({"error": "malformed JSON", "event_id": rejected.event_id}, 400)
        trigger = classify(payload)
        if trigger.ignored:
            log.info("erpnext_webhook_ignored", store=name, why=trigger.ignored)
            WEBHOOKS.labels(name, "ignored").inc()
            return JSONResponse({"ok": True, "ignored": trigger.ignored})
        result = await receiver.queue(name, trigger.kind, trigger.remote_id, trigger.topic, delivery_key(body))
        log.info(
            "erpnext_webhook_spooled"
            if result.spooled
            else "erpnext_webhook_queued"
            if result.created
            else "erpnext_webhook_acknowledged",
            store=name,
            topic=trigger.topic,
            remote_id=trigger.remote_id,
            event_id=result.event_id,
            why=result.why,
        )
        WEBHOOKS.labels(name, "spooled" if result.spooled else "queued" if result.created else result.why).inc()
        if result.created and not result.spooled and on_enqueued is not None:
            on_enqueued()
        body_out = {"ok": True, "event_id": result.event_id, "queued": result.created}
        body_out |= {"spooled": True} if result.spooled else {}
        return JSONResponse({**body_out, **({"duplicate": result.why} if result.why else {})})

    return receive


def _client(request: Request) -> str:
    return request.client.host if request.client else ""
