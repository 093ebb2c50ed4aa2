"""Turning stored orders into the REST JSON WooCommerce answers (view context)."""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from woonext.sim import woomoney

from .catalog import Catalog

SIM_PREFIX = "_sim_"

# Fields formatted with `dp` decimals (wc_format_decimal(..., dp)). Coupon discount/discount_tax
# and fee `amount` are raw stored values and are not in this list.
ORDER_MONEY = ("discount_total", "discount_tax", "shipping_total", "shipping_tax", "cart_tax", "total", "total_tax")
LINE_MONEY = {
    "line_items": ("subtotal", "subtotal_tax", "total", "total_tax"),
    "tax_lines": ("tax_total", "shipping_tax_total"),
    "shipping_lines": ("total", "total_tax"),
    "fee_lines": ("total", "total_tax"),
    "refunds": ("total",),
}


def format_money(value: Any, dp: int) -> Any:
    """wc_format_decimal with dp: round half up (PHP round) and pad; non-numbers pass through."""
    if not isinstance(value, str | int | float | Decimal) or value == "":
        return value
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return value
    quantum = Decimal(1).scaleb(-dp)
    text = str(amount.quantize(quantum, rounding=ROUND_HALF_UP))
    if Decimal(text) == 0:
        text = str(Decimal(0).quantize(quantum))
    return text


def _fit(value: Any, dp: int | None) -> Any:
    """An explicit dp formats; without it the stored string is served as stored.

    The arithmetic stores display strings (hidden decimals live under `_sim_` keys), and verbatim
    imports of older payloads (line taxes like "1.125") must come back unchanged.
    """
    return format_money(value, dp) if dp is not None else value


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in record.items() if not k.startswith(SIM_PREFIX)}


def render_order(
    order: dict[str, Any], catalog: Catalog, dp: int | None, default_dp: int, prices_include_tax_now: bool = False
) -> dict[str, Any]:
    # Line taxes are re-rounded on every GET with the store's *current* rounding mode.
    out: dict[str, Any] = woomoney.render_line_taxes(order, prices_include_tax_now)
    for key in ORDER_MONEY:
        if key in out:
            out[key] = _fit(out[key], dp)
    for group, fields in LINE_MONEY.items():
        for line in out.get(group) or []:
            for key in fields:
                if key in line:
                    line[key] = _fit(line[key], dp)
            for tax in line.get("taxes") or []:
                for key in ("total", "subtotal"):
                    if key in tax:
                        tax[key] = _fit(tax[key], dp)
    for line in out.get("line_items") or []:
        _resolve_sku(line, catalog)
    return out


def _resolve_sku(line: dict[str, Any], catalog: Catalog) -> None:
    """`sku` is read from the product at response time (null once the product is deleted)."""
    if "sku" not in line:
        return
    pid = int(line.get("product_id") or 0)
    vid = int(line.get("variation_id") or 0)
    product = catalog.product_for_line(pid, vid)
    if product is not None:
        line["sku"] = product.get("sku", "")
        if vid and not product.get("sku"):
            parent = catalog.products.get(pid)
            line["sku"] = parent.get("sku", "") if parent else ""
    elif (vid or pid) in catalog.deleted_products:
        line["sku"] = None
