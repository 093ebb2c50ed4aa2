"""Master data an ERPNext simulator is seeded with (company, accounts, items, stock, ...).

Plain data so that the generator, `--import-orders` and the replay tests can all build one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class AccountSpec:
    name: str  # full name with the company abbreviation, e.g. "Cash - JT"
    account_type: str = ""  # Cash, Bank, Receivable, Tax, Income Account, Stock, Chargeable, ...
    root_type: str = "Asset"  # Asset, Liability, Income, Expense, Equity
    is_group: int = 0
    parent_account: str = ""
    account_currency: str = ""


@dataclass
class ItemSpec:
    item_code: str
    item_name: str = ""
    is_stock_item: int = 1
    stock_uom: str = "Nos"
    item_group: str = "Products"
    standard_rate: Decimal = Decimal("0")


@dataclass
class ModeOfPaymentSpec:
    name: str
    type: str = "Cash"  # Cash, Bank, General, Phone
    account: str = ""  # default account for the company ("" = none set)


@dataclass
class Masters:
    company: str = "Jarz Test"
    abbr: str = "JT"
    currency: str = "EGP"
    country: str = "Egypt"
    accounts: list[AccountSpec] = field(default_factory=list)
    default_receivable_account: str = ""
    default_income_account: str = ""
    default_cash_account: str = ""
    round_off_account: str = ""
    kashier_account: str = ""  # Company.custom_kashier_account once that field exists ("" = not set)
    warehouses: list[str] = field(default_factory=list)
    default_warehouse: str = ""
    items: list[ItemSpec] = field(default_factory=list)
    stock: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (item_code, warehouse) -> qty
    price_lists: list[str] = field(default_factory=lambda: ["Standard Selling"])
    modes_of_payment: list[ModeOfPaymentSpec] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)
    customer_groups: list[str] = field(default_factory=lambda: ["All Customer Groups", "Individual", "Commercial"])
    territories: list[str] = field(default_factory=lambda: ["All Territories"])
    currencies: list[str] = field(default_factory=lambda: ["EGP", "USD", "EUR"])
    exchange_rates: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (from, to) -> rate
