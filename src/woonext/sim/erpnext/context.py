"""`DocCtx`: one request's handle on the database, the clock and the message log.

It implements the `Ctx` protocol controllers see (base.py), so everything a controller does happens
inside the request's transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import validation as v
from .base import Doc
from .db import Txn, clone
from .docvalues import storable
from .errors import not_found
from .schema import Meta
from .serialize import cast_doc

if TYPE_CHECKING:
    from .documents import Engine


class DocCtx:
    """Implements `base.Ctx` over one transaction."""

    def __init__(self, engine: Engine, txn: Txn, user: str = "Administrator") -> None:
        self.engine = engine
        self.txn = txn
        self.user = user
        self.messages: list[dict[str, Any]] = []
        # timestamps this request gave documents: a later db_set-style save in the same request keeps
        # them (Frappe stamps both with the same moment), so the response and the row agree
        self.stamped: dict[tuple[str, str], str] = {}
        # doc events (doctype, event, document) for the Webhook doctype, sent after the commit
        self.events: list[tuple[str, str, Doc]] = []

    # -- Ctx protocol ----------------------------------------------------------------------------
    def get(self, doctype: str, name: str) -> Doc | None:
        return self.txn.get(doctype, name)

    def all(self, doctype: str, **filters: Any) -> list[Doc]:
        out = []
        for doc in self.txn.iter(doctype):
            if all(_eq(doc.get(k), want) for k, want in filters.items()):
                out.append(clone(doc))
        return out

    def names(self, doctype: str) -> list[str]:
        return [str(doc["name"]) for doc in self.txn.iter(doctype)]

    def exists(self, doctype: str, name: str) -> bool:
        return self.txn.exists(doctype, name)

    def insert(self, doctype: str, doc: Doc) -> Doc:
        return self.engine.insert(self, doctype, doc)

    def save(self, doc: Doc) -> None:
        """Store a changed existing document as it is (a `db_set`/`db_update`), bumping `modified`."""
        stored = self.txn.peek(doc["doctype"], doc["name"])
        if stored is None:
            raise not_found(doc["doctype"], doc["name"])
        stamp_key = (doc["doctype"], str(doc["name"]).casefold())
        previous = stored.get("modified")
        if self.stamped.get(stamp_key) != previous:
            self.stamped[stamp_key] = self.engine.next_modified(self, previous)
        doc["modified"] = self.stamped[stamp_key]
        doc["modified_by"] = self.user
        meta = self.meta(doc["doctype"])
        if meta is not None:
            cast_doc(doc, meta)
            for row in v.children(doc, meta):
                row_meta = self.meta(row.get("doctype") or "")
                if row_meta is not None:
                    cast_doc(row, row_meta)
        self.txn.put(storable(doc, meta, self.child_meta))

    def now(self) -> datetime:
        return self.engine.now()

    def msgprint(self, message: str, title: str = "Message", indicator: str = "") -> None:
        entry: dict[str, Any] = {"message": message, "title": title}
        if indicator:
            entry["indicator"] = indicator
        self.messages.append(entry)

    def add_gl(self, entry: Doc) -> None:
        self.txn.add_gl(entry)

    def add_stock_ledger(self, entry: Doc) -> None:
        from .stock.ledger import record

        record(self, entry)

    def raise_event(self, doctype: str, event: str, doc: Doc) -> None:
        """`run_webhooks(doc, method)`: remembered for this transaction, delivered after its commit."""
        self.events.append((doctype, event, doc))

    def stock_qty(self, item_code: str, warehouse: str) -> Decimal:
        return self.txn.stock_qty(item_code, warehouse)

    # -- helpers ---------------------------------------------------------------------------------
    def meta(self, doctype: str) -> Meta | None:
        return self.txn.meta(doctype)

    def child_meta(self, doctype: Any) -> Meta | None:
        return self.txn.meta(str(doctype)) if doctype else None


def _eq(value: Any, want: Any) -> bool:
    if isinstance(want, (int, float, Decimal)) and not isinstance(want, bool):
        try:
            return Decimal(str(value if value is not None else 0)) == Decimal(str(want))
        except ArithmeticError:
            return False
    return (value if value is not None else "") == (want if want is not None else "")
