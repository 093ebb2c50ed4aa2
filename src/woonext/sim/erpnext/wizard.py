"""An ERPNext site as its setup wizard leaves it (`woonext sim up --erpnext-state bare`).

What a fresh ERPNext 15 holds after the wizard for a company in Egypt: the "Standard" chart of
accounts (erpnext/accounts/doctype/account/chart_of_accounts/verified/standard_chart_of_accounts.py)
plus the wizard's Egyptian sales tax account "VAT 14%" (sample 86: inserting it again is a 409), the
four standard warehouses, the Cash Mode of Payment with the company's Cash account (and the other
fixture modes without one), Standard Buying / Selling, the fixture item groups, customer groups and
the "Size" / "Colour" item attributes (sample 66), Stock Settings with "Auto Insert Item Price If
Missing" on. No clearing account (sample 91: the only Temporary account is "Temporary Opening"), no
bank account, no items, no stock, no woonext custom field, no Kashier account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..masters import Masters, ModeOfPaymentSpec
from .seed import put, seed_masters

if TYPE_CHECKING:
    from .sim import ErpSim

# name → children, or → {"account_type": …} for a leaf; "is_group": 1 makes an empty group.
Chart = dict[str, Any]

STANDARD_CHART: dict[str, tuple[str, Chart]] = {
    "Application of Funds (Assets)": (
        "Asset",
        {
            "Current Assets": {
                "Accounts Receivable": {"Debtors": {"account_type": "Receivable"}},
                "Bank Accounts": {"account_type": "Bank", "is_group": 1},
                "Cash In Hand": {"Cash": {"account_type": "Cash"}, "account_type": "Cash"},
                "Loans and Advances (Assets)": {"Employee Advances": {}},
                "Securities and Deposits": {"Earnest Money": {}},
                "Stock Assets": {"Stock In Hand": {"account_type": "Stock"}, "account_type": "Stock"},
                "Tax Assets": {"is_group": 1},
            },
            "Fixed Assets": {
                "Capital Equipments": {"account_type": "Fixed Asset"},
                "Electronic Equipments": {"account_type": "Fixed Asset"},
                "Furnitures and Fixtures": {"account_type": "Fixed Asset"},
                "Office Equipments": {"account_type": "Fixed Asset"},
                "Plants and Machineries": {"account_type": "Fixed Asset"},
                "Buildings": {"account_type": "Fixed Asset"},
                "Softwares": {"account_type": "Fixed Asset"},
                "Accumulated Depreciation": {"account_type": "Accumulated Depreciation"},
                "CWIP Account": {"account_type": "Capital Work in Progress"},
            },
            "Investments": {"is_group": 1},
            "Temporary Accounts": {"Temporary Opening": {"account_type": "Temporary"}},
        },
    ),
    "Expenses": (
        "Expense",
        {
            "Direct Expenses": {
                "Stock Expenses": {
                    "Cost of Goods Sold": {"account_type": "Cost of Goods Sold"},
                    "Expenses Included In Asset Valuation": {"account_type": "Expenses Included In Asset Valuation"},
                    "Expenses Included In Valuation": {"account_type": "Expenses Included In Valuation"},
                    "Stock Adjustment": {"account_type": "Stock Adjustment"},
                },
            },
            "Indirect Expenses": {
                "Administrative Expenses": {},
                "Commission on Sales": {},
                "Depreciation": {"account_type": "Depreciation"},
                "Entertainment Expenses": {},
                "Freight and Forwarding Charges": {"account_type": "Chargeable"},
                "Legal Expenses": {},
                "Marketing Expenses": {"account_type": "Chargeable"},
                "Miscellaneous Expenses": {"account_type": "Chargeable"},
                "Office Maintenance Expenses": {},
                "Office Rent": {},
                "Postal Expenses": {},
                "Print and Stationery": {},
                "Round Off": {"account_type": "Round Off"},
                "Salary": {},
                "Sales Expenses": {},
                "Telephone Expenses": {},
                "Travel Expenses": {},
                "Utility Expenses": {},
                "Write Off": {},
                "Exchange Gain/Loss": {},
                "Gain/Loss on Asset Disposal": {},
                "Impairment": {},
            },
        },
    ),
    "Income": ("Income", {"Direct Income": {"Sales": {}, "Service": {}}, "Indirect Income": {"is_group": 1}}),
    "Source of Funds (Liabilities)": (
        "Liability",
        {
            "Current Liabilities": {
                "Accounts Payable": {"Creditors": {"account_type": "Payable"}, "Payroll Payable": {}},
                "Stock Liabilities": {
                    "Stock Received But Not Billed": {"account_type": "Stock Received But Not Billed"},
                    "Asset Received But Not Billed": {"account_type": "Asset Received But Not Billed"},
                },
                # The wizard's country tax (Egypt: VAT 14%) is created under Duties and Taxes.
                "Duties and Taxes": {"account_type": "Tax", "VAT 14%": {"account_type": "Tax", "tax_rate": 14}},
                "Loans (Liabilities)": {"Secured Loans": {}, "Unsecured Loans": {}, "Bank Overdraft Account": {}},
            },
        },
    ),
    "Equity": (
        "Equity",
        {
            "Capital Stock": {"account_type": "Equity"},
            "Dividends Paid": {"account_type": "Equity"},
            "Opening Balance Equity": {"account_type": "Equity"},
            "Retained Earnings": {"account_type": "Equity"},
            "Revaluation Surplus": {"account_type": "Equity"},
        },
    ),
}
ACCOUNT_PROPERTIES = ("account_type", "tax_rate", "is_group")
WAREHOUSES = ("Stores", "Work In Progress", "Finished Goods", "Goods In Transit")
# erpnext/setup/setup_wizard/operations/install_fixtures.py
MODES_OF_PAYMENT = (
    ("Cheque", "Bank"),
    ("Cash", "Cash"),
    ("Credit Card", "Bank"),
    ("Wire Transfer", "Bank"),
    ("Bank Draft", "Bank"),
)
ITEM_GROUPS = ("Products", "Raw Material", "Services", "Sub Assemblies", "Consumable")
CUSTOMER_GROUPS = ["All Customer Groups", "Commercial", "Government", "Individual", "Non Profit"]
ITEM_ATTRIBUTES = {"Size": ("XS", "S", "M", "L", "XL"), "Colour": ("Red", "Green", "Blue", "Black", "White")}


def _is_leaf(spec: Chart) -> bool:
    return not any(isinstance(value, dict) for value in spec.values()) and not spec.get("is_group")


def _seed_tree(sim: ErpSim, m: Masters, name: str, spec: Chart, parent: str, root_type: str) -> None:
    full = f"{name} - {m.abbr}"
    leaf = _is_leaf(spec)
    put(
        sim,
        "Account",
        full,
        account_name=name,
        company=m.company,
        parent_account=parent or None,
        is_group=0 if leaf else 1,
        account_type=str(spec.get("account_type") or ""),
        tax_rate=spec.get("tax_rate") or 0,
        root_type=root_type,
        report_type="Profit and Loss" if root_type in ("Income", "Expense") else "Balance Sheet",
        account_currency=m.currency,
    )
    for child, child_spec in spec.items():
        if child not in ACCOUNT_PROPERTIES and isinstance(child_spec, dict):
            _seed_tree(sim, m, child, child_spec, full, root_type)


def wizard_masters(company: str, abbr: str, currency: str, country: str) -> Masters:
    return Masters(
        company=company,
        abbr=abbr,
        currency=currency,
        country=country,
        default_receivable_account=f"Debtors - {abbr}",
        default_income_account=f"Sales - {abbr}",
        default_cash_account=f"Cash - {abbr}",
        round_off_account=f"Round Off - {abbr}",
        warehouses=[f"{w} - {abbr}" for w in WAREHOUSES],
        default_warehouse=f"Stores - {abbr}",
        price_lists=["Standard Buying", "Standard Selling"],
        # Company.on_update gives the Cash mode the company's cash account; the others stay empty.
        modes_of_payment=[
            ModeOfPaymentSpec(name, kind, f"Cash - {abbr}" if name == "Cash" else "") for name, kind in MODES_OF_PAYMENT
        ],
        customer_groups=list(CUSTOMER_GROUPS),
        territories=["All Territories", country, "Rest Of The World"],
        currencies=list(dict.fromkeys([currency, "EGP", "USD", "EUR"])),
    )


def seed_wizard(
    sim: ErpSim, company: str = "Jarz Test", abbr: str = "JT", currency: str = "EGP", country: str = "Egypt"
) -> Masters:
    """Seed the site as the setup wizard leaves it; returns the (item-less) masters it used."""
    m = wizard_masters(company, abbr, currency, country)
    seed_masters(sim, m)
    for root, (root_type, spec) in STANDARD_CHART.items():
        _seed_tree(sim, m, root, spec, "", root_type)
    put(
        sim,
        "Company",
        company,
        default_payable_account=f"Creditors - {abbr}",
        default_expense_account=f"Cost of Goods Sold - {abbr}",
        write_off_account=f"Write Off - {abbr}",
        exchange_gain_loss_account=f"Exchange Gain/Loss - {abbr}",
        default_inventory_account=f"Stock In Hand - {abbr}",
        stock_adjustment_account=f"Stock Adjustment - {abbr}",
        stock_received_but_not_billed=f"Stock Received But Not Billed - {abbr}",
        expenses_included_in_valuation=f"Expenses Included In Valuation - {abbr}",
    )
    for group in ITEM_GROUPS:
        put(sim, "Item Group", group, item_group_name=group, is_group=0, parent_item_group="All Item Groups")
    put(
        sim,
        "Stock Settings",
        "Stock Settings",
        default_warehouse=f"Stores - {abbr}",
        stock_uom="Nos",
        auto_insert_price_list_rate_if_missing=1,
        allow_negative_stock=0,
    )
    put(sim, "Selling Settings", "Selling Settings", selling_price_list="Standard Selling")
    put(sim, "System Settings", "System Settings", country=country, currency=currency)
    _seed_item_attributes(sim)
    return m


def _seed_item_attributes(sim: ErpSim) -> None:
    if sim.db.meta("Item Attribute") is None:  # a schema without the item-variant doctypes
        return
    for attribute, values in ITEM_ATTRIBUTES.items():
        rows = [{"attribute_value": value, "abbr": value.upper()[:3]} for value in values]
        put(sim, "Item Attribute", attribute, attribute_name=attribute, item_attribute_values=rows)
