"""Values in and out: casting by field type on write, Frappe's JSON shapes on read."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .base import Doc
from .schema import CHILD_FIELDS, INT_TYPES, NUMERIC_TYPES, STD_FIELDS, TABLE_TYPES, Meta


def to_decimal(value: Any) -> Decimal:
    """Frappe's `flt`: anything unparsable is 0."""
    if isinstance(value, Decimal):
        return value
    if value is None or value == "" or isinstance(value, bool) and not value:
        return Decimal("0")
    try:
        return Decimal(str(value).replace(",", "")) if not isinstance(value, float) else Decimal(repr(value))
    except InvalidOperation:
        return Decimal("0")


def to_int(value: Any) -> int:
    """Frappe's `cint`."""
    try:
        return int(to_decimal(value))
    except (InvalidOperation, ValueError):
        return 0


def format_datetime(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def cast_value(fieldtype: str, value: Any) -> Any:
    """What the database would store for `value` in a column of `fieldtype`."""
    if value is None:
        return None
    if fieldtype in NUMERIC_TYPES:
        return to_decimal(value)
    if fieldtype in INT_TYPES:
        return to_int(value)
    if fieldtype == "Date":
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return str(value)[:10] if value != "" else None
    if fieldtype == "Datetime":
        if isinstance(value, datetime):
            return format_datetime(value)
        return str(value) if value != "" else None
    if fieldtype == "Time":
        if isinstance(value, time):
            return value.strftime("%H:%M:%S.%f")
        if isinstance(value, timedelta):
            total = int(value.total_seconds())
            return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"
        return str(value) if value != "" else None
    if fieldtype in TABLE_TYPES:
        return value
    if isinstance(value, (dict, list)) and fieldtype in ("JSON", "Code"):
        return value
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if fieldtype in ("Data", "Link") else value
    return value


def cast_doc(doc: Doc, meta: Meta) -> None:
    for df in meta.value_fields:
        fn = df["fieldname"]
        if fn in doc:
            doc[fn] = cast_value(df["fieldtype"], doc[fn])
    for k in ("docstatus", "idx"):
        if k in doc:
            doc[k] = to_int(doc[k])


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def out_doc(doc: Doc, meta: Meta | None, child_meta: Any, no_nulls: bool = True) -> Doc:
    """A document as Frappe serialises it: standard keys, fields in schema order, `doctype`,
    then child tables. `no_nulls` drops None values (Document responses); `as_dict()` keeps every
    column with None (frappe.client responses)."""
    out: Doc = {}
    order: list[str] = list(STD_FIELDS)
    tables: list[str] = []
    virtual: set[str] = set()
    if meta is not None:
        for df in meta.fields:
            (tables if df["fieldtype"] in TABLE_TYPES else order).append(df["fieldname"])
            if df.get("is_virtual"):
                virtual.add(df["fieldname"])  # computed properties: Frappe shows them even when None
    if doc.get("parentfield"):
        order += list(CHILD_FIELDS)
    for k in order:
        if k in doc or k in virtual or (not no_nulls and meta is not None):
            value = doc.get(k)
            if value is None and no_nulls and k not in virtual:
                continue
            out[k] = jsonable(value)
    columns = meta.valid_columns() | set(CHILD_FIELDS) if meta is not None else None
    for k, value in doc.items():
        if k in out or k in tables or k == "doctype" or k.startswith("__") or (value is None and no_nulls):
            continue
        if columns is not None and k not in columns:  # not a column: Frappe's as_dict leaves it out
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict) and "parentfield" in value[0]:
            tables.append(k)
            continue
        out[k] = jsonable(value)
    out["doctype"] = doc.get("doctype") or (meta.name if meta else None)
    for t in tables:
        rows = doc.get(t) or []
        out[t] = [out_doc(r, child_meta(r.get("doctype")), child_meta, no_nulls) for r in rows]
    if doc.get("__unsaved") and doc.get("parentfield"):
        out["__unsaved"] = 1  # a row written by this very request, as Frappe marks it
    return out
