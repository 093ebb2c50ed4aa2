"""One order's story, from the state database: the webhook deliveries and other triggers (events),
their attempts, the documents made (invoice, amendments, Payment Entry, credit notes and their
payments, writebacks), the outcome with its hint, and what people did (the audit log).

Links go to ERPNext's Desk (`/app/<doctype>/<name>`) and to the order in WooCommerce's admin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from sqlalchemy import or_, select

from woonext.console.accounts import AuditEntry, audit_entries
from woonext.store import Outcome, StateDB
from woonext.store import events as queue
from woonext.store.db import binding_from_row
from woonext.store.tables import bindings

# Bindings that belong to an order by their own remote id (the order's), beside the order binding.
ORDER_KINDS = ("order", "payment")
# Refund-side bindings: remote id = the refund id; they name their order in data.order (newer) or the
# invoice they return against in data.invoice.
REFUND_KINDS = ("refund", "refund_payment")
# Writebacks (ERPNext → WooCommerce order status) are bound by order id under a kind starting so.
WRITEBACK_PREFIX = "writeback"


@dataclass
class Document:
    label: str
    doctype: str
    name: str
    state: str
    link: str
    note: str = ""


@dataclass
class Story:
    store: str
    order_id: str
    outcome: Outcome | None
    events: list[queue.Event] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    woo_link: str = ""

    @property
    def known(self) -> bool:
        return self.outcome is not None or bool(self.events) or bool(self.documents)


def desk_link(erp_url: str, doctype: str, name: str) -> str:
    if not name:
        return ""
    return f"{erp_url.rstrip('/')}/app/{doctype.lower().replace(' ', '-')}/{quote(name, safe='')}"


def woo_admin_link(store_url: str, order_id: str) -> str:
    # HPOS and classic stores both answer this admin address (classic redirects to post.php).
    return f"{store_url.rstrip('/')}/wp-admin/admin.php?page=wc-orders&action=edit&id={quote(order_id)}"


def _documents(db: StateDB, store: str, order_id: str, erp_url: str) -> list[Document]:
    with db.engine.connect() as connection:
        own = [
            binding_from_row(r)
            for r in connection.execute(
                select(bindings).where(
                    bindings.c.store == store,
                    bindings.c.remote_id == order_id,
                    or_(bindings.c.kind.in_(ORDER_KINDS), bindings.c.kind.startswith(WRITEBACK_PREFIX)),
                )
            )
        ]
        invoice = next((b.erp_name for b in own if b.kind == "order"), "")
        refund_ids = {
            str(r.remote_id)
            for r in connection.execute(
                select(bindings.c.remote_id, bindings.c.data).where(
                    bindings.c.store == store, bindings.c.kind == "refund"
                )
            )
            if str((r.data or {}).get("order") or "") == order_id
            or (invoice and (r.data or {}).get("invoice") == invoice)
        }
        refunds = [
            binding_from_row(r)
            for r in connection.execute(
                select(bindings)
                .where(bindings.c.store == store, bindings.c.kind.in_(REFUND_KINDS))
                .where(bindings.c.remote_id.in_(sorted(refund_ids)))
                .order_by(bindings.c.id)
            )
        ]
    docs: list[Document] = []
    for b in sorted(own, key=lambda b: (ORDER_KINDS + (b.kind,)).index(b.kind)) + refunds:
        label = {
            "order": "Sales Invoice",
            "payment": "Payment Entry",
            "refund": f"credit note for refund {b.remote_id}",
            "refund_payment": f"refund payment for refund {b.remote_id}",
        }.get(b.kind, b.kind.replace("_", " "))
        note = ""
        if b.kind == "order" and b.data.get("amended"):
            note = "amends " + ", ".join(str(n) for n in b.data["amended"])
        docs.append(
            Document(label, b.erp_doctype, b.erp_name, b.state, desk_link(erp_url, b.erp_doctype, b.erp_name), note)
        )
    return docs


def order_story(
    db: StateDB, store: str, order_id: str, *, erp_url: str, store_url: str, event_limit: int = 100
) -> Story:
    return Story(
        store=store,
        order_id=order_id,
        outcome=db.outcome(store, "order", order_id),
        events=queue.for_object(db, store, "order", order_id, event_limit),
        documents=_documents(db, store, order_id, erp_url),
        audit=audit_entries(db, store, f"order:{order_id}"),
        woo_link=woo_admin_link(store_url, order_id),
    )
