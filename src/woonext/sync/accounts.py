"""Which account a payment goes to: migration accounts, modes of payment, the prepaid gateway's."""

from __future__ import annotations

from typing import Any

from woonext.mapping.invoice import MappingError, PaymentRow, payment_method_value
from woonext.mapping.money import ZERO, money
from woonext.sync.context import StoreContext
from woonext.woo.types import WooOrder


async def mode_of_payment_account(ctx: StoreContext, mode_of_payment: str) -> str:
    """The Mode of Payment's default account for the store's company ("" when none is set)."""
    if mode_of_payment not in ctx.cache.mop_accounts:
        doc = await ctx.erp.get_doc("Mode of Payment", mode_of_payment)
        if doc is None:
            raise MappingError(
                "unknown_mode_of_payment",
                f"Mode of Payment {mode_of_payment!r} does not exist",
                "create it in ERPNext or map the method under [stores.modes_of_payment]",
            )
        accounts = {row.get("company"): row.get("default_account") for row in doc.get("accounts") or []}
        ctx.cache.mop_accounts[mode_of_payment] = str(accounts.get(ctx.config.company) or "")
    return ctx.cache.mop_accounts[mode_of_payment]


async def historical_payment(ctx: StoreContext, order: WooOrder) -> PaymentRow:
    """The POS row of a migrated paid order: the configured migration account, else the mode's account."""
    method = payment_method_value(order, ctx.config.payment_methods) or "Cash"
    mop = ctx.config.mode_of_payment(method)
    account = ctx.config.migration_accounts.get(method) or await mode_of_payment_account(ctx, mop)
    if not account:
        raise MappingError(
            "missing_payment_account",
            f"Mode of Payment {mop!r} has no account for {ctx.config.company}",
            f"set its default account, or [stores.migration_accounts].{method}",
        )
    return PaymentRow(mode_of_payment=mop, account=account)


async def company(ctx: StoreContext) -> dict[str, Any]:
    async with ctx.cache.company_lock:  # concurrent orders of a run wait for one read, not each read it
        return await _company(ctx)


async def _company(ctx: StoreContext) -> dict[str, Any]:
    if ctx.cache.company is None:
        doc = await ctx.erp.get_doc("Company", ctx.config.company)
        if doc is None:
            raise MappingError(
                "unknown_company",
                f"Company {ctx.config.company!r} does not exist in ERPNext",
                "fix `company` in the store configuration",
            )
        ctx.cache.company = doc
    return ctx.cache.company


async def in_foreign_currency(ctx: StoreContext, currency: str | None) -> bool:
    """Whether a document in `currency` is converted to the company's: ERPNext then rounds each row's
    conversion apart from a POS payment's, so such money moves by Payment Entry (docs/money.md)."""
    if not currency:
        return False
    home = str((await company(ctx)).get("default_currency") or "")
    return bool(home) and currency.upper() != home.upper()


async def prepaid_account(ctx: StoreContext, order: WooOrder) -> str | None:
    """The account a prepaid gateway's money lands in, or None when the order's method is not prepaid
    or no money changed hands (a zero total: the invoice is Paid as it is, a Payment Entry of 0 is refused)."""
    gateway = str(order.get("payment_method") or "")
    if gateway not in ctx.config.prepaid or money(order.get("total"), "total") == ZERO:
        return None
    account = ctx.config.prepaid[gateway] or str((await company(ctx)).get("custom_kashier_account") or "")
    if not account:
        raise MappingError(
            "missing_kashier_account",
            f"prepaid method {gateway!r} needs an account, and Company {ctx.config.company!r} has no Kashier Account",
            f"set Kashier Account (custom_kashier_account) on Company {ctx.config.company!r} in ERPNext, "
            f"or give one under [stores.prepaid].{gateway}; then replay the order",
        )
    return account


async def prepaid_payment(ctx: StoreContext, order: WooOrder) -> PaymentRow | None:
    account = await prepaid_account(ctx, order)
    if account is None:
        return None
    method = payment_method_value(order, ctx.config.payment_methods)
    return PaymentRow(mode_of_payment=ctx.config.mode_of_payment(method), account=account)
