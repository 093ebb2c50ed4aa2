"""Document values: new-document defaults, and the copies that get stored or compared."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from .base import Doc
from .db import clone
from .schema import CHILD_FIELDS, TABLE_TYPES, Meta, select_options
from .serialize import jsonable


def apply_defaults(doc: Doc, meta: Meta, now: datetime | None = None) -> None:
    """`frappe.new_doc` defaults for values still missing: schema defaults ("Today"/"Now" from the
    site clock), the first Select option, 0 for numbers, [] for tables. Defaults that need a user
    session (":Company", "__user") or a template ("{customer_name}") are left to controllers."""
    for df in meta.fields:
        fn, ft = df["fieldname"], df["fieldtype"]
        if doc.get(fn) is not None:
            continue
        if ft in TABLE_TYPES:
            doc[fn] = []
            continue
        default = df.get("default")
        if default not in (None, "") and not str(default).startswith((":", "__")) and "{" not in str(default):
            dynamic = _dynamic_default(str(default), ft, now)
            if dynamic is not None:
                doc[fn] = dynamic
            elif str(default).lower() not in ("today", "now"):
                doc[fn] = default
        elif ft == "Select" and df.get("options") and not str(df["options"]).startswith(":"):
            doc[fn] = select_options(df)[0]
    init_numbers(doc, meta)
    if doc.get("docstatus") is None:
        doc["docstatus"] = 0


def _dynamic_default(default: str, fieldtype: str, now: datetime | None) -> str | None:
    if now is None:
        return None
    if default.lower() == "today":
        return now.date().isoformat()
    if default.lower() == "now":
        if fieldtype == "Time":
            return now.strftime("%H:%M:%S.%f")
        if fieldtype == "Datetime":
            return now.strftime("%Y-%m-%d %H:%M:%S.%f")
    return None


def init_numbers(doc: Doc, meta: Meta) -> None:
    """`init_valid_columns`: numeric columns are never NULL, even on rows a controller appends."""
    for df in meta.fields:
        if doc.get(df["fieldname"]) is None:
            if df["fieldtype"] in ("Check", "Int"):
                doc[df["fieldname"]] = 0
            elif df["fieldtype"] in ("Float", "Currency", "Percent"):
                doc[df["fieldname"]] = Decimal("0")


def storable(doc: Doc, meta: Meta | None = None, child_meta: Callable[[Any], Meta | None] | None = None) -> Doc:
    """The row as the database keeps it: no `__` markers and, when the schema is known, only real
    columns (Frappe's `get_valid_dict`): a value for a field the doctype does not have is dropped."""
    stored = clone(doc)
    _keep_columns(stored, meta)
    if meta is not None:
        for df in meta.table_fields:
            rows = stored.get(df["fieldname"]) or []
            for row in rows:
                if isinstance(row, dict):
                    _keep_columns(row, child_meta(row.get("doctype")) if child_meta else None)
    for value in stored.values():
        if isinstance(value, list):
            for row in value:
                if isinstance(row, dict):
                    for marker in [k for k in row if k.startswith("__")]:
                        row.pop(marker)
    return stored


def _keep_columns(doc: Doc, meta: Meta | None) -> None:
    for key in [k for k in doc if k.startswith("__")]:
        doc.pop(key)
    if meta is None:
        return
    allowed = meta.valid_columns() | set(CHILD_FIELDS) | {"doctype"} | {f["fieldname"] for f in meta.table_fields}
    for key in [k for k in doc if k not in allowed]:
        doc.pop(key)


def normalised(doc: Doc) -> Doc:
    clean = storable(doc)
    for k in ("modified", "modified_by"):
        clean.pop(k, None)
    for value in clean.values():
        if isinstance(value, list):
            for row in value:
                if isinstance(row, dict):
                    row.pop("modified", None)
                    row.pop("modified_by", None)
    out = jsonable(clean)
    return {k: (float(val) if isinstance(val, int) and not isinstance(val, bool) else val) for k, val in out.items()}
