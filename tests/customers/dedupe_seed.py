"""An ERPNext with duplicate customers, as a shop ends up with one: the same phone written three ways,
the same e-mail in another case, a family sharing a phone, one person with two WooCommerce accounts —
with invoices and payments on the duplicates. Written over the REST API, so it seeds an in-process
simulator and one started with `woonext sim up` alike."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

GET_PE = "erpnext.accounts.doctype.payment_entry.payment_entry.get_payment_entry"

# (customer_name, woo id, key, e-mail, mobile) in creation order; names follow ERPNext's collisions
CUSTOMERS: list[tuple[str, str, str, str, str]] = [
    ("Mona Hassan", "11", "main:id:11", "", "01012345678"),
    ("Mona Hassan", "", "main:email:mona.h@example.com", "Mona.H@Example.com", "+20 10 1234 5678"),
    ("Mona Hassan", "", "main:phone:+201012345678", "", "0020-1012345678"),
    ("Ana Ruiz", "", "main:email:ana@example.com", "ana@example.com", ""),
    ("Ana Ruiz", "", "main:email:ana.r@example.com", " ANA@Example.COM", ""),
    ("Karim Adel", "", "main:phone:+201122223333", "", "01122223333"),
    ("Salma Adel", "", "main:email:salma@example.com", "salma@example.com", "+201122223333"),
    ("Omar Said", "21", "main:id:21", "omar@example.com", ""),
    ("Omar Said", "22", "main:id:22", "omar@example.com", ""),
    ("Nour Ali", "", "main:email:nour@example.com", "nour@example.com", "01234567890"),
]
# what the simulator names them
NAMES = [
    "Mona Hassan",
    "Mona Hassan - 1",
    "Mona Hassan - 2",
    "Ana Ruiz",
    "Ana Ruiz - 1",
    "Karim Adel",
    "Salma Adel",
    "Omar Said",
    "Omar Said - 1",
    "Nour Ali",
]
INVOICED = ["Mona Hassan - 1", "Mona Hassan - 2", "Ana Ruiz - 1", "Salma Adel", "Omar Said - 1"]
PAID = ["Mona Hassan - 1", "Ana Ruiz - 1"]

Insert = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
Call = Callable[..., Awaitable[Any]]


async def seed_duplicates(insert: Insert, call_get: Call, company: str = "Jarz Test") -> dict[str, list[str]]:
    """Customers (each with its primary Contact), then submitted invoices on `INVOICED` and
    Payment Entries on `PAID`. Returns the invoice and payment names by customer."""
    for customer_name, woo_id, key, email, mobile in CUSTOMERS:
        doc: dict[str, Any] = {
            "customer_name": customer_name,
            "customer_type": "Individual",
            "woonext_customer_key": key,
        }
        if woo_id:
            doc["woo_customer_id"] = woo_id
        if email:
            doc["email_id"] = email
        if mobile:
            doc["mobile_no"] = mobile
        await insert("Customer", doc)
    documents: dict[str, list[str]] = {}
    for name in INVOICED:
        invoice = await insert(
            "Sales Invoice",
            {
                "customer": name,
                "company": company,
                "docstatus": 1,
                "disable_rounded_total": 1,
                "items": [{"item_code": "Shipping", "qty": 1, "rate": 40}],
            },
        )
        documents.setdefault(name, []).append(str(invoice["name"]))
        if name in PAID:
            entry = await call_get(GET_PE, dt="Sales Invoice", dn=invoice["name"])
            entry = {k: v for k, v in dict(entry).items() if k not in ("__islocal", "__unsaved")}
            payment = await insert("Payment Entry", {**entry, "docstatus": 1, "reference_no": f"R-{name}"})
            documents[name].append(str(payment["name"]))
    return documents
