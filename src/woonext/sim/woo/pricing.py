"""Order arithmetic through woonext.sim.woomoney (WooCommerce's tax/coupon/fee/shipping rules)."""

from __future__ import annotations

from typing import Any

from .catalog import Catalog


def store_settings(prices_include_tax: bool, price_decimals: int, currency: str) -> dict[str, Any]:
    return {
        "prices_include_tax": prices_include_tax,
        "price_num_decimals": price_decimals,
        "currency": currency,
        "tax_round_at_subtotal": False,
        "calc_taxes": True,
        "tax_based_on": "shipping",
        "shipping_tax_class": "inherit",
    }


def calculate(order: dict[str, Any], catalog: Catalog, settings: dict[str, Any]) -> dict[str, Any]:
    """Fill the order's figures (line/shipping/fee/tax lines and totals) the way WooCommerce does."""
    from woonext.sim import woomoney  # written by another engineer; imported where it is needed

    products: dict[int, dict[str, Any]] = {**catalog.products, **catalog.variations}
    return woomoney.calculate_order(
        order,
        rates=list(catalog.tax_rates.values()),
        settings=settings,
        coupons=list(catalog.coupons.values()),
        products=products,
    )
