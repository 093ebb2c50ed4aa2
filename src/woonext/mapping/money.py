"""The rounding policy, in one place.

WooCommerce stores money as strings with the store's decimals; we parse them into `Decimal` and
never go through float. ERPNext rounds row rates to 2 places (half up, away from zero for
positives) and computes amount = rate × qty; we mirror that so the invoice we send adds up before
ERPNext sees it. Invoices are sent with `disable_rounded_total` 1 so outstanding follows the grand
total to the cent, and with `ignore_pricing_rule` 1 so no pricing rule rewrites a rate.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0")


class MoneyError(ValueError):
    """A money field that is not a number (the order cannot be mapped safely)."""


def money(value: Any, field: str = "amount") -> Decimal:
    """Parse a WooCommerce money value ("12.50", "7.5", "", None, or a number) exactly."""
    if value is None or value == "":
        return ZERO
    if isinstance(value, float):
        # Only WooCommerce's `price` is a float, and we never use it; anything else is a bug upstream.
        value = repr(value)
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise MoneyError(f"{field} is not a number: {value!r}") from exc
    if not parsed.is_finite():
        raise MoneyError(f"{field} is not a finite number: {value!r}")
    return parsed


def round2(value: Decimal) -> Decimal:
    """Round to cents the way ERPNext's `flt(x, 2)` does for the amounts we send (half up)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def as_json_number(value: Decimal) -> float | int:
    """Render a Decimal for a JSON body. ERPNext reads numbers; 2-dp Decimals are exact in float repr."""
    quantized = round2(value)
    if quantized == quantized.to_integral_value():
        return int(quantized)
    return float(quantized)
