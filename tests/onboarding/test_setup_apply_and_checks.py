"""`setup --apply` in-process (each action listed, a second plan empty, ERPNext refusals reported) and
the store checks of `setup` / `config check --online`, each made to fail on its own."""

from __future__ import annotations

from decimal import Decimal

from tests.onboarding.conftest import Onboarded
from woonext.sync.discover import read_products
from woonext.sync.setup import SetupReport, check_prerequisites, ensure_custom_fields
from woonext.sync.setup_checks import (
    check_delivery_meta,
    check_gateways,
    check_history_accounts,
    check_opening_stock,
    check_tax_rates,
    read_snapshot,
)
from woonext.sync.setup_items import items_preview, sync_store_items
from woonext.sync.setup_plan import apply_plan, plan_masters
from woonext.sync.setup_plan_types import Action, SetupPlan


async def apply(o: Onboarded) -> list[str]:
    products, _ = await read_products(o.ctx.woo)
    preview = await items_preview(o.ctx, products)
    assert preview and "SKUs have no Item yet" in preview[0]  # the Item fields do not exist yet
    await ensure_custom_fields(o.ctx, SetupReport(), dry_run=False)
    assert len(await items_preview(o.ctx, products)) > len(products)  # now in detail: templates, variants…
    plan = await plan_masters(o.ctx, await o.ctx.woo.list_tax_rates())
    assert not plan.problems and not await apply_plan(o.ctx, plan)
    items = await sync_store_items(o.ctx)
    assert not items.failed and "0 failed" in items.summary
    return [f"{a.doctype}:{a.name}" for a in plan.actions]


async def test_apply_creates_what_the_proposal_names_and_then_nothing(onboarded: Onboarded) -> None:
    created = await apply(onboarded)
    for expected in (
        "Account:WooCommerce Clearing - JT",
        "Account:VAT reduced - JT",
        "Account:Kashier - JT",
        "Mode of Payment:Kashier Card",
        "Company:Jarz Test",
        "Item:Shipping",
        "Stock Settings:Stock Settings",
    ):
        assert expected in created
    assert "Account:VAT 14% - JT" not in created  # the wizard's, reused
    db = onboarded.pair.erp.db
    levy = db.get("Account", "VAT reduced - JT")
    assert levy and levy["parent_account"] == "Duties and Taxes - JT" and Decimal(str(levy["tax_rate"])) == 5
    clearing = db.get("Account", "WooCommerce Clearing - JT")
    assert clearing and clearing["account_type"] == "Temporary" and clearing["parent_account"] == "Current Assets - JT"
    assert db.get("Company", "Jarz Test")["custom_kashier_account"] == "Kashier - JT"
    assert db.get("Item", "Shipping")["is_stock_item"] == 0
    products, _ = await read_products(onboarded.ctx.woo)
    again = await plan_masters(onboarded.ctx, await onboarded.ctx.woo.list_tax_rates())
    assert again.actions == [] and again.problems == [] and await items_preview(onboarded.ctx, products) == []
    report = SetupReport()
    await check_prerequisites(onboarded.ctx, report, {p.sku for p in products})
    assert report.missing == []


async def test_apply_reports_what_erpnext_refuses_and_goes_on(onboarded: Onboarded) -> None:
    vat = {"account_name": "VAT 14%", "parent_account": "Duties and Taxes - JT", "company": "Jarz Test"}
    ledger = {"account_name": "X", "parent_account": "Cash - JT", "company": "Jarz Test"}
    late = {"account_name": "Y", "parent_account": "Current Assets - JT", "company": "Jarz Test"}
    plan = SetupPlan(
        [
            Action("Account", "VAT 14% - JT", "someone made it meanwhile", vat),  # 409: counted as done
            Action("Account", "X - JT", "under a ledger", ledger),  # refused
            Action("Account", "Y - JT", "after a refusal", late),  # still made
        ]
    )
    failed = await apply_plan(onboarded.ctx, plan)
    assert [(a.name, error.split(":")[0]) for a, error in failed] == [("X - JT", "InvalidAccountError")]
    assert onboarded.pair.erp.db.get("Account", "Y - JT") is not None


async def test_every_tax_rate_and_gateway_in_use_must_be_mapped(onboarded: Onboarded) -> None:
    snap = await read_snapshot(onboarded.ctx)
    assert all(c.ok for c in check_tax_rates(onboarded.ctx, snap) + check_gateways(onboarded.ctx, snap))
    del onboarded.ctx.config.tax_accounts["3"]
    del onboarded.ctx.config.payment_methods["cod"]  # disabled in WooCommerce, yet orders use it
    (taxes,) = check_tax_rates(onboarded.ctx, snap)
    (gateways,) = check_gateways(onboarded.ctx, snap)
    assert not taxes.ok and "3 (VAT reduced 5.0000%)" in taxes.fix
    assert (
        not gateways.ok and gateways.fix.endswith("cod (Cash on delivery, 20 recent orders)") or "cod (" in gateways.fix
    )


async def test_delivery_keys_must_be_the_ones_orders_carry(onboarded: Onboarded) -> None:
    snap = await read_snapshot(onboarded.ctx)
    assert check_delivery_meta(onboarded.ctx, snap)[0].ok
    onboarded.ctx.config.delivery_meta.date = "_delivery_date"  # woonext's default, not this store's
    (check,) = check_delivery_meta(onboarded.ctx, snap)
    assert not check.ok and "date = 'delivery_date'" in check.fix and "duration = 'delivery_duration'" in check.fix


async def test_history_in_a_live_account_is_refused_unless_allowed(onboarded: Onboarded) -> None:
    await apply(onboarded)
    assert (await check_history_accounts(onboarded.ctx))[0].ok
    onboarded.ctx.config.migration_accounts.clear()  # history would go to the modes' own accounts
    (check,) = await check_history_accounts(onboarded.ctx)
    assert not check.ok and "Cash → Cash - JT (Cash)" in check.fix and "Instapay → Instapay - JT (Bank)" in check.fix
    onboarded.ctx.config.allow_live_accounts_for_history = True
    assert (await check_history_accounts(onboarded.ctx))[0].ok


async def test_opening_stock_is_a_warning_with_the_exact_fix(onboarded: Onboarded) -> None:
    await apply(onboarded)
    snap = await read_snapshot(onboarded.ctx)
    assert snap.open_orders
    (check,) = await check_opening_stock(onboarded.ctx, snap)
    oldest = min(o["date_created"] for o in snap.open_orders).replace("T", " ")
    assert check.warning and not check.ok
    assert f"dated {oldest} or earlier) in warehouse 'Stores - JT'" in check.fix
    for sku in {li["sku"] for o in snap.open_orders for li in o["line_items"]}:
        onboarded.pair.erp.db.bins[(sku, "Stores - JT")] = Decimal(1000)  # counted before the oldest order
    (check,) = await check_opening_stock(onboarded.ctx, snap)
    assert check.ok


def test_where_new_accounts_go_in_a_chart_without_the_standard_groups() -> None:
    from woonext.sync.setup_plan import _parent

    flat = [
        {"name": "Assets - X", "account_name": "Assets", "is_group": 1, "root_type": "Asset", "parent_account": ""},
        {"name": "Owed - X", "account_name": "Owed", "is_group": 1, "root_type": "Liability", "parent_account": ""},
        {"name": "Current Assets - X", "account_name": "Current Assets", "is_group": 1, "root_type": "Asset",
         "parent_account": "Assets - X"},
    ]  # fmt: skip
    assert _parent(flat, "bank") == "Current Assets - X"
    assert _parent(flat, "tax") == "Owed - X"
    taxes = {"name": "GST - X", "account_name": "GST", "is_group": 1, "account_type": "Tax", "root_type": "Liability"}
    assert _parent([*flat, taxes], "tax") == "GST - X"
    assert _parent([], "clearing") is None
