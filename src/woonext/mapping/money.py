"""The rounding policy, in one place. Every money figure woonext sends follows these rules.

1. **Decimal, never float.** WooCommerce money arrives as strings ("12.50", "7.5") and is parsed
   into `Decimal` exactly (`money`); only a JSON body turns a 2-dp Decimal into a number
   (`as_json_number`), which is exact for 2-dp values. WooCommerce's float `price` is never used.
2. **Two decimals, ERPNext's way.** ERPNext rounds a row's `rate` to the currency precision (2 dp,
   half up for the positive amounts we send) and computes amount = rate × qty. `round2` mirrors
   that, so a row whose rate does not divide its line total is split into two rows whose amounts
   add up to the WooCommerce figure exactly (see `mapping.invoice.split_rows`).
3. **WooCommerce's stored order-level figures are the truth.** `total`, `total_tax`, line /
   shipping / fee `total` and `tax_lines` — never per-line taxes, which WooCommerce re-rounds on
   every read. When the tax lines do not add up to `total_tax` (each tax line and the total are
   rounded separately, e.g. with "round tax at subtotal level"), the cents in between are spread
   over the tax rows by `allocate_cents`, largest row first, one cent at a time — deterministic,
   and never more than one cent per row. A larger gap is a residual, never absorbed.
4. **No ERPNext rounding of its own.** Every invoice goes with `disable_rounded_total` 1 (so the
   outstanding amount is the grand total to the cent, not `rounded_total`), `ignore_pricing_rule`
   1 (no pricing rule may rewrite a rate), the row rate given explicitly (zero rows as 100 %
   discounted so no price-list rate creeps in) and taxes as "Actual" amounts (no percentage that
   ERPNext would recompute per row).
5. **Foreign currencies.** The invoice is in the order's currency; ERPNext converts with its own
   Currency Exchange rate for the posting date and rounds each `base_*` figure to 2 dp itself.
6. **A residual is never posted.** If the invoice cannot equal the order to the cent, the order is
   parked NeedsReview with the residual and its likely cause (`mapping.residual`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0")


class MoneyError(ValueError):
    """A money field that is not a number (the order cannot be mapped safely)."""


# What a money field may hold: WooCommerce's strings ("12.50", ""), numbers, ERPNext's floats. A
# TypedDict `.get()` of a misspelt key is `object`, which this refuses at type-checking time.
MoneyValue = str | int | float | Decimal | None


def money(value: MoneyValue, field: str = "amount") -> Decimal:
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


def has_sub_cents(value: Decimal) -> bool:
    """True when a figure carries digits below the cent (a 3-decimal currency, a raw stored value)."""
    return value != round2(value)


def allocate_cents(amounts: list[Decimal], target: Decimal) -> list[Decimal]:
    """`amounts` moved by whole cents so they add up to `target`: largest first, a cent per row.

    The caller decides whether the gap is small enough to be rounding (see rule 3 above)."""
    gap = target - sum(amounts, ZERO)
    out = list(amounts)
    if not out or gap == ZERO:
        return out
    step = CENT if gap > ZERO else -CENT
    order = sorted(range(len(out)), key=lambda i: (-abs(out[i]), i))
    n = 0
    while gap != ZERO:
        out[order[n % len(order)]] += step
        gap -= step
        n += 1
    return out


def as_json_number(value: Decimal) -> float | int:
    """Render a Decimal for a JSON body. ERPNext reads numbers; 2-dp Decimals are exact in float repr."""
    quantized = round2(value)
    if quantized == quantized.to_integral_value():
        return int(quantized)
    return float(quantized)
