"""Reading the master data a controller needs (company defaults, items, prices, settings).

Controllers only see the `Ctx` protocol; these helpers take anything with `get(doctype, name)` and
`all(doctype, **filters)` so the pure calculations can be tested on plain dicts too. Where a master
lacks a field ERPNext's setup wizard would have filled, the wizard's default name is used
("Main - {abbr}", "Cost of Goods Sold - {abbr}").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from ..base import Doc
from .money import LEGACY, ZERO, cint, dec, rounding_method

# Currency.fraction as shipped in ERPNext's currency fixtures, for currencies seeded without one.
FRACTION_NAMES = {"EGP": "Piastre[F]", "USD": "Cent", "EUR": "Cent", "GBP": "Penny", "SAR": "Halala"}

SETTINGS_DEFAULTS: dict[tuple[str, str], Any] = {
    ("Accounts Settings", "unlink_payment_on_cancellation_of_invoice"): 1,
    ("Accounts Settings", "delete_linked_ledger_entries"): 0,
    ("Selling Settings", "allow_negative_rates_for_items"): 0,
    ("Selling Settings", "selling_price_list"): "Standard Selling",
    ("Stock Settings", "allow_negative_stock"): 0,
    ("Stock Settings", "auto_insert_price_list_rate_if_missing"): 1,
    ("Stock Settings", "default_warehouse"): "",
}


class Lookup(Protocol):
    def get(self, doctype: str, name: str) -> Doc | None: ...
    def all(self, doctype: str, **filters: Any) -> list[Doc]: ...


def setting(db: Lookup, doctype: str, field: str) -> Any:
    """A value from a single doctype (Accounts/Selling/Stock Settings), else ERPNext's default."""
    doc = db.get(doctype, doctype)
    if doc is not None and doc.get(field) is not None:
        return doc.get(field)
    return SETTINGS_DEFAULTS.get((doctype, field))


def use_site_rounding(db: Lookup) -> None:
    """Make `flt` round like this site (System Settings `rounding_method`) for the current request."""
    settings = db.get("System Settings", "System Settings") or {}
    rounding_method.set(str(settings.get("rounding_method") or LEGACY))


def company(db: Lookup, name: str) -> Doc:
    return db.get("Company", name) or {}


def abbr(db: Lookup, company_name: str) -> str:
    return company(db, company_name).get("abbr") or "".join(w[0] for w in company_name.split()).upper()


def company_currency(db: Lookup, company_name: str) -> str:
    return company(db, company_name).get("default_currency") or "EGP"


def company_default(db: Lookup, company_name: str, field: str) -> str:
    """Company default accounts, with the names ERPNext's setup wizard creates as fallback."""
    value = company(db, company_name).get(field)
    if value:
        return str(value)
    wizard = {
        "cost_center": "Main",
        "default_expense_account": "Cost of Goods Sold",
        "round_off_account": "Round Off",
        "round_off_cost_center": "Main",
    }.get(field)
    return f"{wizard} - {abbr(db, company_name)}" if wizard else ""


def account(db: Lookup, name: str) -> Doc:
    return db.get("Account", name) or {}


def account_type(db: Lookup, name: str) -> str:
    return str(account(db, name).get("account_type") or "")


def account_currency(db: Lookup, name: str, company_name: str) -> str:
    return str(account(db, name).get("account_currency") or company_currency(db, company_name))


def fraction_name(db: Lookup, currency: str) -> str:
    doc = db.get("Currency", currency) or {}
    return str(doc.get("fraction") or FRACTION_NAMES.get(currency, "Cent"))


def smallest_fraction(db: Lookup, currency: str) -> Decimal:
    doc = db.get("Currency", currency) or {}
    return dec(doc.get("smallest_currency_fraction_value"))


def mode_of_payment_account(db: Lookup, mode: str, company_name: str) -> str:
    doc = db.get("Mode of Payment", mode) or {}
    for row in doc.get("accounts") or []:
        if row.get("company") == company_name and row.get("default_account"):
            return str(row["default_account"])
    return ""


def mode_of_payment_type(db: Lookup, mode: str) -> str:
    doc = db.get("Mode of Payment", mode) or {}
    return str(doc.get("type") or "")


def item_price(db: Lookup, item_code: str, price_list: str) -> Decimal | None:
    for row in db.all("Item Price", item_code=item_code, price_list=price_list):
        return dec(row.get("price_list_rate"))
    return None


# What ERPNext's exchange-rate service (frankfurter.app, v15's default provider) answers for a pair
# the site has no record of, in units of EGP: a fresh site (sim/bare.py) has no Currency Exchange.
SERVICE_RATES_IN_EGP = {"EGP": Decimal(1), "USD": Decimal("48.50"), "EUR": Decimal("52.60")}


def exchange_rate(
    db: Lookup, from_currency: str, to_currency: str, on: str | None = None, purpose: str = "for_selling"
) -> Decimal:
    """ERPNext's `get_exchange_rate`: the latest Currency Exchange for the pair dated on or before `on`
    and flagged for selling (or buying). Without one, ERPNext asks its exchange-rate service; the
    simulator answers for that service with the pair's latest record of any date, else the inverse,
    else `SERVICE_RATES_IN_EGP`."""
    if from_currency == to_currency:
        return Decimal(1)
    rows = [
        r
        for r in db.all("Currency Exchange", from_currency=from_currency, to_currency=to_currency)
        if cint(r.get(purpose, 1))
    ]
    rows.sort(key=lambda r: str(r.get("date") or ""), reverse=True)
    dated = [r for r in rows if on is None or str(r.get("date") or "") <= str(on)[:10]]
    for row in dated or rows:
        return dec(row.get("exchange_rate"))
    for row in db.all("Currency Exchange", from_currency=to_currency, to_currency=from_currency):
        rate = dec(row.get("exchange_rate"))
        return Decimal(1) / rate if rate else ZERO
    if from_currency in SERVICE_RATES_IN_EGP and to_currency in SERVICE_RATES_IN_EGP:
        rate = SERVICE_RATES_IN_EGP[from_currency] / SERVICE_RATES_IN_EGP[to_currency]
        return rate.quantize(Decimal("0.000000001")).normalize()
    return ZERO


def is_stock_item(item: Doc) -> bool:
    return bool(cint(item.get("is_stock_item")))


def stock_rows(doc: Doc, db: Lookup) -> list[Doc]:
    """The rows of a transaction whose Item keeps stock."""
    return [r for r in doc.get("items") or [] if is_stock_item(db.get("Item", r.get("item_code") or "") or {})]
