"""What WooCommerce's stock quantity should be (docs/catalog.md, "Stock"). Pure.

ERPNext's stock already lost what woonext invoiced; WooCommerce's count also lost what the orders it
took but woonext has not invoiced yet took (`_reduced_stock` on their lines, sample 60). Pushing
ERPNext's quantity as it is would hand those units back to WooCommerce and let them be sold twice,
so the quantity pushed is ERPNext's actual quantity (summed over the store's warehouses) minus what
those orders hold, minus the safety buffer, never below zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_FLOOR, Decimal
from typing import Any

REDUCED = "_reduced_stock"
# An invoice in these states took its stock from ERPNext (update_stock on a live invoice).
INVOICED_STATES = frozenset({"submitted", "paid"})


def reduced_stock(line: Mapping[str, Any]) -> int:
    """What WooCommerce took off its count for this line (0 when it took nothing, or gave it back)."""
    for meta in line.get("meta_data") or []:
        if meta.get("key") == REDUCED:
            try:
                return max(0, int(Decimal(str(meta.get("value") or 0))))
            except ArithmeticError:
                return 0
    return 0


def held_quantities(orders: Iterable[Mapping[str, Any]], invoiced: set[int]) -> dict[tuple[int, int], int]:
    """Units per (product id, variation id) that orders not invoiced yet took off WooCommerce's count."""
    held: dict[tuple[int, int], int] = {}
    for order in orders:
        if int(order.get("id") or 0) in invoiced:
            continue
        for line in order.get("line_items") or []:
            qty = reduced_stock(line)
            if qty:
                key = (int(line.get("product_id") or 0), int(line.get("variation_id") or 0))
                held[key] = held.get(key, 0) + qty
    return held


def desired_quantity(actual: Decimal, held: int, buffer: int) -> int:
    """Whole units WooCommerce may sell: ERPNext's actual quantity less held and buffer, at least 0."""
    whole = int(actual.to_integral_value(rounding=ROUND_FLOOR))
    return max(0, whole - held - buffer)


def actual_by_item(bins: Iterable[Mapping[str, Any]], warehouses: Iterable[str]) -> dict[str, Decimal]:
    """ERPNext's actual quantity per Item code, summed over the store's warehouses."""
    wanted = set(warehouses)
    totals: dict[str, Decimal] = {}
    for row in bins:
        if row.get("warehouse") in wanted:
            code = str(row.get("item_code"))
            totals[code] = totals.get(code, Decimal(0)) + Decimal(str(row.get("actual_qty") or 0))
    return totals
