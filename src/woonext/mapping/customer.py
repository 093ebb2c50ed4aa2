"""Who an order belongs to: one identity key per person, and the Customer document for a new one."""

from __future__ import annotations

import re
from typing import Any

_NON_DIGIT = re.compile(r"\D+")


def identity_keys(order: dict[str, Any]) -> list[str]:
    """Every key the order's person is known by, strongest first: WooCommerce id, e-mail
    (case-insensitive), phone digits; an anonymous guest order is its own person."""
    keys = []
    customer_id = int(order.get("customer_id") or 0)
    if customer_id:
        keys.append(f"id:{customer_id}")
    billing = order.get("billing") or {}
    email = str(billing.get("email") or "").strip().lower()
    if email:
        keys.append(f"email:{email}")
    digits = _NON_DIGIT.sub("", str(billing.get("phone") or ""))
    if digits and not keys:
        keys.append(f"phone:{digits}")
    return keys or [f"guest-order:{order.get('id')}"]


def identity_key(order: dict[str, Any]) -> str:
    """The strongest key: the one a new Customer is created under."""
    return identity_keys(order)[0]


def customer_name(order: dict[str, Any]) -> str:
    billing = order.get("billing") or {}
    name = " ".join(p for p in (str(billing.get("first_name") or "").strip(),
                                str(billing.get("last_name") or "").strip()) if p)
    return (name or str(billing.get("company") or "").strip() or str(billing.get("email") or "").strip()
            or f"Guest {order.get('id')}")[:140]


def customer_doc(order: dict[str, Any], store_key: str) -> dict[str, Any]:
    """A new Customer; keyed by our own unique field, never by its (collision-prone) name."""
    billing = order.get("billing") or {}
    customer_id = int(order.get("customer_id") or 0)
    doc: dict[str, Any] = {
        "customer_name": customer_name(order),
        "customer_type": "Company" if str(billing.get("company") or "").strip() and not billing.get("first_name")
        else "Individual",
        "woonext_customer_key": store_key,
    }
    if customer_id:
        doc["woo_customer_id"] = str(customer_id)
    return doc
