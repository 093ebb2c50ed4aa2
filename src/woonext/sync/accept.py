"""A person settles an edit woonext could not amend: `woonext orders accept-edit` and `orders show`.

An order whose lines or totals changed after its invoice was paid, migrated, delivered or refunded
is parked NeedsReview `edited_after_invoicing` (sync/edits.py), and a replay compares it with what
the invoice was made from again, so it would stay flagged forever. Once a person has corrected it
by hand (a credit note, a new invoice, a refund), accepting the edit records the order as it is now
as the version the invoice stands for: the binding's content hash becomes the order's, and an
audit entry in `accepted_edits` keeps when, why, the difference and the person's note. The next sync
finds nothing changed; a later edit is flagged again, against the accepted version.

Nothing is written to ERPNext here: the correction is the person's, the record is woonext's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from woonext.mapping.keys import compare_hash, content_hash, order_version, remember_version
from woonext.store import SUCCEEDED, Binding, Outcome
from woonext.sync.context import StoreContext
from woonext.sync.edits import (
    ACCEPTED,
    INVOICED,
    amendment_pending,
    difference_lines,
    inspect_edit,
    invoice_difference,
    last_acceptance,
    order_figures,
)

# What accept_edit came to; the CLI's exit status follows from it.
ACCEPTED_NOW = "accepted"
NOTHING = "nothing_to_accept"  # the order is as invoiced (or as accepted before): exit 0
REFUSED = "refused"  # woonext deals with it itself (an amendment): exit 1
NO_INVOICE = "no_invoice"  # no invoice to accept an edit for: exit 2
UNKNOWN = "unknown_order"  # WooCommerce has no such order: exit 2
CANCELLED = ("cancelled", "trash")


@dataclass
class Acceptance:
    result: str
    order_id: int
    message: str
    invoice: str = ""
    why: str = ""
    difference: str = ""  # against the invoice
    since_accepted: str = ""  # against the edit accepted before, when there was one
    note: str = ""
    at: str = ""

    @property
    def lines(self) -> list[str]:
        return difference_lines(self.difference)


async def accept_edit(ctx: StoreContext, order_id: int, note: str = "", now: datetime | None = None) -> Acceptance:
    """Accept the order's current lines and totals for its invoice, if it was flagged as edited."""
    order = await ctx.woo.get_order(order_id)
    if order is None:
        return Acceptance(UNKNOWN, order_id, f"WooCommerce has no order {order_id} in store {ctx.store}")
    binding = await ctx.state.get_binding(ctx.store, "order", order_id)
    if binding is not None and amendment_pending(binding):
        return Acceptance(
            REFUSED,
            order_id,
            f"an amendment of invoice {binding.erp_name} is in progress: sync the order to finish it",
            binding.erp_name,
        )
    if binding is None or binding.state not in INVOICED or not binding.erp_name:
        state = f"its binding is {binding.state!r}" if binding is not None else "woonext has no record of it"
        return Acceptance(NO_INVOICE, order_id, f"order {order_id} has no invoice ({state}): nothing to accept")
    invoice = binding.erp_name
    if order.get("status") in CANCELLED:
        return Acceptance(
            NOTHING,
            order_id,
            f"order {order_id} is {order.get('status')}: the sync cancels invoice {invoice}; nothing to accept",
            invoice,
        )
    edit = await inspect_edit(ctx, order, binding)
    if edit.action == "none":
        earlier = last_acceptance(binding)
        was = f"as accepted on {earlier['at']}" if earlier else "as invoiced"
        return Acceptance(
            NOTHING, order_id, f"order {order_id} is {was} (invoice {invoice}): nothing to accept", invoice
        )
    if edit.action == "amend":
        return Acceptance(
            REFUSED,
            order_id,
            f"invoice {invoice} is still open (unpaid, not delivered, no credit "
            "note): the next sync cancels and amends it; nothing to accept",
            invoice,
            difference=edit.against_invoice,
        )
    at = (now or ctx.now()).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    difference = edit.against_invoice or "lines changed, totals the same"
    entry = {
        "at": at,
        "invoice": invoice,
        "why": edit.why,
        "difference": difference,
        "since_accepted": edit.since_accepted,
        "note": note,
        "version": order_version(order),
        "figures": order_figures(order, ctx.config.shipping_item, ctx.config.fee_item),
    }
    binding.content_hash = content_hash(order)
    binding.data = remember_version({**binding.data, ACCEPTED: [*binding.data.get(ACCEPTED, []), entry]}, order)
    await ctx.state.save_binding(binding)
    detail = f"edit accepted for invoice {invoice} ({edit.why}): {difference}" + (f"; note: {note}" if note else "")
    await ctx.state.record_outcome(ctx.store, "order", order_id, SUCCEEDED, reason="edit_accepted", detail=detail)
    return Acceptance(
        ACCEPTED_NOW,
        order_id,
        f"edit of order {order_id} accepted for invoice {invoice}",
        invoice,
        edit.why,
        difference,
        edit.since_accepted,
        note,
        at,
    )


# ---- what woonext knows about one order (`woonext orders show`) ---------------------------------
@dataclass
class Record:
    """One binding, as a person reads it."""

    kind: str
    remote_id: str
    document: str
    state: str
    revision: int = 0


@dataclass
class OrderFacts:
    store: str
    order_id: int
    found: bool  # WooCommerce has the order
    status: str = ""
    total: str = ""
    currency: str = ""
    invoice: Record | None = None
    purpose: str = ""  # live, historical_paid, historical_unpaid
    payment: Record | None = None
    credit_notes: list[Record] = field(default_factory=list)
    amended: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    outcome: Outcome | None = None
    reconcile: Outcome | None = None  # the scheduled reconciliation's finding, if any
    changed: bool | None = None  # lines or totals changed since invoiced/accepted (None: cannot tell)
    difference: str | None = None  # against the invoice now (None: not compared)
    invoice_gone: bool = False  # the binding names an invoice ERPNext no longer has

    @property
    def known(self) -> bool:
        return self.found or self.invoice is not None or self.outcome is not None


def _record(binding: Binding | None) -> Record | None:
    if binding is None:
        return None
    return Record(binding.kind, binding.remote_id, binding.erp_name, binding.state, binding.revision)


async def order_facts(ctx: StoreContext, order_id: int) -> OrderFacts:
    """Bindings, outcomes and — for an invoiced order WooCommerce still has — whether the order
    differs from its invoice now (two reads: the order, the invoice; nothing is written)."""
    order = await ctx.woo.get_order(order_id)
    binding = await ctx.state.get_binding(ctx.store, "order", order_id)
    facts = OrderFacts(
        ctx.store,
        order_id,
        order is not None,
        invoice=_record(binding),
        payment=_record(await ctx.state.get_binding(ctx.store, "payment", order_id)),
        outcome=await ctx.state.outcome(ctx.store, "order", order_id),
        reconcile=await ctx.state.outcome(ctx.store, "reconcile", order_id),
    )
    if binding is not None:
        facts.purpose = str(binding.data.get("purpose") or "")
        facts.amended = list(binding.data.get("amended") or [])
        facts.accepted = [{k: v for k, v in e.items() if k != "figures"} for e in binding.data.get(ACCEPTED) or []]
    if order is None:
        return facts
    facts.status, facts.total, facts.currency = (str(order.get(k) or "") for k in ("status", "total", "currency"))
    for refund in order.get("refunds") or []:
        credit = (
            _record(await ctx.state.get_binding(ctx.store, "refund", refund.get("id"))) if refund.get("id") else None
        )
        facts.credit_notes.append(credit or Record("refund", str(refund.get("id")), "", "none"))
    if binding is not None and binding.state in INVOICED and binding.erp_name:
        facts.changed = compare_hash(binding.content_hash, order).invoice
        doc = await ctx.erp.get_doc("Sales Invoice", binding.erp_name)
        facts.invoice_gone = doc is None
        if doc is not None:
            facts.difference = invoice_difference(doc, order, ctx.config.shipping_item, ctx.config.fee_item)
    return facts
