"""One order, one code path: migration, live sync, webhooks and replays all call `sync_order`.

The flow brings ERPNext to what the order says, step by step, each step idempotent: the invoice
exists → it is cancelled if the order is → a prepaid order has its Payment Entry → each refund has
its credit note. A step already done (per its binding) costs nothing, so re-running is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import structlog

from woonext.erpnext.errors import ErpError
from woonext.mapping.invoice import MappingError, Purpose, map_order
from woonext.mapping.keys import content_hash, is_older_copy, order_key, remember_version
from woonext.mapping.money import money
from woonext.mapping.residual import erpnext_residual
from woonext.store import FAILED, NEEDS_REVIEW, SKIPPED, SUCCEEDED, Binding
from woonext.sync.accounts import historical_payment, prepaid_account
from woonext.sync.context import StoreContext
from woonext.sync.customers import resolve_customer
from woonext.sync.documents import INSERTING, binding_for, find_by_key, insert_once, mark_done
from woonext.sync.edits import ConcurrentChange, amend, amendment_pending, inspect_edit
from woonext.sync.followups import PAID_BY, PAID_BY_ENTRY, ensure_cancelled, ensure_payment_entry, settled_by_entry
from woonext.sync.lines import known_skus, resolve_lines
from woonext.sync.refunds import sync_refunds
from woonext.sync.territories import territory_for
from woonext.woo.errors import WooError

log = structlog.get_logger(__name__)

DONE_STATES = {"submitted", "paid", "cancelled"}
PAYMENT_STEP = "while making the prepaid Payment Entry"


class Mode(StrEnum):
    HISTORICAL = "historical"
    LIVE = "live"


@dataclass
class OrderResult:
    order_id: int
    status: str  # Succeeded, Skipped, NeedsReview, Failed
    reason: str = ""
    detail: str = ""
    hint: str = ""
    invoice: str = ""
    created: bool = False  # this run wrote the invoice
    retry_after: float | None = None  # the server asked to wait this long before the next attempt


async def ensure_items(ctx: StoreContext, skus: set[str]) -> set[str]:
    """The SKUs that have no ERPNext Item (checked in one request for all unknown ones)."""
    return skus - await known_skus(ctx, skus)


def _purpose(order: dict[str, Any], mode: Mode) -> Purpose:
    if mode is Mode.LIVE:
        return Purpose.LIVE
    return Purpose.HISTORICAL_UNPAID if order.get("status") == "cancelled" else Purpose.HISTORICAL_PAID


async def create_invoice(
    ctx: StoreContext, order: dict[str, Any], mode: Mode, binding: Binding, amended_from: str = ""
) -> dict[str, Any]:
    order = await resolve_lines(ctx, order)  # each line's Item (made now if it has none yet)
    purpose = _purpose(order, mode)
    payment = await historical_payment(ctx, order) if purpose is Purpose.HISTORICAL_PAID else None
    by_entry = payment is not None and await settled_by_entry(ctx, order)
    if mode is Mode.LIVE:
        await prepaid_account(ctx, order)  # a missing Kashier account stops us before anything is written
    customer = await resolve_customer(ctx, order)
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
    doc = await insert_once(ctx, binding, "Sales Invoice", plan.doc)
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
    return doc


async def void_invoice(ctx: StoreContext, binding: Binding, name: str) -> None:
    """Cancel an invoice ERPNext totalled differently from the order: never leave a wrong one posted.

    The next attempt uses the next revision of the sync key (the cancelled one keeps its key)."""
    await ctx.erp.cancel("Sales Invoice", name)
    voided = [*binding.data.get("voided", []), name]
    binding.revision += 1
    await mark_done(ctx, binding, "", "voided", voided=voided)


def _skip(order: dict[str, Any], reason: str, detail: str) -> OrderResult:
    return OrderResult(int(order["id"]), SKIPPED, reason, detail)


async def _apply(ctx: StoreContext, order: dict[str, Any], mode: Mode) -> OrderResult:
    status = str(order.get("status") or "")
    order_id = int(order["id"])
    binding = await binding_for(ctx, "order", order_id, "Sales Invoice")
    if amendment_pending(binding):  # an amendment was interrupted: finish it before anything else
        return await _amend(ctx, order, binding, "")
    has_invoice = binding.state in DONE_STATES
    if is_older_copy(order, binding.data):
        return OrderResult(
            order_id,
            SKIPPED,
            "already_synced",
            "a newer version of the order was already synced",
            invoice=binding.erp_name,
        )
    if binding.state == INSERTING and await find_by_key(
        ctx, "Sales Invoice", order_key(ctx.store, order_id, binding.revision)
    ):
        # An attempt died after ERPNext committed the invoice but before we recorded it; the order may
        # have been cancelled (or put on hold) since: record the invoice first, then follow the order.
        await create_invoice(ctx, order, mode, binding)
        has_invoice = True
    if mode is Mode.HISTORICAL and status not in ctx.config.migrate_statuses and not has_invoice:
        return _skip(order, "status_not_migrated", f"status {status!r} is not migrated")
    if status in ctx.config.wait_statuses and not has_invoice:
        return _skip(order, "waiting", f"status {status!r}: waiting for payment or processing")
    if status in ("trash", "checkout-draft") and not has_invoice:
        return _skip(order, "not_an_order", f"status {status!r}")
    if status == "cancelled" and mode is Mode.LIVE and not has_invoice:
        return _skip(order, "cancelled_before_invoicing", "cancelled before an invoice was made")
    # lines as their Items (made now when missing): the invoice, the edit check and the credit notes
    # all map by Item code; an invoiced order needs no new Item to be cancelled or compared
    order = await resolve_lines(ctx, order, strict=not has_invoice)
    if has_invoice and status not in ("cancelled", "trash"):
        edit = await inspect_edit(ctx, order, binding)
        if edit.action == "review":
            return OrderResult(
                order_id,
                NEEDS_REVIEW,
                "edited_after_invoicing",
                f"order lines or totals changed after invoice {binding.erp_name} was made, and "
                f"{edit.why}: {edit.difference}",
                "correct it by hand: a credit note or a new invoice for the difference (or refund "
                "it in WooCommerce); then replay the order",
                binding.erp_name,
            )
        if edit.action == "amend":
            return await _amend(ctx, order, binding, edit.difference)
    created = False
    if not has_invoice:
        await create_invoice(ctx, order, mode, binding)
        created = True
    if status in ("cancelled", "trash"):
        changed = await ensure_cancelled(ctx, binding, docstatus=1 if created else None)
        return OrderResult(
            order_id,
            SUCCEEDED,
            "cancelled" if changed or created else "unchanged",
            invoice=binding.erp_name,
            created=created,
        )
    wrote, detail = await _followups(ctx, order, binding)
    if not created and not wrote:
        return OrderResult(
            order_id, SKIPPED, "already_synced", f"invoice {binding.erp_name} is up to date", invoice=binding.erp_name
        )
    return OrderResult(
        order_id, SUCCEEDED, "created" if created else "updated", detail, invoice=binding.erp_name, created=created
    )


async def _followups(ctx: StoreContext, order: dict[str, Any], binding: Binding) -> tuple[bool, str]:
    """The invoice's Payment Entry and credit notes. Returns whether anything was written, and what
    the outcome should say about it (credit notes of deleted refunds cancelled)."""
    wrote = False
    try:
        wrote |= await ensure_payment_entry(ctx, order, binding)
    except (ErpError, MappingError) as exc:
        exc.add_note(PAYMENT_STEP)
        raise
    refunds = await sync_refunds(ctx, order, binding)
    return wrote or refunds.wrote, refunds.detail


async def _amend(ctx: StoreContext, order: dict[str, Any], binding: Binding, difference: str) -> OrderResult:
    """Cancel the edited order's open invoice and make its amendment (sync/edits.py)."""
    order_id = int(order["id"])

    async def create(replaced: str) -> dict[str, Any]:
        return await create_invoice(ctx, order, Mode.LIVE, binding, amended_from=replaced)

    replaced = str((binding.data.get("amend") or {}).get("from") or binding.erp_name)
    name = await amend(ctx, order, binding, create)
    if not name:
        return OrderResult(order_id, SUCCEEDED, "cancelled", invoice=replaced)
    _, refunds = await _followups(ctx, order, binding)
    detail = (
        f"invoice {replaced} cancelled and amended as {name}"
        + (f": {difference}" if difference else "")
        + (f"; {refunds}" if refunds else "")
    )
    return OrderResult(order_id, SUCCEEDED, "amended", detail, invoice=name, created=True)


async def sync_order(ctx: StoreContext, order: dict[str, Any], mode: Mode) -> OrderResult:
    """Bring ERPNext in step with one order and record the outcome; never raises for one bad order."""
    order_id = int(order["id"])
    step = ""
    try:
        result = await _apply(ctx, order, mode)
    except MappingError as exc:
        result = OrderResult(order_id, NEEDS_REVIEW, exc.reason, exc.message, exc.hint)
        step = _step(exc)
    except ErpError as exc:
        if exc.kind == "permanent":
            raise
        status = FAILED if exc.kind in ("retryable", "uncertain") else NEEDS_REVIEW
        hint = (
            "will be retried on the next run"
            if status == FAILED
            else "fix the cause in ERPNext (the message is ERPNext's own), then replay the order"
        )
        result = OrderResult(
            order_id, status, f"erpnext_{exc.exc_type or exc.status}", exc.message, hint, retry_after=exc.retry_after
        )
        step = _step(exc)
    except WooError as exc:
        result = OrderResult(
            order_id,
            FAILED,
            f"woocommerce_{exc.code}",
            str(exc),
            "will be retried on the next run",
            retry_after=exc.retry_after,
        )
    except ConcurrentChange as exc:
        result = OrderResult(
            order_id,
            FAILED,
            "concurrent_change",
            str(exc),
            "another run was syncing this order at the same moment; it is synced again shortly",
            retry_after=5.0,
        )
    except Exception as exc:  # a bug must cost one order, leave a record, and not stop the run
        log.exception("order_sync_crashed", store=ctx.store, order_id=order_id)
        result = OrderResult(
            order_id,
            FAILED,
            "internal_error",
            f"{type(exc).__name__}: {exc}",
            "a woonext bug: report it with this message; the order is retried on the next run",
        )
    if result.reason == "already_synced":  # an order already in step keeps its Succeeded record…
        # …but one with none (the run that did the work died first) or a stale Failed one (an attempt whose
        # answer was lost, finished by another) is recorded Succeeded: otherwise it is retried on every run.
        earlier = await ctx.state.outcome(ctx.store, "order", order_id)
        if earlier is None or earlier.status != SUCCEEDED:
            await ctx.state.record_outcome(
                ctx.store, "order", order_id, SUCCEEDED, reason=result.reason, detail=result.detail
            )
    else:
        outcome = await ctx.state.record_outcome(
            ctx.store, "order", order_id, result.status, reason=result.reason, detail=result.detail, hint=result.hint
        )
        if ctx.config.error_log and result.status in (NEEDS_REVIEW, FAILED) and outcome.attempts == 1:
            await mirror_to_error_log(ctx, order, result, mode, step)
    return result


def _step(exc: BaseException) -> str:
    return PAYMENT_STEP if PAYMENT_STEP in getattr(exc, "__notes__", []) else ""


async def mirror_to_error_log(
    ctx: StoreContext, order: dict[str, Any], result: OrderResult, mode: Mode, step: str
) -> None:
    """An Error Log in ERPNext for people who watch ERPNext, not woonext (best effort)."""
    if mode is Mode.LIVE and (step == PAYMENT_STEP or result.reason == "missing_kashier_account"):
        title = "Kashier Payment Entry Error"
    else:
        title = "woo_order_sync_live_error" if mode is Mode.LIVE else "woo_order_migration_error"
    text = (
        f"[{ctx.store}] WooCommerce order {order.get('number') or order.get('id')}: {result.reason}: "
        f"{result.detail}\nWhat to do: {result.hint}"
    )
    try:
        await ctx.erp.insert("Error Log", {"method": title, "error": text})
    except ErpError as exc:  # the record in woonext's own state stands; this is only a mirror
        log.warning("error_log_mirror_failed", store=ctx.store, order_id=order.get("id"), error=exc.message)
