"""Personal data out of the logs: e-mail addresses and phone numbers become short tags.

One structlog processor (`PersonalDataMasker`, installed by `woonext.logging.configure_logging` for
every level and for standard-library records too) replaces, anywhere in an event (message, values,
nested dicts and lists, exception text):

- an e-mail address;
- the value after an e-mail or phone label: an identity key (`email:a@b.c`, `phone:+2010…`), or a
  quoted value (`invalid phone 'call me maybe 0101234'`) — invalid details are logged that way — and
  any other quoted value in a message that names an e-mail or phone (`… (stored as '0101234')`),
  except a quoted field name (`'email_id'`) or path;
- a phone-shaped run: `+` and 8 or more digits, or 8 or more digits with spaces, dashes, dots or
  brackets between them, standing alone (not part of a name such as `ACC-SINV-2026-00001`, not a
  date, an amount or an IP address). A long number in a message is masked too: the safe side;
  numbers passed as values (`order_id=15`) are left alone;
- the whole value of a key named like an e-mail or phone field (`email`, `phone`, `mobile_no`, …).

A tag is `<email h=1a2b3c4d>` / `<phone h=…>`: a keyed hash, so one address has one tag in a
process's log (lines about the same customer can be followed) while the address cannot be guessed
back from it (the key is random per process and never written anywhere).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import MutableMapping
from typing import Any

# The local part without quotes: an address quoted in a message ('a@b.c') is matched without them.
EMAIL = re.compile(r"[\w.!#$%&*+/=?^`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
LABELLED = re.compile(
    r"(?P<label>\b(?:e-?mail|phone|mobile)(?:_id|_no|_nos)?)(?P<sep>\s*[:=]\s*|\s+)"
    r"(?P<value>'[^']*'|\"[^\"]*\"|(?<=[:=])[^\s,;)\]}'\"]+)",
    re.IGNORECASE,
)
NAMES_A_DETAIL = re.compile(r"\b(?:e-?mail|phone|mobile)", re.IGNORECASE)
# Quotes paired left to right (a tag already in quotes is one pair, left as it is).
QUOTED = re.compile(r"'(?P<inner>[^']*)'|\"(?P<dinner>[^\"]*)\"")
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")
NOT_A_DETAIL = re.compile(r"[/\\\n]")  # a path or code (a traceback's "File …" line), not a detail
PHONE = re.compile(r"(?<![\w\-/.:=#])(?:\+|\(\+?)?\d(?:[ \-.()]{0,2}\d){7,16}\)?(?![\w\-/:])")
NOT_A_PHONE = re.compile(r"\d{4}-\d{2}-\d{2}|\d+\.\d{1,2}|\d{1,3}(?:\.\d{1,3}){3}")  # a date, an amount, an IP
PERSONAL_KEY = re.compile(r"^(?:e-?mail|phone|mobile)(?:_id|_no|_nos|s)?$|_(?:email|phone)$", re.IGNORECASE)


class PersonalDataMasker:
    """A structlog processor that replaces e-mail addresses and phone numbers with keyed-hash tags."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(16)

    def tag(self, kind: str, value: str) -> str:
        digest = hmac.new(self._key, value.strip().lower().encode(), hashlib.sha256).hexdigest()[:8]
        return f"<{kind} h={digest}>"

    def mask_text(self, text: str) -> str:
        names_a_detail = NAMES_A_DETAIL.search(text) is not None
        text = EMAIL.sub(lambda m: self.tag("email", m.group()), text)
        if names_a_detail:
            text = QUOTED.sub(self._quoted, text)
        text = LABELLED.sub(self._labelled, text)
        return PHONE.sub(self._phone, text)

    def _quoted(self, match: re.Match[str]) -> str:
        inner = match.group("inner") if match.group("inner") is not None else match.group("dinner")
        if not inner.strip() or inner.startswith("<") or FIELD_NAME.fullmatch(inner) or NOT_A_DETAIL.search(inner):
            return match.group()
        quote = match.group()[0]
        return f"{quote}{self.tag('email' if '@' in inner else 'phone', inner)}{quote}"

    def _labelled(self, match: re.Match[str]) -> str:
        value = match.group("value")
        if value.startswith("<") or value.strip("'\"").startswith("<"):  # already a tag
            return match.group()
        kind = "email" if "mail" in match.group("label").lower() else "phone"
        quote = value[0] if value[:1] in ("'", '"') else ""
        inner = value[1:-1] if quote else value
        return f"{match.group('label')}{match.group('sep')}{quote}{self.tag(kind, inner)}{quote}"

    def _phone(self, match: re.Match[str]) -> str:
        if NOT_A_PHONE.fullmatch(match.group()):
            return match.group()
        return self.tag("phone", re.sub(r"[^\d+]", "", match.group()))

    def mask(self, value: Any, key: str = "") -> Any:
        if key and PERSONAL_KEY.search(key) and isinstance(value, str | int) and value not in ("", None):
            return self.tag("email" if "mail" in key.lower() else "phone", str(value))
        if isinstance(value, str):
            return self.mask_text(value)
        if isinstance(value, dict):
            return {k: self.mask(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.mask(v, key) for v in value)
        return value

    def __call__(self, _logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        for key in list(event):
            event[key] = self.mask(event[key], "" if key == "event" else key)
        return event


masker = PersonalDataMasker()
