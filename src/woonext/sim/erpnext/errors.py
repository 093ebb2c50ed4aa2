"""Frappe's exceptions as the engine raises them, and how Frappe 15 renders them (B3)."""

from __future__ import annotations

import json
import secrets
from typing import Any

from .base import FrappeError, throw

# Where each exception class lives, for the `exception` key ("frappe.exceptions.X: text").
ERPNEXT_EXCEPTIONS = {
    "NegativeStockError": "erpnext.stock.stock_ledger.NegativeStockError",
    "InvalidQtyError": "erpnext.controllers.accounts_controller.InvalidQtyError",
    "StockOverReturnError": "erpnext.controllers.sales_and_purchase_return.StockOverReturnError",
    "InvalidCurrency": "erpnext.exceptions.InvalidCurrency",
    "PartyFrozen": "erpnext.exceptions.PartyFrozen",
    "InvalidAccountCurrency": "erpnext.exceptions.InvalidAccountCurrency",
}
PYTHON_EXCEPTIONS = {
    "AttributeError",
    "KeyError",
    "TypeError",
    "ValueError",
    "IndexError",
    "ZeroDivisionError",
    "RuntimeError",
}
SPECIAL_PATHS = {"JSONDecodeError": "json.decoder.JSONDecodeError"}


def qualified(exc_type: str) -> str:
    if exc_type in ERPNEXT_EXCEPTIONS:
        return ERPNEXT_EXCEPTIONS[exc_type]
    if exc_type in SPECIAL_PATHS:
        return SPECIAL_PATHS[exc_type]
    if exc_type in PYTHON_EXCEPTIONS:
        return exc_type
    return f"frappe.exceptions.{exc_type}"


def is_frappe_exception(exc_type: str) -> bool:
    return qualified(exc_type).startswith("frappe.exceptions.")


# -- constructors for the errors the engine raises ------------------------------------------------


def raised(exc_type: str, text: str, status: int = 417) -> FrappeError:
    """An exception raised directly (not through msgprint): the text is only in `exception`."""
    return FrappeError(status=status, exc_type=exc_type, exception=text)


def not_found(doctype: str, name: str) -> FrappeError:
    return throw(f"{doctype} {name} not found", "DoesNotExistError", 404)


def not_permitted() -> FrappeError:
    return throw("Not permitted", "PermissionError", 403)


def no_doctype_permission(doctype: str, user: str = "Guest") -> FrappeError:
    return FrappeError(
        status=403,
        exc_type="PermissionError",
        messages=[
            {
                "message": f"User <strong>{user}</strong> does not have doctype access via role "
                f"permission for document <strong>{doctype}</strong>",
                "title": "Message",
            }
        ],
        error_message=f"No permission for {doctype}",
    )


def docstatus_transition(old: int, new: int) -> FrappeError:
    names = {0: "Draft", 1: "Submitted", 2: "Cancelled"}
    return raised(
        "DocstatusTransitionError",
        f"Cannot change docstatus from {old} ({names[old]}) to {new} ({names[new]})",
    )


def timestamp_mismatch(db_modified: str, new_modified: str) -> FrappeError:
    return throw(
        f"Error: Document has been modified after you have opened it ({db_modified}, {new_modified}). "
        "Please refresh to get the latest document.",
        "TimestampMismatchError",
    )


def duplicate_entry(doctype: str, name: str) -> FrappeError:
    return FrappeError(
        status=409,
        exc_type="DuplicateEntryError",
        messages=[
            {
                "message": f"{doctype} <strong>{name}</strong> already exists",
                "title": "Duplicate Name",
                "indicator": "red",
            }
        ],
        exception=f"('{doctype}', '{name}', IntegrityError(1062, \"Duplicate entry '{name}' for key 'PRIMARY'\"))",
    )


def unique_violation(doctype: str, name: str, label: str, fieldname: str, value: Any) -> FrappeError:
    return FrappeError(
        status=417,
        exc_type="UniqueValidationError",
        messages=[{"message": f"{label} must be unique", "title": "Message"}],
        exception=f"('{doctype}', '{name}', IntegrityError(1062, \"Duplicate entry '{value}' for key '{fieldname}'\"))",
    )


def data_error(fieldname: str) -> FrappeError:
    return throw(f"Field not permitted in query: {fieldname}", "DataError")


# -- rendering --------------------------------------------------------------------------------------


def _traceback(last_line: str) -> str:
    return json.dumps(
        [
            "Traceback (most recent call last):\n"
            '  File "apps/frappe/frappe/app.py", line 120, in application\n'
            "    response = frappe.api.handle(request)\n"
            "               ^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
            f"{last_line}\n"
        ]
    )


def encode_messages(messages: list[dict[str, Any]], version: int = 15) -> str:
    """`_server_messages`: a JSON string of a list of JSON strings (v16 writes the inner ones compact)."""
    separators = (",", ":") if version >= 16 else (", ", ": ")
    out = []
    for message in messages:
        m = dict(message)
        if m.get("raise_exception") and "__frappe_exc_id" not in m:
            m["__frappe_exc_id"] = secrets.token_hex(28)
        out.append(json.dumps(m, separators=separators))
    return json.dumps(out)


def error_body(
    err: FrappeError, extra_messages: list[dict[str, Any]], tracebacks: bool, version: int = 15
) -> dict[str, Any]:
    """The JSON body of an error (v1 API). v14 has no `exc_type` key."""
    body: dict[str, Any] = {}
    if tracebacks and err.status != 404:
        if err.exc_module:
            name = err.exc_type if err.exc_module == "builtins" else f"{err.exc_module}.{err.exc_type}"
        else:
            name = qualified(err.exc_type)
        body["exception"] = f"{name}: {err.exception}" if err.exception else name
    if version >= 15:
        body["exc_type"] = err.exc_type
    if tracebacks and err.status != 404:
        if err.exc_source:
            body["_exc_source"] = err.exc_source
        body["exc"] = _traceback(body["exception"])
    messages = extra_messages + err.messages
    if messages:
        body["_server_messages"] = encode_messages(messages, version)
    if err.error_message:
        body["_error_message"] = err.error_message
    return body
