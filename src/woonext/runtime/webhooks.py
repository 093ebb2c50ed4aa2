"""WooCommerce webhook deliveries: signature, the setup ping, and what a delivery asks us to do.

Pure functions; the HTTP side is in `web.py`. See api-contracts A5: the signature is
base64(HMAC-SHA256(raw body, secret)); the ping is an unsigned form body `webhook_id=N`;
`X-WC-Webhook-Delivery-ID` is not unique per delivery (two deliveries of one webhook in the same
second share it), so a delivery is identified by it together with the resource and its
`date_modified_gmt`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

PING = re.compile(rb"\s*webhook_id=\d+\s*")
ORDER_TOPICS = frozenset({"order.created", "order.updated", "order.deleted", "order.restored"})
CUSTOMER_TOPICS = frozenset({"customer.created", "customer.updated", "customer.deleted"})
# A variation's save is delivered as product.updated with the variation (sample 58): its product is synced.
PRODUCT_TOPICS = frozenset({"product.created", "product.updated"})
MAX_ID = 2**64 - 1  # WooCommerce ids are BIGINT UNSIGNED
# Saves of a block-checkout draft deliver order.updated; the order only counts once it leaves the draft.
DRAFT_STATUSES = frozenset({"checkout-draft", "draft", "auto-draft", "new"})


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signature_ok(body: bytes, secret: str, provided: str) -> bool:
    """Constant-time comparison of the delivery's signature with ours."""
    expected = sign(body, secret).encode()
    return hmac.compare_digest(expected, provided.strip().encode("utf-8", "surrogateescape"))


def is_ping(body: bytes) -> bool:
    return PING.fullmatch(body) is not None


@dataclass(frozen=True)
class Trigger:
    """What a verified delivery asks for: sync `kind` `remote_id`, or nothing (`ignored` says why)."""

    kind: str = ""
    remote_id: int = 0
    ignored: str = ""
    modified: str = ""


def classify(topic: str, payload: Any) -> Trigger:
    resource = topic.split(".", 1)[0]
    if topic not in ORDER_TOPICS | CUSTOMER_TOPICS | PRODUCT_TOPICS:
        return Trigger(ignored=f"topic {topic[:60] or '(none)'} is not synced")
    raw_id = payload.get("id") if isinstance(payload, dict) else None
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses
    if (
        isinstance(raw_id, bool)
        or not isinstance(raw_id, int | str)
        or not (isinstance(raw_id, int) or (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 20))
        or not 0 < int(raw_id) <= MAX_ID
    ):
        # e.g. the REST error object WooCommerce sends when the order was deleted before delivery
        return Trigger(ignored="the body names no resource id")
    assert isinstance(payload, dict)
    status = payload.get("status")
    if topic == "order.updated" and isinstance(status, str) and status in DRAFT_STATUSES:
        return Trigger(ignored=f"order {raw_id} is a {status}")
    modified = str(payload.get("date_modified_gmt") or "")
    parent = payload.get("parent_id")
    if resource == "product" and isinstance(parent, int) and not isinstance(parent, bool) and 0 < parent <= MAX_ID:
        return Trigger(kind=resource, remote_id=parent, modified=f"{raw_id}:{modified}")
    return Trigger(kind=resource, remote_id=int(raw_id), modified=modified)


def delivery_key(delivery_id: str, trigger: Trigger) -> str | None:
    """The idempotency key of one delivery (None without a delivery id)."""
    if not delivery_id:
        return None
    return f"{delivery_id.strip()[:40]}:{trigger.kind}:{trigger.remote_id}:{trigger.modified}"
