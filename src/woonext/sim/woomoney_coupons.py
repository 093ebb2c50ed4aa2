"""WooCommerce's coupon discounts on an order (WC_Discounts), in cents, without sequential discounts.

Prices are line subtotals in cents (tax-inclusive on tax-inclusive orders, so fixed coupons are gross
amounts there). Discounts are whole cents; leftovers go out one cent per unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_DOWN, Decimal
from typing import Any

from woonext.sim.woomoney_tax import ZERO, floor, q

HUNDRED = Decimal(100)


@dataclass
class DiscountItem:
    key: int  # position of the line in the order
    quantity: int
    price: Decimal  # line price in cents (4 places, like wc_add_number_precision)


class Discounts:
    """Per coupon code, per line key: discount in cents."""

    def __init__(self, items: Sequence[DiscountItem]) -> None:
        # The remainder cents land on the dearest unit first: the observed real orders (10 % off a
        # 3 × 450.00 line and a 1 × 749.99 line) gave the extra cent to the 749.99 line.
        self.items = sorted(items, key=lambda i: -(i.price / i.quantity) if i.quantity else ZERO)
        self.by_coupon: dict[str, dict[int, Decimal]] = {}

    def item_discount(self, key: int) -> Decimal:
        return sum((per_item.get(key, ZERO) for per_item in self.by_coupon.values()), ZERO)

    def discounted_price(self, item: DiscountItem) -> Decimal:
        return abs(q(item.price - self.item_discount(item.key), 0))

    def apply(self, code: str, discount_type: str, amount: Decimal, eligible: set[int] | None = None) -> None:
        """Apply one coupon; `eligible` = the line keys it may discount (None = all)."""
        self.by_coupon.setdefault(code, {i.key: ZERO for i in self.items})
        items = [
            i
            for i in self.items
            if self.discounted_price(i) > 0 and i.quantity > 0 and (eligible is None or i.key in eligible)
        ]
        if discount_type == "percent":
            self._percent(code, items, amount)
        elif discount_type == "fixed_product":
            self._fixed_product(code, items, q(amount * HUNDRED, 4))
        elif discount_type == "fixed_cart":
            self._fixed_cart(code, items, q(amount * HUNDRED, 4))

    def _add(self, code: str, item: DiscountItem, cents: Decimal) -> None:
        self.by_coupon[code][item.key] += cents

    def _percent(self, code: str, items: list[DiscountItem], percent: Decimal) -> None:
        total = ZERO
        cart_total = ZERO
        for item in items:
            available = self.discounted_price(item)
            to_discount = q(item.price, 0)
            discount = q(min(available, floor(to_discount * percent / HUNDRED)), 0, ROUND_HALF_DOWN)
            cart_total += to_discount
            total += discount
            self._add(code, item, discount)
        whole = q(cart_total * percent / HUNDRED, 0, ROUND_HALF_DOWN)
        if total < whole:
            self._remainder(code, items, whole - total)

    def _fixed_product(self, code: str, items: list[DiscountItem], cents_per_unit: Decimal) -> Decimal:
        total = ZERO
        for item in items:
            discount = min(self.discounted_price(item), cents_per_unit * item.quantity)
            total += discount
            self._add(code, item, discount)
        return total

    def _fixed_cart(self, code: str, items: list[DiscountItem], amount: Decimal) -> Decimal:
        items = [i for i in items if self.discounted_price(i) > 0]
        count = sum(i.quantity for i in items)
        if not count or amount <= 0:
            return ZERO
        per_unit = floor(amount / count)
        if per_unit > 0:
            total = self._fixed_product(code, items, per_unit)
            if 0 < total < amount:
                total += self._fixed_cart(code, items, amount - total)
            return total
        return self._remainder(code, items, amount)

    def _remainder(self, code: str, items: list[DiscountItem], amount: Decimal) -> Decimal:
        total = ZERO
        for item in items:
            for _ in range(item.quantity):
                discount = min(self.discounted_price(item), Decimal(1))
                total += discount
                self._add(code, item, discount)
                if total >= amount:
                    return total
        return total

    def per_item(self) -> dict[int, Decimal]:
        """Total discount per line key, in currency units."""
        return {i.key: self.item_discount(i.key) / HUNDRED for i in self.items}


def coupon_of(code: str, coupons: Mapping[str, Mapping[str, Any]] | None, line: Mapping[str, Any]) -> dict[str, Any]:
    """The coupon definition for a coupon line: from the store's coupons, else from the line itself."""
    found = (coupons or {}).get(code.lower()) or (coupons or {}).get(code)
    if found:
        return dict(found)
    return {
        "id": 0,
        "code": code,
        "discount_type": line.get("discount_type") or "fixed_cart",
        "amount": str(line.get("nominal_amount") or "0"),
        "free_shipping": bool(line.get("free_shipping")),
    }


def eligible_lines(
    coupon: Mapping[str, Any], lines: Sequence[Mapping[str, Any]], on_sale: Sequence[bool]
) -> set[int] | None:
    """Line keys a coupon applies to (WC_Coupon::is_valid_for_product); None when every line is.

    Cart-wide fixed coupons pass `is_valid_for_cart` and so reach every line whatever their lists say.
    """
    if coupon.get("discount_type") == "fixed_cart":
        return None
    allowed = {int(p) for p in coupon.get("product_ids") or []}
    excluded = {int(p) for p in coupon.get("excluded_product_ids") or []}
    skip_sale = bool(coupon.get("exclude_sale_items"))
    if not allowed and not excluded and not skip_sale:
        return None
    keys = set()
    for key, line in enumerate(lines):
        ids = {int(line.get("product_id") or 0), int(line.get("variation_id") or 0)} - {0}
        if allowed and not ids & allowed:
            continue
        if ids & excluded or (skip_sale and on_sale[key]):
            continue
        keys.add(key)
    return keys
