"""The seam between the ERPNext simulator's document engine and its doctype controllers.

The engine (routes, auth, schema validation, naming, docstatus machine, transactions) calls a
`Controller` at the same points Frappe calls a document's controller methods; controllers raise
`FrappeError` exactly as `frappe.throw` would, and the engine renders it as Frappe does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

Doc = dict[str, Any]


@dataclass
class FrappeError(Exception):
    """An exception as Frappe renders it: HTTP status, `exc_type`, and the messages.

    `messages` go to `_server_messages` (each a dict with at least "message"); `exception` is the
    text after the class name in the `exception` key (for errors raised without msgprint, such as
    DocstatusTransitionError, this is the only place the text appears).
    """

    status: int
    exc_type: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    exception: str = ""
    error_message: str = ""  # `_error_message` (permission errors)
    exc_source: str = ""  # `_exc_source`, e.g. "erpnext (app)" for a crash inside ERPNext code
    exc_module: str = ""  # where the class lives when it is not a frappe exception ("builtins", ...)

    def __str__(self) -> str:
        return f"{self.exc_type}: {self.exception or (self.messages[0]['message'] if self.messages else '')}"


def throw(message: str, exc_type: str = "ValidationError", status: int = 417, title: str = "Message") -> FrappeError:
    """Build the error `frappe.throw(message)` produces (indicator red, raise_exception 1)."""
    return FrappeError(
        status=status,
        exc_type=exc_type,
        messages=[{"message": message, "title": title, "indicator": "red", "raise_exception": 1}],
        exception=message,
    )


class Ctx(Protocol):
    """What a controller may use: the database of this request's transaction, the clock, messages."""

    def get(self, doctype: str, name: str) -> Doc | None: ...
    def all(self, doctype: str, **filters: Any) -> list[Doc]: ...
    def names(self, doctype: str) -> list[str]: ...  # every document name, without copying documents
    def exists(self, doctype: str, name: str) -> bool: ...
    def insert(self, doctype: str, doc: Doc) -> Doc: ...  # runs the full insert path (naming, validation)
    def save(self, doc: Doc) -> None: ...  # stores a changed existing doc as is (bumps `modified`)
    def now(self) -> datetime: ...  # site-local naive datetime
    def msgprint(self, message: str, title: str = "Message", indicator: str = "") -> None: ...
    def add_gl(self, entry: Doc) -> None: ...
    def add_stock_ledger(self, entry: Doc) -> None: ...
    def raise_event(self, doctype: str, event: str, doc: Doc) -> None: ...  # a doc event for the Webhook doctype
    def stock_qty(self, item_code: str, warehouse: str) -> Any: ...  # Decimal


class Controller:
    """Base controller: every hook is a no-op. Subclass per doctype and register it.

    Order on insert (as Frappe 15.92 behaves): defaults -> `before_validate` -> link validation ->
    `before_insert` -> naming (`autoname`) -> `validate` -> schema validation -> unique/duplicate
    checks -> `before_submit` (docstatus 1) -> write -> `on_update` -> `on_submit`.
    `before_validate` exists because ERPNext crashes on some bad links (an unknown customer is a
    500 AttributeError, an unknown item a 404) before Frappe's generic link check would answer.
    """

    doctype: str = ""

    def before_validate(self, doc: Doc, ctx: Ctx) -> None:
        """Runs before the generic Link validation, on insert and on every save."""

    def autoname(self, doc: Doc, ctx: Ctx) -> str | None:
        """The new document's name, or None to use the doctype's naming rule."""
        return None

    def before_submit(self, doc: Doc, ctx: Ctx) -> None:
        """Checks that only apply when the document is being submitted."""

    def before_cancel(self, doc: Doc, ctx: Ctx) -> None:
        """Checks before a cancel (links, state)."""

    def on_update(self, doc: Doc, ctx: Ctx) -> None:
        """After every insert/save of a draft (and on submit), once the row is written."""

    def on_trash(self, doc: Doc, ctx: Ctx) -> None:
        """Before a document is deleted; raise to refuse."""

    def before_insert(self, doc: Doc, ctx: Ctx) -> None:
        """Defaults that Frappe sets before validation (from masters, settings)."""

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        """Compute derived fields (totals, status) and raise FrappeError on invalid input."""

    def on_submit(self, doc: Doc, ctx: Ctx) -> None:
        """Ledger effects (GL, stock), updates of linked documents."""

    def on_cancel(self, doc: Doc, ctx: Ctx) -> None:
        """Reverse what on_submit did."""

    def on_update_after_submit(self, doc: Doc, ctx: Ctx) -> None:
        """Fields allowed to change after submit were changed."""

    def allowed_after_submit(self) -> set[str]:
        return set()


# Whitelisted methods a controller module exposes: dotted path -> function(ctx, **kwargs) -> message
MethodFn = Callable[..., Any]
