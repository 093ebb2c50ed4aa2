"""How a person is recognised across orders: normalised e-mail and phone (pure, no I/O).

Shoppers type the same mobile number as `01012345678`, `+20 10 1234 5678` or `0020-1012345678`, and
change the case of their e-mail between orders; every one of those must lead to the same Customer.
Phones are normalised to E.164 with `phonenumbers`, using the store's country for numbers written
without a country code.
"""

from __future__ import annotations

import re

import phonenumbers

# Arabic-Indic and Eastern Arabic-Indic digits, as typed on Arabic keyboards.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_INTERNATIONAL_PREFIX = re.compile(r"^\s*00")


def latin_digits(text: str) -> str:
    return text.translate(_DIGITS)


def normalise_email(raw: object) -> str:
    """Trimmed, lower-cased e-mail; "" when empty or not shaped like an address."""
    email = str(raw or "").strip().lower()
    return email if _EMAIL.match(email) else ""


def normalise_phone(raw: object, region: str = "") -> str:
    """The number in E.164 (`+201012345678`); "" when it cannot be a valid phone number.

    `region` is the ISO 3166 alpha-2 country used for numbers written without a country code
    (the store's country)."""
    text = latin_digits(str(raw or "")).strip()
    if not text:
        return ""
    # "0020…" is the international call prefix in most countries; phonenumbers only knows it per region.
    text = _INTERNATIONAL_PREFIX.sub("+", text)
    try:
        number = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# ERPNext's `validate_phone_number`: only these characters, at most 20 of them (api-contracts B6).
ERP_PHONE = re.compile(r"^[0-9 +_\-,.*#()]{1,20}$")
_NOT_ERP_PHONE = re.compile(r"[^0-9 +_\-,.*#()]+")
_MIN_DIGITS = 6  # fewer digits than this is not a phone number anyone can dial


def erpnext_phone(raw: object, region: str = "") -> tuple[str, bool]:
    """(what to store in an ERPNext Phone field, whether it is a valid number).

    A valid number is stored in E.164. Anything else is kept as typed when ERPNext's rule allows it
    after dropping the characters it refuses and cutting to 20 (so the shopper's number is not lost),
    or "" when too little of a number is left."""
    e164 = normalise_phone(raw, region)
    if e164:
        return e164, True
    text = _NOT_ERP_PHONE.sub(" ", latin_digits(str(raw or ""))).strip()
    text = " ".join(text.split())[:20].strip()
    if sum(ch.isdigit() for ch in text) < _MIN_DIGITS or not ERP_PHONE.match(text):
        return "", False
    return text, False
