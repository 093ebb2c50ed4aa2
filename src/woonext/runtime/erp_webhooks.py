"""ERPNext Webhook deliveries: what woonext subscribes to, how a delivery is verified, what it asks for.

ERPNext's own Webhook doctype (docs/catalog.md, "ERPNext webhooks"; samples 50–62, 80–82): created
over REST by `woonext webhooks install`, one per store and topic, JSON body from a Jinja template that
names the doctype and the event, signed with the store's `erpnext_webhook_secret`
(`X-Frappe-Webhook-Signature` = base64(HMAC-SHA256(secret, body)), body = Python's `json.dumps`),
sent after the commit by ERPNext's worker, retried 3 times. A delivery is a trigger, never data: the
worker re-reads what it names (the Bin, the Item Price, the document).

To follow another ERPNext event, add one row to `ERP_TOPICS` (doctype, event, the event kind it
queues, the fields the body carries, which field is the object's id) and one handler for that kind
in `runtime/jobs.py` `EVENT_HANDLERS`; `webhooks install` creates the Webhook, the receiver routes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from woonext.config import StoreConfig

SIGNATURE_HEADER = "X-Frappe-Webhook-Signature"
PATH = "/webhooks/erpnext/"
MAX_REMOTE_ID = 100  # the events table's remote_id width


def _stock(store: StoreConfig) -> bool:
    return store.stock.enabled


def _prices(store: StoreConfig) -> bool:
    return store.prices.enabled


@dataclass(frozen=True)
class ErpTopic:
    """One ERPNext doc event woonext follows."""

    doctype: str
    event: str  # the Webhook's `webhook_docevent`
    kind: str  # the event kind queued for the worker (its handler: runtime/jobs.py EVENT_HANDLERS)
    fields: tuple[str, ...]  # what the delivery carries besides doctype and event (for logs and keys)
    key: str = ""  # the field naming the object the event is about; "" = one event per store (a sweep)
    wanted: Callable[[StoreConfig], bool] = lambda store: True  # installed for this store?

    @property
    def name(self) -> str:
        return f"{self.doctype}:{self.event}"


PRICE_FIELDS = ("name", "item_code", "price_list", "modified")
ERP_TOPICS: tuple[ErpTopic, ...] = (
    # Every stock movement inserts a ledger row; on_submit is refused for it (not submittable, sample 51).
    ErpTopic(
        "Stock Ledger Entry",
        "after_insert",
        "stock",
        ("name", "item_code", "warehouse", "voucher_type", "voucher_no", "is_cancelled", "creation"),
        wanted=_stock,
    ),
    # An insert fires on_update too (sample 81): one topic covers new and changed prices.
    ErpTopic("Item Price", "on_update", "price", ("name", "item_code", "price_list", "modified"), wanted=_prices),
    ErpTopic(
        "Item Price",
        "on_trash",
        "price",
        ("name", "item_code", "price_list", "modified"),
        key="item_code",
        wanted=_prices,
    ),
)


def topics_for(store: StoreConfig) -> list[ErpTopic]:
    return [t for t in ERP_TOPICS if t.wanted(store)]


def topic(doctype: str, event: str) -> ErpTopic | None:
    return next((t for t in ERP_TOPICS if t.doctype == doctype and t.event == event), None)


def webhook_name(store: str, t: ErpTopic) -> str:
    """The Webhook document's name (ERPNext asks for one: its naming is Prompt, sample 50)."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{t.doctype} {t.event}".lower()).strip("-")
    return f"woonext-{store}-{slug}"


def webhook_json(t: ErpTopic) -> str:
    """The Jinja template of the body: the doctype and event spelled out, then the fields."""
    lines = ['"doctype": {{ doc.doctype | tojson }}', f'"event": "{t.event}"']
    lines += [f'"{f}": {{{{ doc.{f} | tojson }}}}' for f in t.fields]
    return "{\n " + ",\n ".join(lines) + "\n}"


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signature_ok(body: bytes, secret: str, provided: str) -> bool:
    """Constant-time comparison of the delivery's signature with ours."""
    expected = sign(body, secret).encode()
    return hmac.compare_digest(expected, provided.strip().encode("utf-8", "surrogateescape"))


@dataclass(frozen=True)
class ErpTrigger:
    """What a verified delivery asks for: an event `kind` about `remote_id`, or nothing (`ignored`)."""

    kind: str = ""
    remote_id: str = ""
    topic: str = ""
    ignored: str = ""


def classify(payload: Any) -> ErpTrigger:
    if not isinstance(payload, dict):
        return ErpTrigger(ignored="the body is not a JSON object")
    found = topic(str(payload.get("doctype") or ""), str(payload.get("event") or ""))
    if found is None:
        what = f"{str(payload.get('doctype'))[:60]}:{str(payload.get('event'))[:30]}"
        return ErpTrigger(ignored=f"ERPNext event {what} is not followed")
    remote = str(payload.get(found.key) or "")[:MAX_REMOTE_ID] if found.key else ""
    if found.key and not remote:
        return ErpTrigger(ignored=f"{found.name} without {found.key}")
    return ErpTrigger(kind=found.kind, remote_id=remote, topic=f"erpnext:{found.name}"[:60])


def delivery_key(body: bytes) -> str:
    """ERPNext sends no delivery id, and repeats a try with the same bytes: the body identifies it
    (each body names its document and, for updates, its `modified`)."""
    return "erp:" + hashlib.sha256(body).hexdigest()[:40]
