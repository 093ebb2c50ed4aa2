"""`woonext setup --apply`: what ERPNext lacks for this store's configuration, as a list of actions
(accounts, Modes of Payment, the company's Kashier account, the Shipping / Fee / Refund items, the
Stock Settings switch). Only what is missing is listed, so a second run lists nothing
(docs/onboarding.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from woonext.erpnext.errors import ErpError
from woonext.sync.context import StoreContext
from woonext.sync.setup_plan_types import Action, SetupPlan

Row = dict[str, Any]
# role → (the group's account name in the standard chart, the group's account_type, the new account's
# type, the root type: a chart without that group gets the account under its current assets or
# liabilities, else under the root of that type)
PARENTS = {
    "tax": ("Duties and Taxes", "Tax", "Tax", "Liability"),
    "clearing": ("Current Assets", "", "Temporary", "Asset"),
    "bank": ("Bank Accounts", "Bank", "Bank", "Asset"),
    "cash": ("Cash In Hand", "Cash", "Cash", "Asset"),
}
CURRENT = {"Asset": "Current Assets", "Liability": "Current Liabilities"}
ROLE_WHY = {
    "tax": "tax account",
    "clearing": "clearing account for historical payments",
    "bank": "account money of a payment method lands in",
    "cash": "cash account",
}


def _parent(accounts: list[Row], role: str) -> str | None:
    name, group_type, _, root_type = PARENTS[role]
    groups = [a for a in accounts if a.get("is_group")]
    named = [a for a in groups if str(a.get("account_name") or "") == name]
    typed = [a for a in groups if group_type and a.get("account_type") == group_type]
    current = [a for a in groups if str(a.get("account_name") or "") == CURRENT[root_type]]
    roots = [a for a in groups if not a.get("parent_account") and a.get("root_type") == root_type]
    found = named or typed or current or roots
    return str(found[0]["name"]) if found else None


def _rate(rates: Mapping[str, Row], rate_id: str) -> Decimal:
    try:
        return Decimal(str((rates.get(rate_id) or {}).get("rate") or 0)).normalize()
    except InvalidOperation:
        return Decimal(0)


def wanted_accounts(ctx: StoreContext, mop_types: Mapping[str, str]) -> dict[str, str]:
    """account → role, for every account the configuration names (first role wins)."""
    c = ctx.config
    wanted: dict[str, str] = {}
    for account in c.tax_accounts.values():
        wanted.setdefault(account, "tax")
    for account in c.migration_accounts.values():
        wanted.setdefault(account, "clearing")
    for account in [c.kashier_account, *c.prepaid.values()]:
        if account:
            wanted.setdefault(account, "bank")
    for mop, account in c.mode_of_payment_accounts.items():
        wanted.setdefault(account, "cash" if mop_types.get(mop) == "Cash" else "bank")
    return wanted


def account_actions(
    ctx: StoreContext, abbr: str, accounts: list[Row], mop_types: Mapping[str, str], rates: Mapping[str, Row]
) -> SetupPlan:
    plan = SetupPlan()
    have = {str(a["name"]) for a in accounts}
    tax_ids = {account: rid for rid, account in ctx.config.tax_accounts.items()}
    for account, role in wanted_accounts(ctx, mop_types).items():
        if account in have:
            continue
        suffix, parent = f" - {abbr}", _parent(accounts, role)
        if not account.endswith(suffix) or parent is None:
            why = f"its name must end with {suffix!r}" if parent else f"no {PARENTS[role][0]!r} group to put it under"
            plan.problems.append(f"cannot create Account {account!r} ({ROLE_WHY[role]}): {why}; create it by hand")
            continue
        doc: Row = {
            "account_name": account.removesuffix(suffix),
            "parent_account": parent,
            "company": ctx.config.company,
            "account_type": PARENTS[role][2],
            "is_group": 0,
        }
        what = f"{ROLE_WHY[role]}, {PARENTS[role][2]}, under {parent}"
        if role == "tax":
            doc["tax_rate"] = float(_rate(rates, tax_ids[account]))
            what = f"tax account at {doc['tax_rate']:g}% (WooCommerce rate {tax_ids[account]}), under {parent}"
        plan.actions.append(Action("Account", account, what, doc))
    return plan


def mop_type(name: str, account_type: str) -> str:
    if account_type == "Cash" or name.casefold() == "cash":
        return "Cash"
    return "Phone" if "wallet" in name.casefold() else "Bank"


def mode_of_payment_actions(
    ctx: StoreContext, mops: Mapping[str, Row | None], types: Mapping[str, str], available: set[str]
) -> SetupPlan:
    """Each Mode of Payment the payment values use, with its account for the company; `available` are
    the accounts that exist or are about to be made."""
    plan, c = SetupPlan(), ctx.config
    for mop, doc in sorted(mops.items()):
        account = c.mode_of_payment_accounts.get(mop, "")
        rows = [
            {"company": r.get("company"), "default_account": r.get("default_account")}
            for r in (doc or {}).get("accounts") or []
        ]
        if any(r["company"] == c.company for r in rows):
            continue
        if not account:
            if doc is None:
                plan.problems.append(
                    f"Mode of Payment {mop!r} does not exist and has no account in [stores.mode_of_payment_accounts]"
                )
            continue
        if account not in available:
            plan.problems.append(f"Mode of Payment {mop!r} needs its account {account!r}, which cannot be made")
            continue
        row = {"company": c.company, "default_account": account}
        if doc is None:
            kind = mop_type(mop, types.get(account, ""))
            body = {"mode_of_payment": mop, "type": kind, "enabled": 1, "accounts": [row]}
            plan.actions.append(Action("Mode of Payment", mop, f"{kind}, account {account} for {c.company}", body))
        else:
            what = f"account {account} for {c.company}"
            plan.actions.append(Action("Mode of Payment", mop, what, {"accounts": [*rows, row]}, update=True))
    return plan


async def _doc(ctx: StoreContext, doctype: str, name: str) -> Row | None:
    return await ctx.erp.get_doc(doctype, name)


async def plan_masters(ctx: StoreContext, rates: list[Row]) -> SetupPlan:
    """Every action the configuration needs and ERPNext lacks, dependencies first (the Items of the
    store's products are the catalog sync's: sync/setup_items.py)."""
    c = ctx.config
    company = await _doc(ctx, "Company", c.company) or {}
    abbr = str(company.get("abbr") or "")
    accounts = await ctx.erp.get_all(
        "Account",
        filters=[["company", "=", c.company]],
        fields=["name", "account_name", "account_type", "is_group", "root_type", "parent_account"],
    )
    types = {str(a["name"]): str(a.get("account_type") or "") for a in accounts}
    mop_names = sorted({c.mode_of_payment(v) for v in c.payment_methods.values()})
    mop_docs = await asyncio.gather(*(_doc(ctx, "Mode of Payment", name) for name in mop_names))
    mops = dict(zip(mop_names, mop_docs, strict=True))
    mop_types = {
        n: str(d.get("type") or "") if d else mop_type(n, types.get(c.mode_of_payment_accounts.get(n, ""), ""))
        for n, d in mops.items()
    }
    by_id = {str(r.get("id")): r for r in rates}
    plan = account_actions(ctx, abbr, accounts, mop_types, by_id)
    available = set(types) | {a.name for a in plan.actions}
    more = mode_of_payment_actions(ctx, mops, types, available)
    plan.actions += more.actions
    plan.problems += more.problems
    if c.kashier_account and not company.get("custom_kashier_account") and c.kashier_account in available:
        what = "where Kashier card and wallet payments land (Company.custom_kashier_account)"
        plan.actions.append(Action("Company", c.company, what, {"custom_kashier_account": c.kashier_account}, True))
    groups = {str(g["name"]) for g in await ctx.erp.get_list("Item Group", fields=["name"], limit=0)}
    plan.actions += await service_item_actions(ctx, groups, plan)
    settings = await _doc(ctx, "Stock Settings", "Stock Settings") or {}
    if settings.get("auto_insert_price_list_rate_if_missing"):
        what = "Auto Insert Item Price If Missing off (else every first invoice of an item writes an Item Price)"
        plan.actions.append(
            Action("Stock Settings", "Stock Settings", what, {"auto_insert_price_list_rate_if_missing": 0}, True)
        )
    return plan


async def service_item_actions(ctx: StoreContext, groups: set[str], plan: SetupPlan) -> list[Action]:
    """The non-stock Shipping, Fee and Refund items (invoice rows for shipping, fees and refunded amounts)."""
    c, actions = ctx.config, []
    group = "Services" if "Services" in groups else "All Item Groups"
    for code in dict.fromkeys((c.shipping_item, c.fee_item, c.refund_item)):
        doc = await _doc(ctx, "Item", code)
        if doc is not None:
            if doc.get("is_stock_item"):
                plan.problems.append(f"Item {code!r} keeps stock: turn off Maintain Stock, or name another item")
            continue
        body = {
            "item_code": code,
            "item_name": code,
            "item_group": group,
            "stock_uom": "Nos",
            "is_stock_item": 0,
            "is_sales_item": 1,
            "include_item_in_manufacturing": 0,
        }
        actions.append(Action("Item", code, f"non-stock item for invoice rows, in {group}", body))
    return actions


async def apply_plan(ctx: StoreContext, plan: SetupPlan) -> list[tuple[Action, str]]:
    """Carry out each action in order; returns (action, error) for those ERPNext refused. One that
    someone else just made (409 DuplicateEntryError) counts as done."""
    failed: list[tuple[Action, str]] = []
    for action in plan.actions:
        try:
            if action.update:
                await ctx.erp.update(action.doctype, action.name, action.doc)
            else:
                await ctx.erp.insert(action.doctype, action.doc)
        except ErpError as exc:
            if exc.exc_type != "DuplicateEntryError":
                failed.append((action, f"{exc.exc_type}: {exc.message}"))
    return failed
