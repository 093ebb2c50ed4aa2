"""The checks `setup` and `config check --online` run against the store itself (issue 14): every tax
rate and every gateway in use mapped, the delivery meta keys really on recent orders, history never
booked to a live cash or bank account, stock for the open orders at their date. Each check is one
small function returning `Check`s; `warning` ones do not fail the run."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

from woonext.config import StoreConfig
from woonext.erpnext.client import ErpClient
from woonext.mapping.delivery import meta_value
from woonext.mapping.onboard_accounts import detect_delivery_keys
from woonext.mapping.onboard_payments import gateways_from, live_history_accounts
from woonext.sync.live import OPEN_STATUSES
from woonext.sync.setup import Check
from woonext.woo.client import WooClient

Row = dict[str, Any]
RECENT = 100


class StoreAccess(Protocol):
    """What the checks use: a `StoreContext`, or bare clients (`config check --online` keeps no state)."""

    @property
    def config(self) -> StoreConfig: ...
    @property
    def woo(self) -> WooClient: ...
    @property
    def erp(self) -> ErpClient: ...


@dataclass
class Clients:
    config: StoreConfig
    woo: WooClient
    erp: ErpClient


@dataclass
class StoreSnapshot:
    """What the checks read from WooCommerce, once per run."""

    tax_rates: list[Row] = field(default_factory=list)
    gateways: list[Row] = field(default_factory=list)
    recent_orders: list[Row] = field(default_factory=list)
    open_orders: list[Row] = field(default_factory=list)


async def read_snapshot(ctx: StoreAccess) -> StoreSnapshot:
    recent = await ctx.woo.list_orders({"per_page": RECENT, "orderby": "date", "order": "desc", "status": "any"})
    open_orders: list[Row] = []
    async for page in ctx.woo.iter_orders({"status": ",".join(OPEN_STATUSES), "orderby": "date", "order": "asc"}):
        open_orders += page.items
    return StoreSnapshot(
        tax_rates=await ctx.woo.list_tax_rates(),
        gateways=await ctx.woo.list_payment_gateways(),
        recent_orders=recent.items,
        open_orders=open_orders,
    )


def check_tax_rates(ctx: StoreAccess, snap: StoreSnapshot) -> list[Check]:
    """Every tax rate of the store, not only those seen on orders: the first order with a new rate
    would otherwise wait for review."""
    missing = [r for r in snap.tax_rates if str(r.get("id")) not in ctx.config.tax_accounts]
    named = ", ".join(f"{r.get('id')} ({r.get('name')} {r.get('rate')}%)" for r in missing)
    fix = f"map them under [stores.tax_accounts] (`woonext init` proposes accounts): {named}"
    return [Check(f"all {len(snap.tax_rates)} WooCommerce tax rates mapped to accounts", not missing, fix)]


def check_gateways(ctx: StoreAccess, snap: StoreSnapshot) -> list[Check]:
    """Every gateway enabled now or used by recent orders has a payment value."""
    used = [g for g in gateways_from(snap.gateways, snap.recent_orders) if g.needs_mapping]
    missing = [g for g in used if g.id not in ctx.config.payment_methods]
    named = ", ".join(f"{g.id} ({g.title}, {g.orders} recent orders)" for g in missing)
    fix = f"add them under [stores.payment_methods], else their orders wait for review: {named}"
    return [Check(f"all {len(used)} gateways in use mapped to payment methods", not missing, fix)]


def check_delivery_meta(ctx: StoreAccess, snap: StoreSnapshot) -> list[Check]:
    """The configured delivery keys are the ones recent orders carry (a store's plugin may use others)."""
    keys = ctx.config.delivery_meta
    carrying = sum(1 for o in snap.recent_orders if meta_value(o, keys.date) not in (None, ""))
    found = detect_delivery_keys(snap.recent_orders)
    if carrying or not found.found.get("date"):
        what = f"delivery meta {keys.date!r} on {carrying} of the latest {len(snap.recent_orders)} orders"
        return [Check(what, True)]
    fix = (
        f"recent orders keep it under other keys: set [stores.delivery_meta] date = {found.date!r}, "
        f"time_from = {found.time_from!r}, duration = {found.duration!r}"
    )
    return [Check(f"delivery meta {keys.date!r} found on recent orders", False, fix)]


async def check_history_accounts(ctx: StoreAccess) -> list[Check]:
    """Where migrated payments go (the migration account, else the Mode of Payment's) is not a live
    Cash or Bank account, unless `allow_live_accounts_for_history`."""
    c = ctx.config
    effective: dict[str, str] = {}
    for value in sorted(set(c.payment_methods.values())):
        account = c.migration_accounts.get(value)
        if not account:
            mop = await ctx.erp.get_doc("Mode of Payment", c.mode_of_payment(value)) or {}
            rows = [r for r in mop.get("accounts") or [] if r.get("company") == c.company]
            account = str(rows[0].get("default_account") or "") if rows else ""
        if account:
            effective[value] = account
    rows = await ctx.erp.get_list(
        "Account", filters=[["name", "in", sorted(set(effective.values()))]], fields=["name", "account_type"], limit=0
    )
    live = live_history_accounts(effective, {str(r["name"]): str(r.get("account_type") or "") for r in rows})
    if c.allow_live_accounts_for_history or not live:
        return [Check("historical payments go to a clearing account, not live cash or bank", True)]
    named = ", ".join(f"{value} → {account} ({kind})" for value, account, kind in live)
    fix = (
        f"migrated orders would move real balances: {named}. Map them under [stores.migration_accounts] to a "
        "clearing account (`woonext init` proposes one, `setup --apply` creates it), or set "
        "allow_live_accounts_for_history = true"
    )
    return [Check("historical payments go to a clearing account, not live cash or bank", False, fix)]


def _needs(open_orders: list[Row]) -> tuple[dict[str, float], str]:
    """Quantity per SKU over the open orders, and the oldest one's site-local date and time."""
    needs: dict[str, float] = defaultdict(float)
    for order in open_orders:
        for line in order.get("line_items") or []:
            if line.get("sku"):
                needs[str(line["sku"])] += float(line.get("quantity") or 0)
    oldest = min((str(o.get("date_created") or "") for o in open_orders), default="")
    return dict(needs), oldest


async def check_opening_stock(ctx: StoreAccess, snap: StoreSnapshot) -> list[Check]:
    """Live invoices move stock at the order's own date (`set_posting_time`): ERPNext refuses one whose
    items had no stock then. Only a person knows the counts, so this is a warning with the fix."""
    needs, oldest = _needs(snap.open_orders)
    if not needs:
        return []
    rows = await ctx.erp.call(
        "frappe.client.get_list",
        doctype="Item",
        filters=[["name", "in", sorted(needs)], ["is_stock_item", "=", 1]],
        fields=["name"],
        limit_page_length=0,
    )
    stocked = sorted(str(r["name"]) for r in rows or [])
    day, _, clock = oldest.partition("T")
    balances = await asyncio.gather(
        *(
            ctx.erp.call_get(
                "erpnext.stock.utils.get_stock_balance",
                item_code=sku,
                warehouse=ctx.config.warehouse,
                posting_date=day,
                posting_time=clock or "00:00:00",
            )
            for sku in stocked
        )
    )
    short = [
        f"{sku} ({float(have or 0):g} of {needs[sku]:g})"
        for sku, have in zip(stocked, balances, strict=True)
        if float(have or 0) < needs[sku]
    ]
    what = f"stock in {ctx.config.warehouse} on {day} {clock} for the {len(snap.open_orders)} open orders"
    fix = (
        f"post a Stock Reconciliation (purpose Opening Stock, Edit Posting Date and Time on, dated {day} {clock} "
        f"or earlier) in warehouse {ctx.config.warehouse!r} with the counts of: {', '.join(short[:20])}"
        + (" …" if len(short) > 20 else "")
        + " — or turn on Allow Negative Stock in Stock Settings; until then their live invoices fail"
    )
    return [Check(what, not short, fix, warning=True)]


async def store_checks(ctx: StoreAccess) -> list[Check]:
    """Every check above, reading the store once."""
    snap = await read_snapshot(ctx)
    checks = check_tax_rates(ctx, snap) + check_gateways(ctx, snap) + check_delivery_meta(ctx, snap)
    checks += await check_history_accounts(ctx)
    checks += await check_opening_stock(ctx, snap)
    return checks
