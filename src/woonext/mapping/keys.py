"""Sync keys and content hashes: how one WooCommerce object is recognised in ERPNext and locally."""

from __future__ import annotations

import hashlib
import json
from typing import Any

# The unique Custom Field woonext puts on every document it creates (Sales Invoice, Payment Entry).
SYNC_KEY_FIELD = "woonext_sync_key"

def order_key(store: str, order_id: int | str, revision: int = 0) -> str:
    """The invoice's key: one per store and order, a new one per amendment (`:r1`, `:r2`, ...)."""
    base = f"{store}:order:{order_id}"
    return base if revision == 0 else f"{base}:r{revision}"


def payment_key(store: str, order_id: int | str, revision: int = 0) -> str:
    base = f"{store}:payment:{order_id}"
    return base if revision == 0 else f"{base}:r{revision}"


def refund_key(store: str, refund_id: int | str) -> str:
    return f"{store}:refund:{refund_id}"


def _pick(rows: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{f: row.get(f) for f in fields} for row in rows or [] if isinstance(row, dict)]


def content_hash(order: dict[str, Any]) -> str:
    """A hash of what the invoice is made of: lines, stored amounts, taxes, customer, payment method.

    Only stored figures count. Status, timestamps, meta bookkeeping and the per-line taxes that
    WooCommerce re-renders on every read (observed-real §2) are left out, so a status-only change or
    a re-save is not mistaken for an edit.
    """
    material = {
        "currency": order.get("currency"),
        "customer_id": order.get("customer_id"),
        "billing": order.get("billing"),
        "shipping": order.get("shipping"),
        "payment_method": order.get("payment_method"),
        "total": order.get("total"),
        "total_tax": order.get("total_tax"),
        "discount_total": order.get("discount_total"),
        "lines": _pick(order.get("line_items"), ("id", "product_id", "variation_id", "sku", "quantity",
                                                 "subtotal", "total")),
        "shipping_lines": _pick(order.get("shipping_lines"), ("id", "method_id", "total")),
        "fee_lines": _pick(order.get("fee_lines"), ("id", "name", "total")),
        "tax_lines": _pick(order.get("tax_lines"), ("rate_id", "tax_total", "shipping_tax_total")),
    }
    blob = json.dumps(material, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()
