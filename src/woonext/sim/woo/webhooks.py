"""Webhooks: registry, per-request recording, the Action Scheduler queue and delivery (A5)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from . import phpjson
from .dates import SiteTime, wp_hash

TOPIC_HOOKS: dict[str, list[str]] = {
    "order.created": ["woocommerce_new_order"],
    "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["wp_trash_post", "woocommerce_trash_order"],
    "order.restored": ["untrashed_post", "woocommerce_untrash_order"],
    "customer.created": ["user_register", "woocommerce_created_customer", "woocommerce_new_customer"],
    "customer.updated": ["profile_update", "woocommerce_update_customer"],
    "customer.deleted": ["delete_user"],
    "product.created": [
        "woocommerce_process_product_meta",
        "woocommerce_new_product",
        "woocommerce_new_product_variation",
    ],
    "product.updated": [
        "woocommerce_process_product_meta",
        "woocommerce_update_product",
        "woocommerce_update_product_variation",
    ],
    "product.deleted": ["wp_trash_post"],
    "product.restored": ["untrashed_post"],
    "coupon.created": ["woocommerce_process_shop_coupon_meta", "woocommerce_new_coupon"],
    "coupon.updated": ["woocommerce_process_shop_coupon_meta", "woocommerce_update_coupon"],
    "coupon.deleted": ["wp_trash_post"],
    "coupon.restored": ["untrashed_post"],
}
STATUSES = ("active", "paused", "disabled")


@dataclass
class Webhook:
    id: int
    name: str
    status: str
    topic: str
    delivery_url: str
    secret: str
    date_created: tuple[str, str]
    date_modified: tuple[str, str] | None = None
    api_version: str = "wp_api_v3"
    user_id: int = 1
    failure_count: int = 0
    pending_delivery: bool = True

    @property
    def resource(self) -> str:
        return self.topic.split(".", 1)[0]

    @property
    def event(self) -> str:
        return self.topic.split(".", 1)[1] if "." in self.topic else ""

    def hooks(self) -> list[str]:
        if self.topic.startswith("action."):
            return [self.topic[len("action.") :]]
        return list(TOPIC_HOOKS.get(self.topic, []))

    def to_json(self, home: str) -> dict[str, Any]:
        base = f"{home}/wp-json/wc/v3/webhooks"
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "topic": self.topic,
            "resource": self.resource,
            "event": self.event,
            "hooks": self.hooks(),
            "delivery_url": self.delivery_url,
            "date_created": self.date_created[0],
            "date_created_gmt": self.date_created[1],
            "date_modified": self.date_modified[0] if self.date_modified else None,
            "date_modified_gmt": self.date_modified[1] if self.date_modified else None,
            "_links": {
                "self": [
                    {"href": f"{base}/{self.id}", "targetHints": {"allow": ["GET", "POST", "PUT", "PATCH", "DELETE"]}}
                ],
                "collection": [{"href": base}],
            },
        }


@dataclass
class PendingAction:
    """A `woocommerce_deliver_webhook_async` action waiting in the Action Scheduler."""

    action_id: int
    webhook_id: int
    arg: int
    due: datetime


@dataclass
class Delivery:
    delivery_id: str
    webhook_id: int
    topic: str
    arg: int | None
    url: str
    request_headers: dict[str, str]
    request_body: bytes
    status_code: int | None
    error: str
    at: datetime
    duration_s: float
    kind: str = "delivery"  # or "ping"
    response_body: bytes = b""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "delivery_id": self.delivery_id,
            "webhook_id": self.webhook_id,
            "topic": self.topic,
            "arg": self.arg,
            "url": self.url,
            "request_headers": self.request_headers,
            "request_body": self.request_body.decode("utf-8", "replace"),
            "status_code": self.status_code,
            "error": self.error,
            "at": self.at.isoformat(),
            "duration_s": round(self.duration_s, 4),
        }


# A payload builder: (resource, resource id, webhook) → payload object at delivery time.
PayloadBuilder = Callable[[str, int, "Webhook"], Any]


@dataclass
class WebhookHub:
    home_url: str
    site_time: SiteTime
    now: Callable[[], datetime]
    build_payload: PayloadBuilder
    salt: str
    user_agent: str
    delay_seconds: float = 0.0
    max_failures: int = 5
    safe_urls_only: bool = False
    transport: httpx.AsyncBaseTransport | None = None
    webhooks: dict[int, Webhook] = field(default_factory=dict)
    queue: list[PendingAction] = field(default_factory=list)
    log: list[Delivery] = field(default_factory=list)
    _next_id: int = 1
    _next_action: int = 1
    _scope_depth: int = 0
    _recorded: list[tuple[int, int]] = field(default_factory=list)

    # ---- registry ------------------------------------------------------------------------
    def create(
        self, name: str, topic: str, delivery_url: str, secret: str | None = None, status: str = "active"
    ) -> Webhook:
        webhook = Webhook(
            id=self._next_id,
            name=name,
            status=status,
            topic=topic,
            delivery_url=delivery_url,
            # Default secret: a random 50-character string, like wp_generate_password(50, true, true).
            secret=secret if secret is not None else secrets.token_urlsafe(38)[:50],
            date_created=self.site_time.pair(self.now()),
        )
        self._next_id += 1
        self.webhooks[webhook.id] = webhook
        return webhook

    # ---- triggering ----------------------------------------------------------------------
    def scope(self) -> _Scope:
        """One PHP request: hooks are recorded and queued at its end (shutdown)."""
        return _Scope(self)

    def fire(self, topic: str, resource_id: int, resource_status: str | None = None) -> None:
        if resource_status in ("draft", "auto-draft", "new"):
            return  # WC_Webhook::is_valid_resource ignores standard drafts
        for webhook in self.webhooks.values():
            if webhook.status != "active" or webhook.topic != topic:
                continue
            pair = (webhook.id, resource_id)
            if pair not in self._recorded:  # same-request de-duplication
                self._recorded.append(pair)
        if self._scope_depth == 0:
            self._flush()

    def _flush(self) -> None:
        due = self.now() + timedelta(seconds=self.delay_seconds)
        for webhook_id, arg in self._recorded:
            if any(a.webhook_id == webhook_id and a.arg == arg for a in self.queue):
                continue  # an identical action is already pending: the burst collapses
            self.queue.append(PendingAction(self._next_action, webhook_id, arg, due))
            self._next_action += 1
        self._recorded.clear()

    # ---- running the queue ---------------------------------------------------------------
    async def run(
        self, now: bool = True, order: str = "fifo", times: int = 1, only: Callable[[PendingAction], bool] | None = None
    ) -> list[Delivery]:
        """Run pending actions: all (now=True) or those due by the clock; `order` fifo|lifo;
        `times` > 1 delivers each action repeatedly (a duplicate delivery)."""
        moment = self.now()
        chosen = [a for a in self.queue if (now or a.due <= moment) and (only is None or only(a))]
        for action in chosen:
            self.queue.remove(action)
        if order == "lifo":
            chosen.reverse()
        done: list[Delivery] = []
        for action in chosen:
            for _ in range(times):
                delivery = await self.deliver(action.webhook_id, action.arg)
                if delivery is not None:
                    done.append(delivery)
        return done

    async def deliver(self, webhook_id: int, arg: int) -> Delivery | None:
        webhook = self.webhooks.get(webhook_id)
        if webhook is None or webhook.status != "active":
            return None  # paused/disabled webhooks stop delivering silently
        payload = self.build_payload(webhook.resource, arg, webhook)
        body = phpjson.encode_bytes(payload).strip()
        signature = base64.b64encode(hmac.new(webhook.secret.encode(), body, hashlib.sha256).digest()).decode()
        delivery_id = wp_hash(f"{webhook.id}{int(self.now().timestamp())}", self.salt)
        headers = {
            "User-Agent": self.user_agent,
            "Content-Type": "application/json",
            "X-WC-Webhook-Source": self.home_url.rstrip("/") + "/",
            "X-WC-Webhook-Topic": webhook.topic,
            "X-WC-Webhook-Resource": webhook.resource,
            "X-WC-Webhook-Event": webhook.event,
            "X-WC-Webhook-Signature": signature,
            "X-WC-Webhook-ID": str(webhook.id),
            "X-WC-Webhook-Delivery-ID": delivery_id,
        }
        delivery = await self._post(
            webhook, headers, body, timeout=60.0, kind="delivery", arg=arg, delivery_id=delivery_id
        )
        code = delivery.status_code
        if code is not None and 200 <= code <= 302:
            webhook.failure_count = 0
        elif webhook.failure_count > self.max_failures:
            webhook.status = "disabled"
        else:
            webhook.failure_count += 1
        # The save after each delivery re-sends the ping while the first one has not succeeded.
        if webhook.pending_delivery and webhook.status == "active":
            await self.ping(webhook)
        return delivery

    async def ping(self, webhook: Webhook) -> Delivery:
        headers = {"User-Agent": self.user_agent, "Content-Type": "application/x-www-form-urlencoded"}
        body = f"webhook_id={webhook.id}".encode()
        delivery = await self._post(webhook, headers, body, timeout=5.0, kind="ping", arg=None, delivery_id="")
        if delivery.status_code == 200:
            webhook.pending_delivery = False
        return delivery

    async def _post(
        self,
        webhook: Webhook,
        headers: dict[str, str],
        body: bytes,
        *,
        timeout: float,
        kind: str,
        arg: int | None,
        delivery_id: str,
    ) -> Delivery:
        started = time.monotonic()
        status: int | None = None
        error = ""
        response_body = b""
        if self.safe_urls_only and not is_safe_url(webhook.delivery_url):
            error = "http_request_failed: A valid URL was not provided."
        else:
            status, response_body, error = await self._send(webhook.delivery_url, headers, body, timeout)
        delivery = Delivery(
            delivery_id=delivery_id,
            webhook_id=webhook.id,
            topic=webhook.topic,
            arg=arg,
            url=webhook.delivery_url,
            request_headers=headers,
            request_body=body,
            status_code=status,
            error=error,
            at=self.now(),
            duration_s=time.monotonic() - started,
            kind=kind,
            response_body=response_body,
        )
        self.log.append(delivery)
        return delivery

    async def _send(
        self, url: str, headers: dict[str, str], body: bytes, timeout: float
    ) -> tuple[int | None, bytes, str]:
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=timeout, follow_redirects=False) as client:
                response = await client.post(url, content=body, headers=headers)
                return response.status_code, response.content, ""
        except httpx.HTTPError as exc:
            return None, b"", f"{type(exc).__name__}: {exc}"


def is_safe_url(url: str) -> bool:
    """What wp_http_validate_url() lets through without filters."""
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return False
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if port not in (80, 443, 8080):
        return False
    try:
        address = ipaddress.ip_address(parsed.host)
    except ValueError:
        return parsed.host != "localhost"
    return not (address.is_loopback or address.is_private or address.is_reserved or address.is_unspecified)


class _Scope:
    def __init__(self, hub: WebhookHub) -> None:
        self.hub = hub

    def __enter__(self) -> WebhookHub:
        self.hub._scope_depth += 1
        return self.hub

    def __exit__(self, *exc: object) -> None:
        self.hub._scope_depth -= 1
        if self.hub._scope_depth == 0:
            self.hub._flush()
