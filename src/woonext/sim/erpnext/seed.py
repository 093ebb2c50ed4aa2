"""What a fresh ERPNext site holds after the setup wizard, and seeding it from `Masters`.

Rows are written straight to the committed tables (as fixtures and the wizard do), with the same
defaults and standard columns an insert would give them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..masters import Masters
from .base import Doc
from .countries import COUNTRIES
from .documents import apply_defaults
from .naming import random_name
from .serialize import cast_doc
from .stock.ledger import seed_bin
from .trees import update_tree

if TYPE_CHECKING:
    from .sim import ErpSim

ROOT_ACCOUNTS = {
    "Asset": "Application of Funds (Assets)",
    "Liability": "Source of Funds (Liabilities)",
    "Equity": "Equity",
    "Income": "Income",
    "Expense": "Expenses",
}
# What ERPNext's setup wizard installs (install_fixtures): item groups under the root, and the
# "Size" and "Colour" attributes (sample 66: "Size" already exists on a fresh site).
WIZARD_ITEM_GROUPS = ("Products", "Raw Material", "Services", "Sub Assemblies", "Consumable")
STOCK_ENTRY_TYPES = ("Material Issue", "Material Receipt", "Material Transfer")
WIZARD_ATTRIBUTES = {
    "Size": [("Extra Small", "XS"), ("Small", "S"), ("Medium", "M"), ("Large", "L"), ("Extra Large", "XL")],
    "Colour": [("Red", "RED"), ("Green", "GRE"), ("Blue", "BLU"), ("Black", "BLA"), ("White", "WHI")],
}
CURRENCY_INFO = {
    "EGP": ("Piastre[F]", 100, "E£"),
    "USD": ("Cent", 100, "$"),
    "EUR": ("Cent", 100, "€"),
    "GBP": ("Penny", 100, "£"),
    "SAR": ("Halala", 100, "ر.س"),
    "AED": ("Fils", 100, "د.إ"),
}


def put(sim: ErpSim, doctype: str, name: str, **fields: Any) -> Doc:
    """Write one committed row with defaults, standard columns and child-row columns."""
    meta = sim.db.meta(doctype)
    if meta is None:
        raise KeyError(f"unknown doctype {doctype}")
    existing = sim.db.get(doctype, name)
    doc: Doc = existing or {"doctype": doctype}
    if existing is None:
        apply_defaults(doc, meta, sim.engine.now())
    doc.update(fields)
    now = sim.engine.next_modified(sim.new_ctx(), doc.get("modified"))
    doc.update(
        name=name,
        doctype=doctype,
        owner=doc.get("owner") or "Administrator",
        creation=doc.get("creation") or now,
        modified=now,
        modified_by="Administrator",
    )
    doc.setdefault("idx", 0)
    for df in meta.table_fields:
        child_meta = sim.db.meta(str(df.get("options")))
        for idx, row in enumerate(doc.get(df["fieldname"]) or [], start=1):
            if child_meta is not None:
                defaults: Doc = {}
                apply_defaults(defaults, child_meta, sim.engine.now())
                for k, value in defaults.items():
                    row.setdefault(k, value)
                cast_doc(row, child_meta)
            row.update(
                doctype=str(df.get("options")),
                parent=name,
                parentfield=df["fieldname"],
                parenttype=doctype,
                idx=idx,
                docstatus=doc.get("docstatus", 0),
                owner="Administrator",
                creation=doc["creation"],
                modified=now,
                modified_by="Administrator",
            )
            row.setdefault("name", random_name())
    cast_doc(doc, meta)
    if meta.is_tree:
        ctx = sim.new_ctx()
        update_tree(ctx, doc, meta)
        ctx.txn.put(doc)
        ctx.txn.commit()
    else:
        sim.db.put_committed(doc)
    return doc


def seed_site(sim: ErpSim) -> None:
    """The state right after the setup wizard, independent of any company."""
    for code, name in COUNTRIES.items():
        put(sim, "Country", name, country_name=name, code=code)
    put(sim, "Language", "en", language_code="en", language_name="English")
    for user, first in (("Administrator", "Administrator"), ("Guest", "Guest")):
        put(sim, "User", user, email=f"{user.lower()}@example.com", first_name=first, full_name=first)
    for uom in ("Nos", "Unit", "Kg", "Box", "Hour"):
        put(sim, "UOM", uom, uom_name=uom)
    put(sim, "Territory", "All Territories", territory_name="All Territories", is_group=1)
    put(sim, "Customer Group", "All Customer Groups", customer_group_name="All Customer Groups", is_group=1)
    put(sim, "Item Group", "All Item Groups", item_group_name="All Item Groups", is_group=1)
    for group in WIZARD_ITEM_GROUPS:
        put(sim, "Item Group", group, item_group_name=group, parent_item_group="All Item Groups")
    for purpose in STOCK_ENTRY_TYPES:  # ERPNext's standard Stock Entry Types, named by purpose
        put(sim, "Stock Entry Type", purpose, purpose=purpose)
    for attribute, values in WIZARD_ATTRIBUTES.items():
        rows = [{"attribute_value": value, "abbr": abbr} for value, abbr in values]
        put(sim, "Item Attribute", attribute, attribute_name=attribute, item_attribute_values=rows)
    put(
        sim,
        "System Settings",
        "System Settings",
        time_zone=sim.config.timezone,
        allow_error_traceback=int(sim.config.allow_error_traceback),
    )
    # Selling Settings right after the wizard: naming by customer name, no default group/territory
    put(sim, "Selling Settings", "Selling Settings", cust_master_name="Customer Name")
    put(sim, "Stock Settings", "Stock Settings")
    # custom fields ERPNext's installer adds to Frappe's contact doctypes
    for dt, fieldname, label, after in (
        ("Address", "is_your_company_address", "Is Your Company Address", "linked_with"),
        ("Contact", "is_billing_contact", "Is Billing Contact", "is_primary_contact"),
    ):
        put(
            sim,
            "Custom Field",
            f"{dt}-{fieldname}",
            dt=dt,
            fieldname=fieldname,
            label=label,
            fieldtype="Check",
            default="0",
            insert_after=after,
            is_system_generated=1,
        )
    put(sim, "Accounts Settings", "Accounts Settings")


def seed_masters(sim: ErpSim, m: Masters) -> None:
    for cur in dict.fromkeys([*m.currencies, m.currency]):
        fraction, units, symbol = CURRENCY_INFO.get(cur, ("", 100, cur))
        put(
            sim,
            "Currency",
            cur,
            currency_name=cur,
            enabled=1,
            fraction=fraction,
            fraction_units=units,
            symbol=symbol,
        )  # no smallest fraction, as the fixtures: rounded totals go to whole units
    put(
        sim,
        "Company",
        m.company,
        company_name=m.company,
        abbr=m.abbr,
        default_currency=m.currency,
        country=m.country,
        default_receivable_account=m.default_receivable_account or None,
        default_income_account=m.default_income_account or None,
        default_cash_account=m.default_cash_account or None,
        round_off_account=m.round_off_account or None,
        cost_center=f"Main - {m.abbr}",
        round_off_cost_center=f"Main - {m.abbr}",
        default_warehouse_for_sales_return=m.default_warehouse or None,
        **({"custom_kashier_account": m.kashier_account} if m.kashier_account else {}),
    )
    put(
        sim,
        "Cost Center",
        f"{m.company} - {m.abbr}",
        cost_center_name=m.company,
        company=m.company,
        is_group=1,
    )
    put(
        sim,
        "Cost Center",
        f"Main - {m.abbr}",
        cost_center_name="Main",
        company=m.company,
        parent_cost_center=f"{m.company} - {m.abbr}",
    )
    _seed_accounts(sim, m)
    _seed_warehouses(sim, m)
    groups = dict.fromkeys(["All Item Groups", *(i.item_group for i in m.items)])
    for group in groups:
        put(
            sim,
            "Item Group",
            group,
            item_group_name=group,
            is_group=1 if group == "All Item Groups" else 0,
            parent_item_group=None if group == "All Item Groups" else "All Item Groups",
        )
    for uom in dict.fromkeys(i.stock_uom for i in m.items):
        put(sim, "UOM", uom, uom_name=uom)
    for pl in m.price_lists:
        put(
            sim,
            "Price List",
            pl,
            price_list_name=pl,
            currency=m.currency,
            enabled=1,
            selling=1 if "Selling" in pl or "Buying" not in pl else 0,
            buying=1 if "Buying" in pl else 0,
        )
    selling = next((p for p in m.price_lists if "Selling" in p), m.price_lists[0] if m.price_lists else "")
    for item in m.items:
        put(
            sim,
            "Item",
            item.item_code,
            item_code=item.item_code,
            item_name=item.item_name or item.item_code,
            item_group=item.item_group,
            stock_uom=item.stock_uom,
            is_stock_item=item.is_stock_item,
            standard_rate=item.standard_rate,
            include_item_in_manufacturing=0,
            item_defaults=[{"company": m.company, "default_warehouse": m.default_warehouse or None}]
            if m.default_warehouse and item.is_stock_item
            else [],
        )
        if item.standard_rate and selling:
            put(
                sim,
                "Item Price",
                random_name(),
                item_code=item.item_code,
                item_name=item.item_name or item.item_code,
                price_list=selling,
                price_list_rate=item.standard_rate,
                uom=item.stock_uom,
                currency=m.currency,
                selling=1,
            )
    if m.stock:
        ctx = sim.new_ctx()
        for (item_code, warehouse), qty in m.stock.items():
            seed_bin(ctx, item_code, warehouse, Decimal(qty))
        ctx.txn.commit()
    for mop in m.modes_of_payment:
        accounts = [{"company": m.company, "default_account": mop.account}] if mop.account else []
        put(
            sim,
            "Mode of Payment",
            mop.name,
            mode_of_payment=mop.name,
            type=mop.type,
            enabled=1,
            accounts=accounts,
        )
    for group in m.customer_groups:
        root = group == "All Customer Groups"
        put(
            sim,
            "Customer Group",
            group,
            customer_group_name=group,
            is_group=1 if root else 0,
            parent_customer_group=None if root else "All Customer Groups",
        )
    for territory in m.territories:
        root = territory == "All Territories"
        put(
            sim,
            "Territory",
            territory,
            territory_name=territory,
            is_group=1 if root else 0,
            parent_territory=None if root else "All Territories",
        )
    for customer in m.customers:
        put(
            sim,
            "Customer",
            customer,
            customer_name=customer,
            customer_type="Individual",
            naming_series="CUST-.YYYY.-",
            language="en",
        )
    for (from_cur, to_cur), rate in m.exchange_rates.items():
        date = sim.engine.now().date().isoformat()
        put(
            sim,
            "Currency Exchange",
            f"{date}-{from_cur}-{to_cur}",
            date=date,
            from_currency=from_cur,
            to_currency=to_cur,
            exchange_rate=rate,
            for_selling=1,
            for_buying=1,
        )


def _seed_accounts(sim: ErpSim, m: Masters) -> None:
    roots_needed = {a.root_type for a in m.accounts if not a.parent_account}
    for root_type in roots_needed:
        root = f"{ROOT_ACCOUNTS.get(root_type, root_type)} - {m.abbr}"
        put(
            sim,
            "Account",
            root,
            account_name=ROOT_ACCOUNTS.get(root_type, root_type),
            company=m.company,
            is_group=1,
            root_type=root_type,
            report_type=_report_type(root_type),
            account_currency=m.currency,
        )
    for spec in m.accounts:
        parent = spec.parent_account or f"{ROOT_ACCOUNTS.get(spec.root_type, spec.root_type)} - {m.abbr}"
        suffix = f" - {m.abbr}"
        account_name = spec.name[: -len(suffix)] if spec.name.endswith(suffix) else spec.name
        put(
            sim,
            "Account",
            spec.name,
            account_name=account_name,
            company=m.company,
            parent_account=parent,
            is_group=spec.is_group,
            account_type=spec.account_type,
            root_type=spec.root_type,
            report_type=_report_type(spec.root_type),
            account_currency=spec.account_currency or m.currency,
        )


def _report_type(root_type: str) -> str:
    return "Profit and Loss" if root_type in ("Income", "Expense") else "Balance Sheet"


def _seed_warehouses(sim: ErpSim, m: Masters) -> None:
    root = f"All Warehouses - {m.abbr}"
    put(sim, "Warehouse", root, warehouse_name="All Warehouses", company=m.company, is_group=1)
    for wh in m.warehouses:
        suffix = f" - {m.abbr}"
        put(
            sim,
            "Warehouse",
            wh,
            warehouse_name=wh[: -len(suffix)] if wh.endswith(suffix) else wh,
            company=m.company,
            parent_warehouse=root,
        )
