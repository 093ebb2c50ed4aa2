"""Register woonext's Webhooks in ERPNext (`woonext webhooks install`), idempotently, and report on them.

One Webhook per store and followed topic (runtime/erp_webhooks.py `ERP_TOPICS`), named
`woonext-<store>-<doctype>-<event>` (ERPNext asks for a name: sample 50), delivering JSON to
`<url>/webhooks/erpnext/<store>`, signed with the store's `erpnext_webhook_secret`. A Webhook that is
right is kept; one whose URL, template or state differ — or whose secret changed in the configuration
(ERPNext never shows it: the state DB keeps a keyed fingerprint of it, never the secret) — is updated;
one for a topic no longer followed (stock or prices turned off) is disabled.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from woonext.sync.context import StoreContext

from .erp_webhooks import ERP_TOPICS, PATH, ErpTopic, topics_for, webhook_json, webhook_name
from .install import HookState, InstallError

CHECKPOINT = "erpnext_webhooks"
FIELDS = ["name", "webhook_doctype", "webhook_docevent", "request_url", "request_method", "request_structure"]
FIELDS += ["webhook_json", "enable_security", "enabled"]


def delivery_url(base: str, store: str) -> str:
    base = base.rstrip("/")
    if "/webhooks/" in base:  # the WooCommerce endpoint given: the ERPNext one sits beside it
        base = base.split("/webhooks/", 1)[0]
    return f"{base}{PATH}{store}"


def _secret(ctx: StoreContext) -> str:
    secret = ctx.config.erpnext_webhook_secret.get_secret_value() if ctx.config.erpnext_webhook_secret else ""
    if not secret:
        raise InstallError(
            f"store {ctx.store!r} has no erpnext_webhook_secret: set erpnext_webhook_secret, "
            "erpnext_webhook_secret_file or the environment variable for it, then install again"
        )
    return secret


def fingerprint(secret: str) -> str:
    """Tells a changed secret apart without keeping it (keyed by itself: useless to guess from)."""
    return hmac.new(secret.encode(), b"woonext erpnext webhook secret", hashlib.sha256).hexdigest()[:16]


def _wanted(t: ErpTopic, url: str) -> dict[str, Any]:
    return {
        "webhook_doctype": t.doctype,
        "webhook_docevent": t.event,
        "request_url": url,
        "request_method": "POST",
        "request_structure": "JSON",
        "webhook_json": webhook_json(t),
        "enable_security": 1,
        "enabled": 1,
    }


async def _existing(ctx: StoreContext) -> dict[str, dict[str, Any]]:
    rows = await ctx.erp.get_list(
        "Webhook", filters=[["name", "like", f"woonext-{ctx.store}-%"]], fields=FIELDS, limit=0
    )
    return {str(r["name"]): r for r in rows}


async def install_erpnext(ctx: StoreContext, base_url: str) -> list[HookState]:
    secret = _secret(ctx)
    url = delivery_url(base_url, ctx.store)
    if not url.startswith(("http://", "https://")):
        raise InstallError(f"--url must start with http:// or https://, got {base_url!r}")
    existing = await _existing(ctx)
    stamps = dict(await ctx.state.get_checkpoint(ctx.store, CHECKPOINT) or {})
    states: list[HookState] = []
    wanted_names = set()
    for t in topics_for(ctx.config):
        name = webhook_name(ctx.store, t)
        wanted_names.add(name)
        want = _wanted(t, url)
        row = existing.get(name)
        if row is None:
            await ctx.erp.insert("Webhook", {"__newname": name, **want, "webhook_secret": secret})
            action = "created"
        elif any(str(row.get(k) or "") != str(v) for k, v in want.items()) or stamps.get(name) != fingerprint(secret):
            await ctx.erp.update("Webhook", name, {**want, "webhook_secret": secret})
            action = "updated"
        else:
            action = "kept"
        stamps[name] = fingerprint(secret)
        states.append(HookState(t.name, action, None, "active", url, name))
    for name, row in sorted(existing.items()):
        if name not in wanted_names and int(row.get("enabled") or 0):
            await ctx.erp.update("Webhook", name, {"enabled": 0})
            topic = f"{row.get('webhook_doctype')}:{row.get('webhook_docevent')}"
            states.append(HookState(topic, "disabled", None, "disabled", str(row.get("request_url")), name))
    await ctx.state.set_checkpoint(ctx.store, CHECKPOINT, stamps)
    return states


async def erpnext_status(ctx: StoreContext) -> list[HookState]:
    """Each followed topic's Webhook as ERPNext has it ("missing" when there is none)."""
    existing = await _existing(ctx)
    states = []
    for t in topics_for(ctx.config):
        row = existing.get(webhook_name(ctx.store, t))
        if row is None:
            states.append(HookState(t.name, "missing"))
            continue
        status = "active" if int(row.get("enabled") or 0) and int(row.get("enable_security") or 0) else "disabled"
        states.append(HookState(t.name, status, None, status, str(row.get("request_url")), str(row["name"])))
    return states


__all__ = ["ERP_TOPICS", "delivery_url", "erpnext_status", "fingerprint", "install_erpnext"]
