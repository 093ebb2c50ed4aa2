"""Stored orders, refunds and notes, with the id sequences and the save rules of WooCommerce."""

from __future__ import annotations

import copy
import secrets
import string
from datetime import datetime
from decimal import Decimal
from typing import Any

from .dates import SiteTime

ORDER_STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "checkout-draft")
LIST_STATUSES = (
    "any",
    "trash",
    "auto-draft",
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
)
PAID_STATUSES = ("processing", "completed")
DRAFT_STATUSES = ("checkout-draft", "auto-draft", "draft", "new")
# Meta keys the order data store routes to properties instead of meta rows.
INTERNAL_META_PREFIXES = ("_billing_", "_shipping_", "_order_", "_wp_trash_meta_")
INTERNAL_META_KEYS = {
    "_customer_user",
    "_payment_method",
    "_payment_method_title",
    "_transaction_id",
    "_date_paid",
    "_date_completed",
    "_cart_hash",
    "_created_via",
    "_customer_ip_address",
    "_customer_user_agent",
    "_prices_include_tax",
    "_recorded_sales",
}


def meta_value(value: Any) -> Any:
    """Scalars are stored in the meta table as strings (an int 3600 reads back as "3600")."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, int | float | Decimal):
        return str(value)
    return value


def _is_internal(key: str) -> bool:
    return key in INTERNAL_META_KEYS or key.startswith(INTERNAL_META_PREFIXES)


class OrderBook:
    def __init__(self, site_time: SiteTime) -> None:
        self.time = site_time
        self.orders: dict[int, dict[str, Any]] = {}
        self.refunds: dict[int, dict[str, Any]] = {}
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self.next_order_id = 1  # orders and refunds share one sequence (refunds are orders)
        self.next_item_id = 1
        self.next_meta_id = 1
        self.next_item_meta_id = 1
        self.next_note_id = 1

    # ---- ids -----------------------------------------------------------------------------
    def take_order_id(self) -> int:
        oid = self.next_order_id
        self.next_order_id += 1
        return oid

    def take_item_id(self) -> int:
        iid = self.next_item_id
        self.next_item_id += 1
        return iid

    def take_meta_id(self) -> int:
        mid = self.next_meta_id
        self.next_meta_id += 1
        return mid

    def take_item_meta_id(self) -> int:
        mid = self.next_item_meta_id
        self.next_item_meta_id += 1
        return mid

    def take_note_id(self) -> int:
        nid = self.next_note_id
        self.next_note_id += 1
        return nid

    def observe_ids(self, order: dict[str, Any]) -> None:
        """After an import, continue every sequence after the largest id seen."""
        self.next_order_id = max(self.next_order_id, int(order["id"]) + 1)
        for refund in order.get("refunds") or []:
            self.next_order_id = max(self.next_order_id, int(refund.get("id", 0)) + 1)
        for meta in order.get("meta_data") or []:
            self.next_meta_id = max(self.next_meta_id, int(meta.get("id") or 0) + 1)
        for group in ("line_items", "tax_lines", "shipping_lines", "fee_lines", "coupon_lines"):
            for line in order.get(group) or []:
                self.next_item_id = max(self.next_item_id, int(line.get("id") or 0) + 1)
                for meta in line.get("meta_data") or []:
                    self.next_item_meta_id = max(self.next_item_meta_id, int(meta.get("id") or 0) + 1)

    # ---- order meta ----------------------------------------------------------------------
    def update_meta(self, order: dict[str, Any], entries: list[Any]) -> None:
        """WC_Data::update_meta_data for each entry, then save_meta_data (nulls are deleted)."""
        rows: list[dict[str, Any]] = order.setdefault("meta_data", [])
        for entry in entries:
            if not isinstance(entry, dict) or "key" not in entry:
                continue
            key = str(entry["key"])
            if _is_internal(key):
                continue
            value = meta_value(entry.get("value"))
            target: dict[str, Any] | None = None
            if entry.get("id"):
                target = next((r for r in rows if r["id"] == int(entry["id"])), None)
            else:
                matches = [r for r in rows if r["key"] == key]
                for row in matches:  # only the first keeps a value; the rest are deleted
                    row["value"] = None
                target = matches[0] if matches else None
            if target is not None:
                target["key"] = key
                target["value"] = value
            elif value is not None:
                rows.append({"id": self.take_meta_id(), "key": key, "value": value})
        order["meta_data"] = sorted((r for r in rows if r["value"] is not None), key=lambda r: (r["key"], r["id"]))

    # ---- save ----------------------------------------------------------------------------
    def touch(self, order: dict[str, Any], now: datetime) -> None:
        order["date_modified"], order["date_modified_gmt"] = self.time.pair(now)

    def set_status(self, order: dict[str, Any], status: str, now: datetime) -> str:
        """Apply a status and its date side effects; returns the old status."""
        old = str(order.get("status", ""))
        order["status"] = status
        if status == "completed" and old != "completed":
            order["date_completed"], order["date_completed_gmt"] = self.time.pair(now)
        self.maybe_set_date_paid(order, now)
        return old

    def payment_complete_status(self, order: dict[str, Any]) -> str:
        # The COD gateway moves its payment-complete status to "completed".
        if order.get("payment_method") == "cod":
            return "completed"
        return "processing" if order.get("needs_processing", True) else "completed"

    def maybe_set_date_paid(self, order: dict[str, Any], now: datetime) -> None:
        if order.get("date_paid"):
            return
        target = self.payment_complete_status(order)
        status = order.get("status")
        if status == target or (target == "processing" and status == "completed"):
            order["date_paid"], order["date_paid_gmt"] = self.time.pair(now)

    def payment_complete(self, order: dict[str, Any], now: datetime, transaction_id: str = "") -> None:
        if order.get("status") not in ("on-hold", "pending", "failed", "cancelled", "checkout-draft"):
            return
        if transaction_id:
            order["transaction_id"] = transaction_id
        if not order.get("date_paid"):
            order["date_paid"], order["date_paid_gmt"] = self.time.pair(now)
        self.set_status(order, self.payment_complete_status(order), now)

    def refresh_derived(self, order: dict[str, Any], home: str) -> None:
        status = order.get("status")
        total = Decimal(str(order.get("total") or "0"))
        if "is_editable" in order:
            order["is_editable"] = status in ("pending", "on-hold", "auto-draft")
        if "needs_payment" in order:
            order["needs_payment"] = status in ("pending", "failed") and total > 0
        if "_links" in order:
            order["_links"] = order_links(home, order)


def order_links(home: str, order: dict[str, Any]) -> dict[str, Any]:
    base = f"{home}/wp-json/wc/v3/orders"
    links: dict[str, Any] = {
        "self": [
            {"href": f"{base}/{order['id']}", "targetHints": {"allow": ["GET", "POST", "PUT", "PATCH", "DELETE"]}}
        ],
        "collection": [{"href": base}],
        "email_templates": [{"embeddable": True, "href": f"{base}/{order['id']}/actions/email_templates"}],
    }
    if order.get("customer_id"):
        links["customer"] = [{"href": f"{home}/wp-json/wc/v3/customers/{order['customer_id']}"}]
    if order.get("parent_id"):
        links["up"] = [{"href": f"{base}/{order['parent_id']}"}]
    return links


def new_order_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "wc_order_" + "".join(secrets.choice(alphabet) for _ in range(13))


ADDRESS_KEYS = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode", "country")


def blank_order(
    oid: int,
    *,
    now: datetime,
    site_time: SiteTime,
    home: str,
    currency: str,
    symbol: str,
    prices_include_tax: bool,
    version: str,
    created_via: str,
) -> dict[str, Any]:
    """A fresh order with the real key order of WooCommerce 11.0.1's REST answer."""
    local, gmt = site_time.pair(now)
    key = new_order_key()
    order: dict[str, Any] = {
        "id": oid,
        "parent_id": 0,
        "status": "pending",
        "currency": currency,
        "version": version,
        "prices_include_tax": prices_include_tax,
        "date_created": local,
        "date_modified": local,
        "discount_total": "0.00",
        "discount_tax": "0.00",
        "shipping_total": "0.00",
        "shipping_tax": "0.00",
        "cart_tax": "0.00",
        "total": "0.00",
        "total_tax": "0.00",
        "customer_id": 0,
        "order_key": key,
        "billing": {**{k: "" for k in ADDRESS_KEYS}, "email": "", "phone": ""},
        "shipping": {**{k: "" for k in ADDRESS_KEYS}, "phone": ""},
        "payment_method": "",
        "payment_method_title": "",
        "transaction_id": "",
        "customer_ip_address": "",
        "customer_user_agent": "",
        "created_via": created_via,
        "customer_note": "",
        "date_completed": None,
        "date_paid": None,
        "cart_hash": "",
        "number": str(oid),
        "meta_data": [],
        "line_items": [],
        "tax_lines": [],
        "shipping_lines": [],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": [],
        "payment_url": f"{home}/checkout/order-pay/{oid}/?pay_for_order=true&key={key}",
        "is_editable": True,
        "needs_payment": False,
        "needs_processing": True,
        "date_created_gmt": gmt,
        "date_modified_gmt": gmt,
        "date_completed_gmt": None,
        "date_paid_gmt": None,
        "currency_symbol": symbol,
        "_links": {},
    }
    return order


def clone(value: Any) -> Any:
    return copy.deepcopy(value)
