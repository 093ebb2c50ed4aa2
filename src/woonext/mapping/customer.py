"""Who an order belongs to: every identity key of its person, and the Customer and Contact documents
for a new one (pure, no I/O).

Keys, strongest first: `id:<WooCommerce customer id>`, `email:<trimmed, lower-case e-mail>`,
`phone:<E.164>` (the store's country as default region). Guests get the same keys; an order with
none of them is its own person (`guest-order:<order id>`). Invalid e-mails and phones give no key;
`contact_problems` says what was wrong so it can be recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from woonext.erpnext.types import ContactDoc, CustomerDoc
from woonext.mapping.identity import erpnext_phone, normalise_email, normalise_phone
from woonext.woo.types import PartySource, WooAddress, WooCustomer, WooOrder


def party_of(order: WooOrder) -> PartySource:
    """What the customer mapping reads of an order (its person: account id, billing, shipping)."""
    party: PartySource = {}
    if "id" in order:
        party["id"] = order["id"]
    if "customer_id" in order:
        party["customer_id"] = order["customer_id"]
    if "billing" in order:
        party["billing"] = order["billing"]
    if "shipping" in order:
        party["shipping"] = order["shipping"]
    return party


def _billing(order: PartySource) -> WooAddress:
    return order.get("billing") or {}


def order_emails(order: PartySource) -> list[str]:
    """The raw e-mails an order (or a WooCommerce customer) carries, account e-mail first."""
    raw = [order.get("email"), _billing(order).get("email")]
    return [str(e).strip() for e in raw if str(e or "").strip()]


def order_phones(order: PartySource) -> list[str]:
    raw = [_billing(order).get("phone"), (order.get("shipping") or {}).get("phone")]
    return [str(p).strip() for p in raw if str(p or "").strip()]


def phone_region(order: PartySource, store_region: str) -> str:
    """The region for national phone numbers: the store's country; when that is unknown, the
    country of the order's billing (else shipping) address."""
    if store_region:
        return store_region.upper()
    for block in (_billing(order), order.get("shipping") or {}):
        country = str(block.get("country") or "").strip().upper()
        if country:
            return country
    return ""


def identity_keys(order: PartySource, region: str = "") -> list[str]:
    """Every key the order's person is known by, strongest first."""
    keys: list[str] = []
    customer_id = int(order.get("customer_id") or 0)
    if customer_id:
        keys.append(f"id:{customer_id}")
    for raw in order_emails(order):
        email = normalise_email(raw)
        if email and f"email:{email}" not in keys:
            keys.append(f"email:{email}")
    for raw in order_phones(order):
        phone = normalise_phone(raw, region)
        if phone and f"phone:{phone}" not in keys:
            keys.append(f"phone:{phone}")
    return keys or [f"guest-order:{order.get('id')}"]


def identity_key(order: PartySource, region: str = "") -> str:
    """The strongest key: the one a new Customer is created under."""
    return identity_keys(order, region)[0]


@dataclass
class ContactDetails:
    """What goes into the person's Contact, and what could not."""

    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def contact_details(order: PartySource, region: str = "") -> ContactDetails:
    out = ContactDetails()
    for raw in order_emails(order):
        email = normalise_email(raw)
        if email:
            if email not in out.emails:
                out.emails.append(email)
        else:
            out.problems.append(f"invalid e-mail {raw!r} (not used to match or stored)")
    for raw in order_phones(order):
        phone, valid = erpnext_phone(raw, region)
        if not valid and not any(repr(raw) in p for p in out.problems):
            out.problems.append(
                f"invalid phone {raw!r} "
                + (f"(stored as {phone!r}, not used to match)" if phone else "(not stored, not used to match)")
            )
        if phone and phone not in out.phones:
            out.phones.append(phone)
    return out


def customer_name(order: PartySource) -> str:
    billing = _billing(order)
    first = str(order.get("first_name") or billing.get("first_name") or "").strip()
    last = str(order.get("last_name") or billing.get("last_name") or "").strip()
    name = " ".join(p for p in (first, last) if p)
    return (
        name
        or str(billing.get("company") or "").strip()
        or (order_emails(order) or [""])[0]
        or f"Guest {order.get('id')}"
    )[:140]


def customer_doc(order: PartySource, store_key: str, *, customer_group: str = "", territory: str = "") -> CustomerDoc:
    """A new Customer; keyed by our own unique field, never by its (collision-prone) name."""
    billing = _billing(order)
    customer_id = int(order.get("customer_id") or 0)
    has_person = bool(order.get("first_name") or billing.get("first_name"))
    doc: CustomerDoc = {
        "customer_name": customer_name(order),
        "customer_type": "Company" if str(billing.get("company") or "").strip() and not has_person else "Individual",
        "woonext_customer_key": store_key,
    }
    if customer_id:
        doc["woo_customer_id"] = str(customer_id)
    if customer_group:
        doc["customer_group"] = customer_group
    if territory:
        doc["territory"] = territory
    return doc


def contact_doc(customer: str, order: PartySource, details: ContactDetails, sync_key: str) -> ContactDoc:
    """The one Contact of a Customer, with every e-mail and phone we know."""
    billing = _billing(order)
    first = str(order.get("first_name") or billing.get("first_name") or "").strip()
    last = str(order.get("last_name") or billing.get("last_name") or "").strip()
    return {
        "first_name": (first or customer)[:140],
        "last_name": last[:140],
        "email_ids": [{"email_id": e, "is_primary": int(i == 0)} for i, e in enumerate(details.emails)],
        "phone_nos": [
            {"phone": p, "is_primary_mobile_no": int(i == 0), "is_primary_phone": 0}
            for i, p in enumerate(details.phones)
        ],
        "links": [{"link_doctype": "Customer", "link_name": customer}],
        "is_primary_contact": 1,
        "woonext_sync_key": sync_key,
    }


def customer_as_order(customer: WooCustomer) -> PartySource:
    """A WooCommerce customer (`GET /customers/{id}`) in the shape the order path reads."""
    billing: WooAddress = {**(customer.get("billing") or {})}
    if not billing.get("email"):
        billing["email"] = customer.get("email") or ""
    if not billing.get("first_name") and not billing.get("last_name"):
        billing["first_name"] = customer.get("first_name") or ""
        billing["last_name"] = customer.get("last_name") or ""
    return {
        "id": f"customer-{customer.get('id')}",
        "customer_id": customer.get("id") or 0,
        "email": customer.get("email") or "",
        "billing": billing,
        "shipping": {**(customer.get("shipping") or {})},
    }
