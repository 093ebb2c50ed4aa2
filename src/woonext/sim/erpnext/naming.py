"""Naming rules: naming series, `field:`, hash, and `{title} - n` style numbering."""

from __future__ import annotations

import re
import secrets
import string
from datetime import datetime
from typing import Any

from .base import Doc, throw
from .db import Txn
from .schema import Meta, select_options

HASH_ALPHABET = string.ascii_lowercase + string.digits


def random_name() -> str:
    """Frappe 15's 10-character hash names (e.g. child rows, Error Log)."""
    return "".join(secrets.choice(HASH_ALPHABET) for _ in range(10))


def parse_series(series: str, now: datetime, doc: Doc) -> tuple[str, int]:
    """('ACC-SINV-2026-', 5) for 'ACC-SINV-.YYYY.-.#####' (the part before the hashes, digits)."""
    if "#" not in series:
        series = series + ".#####"
    prefix = ""
    digits = 0
    for part in series.split("."):
        if not part:
            continue
        if part.startswith("#"):
            digits = len(part)
            break
        prefix += _series_part(part, now, doc)
    return prefix, digits


def _series_part(part: str, now: datetime, doc: Doc) -> str:
    tokens = {
        "YYYY": now.strftime("%Y"),
        "YY": now.strftime("%y"),
        "MM": now.strftime("%m"),
        "DD": now.strftime("%d"),
        "WW": now.strftime("%W"),
        "FY": now.strftime("%Y"),
    }
    if part in tokens:
        return tokens[part]
    if part.startswith("{") and part.endswith("}"):
        return str(doc.get(part[1:-1]) or "")
    return part


def make_autoname(txn: Txn, series: str, now: datetime, doc: Doc) -> str:
    prefix, digits = parse_series(series, now, doc)
    return prefix + str(txn.next_series(prefix)).zfill(digits)


def append_number_if_exists(txn: Txn, doctype: str, name: str, separator: str = "-") -> str:
    """Frappe's `append_number_if_name_exists`: 'X' -> 'X-1', 'X-2', ... (highest + 1)."""
    if not txn.exists(doctype, name):
        return name
    pattern = re.compile(re.escape(name.casefold() + separator) + r"(\d+)$")
    highest = 0
    for row in txn.iter(doctype):
        m = pattern.match(str(row["name"]).casefold())
        if m:
            highest = max(highest, int(m.group(1)))
    return f"{name}{separator}{highest + 1}"


def default_name(txn: Txn, doc: Doc, meta: Meta, now: datetime) -> str:
    """The name from the doctype's naming rule (schema `autoname`)."""
    autoname = meta.autoname or ""
    if autoname.startswith("field:"):
        fieldname = autoname[len("field:") :]
        value = str(doc.get(fieldname) or "").strip()
        if not value:
            raise throw(f"{meta.label(fieldname)} is required")
        return value
    if autoname.startswith("naming_series:") or (not autoname and meta.get_field("naming_series")):
        series = doc.get("naming_series") or _first_series(meta)
        if not series:
            raise throw("Naming Series mandatory")
        return make_autoname(txn, str(series), now, doc)
    if autoname.lower() in ("", "hash", "uuid", "autoname", "prompt"):
        return random_name()
    if autoname.startswith("format:"):
        fmt = autoname[len("format:") :]
        return _format_name(txn, fmt, now, doc)
    if "#" in autoname or "." in autoname:
        return make_autoname(txn, autoname, now, doc)
    return random_name()


def _format_name(txn: Txn, fmt: str, now: datetime, doc: Doc) -> str:
    series_match = re.search(r"\{(#+)\}", fmt)
    out = re.sub(
        r"\{([A-Za-z_]+)\}",
        lambda m: (
            _series_part(m.group(1), now, doc)
            if m.group(1) in ("YYYY", "YY", "MM", "DD")
            else str(doc.get(m.group(1)) or "")
        ),
        fmt,
    )
    if series_match:
        prefix = out[: out.index(series_match.group(0))]
        number = str(txn.next_series(prefix)).zfill(len(series_match.group(1)))
        out = out.replace(series_match.group(0), number)
    return out


def _first_series(meta: Meta) -> str:
    df = meta.get_field("naming_series")
    if not df:
        return ""
    default = df.get("default")
    if default:
        return str(default)
    options = [o for o in select_options(df) if o.strip()]
    return options[0] if options else ""


def child_name(_: Any = None) -> str:
    return random_name()
