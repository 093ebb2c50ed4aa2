"""An order edited after its invoice was made.

What counts is the order's lines and totals (the "invoice" part of the content hash); a change of
status, notes, meta or timestamps never touches the invoice, and a change of customer details or
payment method only refreshes the stored hash (the invoice keeps what it was made with).

When lines or totals changed:
- the invoice is still open — live, unpaid (no Payment Entry, not POS-paid, outstanding = grand
  total), no credit note against it — and the order is not delivered (never `completed`: WooCommerce's
  status for shipped/handed-over orders, remembered by `date_completed`) → the invoice is cancelled
  and an amendment is made (`amended_from` = the cancelled invoice, sync key revision + 1);
- otherwise the order is parked NeedsReview with the difference, line by line and in the totals.

A person who corrected such an edit by hand accepts it (`woonext orders accept-edit`, sync/accept.py):
the stored hash becomes the order's, so it is no longer an edit, and `accepted_edits` in the binding
keeps what was accepted. An order edited again after that is flagged again, with what changed since
the accepted version as well as the difference from the invoice.

An amendment is two writes. The intent is recorded in the binding before the first (`amend` = the
invoice being replaced and the step), so a run interrupted between the cancel and the new insert
resumes where it stopped: it never cancels twice, and the insert is found by its sync key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from woonext.erpnext.errors import ErpError
from woonext.mapping.invoice import MappingError
from woonext.mapping.keys import compare_hash, content_hash, remember_version
from woonext.mapping.money import ZERO, money, round2
from woonext.store import Binding
from woonext.sync.context import StoreContext

AMEND = "amend"  # binding.data key: the amendment in progress
AMENDING = "amending"  # binding state between the cancel and the new invoice
ACCEPTED = "accepted_edits"  # binding.data key: edits a person accepted (sync/accept.py), oldest first
INVOICED = ("submitted", "paid")  # binding states of an order with a live invoice

CreateInvoice = Callable[[str], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Edit:
    """What to do about an invoiced order: nothing, amend, or ask a person (`why` and `difference`)."""

    action: str  # "none", "amend", "review"
    why: str = ""
    difference: str = ""  # for a person: the two parts below in one text
    details_changed: bool = False
    against_invoice: str = ""  # invoice_difference(); "" when only line ids or order changed
    since_accepted: str = ""  # after an accepted edit: what changed since the accepted version


NO_EDIT = Edit("none")


def amendment_pending(binding: Binding) -> bool:
    return bool(binding.data.get(AMEND))


async def inspect_edit(ctx: StoreContext, order: dict[str, Any], binding: Binding) -> Edit:
    """Compare the order with what its invoice was made from (no ERPNext request unless lines or
    totals changed, or an old-format hash cannot tell)."""
    if binding.state not in INVOICED or not binding.content_hash:
        return NO_EDIT
    change = compare_hash(binding.content_hash, order)
    if change.invoice is False:
        if binding.content_hash != content_hash(order):  # details changed, or an old hash to upgrade
            binding.content_hash = content_hash(order)
            binding.data = remember_version(binding.data, order)
            await ctx.state.save_binding(binding)
        return Edit("none", details_changed=change.details)
    invoice = await ctx.erp.get_doc("Sales Invoice", binding.erp_name)
    if invoice is None:
        raise MappingError(
            "invoice_missing",
            f"invoice {binding.erp_name} is gone from ERPNext",
            "someone deleted it; check the order and replay it",
        )
    difference = invoice_difference(invoice, order, ctx.config.shipping_item, ctx.config.fee_item)
    if change.unknown and not difference:
        # An old-format hash that no longer matches, but the invoice still says what the order says:
        # not an edit. Store the hash in the current format and carry on.
        binding.content_hash = content_hash(order)
        binding.data = remember_version(binding.data, order)
        await ctx.state.save_binding(binding)
        return Edit("none", details_changed=True)
    if int(invoice.get("docstatus") or 0) == 2:
        await _raise_if_changed_meanwhile(ctx, binding)
    blocker = await _why_not_amendable(ctx, order, binding, invoice)
    if blocker:
        return _review(ctx, order, binding, blocker, difference)
    return Edit("amend", "", difference, against_invoice=difference)


def last_acceptance(binding: Binding) -> dict[str, Any] | None:
    """The latest edit a person accepted for the binding's current invoice (None: none)."""
    mine = [e for e in binding.data.get(ACCEPTED) or [] if e.get("invoice") == binding.erp_name]
    return mine[-1] if mine else None


def _review(ctx: StoreContext, order: dict[str, Any], binding: Binding, why: str, difference: str) -> Edit:
    accepted = last_acceptance(binding)
    if accepted is None or not accepted.get("figures"):
        return Edit("review", why, difference or "lines changed, totals the same", against_invoice=difference)
    since = figures_difference(accepted["figures"], order, ctx.config.shipping_item, ctx.config.fee_item)
    since = since or "lines changed, totals the same"
    against = difference or f"none, the order agrees with invoice {binding.erp_name} again"
    text = f"since the edit accepted on {accepted.get('at')}: {since} — against the invoice: {against}"
    return Edit("review", why, text, against_invoice=difference, since_accepted=since)


async def _why_not_amendable(
    ctx: StoreContext, order: dict[str, Any], binding: Binding, invoice: dict[str, Any]
) -> str:
    if binding.data.get("purpose") != "live":
        return "the invoice was migrated as paid"
    if binding.state == "paid" or binding.data.get("payment_entry"):
        return "the invoice is paid (Payment Entry)"
    payment = await ctx.state.get_binding(ctx.store, "payment", binding.remote_id)
    if payment is not None and payment.state in ("submitted", "inserting"):
        return "the invoice has a Payment Entry"
    if order.get("refunds"):
        return "the order has refunds (credit notes point at the invoice)"
    if int(invoice.get("docstatus") or 0) != 1:
        return f"the invoice is not submitted (docstatus {invoice.get('docstatus')})"
    if int(invoice.get("is_pos") or 0):
        return "the invoice is POS-paid"
    if money(invoice.get("outstanding_amount"), "outstanding") != money(invoice.get("grand_total"), "grand_total"):
        return (
            f"the invoice is partly paid or credited (outstanding {invoice.get('outstanding_amount')} "
            f"of {invoice.get('grand_total')})"
        )
    if order.get("status") == "completed" or order.get("date_completed"):
        return "the order is delivered (completed)"
    return ""


async def amend(ctx: StoreContext, order: dict[str, Any], binding: Binding, create: CreateInvoice) -> str:
    """Cancel the invoice and make its amendment, exactly once; resumes an interrupted one.
    Returns the new invoice's name ("" when the order was cancelled meanwhile)."""
    intent = binding.data.get(AMEND) or {}
    resuming = bool(intent)
    if not resuming:
        intent = {"from": binding.erp_name, "step": "cancel", "revision": binding.revision + 1}
        binding.data = {**binding.data, AMEND: intent}
        await ctx.state.save_binding(binding)
    replaced = str(intent["from"])
    if intent["step"] == "cancel":
        await _cancel(ctx, replaced, resuming)
        intent = {**intent, "step": "insert"}
        binding.revision = int(intent["revision"])
        binding.state = AMENDING
        binding.data = {**binding.data, AMEND: intent}
        await ctx.state.save_binding(binding)
    if order.get("status") in ("cancelled", "trash"):
        # cancelled in WooCommerce meanwhile: the cancelled invoice is the right end state
        await _finish(ctx, binding, replaced, state="cancelled", name=replaced)
        return ""
    doc = await create(replaced)
    await _finish(ctx, binding, replaced, state=binding.state, name=str(doc["name"]))
    return str(doc["name"])


class ConcurrentChange(Exception):
    """Another run (a webhook event and the orders poll, in two processes) changed this order's invoice
    while this one was looking at it: nothing is wrong, the order is synced again shortly."""


async def _raise_if_changed_meanwhile(ctx: StoreContext, binding: Binding) -> None:
    """Our invoice is cancelled: if the state DB shows another run amending or replacing it since we
    read the binding, that run is doing the work — not a reason to ask a person."""
    fresh = await ctx.state.get_binding(ctx.store, binding.kind, binding.remote_id)
    if fresh is not None and (
        fresh.erp_name != binding.erp_name
        or fresh.data.get(AMEND)
        or fresh.revision != binding.revision
        or fresh.state != binding.state
    ):
        raise ConcurrentChange(
            f"invoice {binding.erp_name} was cancelled by another run of this order "
            f"(now {fresh.erp_name or '-'}, {fresh.state})"
        )


async def _cancel(ctx: StoreContext, name: str, resuming: bool) -> None:
    """Cancel the replaced invoice; a resumed attempt first checks whether the last one did."""
    if resuming:
        doc = await ctx.erp.get_doc("Sales Invoice", name)
        if doc is None:
            raise MappingError(
                "invoice_missing",
                f"invoice {name} is gone from ERPNext",
                "someone deleted it; check the order and replay it",
            )
        if int(doc.get("docstatus") or 0) == 2:
            return  # cancelled by the interrupted attempt
    try:
        await ctx.erp.cancel("Sales Invoice", name)
    except ErpError:
        # a lost answer, or ERPNext's "Cannot edit cancelled document" when another run of the same
        # order cancelled it first: either way, what counts is whether it is cancelled now
        again = await ctx.erp.get_doc("Sales Invoice", name)
        if not again or int(again.get("docstatus") or 0) != 2:
            raise


async def _finish(ctx: StoreContext, binding: Binding, replaced: str, *, state: str, name: str) -> None:
    data = {k: v for k, v in binding.data.items() if k != AMEND}
    data["amended"] = [*data.get("amended", []), {"from": replaced, "to": name if name != replaced else ""}]
    binding.data = data
    binding.erp_name = name
    binding.state = state
    await ctx.state.save_binding(binding)


# ---- the difference, for a person ---------------------------------------------------------------
Side = dict[str, tuple[Decimal, Decimal]]  # item code → (quantity, amount)


def _invoice_side(invoice: dict[str, Any]) -> Side:
    side: Side = {}
    for row in invoice.get("items") or []:
        code = str(row.get("item_code") or "")
        qty, amount = side.get(code, (ZERO, ZERO))
        side[code] = (qty + Decimal(str(row.get("qty") or 0)), amount + money(row.get("amount") or 0, "amount"))
    return side


def _order_side(order: dict[str, Any], shipping_item: str, fee_item: str) -> Side:
    side: Side = {}

    def add(code: str, qty: Decimal, amount: Decimal) -> None:
        old_qty, old_amount = side.get(code, (ZERO, ZERO))
        side[code] = (old_qty + qty, old_amount + amount)

    for line in order.get("line_items") or []:
        add(
            str(line.get("sku") or line.get("name") or ""),
            Decimal(str(line.get("quantity") or 0)),
            money(line.get("total"), "line total"),
        )
    for line in order.get("shipping_lines") or []:
        if money(line.get("total"), "shipping total"):
            add(shipping_item, Decimal(1), money(line.get("total"), "shipping total"))
    for line in order.get("fee_lines") or []:
        if money(line.get("total"), "fee total") > ZERO:
            add(fee_item, Decimal(1), money(line.get("total"), "fee total"))
    return side


def invoice_difference(invoice: dict[str, Any], order: dict[str, Any], shipping_item: str, fee_item: str) -> str:
    """What the invoice says against what the order now says, item by item and in the totals
    ("" when they agree)."""
    return _difference(
        _invoice_side(invoice),
        _order_side(order, shipping_item, fee_item),
        (
            ("total", invoice.get("grand_total"), order.get("total")),
            ("tax", invoice.get("total_taxes_and_charges"), order.get("total_tax")),
        ),
    )


def order_figures(order: dict[str, Any], shipping_item: str, fee_item: str) -> dict[str, Any]:
    """The order's items and totals as plain JSON, kept with an accepted edit so that a later edit
    can be told apart from the accepted one."""
    side = _order_side(order, shipping_item, fee_item)
    return {
        "items": {code: [str(qty), str(amount)] for code, (qty, amount) in side.items()},
        "total": str(order.get("total") or 0),
        "tax": str(order.get("total_tax") or 0),
    }


def figures_difference(figures: dict[str, Any], order: dict[str, Any], shipping_item: str, fee_item: str) -> str:
    """What changed in the order since `order_figures` was taken ("" when nothing did)."""
    old = {
        str(code): (Decimal(str(qty)), money(amount, "amount"))
        for code, (qty, amount) in (figures.get("items") or {}).items()
    }
    return _difference(
        old,
        _order_side(order, shipping_item, fee_item),
        (("total", figures.get("total"), order.get("total")), ("tax", figures.get("tax"), order.get("total_tax"))),
    )


def difference_lines(difference: str) -> list[str]:
    """A difference text one change per line (it joins them with "; ")."""
    return [part for part in difference.split("; ") if part]


def _difference(old: Side, new: Side, totals: tuple[tuple[str, Any, Any], ...]) -> str:
    parts = []
    for code in sorted(set(old) | set(new)):
        (old_qty, old_amount), (new_qty, new_amount) = old.get(code, (ZERO, ZERO)), new.get(code, (ZERO, ZERO))
        if (old_qty, old_amount) != (new_qty, new_amount):
            parts.append(f"{code}: qty {_n(old_qty)}→{_n(new_qty)}, amount {round2(old_amount)}→{round2(new_amount)}")
    for label, was, now in totals:
        if money(was or 0, label) != money(now or 0, label):
            parts.append(f"{label} {round2(money(was or 0, label))}→{round2(money(now or 0, label))}")
    return "; ".join(parts)


def _n(qty: Decimal) -> str:
    return format(qty.normalize(), "f")
