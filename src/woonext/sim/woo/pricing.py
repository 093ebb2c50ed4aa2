"""Order arithmetic through woonext.sim.woomoney (WooCommerce's tax/coupon/fee/shipping rules)."""

from __future__ import annotations

from typing import Any

from woonext.sim import woomoney
from woonext.sim.woomoney_tax import TaxRate, TaxSettings

from .catalog import Catalog


def store_settings(prices_include_tax: bool, price_decimals: int, catalog: Catalog) -> TaxSettings:
    slugs = [str(c.get("slug", "")) for c in catalog.tax_classes]
    classes = tuple("" if s == "standard" else s for s in slugs) or ("",)
    return TaxSettings(prices_include_tax=prices_include_tax, price_decimals=price_decimals, tax_classes=classes)


def calculate(order: dict[str, Any], catalog: Catalog, settings: TaxSettings) -> dict[str, Any]:
    """Fill the order's figures (line/shipping/fee/tax lines and totals) the way WooCommerce does."""
    products: dict[int, dict[str, Any]] = {**catalog.products, **catalog.variations}
    coupons = {str(c["code"]).lower(): dict(c) for c in catalog.coupons.values()}
    rates = [TaxRate.from_rest(r) for r in catalog.tax_rates.values()]
    return woomoney.calculate_order(order, rates=rates, settings=settings, coupons=coupons, products=products)
