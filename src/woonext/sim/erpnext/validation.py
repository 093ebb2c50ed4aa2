"""Schema-driven validation, in Frappe 15's order and with its exact messages (C2.9).

Each check reads the doctype's `Meta` (schema.json plus Custom Fields), never a hand-written list.
"""

from __future__ import annotations

import re
from typing import Any

from .base import Doc, FrappeError, throw
from .db import Txn
from .errors import unique_violation
from .schema import NUMERIC_TYPES, TABLE_TYPES, VARCHAR_TYPES, Meta, select_options
from .serialize import jsonable, to_decimal

PHONE = re.compile(r"([0-9\ \+\_\-\,\.\*\#\(\)]){1,20}$")
EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
    r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
)
EMAIL_IN_NAME = re.compile(r"<([^>]+)>")


def children(doc: Doc, meta: Meta) -> list[Doc]:
    rows: list[Doc] = []
    for df in meta.table_fields:
        rows.extend(r for r in doc.get(df["fieldname"]) or [] if isinstance(r, dict))
    return rows


def _is_row(doc: Doc) -> bool:
    return bool(doc.get("parentfield"))


def _bold(value: Any) -> str:
    return f"<strong>{value}</strong>"


# -- links -----------------------------------------------------------------------------------------


def _link_target(txn: Txn, doctype: str, value: str) -> Doc | None:
    if doctype == "DocType":
        return {"name": value} if txn.meta(value) is not None else None
    return txn.peek(doctype, value)


def invalid_links(txn: Txn, doc: Doc, meta: Meta, parent_submittable: bool) -> tuple[list[str], list[str]]:
    invalid: list[str] = []
    cancelled: list[str] = []
    frozen = int(doc.get("docstatus") or 0) == 1 and not doc.get("__islocal")
    for df in meta.value_fields:
        if df["fieldtype"] not in ("Link", "Dynamic Link"):
            continue
        value = doc.get(df["fieldname"])
        if not value:
            continue
        target_type = df.get("options") if df["fieldtype"] == "Link" else doc.get(df.get("options") or "")
        if not target_type:
            raise throw(f"Options not set for link field {df['fieldname']}")
        label = df.get("label") or df["fieldname"]
        msg = f"Row #{doc.get('idx')}: {label}: {value}" if _is_row(doc) else f"{label}: {value}"
        target = _link_target(txn, str(target_type), str(value))
        if target is None:
            invalid.append(msg)
            continue
        target_meta = txn.meta(str(target_type))
        submittable = parent_submittable or meta.is_submittable
        if (
            df["fieldname"] != "amended_from"
            and submittable
            and target_meta is not None
            and target_meta.is_submittable
            and int(target.get("docstatus") or 0) == 2
        ):
            cancelled.append(msg)
            continue
        # MariaDB matches case-insensitively; Frappe keeps the stored spelling
        doc[df["fieldname"]] = target.get("name", value)
        set_fetched_values(doc, meta, df["fieldname"], target, frozen)
    return invalid, cancelled


def set_fetched_values(doc: Doc, meta: Meta, link_field: str, target: Doc, frozen: bool = False) -> None:
    """`fetch_from` fields follow their link; a submitted document keeps what it had (except
    fields allowed to change after submit)."""
    prefix = link_field + "."
    for df in meta.value_fields:
        source = str(df.get("fetch_from") or "")
        if not source.startswith(prefix) or (frozen and not df.get("allow_on_submit")):
            continue
        if df.get("fetch_if_empty") and doc.get(df["fieldname"]) not in (None, ""):
            continue
        value = target.get(source[len(prefix) :])
        if value is not None:
            doc[df["fieldname"]] = value


def validate_links(txn: Txn, doc: Doc, meta: Meta, child_meta: Any) -> None:
    invalid, cancelled = invalid_links(txn, doc, meta, False)
    for row in children(doc, meta):
        row_meta = child_meta(row.get("doctype"))
        if row_meta is not None:
            i, c = invalid_links(txn, row, row_meta, meta.is_submittable)
            invalid += i
            cancelled += c
    if invalid:
        raise throw("Could not find " + ", ".join(invalid), "LinkValidationError")
    if cancelled:
        raise throw("Cannot link cancelled document: " + ", ".join(cancelled), "CancelledLinkError")


# -- mandatory ---------------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None or value == []:
        return True
    if isinstance(value, list):
        return False
    return not re.sub(r"<[^>]*>", "", str(jsonable(value))).strip()


def missing_mandatory(doc: Doc, meta: Meta) -> list[tuple[str, str]]:
    missing: list[tuple[str, str]] = []
    for df in meta.fields:
        if not df.get("reqd") or not _missing(doc.get(df["fieldname"])):
            continue
        label = df.get("label") or df["fieldname"]
        if df["fieldtype"] in TABLE_TYPES:
            msg = f"Error: Data missing in table: {label}"
        elif _is_row(doc):
            msg = f"Error: {_bold(meta.name)} Row #{doc.get('idx')}: Value missing for: {label}"
        else:
            msg = f"Error: Value missing for {meta.name}: {label}"
        missing.append((df["fieldname"], msg))
    return missing


def validate_mandatory(doc: Doc, meta: Meta, child_meta: Any) -> None:
    missing = missing_mandatory(doc, meta)
    for row in children(doc, meta):
        row_meta = child_meta(row.get("doctype"))
        if row_meta is not None:
            missing += missing_mandatory(row, row_meta)
    if missing:
        raise FrappeError(
            status=417,
            exc_type="MandatoryError",
            messages=[{"message": msg, "title": "Message"} for _, msg in missing],
            exception=f"[{meta.name}, {doc.get('name')}]: " + ", ".join(f for f, _ in missing),
        )


# -- per-row field checks -------------------------------------------------------------------------


def validate_data_fields(doc: Doc, meta: Meta) -> None:
    for df in meta.value_fields:
        value = doc.get(df["fieldname"])
        if df["fieldtype"] == "Phone":
            _check_phone(value)
            continue
        if df["fieldtype"] != "Data" or (df.get("oldfieldtype") and df.get("oldfieldtype") != "Data"):
            continue
        option = df.get("options")
        if option == "Email" and value:
            for address in str(value).replace(";", ",").split(","):
                _check_email(address)
        elif option == "Phone":
            _check_phone(value)


def _check_phone(value: Any) -> None:
    if not value:
        return
    number = str(value).strip()
    if not PHONE.match(number):
        raise throw(f"{number} is not a valid Phone Number", "InvalidPhoneNumberError")


def _check_email(address: str) -> None:
    text = address.strip()
    if not text:
        return
    inner = EMAIL_IN_NAME.search(text)
    email = (inner.group(1) if inner else text).strip().lower()
    if not EMAIL.fullmatch(email):
        raise throw(f"{text} is not a valid Email Address", "InvalidEmailAddressError")


def validate_selects(doc: Doc, meta: Meta) -> None:
    for df in meta.value_fields:
        if df["fieldtype"] != "Select" or df["fieldname"] == "naming_series" or not df.get("options"):
            continue
        options = select_options(df)
        if not any(options):
            continue
        raw = doc.get(df["fieldname"])
        if raw is None or raw == "":
            continue  # an empty Select passes (ERPNext's own rows keep NULLs: Payment Schedule)
        value = str(jsonable(raw)).strip()
        doc[df["fieldname"]] = value
        if value not in options:
            prefix = f"Row #{doc.get('idx')}:" if _is_row(doc) else ""
            label = df.get("label") or df["fieldname"]
            raise throw(f'{prefix} {label} cannot be "{value}". It should be one of "' + '", "'.join(options) + '"')


def validate_non_negative(doc: Doc, meta: Meta) -> None:
    for df in meta.value_fields:
        if not df.get("non_negative") or df["fieldtype"] not in ("Int", "Float", "Currency"):
            continue
        if to_decimal(doc.get(df["fieldname"])) < 0:
            label = _bold(df.get("label") or df["fieldname"])
            msg = (
                f"{_bold(meta.name)} Row #{doc.get('idx')}: Value cannot be negative for {label}"
                if _is_row(doc)
                else f"Value cannot be negative for {meta.name}: {label}"
            )
            raise throw(msg, "NonNegativeError", title="Negative Value")


def validate_length(doc: Doc, meta: Meta) -> None:
    if meta.issingle:
        return
    for df in meta.value_fields:
        default_length = VARCHAR_TYPES.get(df["fieldtype"])
        value = doc.get(df["fieldname"])
        if default_length is None or value is None:
            continue
        max_length = int(df.get("length") or 0) or default_length
        text = str(jsonable(value))
        if len(text) > max_length:
            ref = f"{meta.name}, Row {doc.get('idx')}" if _is_row(doc) else f"{meta.name} {doc.get('name')}"
            raise throw(
                f"{ref}: '{_bold(df.get('label') or df['fieldname'])}' ({text}) will get truncated, as max "
                f"characters allowed is {max_length}",
                "CharacterLengthExceededError",
                title="Value too big",
            )


def validate_fields(doc: Doc, meta: Meta, child_meta: Any) -> None:
    """Frappe's `_validate`: mandatory, then data fields, selects, non-negative, length; then rows."""
    validate_mandatory(doc, meta, child_meta)
    for check in (validate_data_fields, validate_selects, validate_non_negative, validate_length):
        check(doc, meta)
    for row in children(doc, meta):
        row_meta = child_meta(row.get("doctype"))
        if row_meta is None:
            continue
        for check in (validate_data_fields, validate_selects, validate_non_negative, validate_length):
            check(row, row_meta)


# -- saves of existing documents -------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    a, b = jsonable(a), jsonable(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return (a if a is not None else None) == (b if b is not None else None)


def validate_set_only_once(doc: Doc, before: Doc, meta: Meta) -> None:
    for df in meta.fields:
        if not df.get("set_only_once"):
            continue
        fn = df["fieldname"]
        if df["fieldtype"] in TABLE_TYPES:
            changed = len(doc.get(fn) or []) != len(before.get(fn) or [])
        else:
            changed = not _same(doc.get(fn), before.get(fn))
        if changed:
            raise throw(f"Value cannot be changed for {_bold(df.get('label') or fn)}", "CannotChangeConstantError")


def validate_update_after_submit(doc: Doc, before: Doc, meta: Meta, child_meta: Any, allowed: set[str]) -> None:
    _compare_after_submit(doc, before, meta, allowed)
    for df in meta.table_fields:
        if df.get("allow_on_submit") or df["fieldname"] in allowed:
            continue
        old_rows = {r.get("name"): r for r in before.get(df["fieldname"]) or []}
        row_meta = child_meta(df.get("options"))
        for row in doc.get(df["fieldname"]) or []:
            old = old_rows.get(row.get("name"))
            if old is not None and row_meta is not None:
                _compare_after_submit(row, old, row_meta, allowed)


def _compare_after_submit(doc: Doc, before: Doc, meta: Meta, allowed: set[str]) -> None:
    for df in meta.fields:
        fn = df["fieldname"]
        if df.get("allow_on_submit") or fn in allowed:
            continue
        new, old = doc.get(fn), before.get(fn)
        if not (new or old):
            continue
        if df["fieldtype"] in TABLE_TYPES:
            new, old = len(new or []), len(old or [])
        if df["fieldtype"] in NUMERIC_TYPES and _same(new or 0, old or 0):
            continue
        if not _same(new, old):
            prefix = f"Row #{doc.get('idx')}:" if _is_row(doc) else ""
            raise throw(
                f"{prefix} Not allowed to change {_bold(df.get('label') or fn)} after submission from "
                f"{_bold(jsonable(old))} to {_bold(jsonable(new))}",
                "UpdateAfterSubmitError",
                title="Cannot Update After Submit",
            )


# -- database constraints -----------------------------------------------------------------------


def check_unique(txn: Txn, doc: Doc, meta: Meta) -> None:
    """The unique indexes: checked at write time against every stored row, cancelled ones too."""
    for df in meta.unique_fields():
        fn = df["fieldname"]
        if txn.unique_conflict(meta.name, fn, doc.get(fn), str(doc["name"])) is not None:
            raise unique_violation(meta.name, doc["name"], df.get("label") or fn, fn, jsonable(doc.get(fn)))
