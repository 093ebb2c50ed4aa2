"""Sync keys and content hashes: how one WooCommerce object is recognised in ERPNext and locally."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from woonext.woo.types import WooOrder

# The unique Custom Field woonext puts on every document it creates (Sales Invoice, Payment Entry).
SYNC_KEY_FIELD: Final = "woonext_sync_key"
# A stored content hash in the current format: "v2:<invoice part>:<details part>".
HASH_VERSION = "v2"


def woo_order_id(order: WooOrder) -> str:
    """`woo_order_id`, on every document woonext writes for an order (invoice, credit note, Payment
    Entry), with `woo_order_number`, so a report filtered on them finds all of them. ERPNext's mappers
    (`make_sales_return`, `get_payment_entry`) do not copy these no_copy fields: woonext sets them."""
    return str(order.get("id"))


def woo_order_number(order: WooOrder) -> str:
    """The number the shop shows (a sequential-numbers plugin may differ from the id)."""
    return str(order.get("number") or order.get("id"))


def order_key(store: str, order_id: int | str, revision: int = 0) -> str:
    """The invoice's key: one per store and order, a new one per amendment (`:r1`, `:r2`, ...)."""
    base = f"{store}:order:{order_id}"
    return base if revision == 0 else f"{base}:r{revision}"


def payment_key(store: str, order_id: int | str, revision: int = 0) -> str:
    base = f"{store}:payment:{order_id}"
    return base if revision == 0 else f"{base}:r{revision}"


def refund_key(store: str, refund_id: int | str) -> str:
    return f"{store}:refund:{refund_id}"


def refund_payment_key(store: str, refund_id: int | str) -> str:
    """The Payment Entry that pays a foreign-currency refund out (its credit note keeps its own outstanding)."""
    return f"{store}:refund_payment:{refund_id}"


def order_version(order: Mapping[str, Any]) -> str:
    """When this copy of the order was last saved in WooCommerce (UTC, sortable as text)."""
    return str(order.get("date_modified_gmt") or order.get("date_modified") or "")


def remember_version(binding_data: dict[str, Any], order: WooOrder) -> dict[str, Any]:
    """The binding's data with the version of the order it was last brought in step with."""
    return {**binding_data, "version": order_version(order)}


def is_older_copy(order: WooOrder, binding_data: dict[str, Any]) -> bool:
    """A copy read before the version already synced (a poll page read before a webhook's re-read):
    acting on it would undo the newer one, e.g. amend an edit back."""
    synced = str(binding_data.get("version") or "")
    return bool(synced) and order_version(order) < synced


def _pick(rows: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{f: row.get(f) for f in fields} for row in rows or [] if isinstance(row, dict)]


def _digest(material: dict[str, Any], size: int = 64) -> str:
    blob = json.dumps(material, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:size]


def invoice_material(order: WooOrder) -> dict[str, Any]:
    """What the invoice's lines and totals are made of: stored figures only.

    The per-line taxes and `price` that WooCommerce re-renders on every read (observed-real §2) are
    left out, so a re-save is not mistaken for an edit."""
    return {
        "currency": order.get("currency"),
        "total": order.get("total"),
        "total_tax": order.get("total_tax"),
        "discount_total": order.get("discount_total"),
        "lines": _pick(
            order.get("line_items"), ("id", "product_id", "variation_id", "sku", "quantity", "subtotal", "total")
        ),
        "shipping_lines": _pick(order.get("shipping_lines"), ("id", "method_id", "total")),
        "fee_lines": _pick(order.get("fee_lines"), ("id", "name", "total")),
        "tax_lines": _pick(order.get("tax_lines"), ("rate_id", "tax_total", "shipping_tax_total")),
    }


def details_material(order: WooOrder) -> dict[str, Any]:
    """The rest of what an invoice shows: who bought, where to, how they paid."""
    return {
        "customer_id": order.get("customer_id"),
        "billing": order.get("billing"),
        "shipping": order.get("shipping"),
        "payment_method": order.get("payment_method"),
    }


def invoice_hash(order: WooOrder) -> str:
    return _digest(invoice_material(order), 32)


def details_hash(order: WooOrder) -> str:
    return _digest(details_material(order), 32)


def content_hash(order: WooOrder) -> str:
    """The hash stored with an order's binding: the lines/totals part and the details part apart,
    so that an edit of the money can be told from a change of address (status, timestamps, meta and
    notes are in neither: they never touch the invoice)."""
    return f"{HASH_VERSION}:{invoice_hash(order)}:{details_hash(order)}"


def legacy_content_hash(order: WooOrder) -> str:
    """The single hash bindings stored before the split (lines, totals and details in one)."""
    material = {**invoice_material(order), **details_material(order)}
    return _digest(material)


@dataclass(frozen=True)
class HashChange:
    """How an order differs from what its binding remembers."""

    invoice: bool | None  # lines or totals changed; None: cannot tell from an old-format hash
    details: bool  # customer, addresses or payment method changed

    @property
    def unknown(self) -> bool:
        return self.invoice is None


def compare_hash(stored: str, order: WooOrder) -> HashChange:
    """Compare the order with the stored hash.

    An old single hash that still matches says nothing changed; one that does not match cannot say
    which part did (`invoice` None): the caller then compares the invoice itself with the order,
    once, and stores a hash in the current format."""
    if not stored:
        return HashChange(invoice=False, details=False)
    if stored.startswith(f"{HASH_VERSION}:"):
        _, old_invoice, old_details = stored.split(":", 2)
        return HashChange(invoice=old_invoice != invoice_hash(order), details=old_details != details_hash(order))
    if stored == legacy_content_hash(order):
        return HashChange(invoice=False, details=False)
    return HashChange(invoice=None, details=False)
