"""One order, one code path: migration, live sync, webhooks and replays all call `sync_order`.

The flow brings ERPNext to what the order says, step by step, each step idempotent: the invoice
exists → it is cancelled if the order is → a prepaid order has its Payment Entry → each refund has
its credit note. A step already done (per its binding) costs nothing, so re-running is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog

from woonext.erpnext.errors import ErpError
from woonext.mapping.invoice import MappingError
from woonext.mapping.keys import is_older_copy, order_key, order_version, remember_version
from woonext.mapping.negative_stock import negative_stock_hint
from woonext.store import FAILED, NEEDS_REVIEW, SKIPPED, SUCCEEDED, Binding
from woonext.sync.context import StoreContext
from woonext.sync.documents import INSERTING, binding_for, find_by_key
from woonext.sync.edits import ConcurrentChange, amend, amendment_pending, inspect_edit
from woonext.sync.followups import ensure_cancelled, ensure_payment_entry
from woonext.sync.invoices import Mode as Mode  # re-exported: callers say sync.orders.Mode
from woonext.sync.invoices import create_invoice as create_invoice
from woonext.sync.lines import resolve_lines
from woonext.sync.lost import LOST
from woonext.sync.refunds import sync_refunds
from woonext.sync.setup import ensure_ready
from woonext.sync.writeback_echo import is_own_echo
from woonext.woo.errors import WooError
from woonext.woo.types import WooOrder

log = structlog.get_logger(__name__)

DONE_STATES = {"submitted", "paid", "cancelled"}
PAYMENT_STEP = "while making the prepaid Payment Entry"


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


async def remember_seen(ctx: StoreContext, binding: Binding, order: WooOrder) -> None:
    """An order in step with its invoice after a change of status, notes or meta: the binding keeps that
    this copy was seen (the writeback writes only over an order woonext has seen, docs/writeback.md)."""
    if binding.state in DONE_STATES and order_version(order) > str(binding.data.get("version") or ""):
        binding.data = remember_version(binding.data, order)
        await ctx.state.save_binding(binding)


def _skip(order: WooOrder, reason: str, detail: str) -> OrderResult:
    return OrderResult(int(order["id"]), SKIPPED, reason, detail)


async def _apply(ctx: StoreContext, order: WooOrder, mode: Mode) -> OrderResult:
    status = str(order.get("status") or "")
    order_id = int(order["id"])
    binding = await binding_for(ctx, "order", order_id, "Sales Invoice")
    if binding.state == LOST:  # ERPNext lost it (sync/lost.py): made again on the path it was made on
        mode = Mode.HISTORICAL if str(binding.data.get("purpose") or "").startswith("historical") else Mode.LIVE
    if amendment_pending(binding):  # an amendment was interrupted: finish it before anything else
        return await _amend(ctx, order, binding, "")
    has_invoice = binding.state in DONE_STATES
    if await is_own_echo(ctx, order):  # the order.updated of woonext's own writeback: nothing to do
        return _skip(order, "writeback_echo", "the order is as woonext's own writeback left it")
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
    if status == "trash" and has_invoice and binding.state != "cancelled" and ctx.config.trashed_orders == "review":
        return _trashed_for_review(order, binding)
    created = order_id in ctx.cache.batched  # this run made it already, in a batch (sync/invoice_batch.py)
    ctx.cache.batched.discard(order_id)
    if not has_invoice:
        await create_invoice(ctx, order, mode, binding)
        created = True
    if status in ("cancelled", "trash"):
        changed = await ensure_cancelled(ctx, binding, docstatus=1 if created else None)
        if not changed and not created:  # cancelled before: nothing changed, nothing to count as "updated"
            detail = f"invoice {binding.erp_name} is cancelled already"
            return OrderResult(order_id, SKIPPED, "already_synced", detail, invoice=binding.erp_name)
        return OrderResult(order_id, SUCCEEDED, "cancelled", invoice=binding.erp_name, created=created)
    wrote, detail = await _followups(ctx, order, binding)
    await remember_seen(ctx, binding, order)
    if not created and not wrote:
        return OrderResult(
            order_id, SKIPPED, "already_synced", f"invoice {binding.erp_name} is up to date", invoice=binding.erp_name
        )
    return OrderResult(
        order_id, SUCCEEDED, "created" if created else "updated", detail, invoice=binding.erp_name, created=created
    )


def _trashed_for_review(order: WooOrder, binding: Binding) -> OrderResult:
    """`trashed_orders = "review"`: a person decides what a trashed order's invoice becomes."""
    return OrderResult(
        int(order["id"]),
        NEEDS_REVIEW,
        "order_trashed",
        f"the order was moved to the trash in WooCommerce; its invoice {binding.erp_name} is still {binding.state}",
        "cancel the invoice in ERPNext if the sale is void, or restore the order in WooCommerce; "
        'trashed_orders = "cancel" in the store configuration makes woonext cancel it like a cancelled order',
        binding.erp_name,
    )


async def _followups(ctx: StoreContext, order: WooOrder, binding: Binding) -> tuple[bool, str]:
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


async def _amend(ctx: StoreContext, order: WooOrder, binding: Binding, difference: str) -> OrderResult:
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


async def sync_order(ctx: StoreContext, order: WooOrder, mode: Mode) -> OrderResult:
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
            else negative_stock_hint(exc.message, retry_command(ctx.store, order_id))
            or "fix the cause in ERPNext (the message is ERPNext's own), then replay the order"
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
    if result.reason == "writeback_echo":  # woonext's own write coming back: the order's record stays as it is
        pass
    elif result.reason == "already_synced":  # an order already in step keeps its Succeeded record…
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


async def retry_order(ctx: StoreContext, order_id: int, mode: Mode | None = None) -> OrderResult | None:
    """One order through `sync_order` now, after a person fixed what its record said (stock, a master,
    a mapping); None when WooCommerce has no such order. The path is the invoice's own (live or
    migrated), else the live one."""
    order = await ctx.woo.get_order(order_id)
    if order is None:
        return None
    await ensure_ready(ctx)
    if mode is None:
        binding = await ctx.state.get_binding(ctx.store, "order", order_id)
        purpose = str((binding.data if binding else {}).get("purpose") or "")
        mode = Mode.HISTORICAL if purpose.startswith("historical") else Mode.LIVE
    return await sync_order(ctx, order, mode)


def retry_command(store: str, order_id: int) -> str:
    """The command that syncs one order again now (`woonext orders retry`)."""
    return f"woonext orders retry {order_id} --store {store}"


def _step(exc: BaseException) -> str:
    return PAYMENT_STEP if PAYMENT_STEP in getattr(exc, "__notes__", []) else ""


async def mirror_to_error_log(ctx: StoreContext, order: WooOrder, result: OrderResult, mode: Mode, step: str) -> None:
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
