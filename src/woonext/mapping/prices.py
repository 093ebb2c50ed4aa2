"""ERPNext Item Prices → WooCommerce `regular_price` / `sale_price` (docs/catalog.md, "Prices"). Pure.

A price applies when it is for everyone (no customer or supplier), in the store's currency and valid
today; of several, the one valid from the latest date wins (ERPNext's own rule). WooCommerce holds
prices as decimal strings; two strings with the same value ("105" and "105.00") are the same price.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from woonext.mapping.money import round2


def _valid_on(row: Mapping[str, Any], today: date) -> bool:
    start, end = str(row.get("valid_from") or ""), str(row.get("valid_upto") or "")
    return (not start or start[:10] <= today.isoformat()) and (not end or end[:10] >= today.isoformat())


def price_by_item(rows: Iterable[Mapping[str, Any]], price_list: str, currency: str, today: date) -> dict[str, Decimal]:
    """Item code → the price that applies today in `price_list`."""
    best: dict[str, tuple[str, Decimal]] = {}
    for row in rows:
        if row.get("price_list") != price_list or row.get("customer") or row.get("supplier"):
            continue
        if (row.get("currency") or currency) != currency or not _valid_on(row, today):
            continue
        code, since = str(row.get("item_code")), str(row.get("valid_from") or "")
        if code not in best or since >= best[code][0]:
            best[code] = (since, Decimal(str(row.get("price_list_rate") or 0)))
    return {code: price for code, (_, price) in best.items()}


def woo_price(value: Decimal | None) -> str:
    """As WooCommerce shows a price: two decimals ("" = none)."""
    return "" if value is None else f"{round2(value):.2f}"


def same_price(a: Any, b: Any) -> bool:
    try:
        return Decimal(str(a or "0")) == Decimal(str(b or "0")) and bool(a) == bool(b)
    except InvalidOperation:
        return str(a) == str(b)


def wanted_prices(regular: Decimal | None, sale: Decimal | None, sale_list: bool) -> dict[str, str]:
    """The WooCommerce fields to hold: the regular price when ERPNext has one (never cleared: a product
    without a price cannot be bought), and — with a sale price list — the sale price when it is below
    the regular one, else none."""
    out: dict[str, str] = {}
    if regular is not None:
        out["regular_price"] = woo_price(regular)
    if sale_list:
        on_sale = sale is not None and (regular is None or sale < regular)
        out["sale_price"] = woo_price(sale) if on_sale else ""
    return out
