"""Addresses as ERPNext should hold them (pure, no I/O): a normalised signature that says "the same
place", the fields we write (compared with what we wrote last), and the Address document.

"The same address" = the same signature: line 1, city and postcode after normalisation (Unicode
NFKC, Arabic-Indic digits → Latin, case folded, punctuation dropped, spacing collapsed) plus the
country. "Changed slightly" = same signature, different raw text (case, spacing, punctuation, digit
script, or any change of line 2, state, phone or e-mail): the Address is updated in place. A
different line 1, city, postcode or country is another place: a new Address.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from woonext.erpnext.types import AddressDoc, AddressFields
from woonext.mapping.identity import erpnext_phone, latin_digits, normalise_email
from woonext.woo.types import WooAddress

_PUNCTUATION = re.compile(r"[^\w]+", re.UNICODE)


def normalise_text(raw: object) -> str:
    text = latin_digits(unicodedata.normalize("NFKC", str(raw or ""))).casefold()
    return " ".join(_PUNCTUATION.sub(" ", text).replace("_", " ").split())


def signature(address: WooAddress, default_country: str = "") -> str:
    """ "" when the address has no line 1 or city (nothing ERPNext could hold)."""
    line1, city = normalise_text(address.get("address_1")), normalise_text(address.get("city"))
    if not line1 or not city:
        return ""
    postcode = normalise_text(address.get("postcode")).replace(" ", "")
    return "|".join((line1, city, postcode, country_code(address, default_country).lower()))


def country_code(address: WooAddress, default_country: str = "") -> str:
    return (str(address.get("country") or "").strip() or default_country).upper()


@dataclass(frozen=True)
class AddressPlan:
    """One place of a customer: the Address to create, the fields we own on it, and its signature."""

    signature: str
    fields: AddressFields
    doc: AddressDoc


def changes(known: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that differ from what we last wrote (an in-place update); {} = nothing to do."""
    return {k: v for k, v in fields.items() if known.get(k) != v}


def address_fields(address: WooAddress, *, country_name: str, region: str, territory: str = "") -> AddressFields:
    """The fields we own on an Address (what an in-place update writes); `territory` goes into the
    Address custom field sync/setup.py adds."""
    # An order without a phone or e-mail does not erase the ones the Address already has.
    phone, _ = erpnext_phone(address.get("phone"), region)
    email = normalise_email(address.get("email"))
    fields: AddressFields = {
        "address_line1": str(address.get("address_1") or "").strip()[:240],
        "address_line2": str(address.get("address_2") or "").strip()[:240],
        "city": str(address.get("city") or "").strip()[:140],
        "state": str(address.get("state") or "").strip()[:140],
        "pincode": str(address.get("postcode") or "").strip()[:140],
        "country": country_name,
    }
    if phone:
        fields["phone"] = phone
    if email:
        fields["email_id"] = email
    if territory:
        fields["territory"] = territory
    return fields


def plan_address(
    address: WooAddress,
    *,
    customer: str,
    address_type: str,
    is_billing: bool,
    is_shipping: bool,
    country_name: str,
    region: str,
    sync_key: str,
    territory: str = "",
) -> AddressPlan:
    """A new Address linked to `customer`; `sync_key` is its unique woonext key."""
    fields = address_fields(address, country_name=country_name, region=region, territory=territory)
    doc: AddressDoc = {
        "address_title": customer,
        "address_type": address_type,
        **fields,
        "is_primary_address": int(is_billing),
        "is_shipping_address": int(is_shipping),
        "links": [{"link_doctype": "Customer", "link_name": customer}],
        "woonext_sync_key": sync_key,
    }
    return AddressPlan(signature(address, region), fields, doc)


def customer_places(billing: WooAddress, shipping: WooAddress, region: str) -> list[tuple[str, WooAddress, bool, bool]]:
    """(signature, address, is billing, is shipping) for the distinct places of an order or customer;
    a shipping address equal to the billing one is the same Address, flagged for both."""
    places: dict[str, tuple[str, WooAddress, bool, bool]] = {}
    bill_sig = signature(billing, region)
    if bill_sig:
        places[bill_sig] = (bill_sig, billing, True, False)
    ship_sig = signature(shipping, region)
    if ship_sig:
        if ship_sig in places:
            places[ship_sig] = (ship_sig, billing, True, True)
        else:
            # A shipping block usually has no e-mail/phone of its own: take the billing ones.
            merged: WooAddress = {**shipping, "phone": shipping.get("phone") or billing.get("phone") or ""}
            places[ship_sig] = (ship_sig, merged, False, True)
    return list(places.values())
