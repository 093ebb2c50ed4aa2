"""The order's Sales Invoice: prepared (masters checked, customer resolved, mapped), inserted exactly
once, checked against the order's totals and recorded. `create_invoice` does all of it for one order;
the migration inserts a page's invoices in a few requests (sync/invoice_batch.py) with the same
`prepare_invoice` and `record_invoice`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from woonext.mapping.customer import party_of
from woonext.mapping.invoice import InvoicePlan, Purpose, map_order
from woonext.mapping.keys import content_hash, order_key, remember_version
from woonext.mapping.money import money
from woonext.mapping.residual import erpnext_residual
from woonext.store import Binding
from woonext.sync.accounts import historical_payment, prepaid_account
from woonext.sync.context import StoreContext
from woonext.sync.customers import resolve_customer
from woonext.sync.documents import insert_once, mark_done
from woonext.sync.followups import PAID_BY, PAID_BY_ENTRY, settled_by_entry
from woonext.sync.lines import known_skus, resolve_lines
from woonext.sync.territories import territory_for
from woonext.woo.types import WooOrder


class Mode(StrEnum):
    HISTORICAL = "historical"
    LIVE = "live"


@dataclass
class PreparedInvoice:
    """An invoice ready to insert, and what its binding records once it exists."""

    order: WooOrder  # its lines as their Item codes (sync/lines.py)
    plan: InvoicePlan
    purpose: Purpose
    customer: str
    by_entry: bool  # a paid migrated order settled by a Payment Entry (foreign currency), not a POS row


async def ensure_items(ctx: StoreContext, skus: set[str]) -> set[str]:
    """The SKUs that have no ERPNext Item (checked in one request for all unknown ones)."""
    return skus - await known_skus(ctx, skus)


def _purpose(order: WooOrder, mode: Mode) -> Purpose:
    if mode is Mode.LIVE:
        return Purpose.LIVE
    return Purpose.HISTORICAL_UNPAID if order.get("status") == "cancelled" else Purpose.HISTORICAL_PAID


async def prepare_invoice(
    ctx: StoreContext, order: WooOrder, mode: Mode, binding: Binding, amended_from: str = ""
) -> PreparedInvoice:
    """Everything before the insert: masters checked, the customer found or made, the order mapped."""
    order = await resolve_lines(ctx, order)  # each line's Item (made now if it has none yet)
    purpose = _purpose(order, mode)
    payment = await historical_payment(ctx, order) if purpose is Purpose.HISTORICAL_PAID else None
    by_entry = payment is not None and await settled_by_entry(ctx, order)
    if mode is Mode.LIVE:
        await prepaid_account(ctx, order)  # a missing Kashier account stops us before anything is written
    customer = await resolve_customer(ctx, party_of(order))
    plan = map_order(
        order,
        ctx.invoice_settings(),
        customer=customer,
        purpose=purpose,
        sync_key=order_key(ctx.store, order["id"], binding.revision),
        payment=payment,
        pay_by_entry=by_entry,
    )
    if amended_from:  # an amendment after an edit (sync/edits.py)
        plan.doc["amended_from"] = amended_from
    territory = await territory_for(ctx, order)
    if territory:  # else ERPNext's default (from the Customer)
        plan.doc["territory"] = territory
    return PreparedInvoice(order, plan, purpose, customer, by_entry)


async def create_invoice(
    ctx: StoreContext, order: WooOrder, mode: Mode, binding: Binding, amended_from: str = ""
) -> dict[str, Any]:
    prepared = await prepare_invoice(ctx, order, mode, binding, amended_from)
    doc = await insert_once(ctx, binding, "Sales Invoice", prepared.plan.doc)
    await record_invoice(ctx, binding, prepared, doc)
    return doc


async def record_invoice(ctx: StoreContext, binding: Binding, prepared: PreparedInvoice, doc: dict[str, Any]) -> None:
    """The invoice as ERPNext made it, checked against the order and recorded in its binding. One that
    ERPNext totalled differently is cancelled at once (MappingError residual): never a wrong one posted."""
    order, plan, purpose, customer, by_entry = (
        prepared.order,
        prepared.plan,
        prepared.purpose,
        prepared.customer,
        prepared.by_entry,
    )
    if (
        money(doc.get("grand_total"), "grand_total") != plan.grand_total
        or money(doc.get("total_taxes_and_charges"), "taxes") != plan.total_taxes
    ):
        await void_invoice(ctx, binding, str(doc["name"]))
        raise erpnext_residual(doc, plan.grand_total)
    state = "paid" if purpose is Purpose.HISTORICAL_PAID and not by_entry else "submitted"
    binding.content_hash = content_hash(order)
    binding.data = remember_version(binding.data, order)
    # What credit notes need later, so that a refund costs no extra read of the invoice.
    await mark_done(
        ctx,
        binding,
        str(doc["name"]),
        state,
        purpose=purpose.value,
        customer=customer,
        total=str(plan.grand_total),
        currency=plan.doc.get("currency"),
        custom_payment_method=plan.doc.get("custom_payment_method"),
        credited_refunds=binding.data.get("credited_refunds", []),
        **({PAID_BY: PAID_BY_ENTRY} if by_entry else {}),
    )


async def void_invoice(ctx: StoreContext, binding: Binding, name: str) -> None:
    """Cancel an invoice ERPNext totalled differently from the order: never leave a wrong one posted.

    The next attempt uses the next revision of the sync key (the cancelled one keeps its key)."""
    await ctx.erp.cancel("Sales Invoice", name)
    voided = [*binding.data.get("voided", []), name]
    binding.revision += 1
    await mark_done(ctx, binding, "", "voided", voided=voided)
