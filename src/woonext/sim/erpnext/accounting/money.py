"""Frappe's number handling, in Decimal.

Frappe rounds with `flt(value, precision)` → `rounded()`, whose behaviour depends on System Settings
`rounding_method`. Sites carry "Banker's Rounding (legacy)" (the patch that introduced the setting
sets it), and that legacy method is *not* plain banker's rounding:

- with a precision (cents): an exact half goes up, towards +infinity (2.345 → 2.35, −2.345 → −2.34);
  everything else rounds to nearest;
- to whole units (precision 0, used for `rounded_total`): an exact half goes to the even neighbour
  (24.5 → 24, 25.5 → 26).

We reproduce exactly that by default; a site whose System Settings say "Banker's Rounding" (ties
to even) or "Commercial Rounding" (ties away from zero) gets that instead (`rounding_method`, set by
the controllers per request). Amounts are Decimal everywhere and only become JSON floats on output.
"""

from __future__ import annotations

from contextvars import ContextVar
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

LEGACY = "Banker's Rounding (legacy)"
rounding_method: ContextVar[str] = ContextVar("rounding_method", default=LEGACY)

CURRENCY_PRECISION = 2  # System Settings currency precision for "#,###.##"
FLOAT_PRECISION = 3  # System Settings float precision default (qty, conversion factor, percent)
RATE_PRECISION = 9  # conversion_rate / exchange rates carry precision 9 in the doctypes

ZERO = Decimal("0")


def dec(value: Any) -> Decimal:
    """Like Frappe's `flt` without precision: None, "" and junk become 0; floats go through repr."""
    if value is None or value == "":
        return ZERO
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return ZERO


def flt(value: Any, precision: int | None = None) -> Decimal:
    """Frappe `flt(value, precision)` under the site's rounding method (see module doc)."""
    number = dec(value)
    if precision is None:
        return number
    step = Decimal(1).scaleb(-precision)
    method = rounding_method.get()
    if method == "Banker's Rounding":
        return number.quantize(step, rounding=ROUND_HALF_EVEN)
    if method == "Commercial Rounding":
        return number.quantize(step, rounding=ROUND_HALF_UP)
    if precision == 0:
        return number.quantize(step, rounding=ROUND_HALF_EVEN)
    # legacy: floor(x * 10^p + 0.5), i.e. nearest, exact halves towards +infinity
    shifted = (number / step + Decimal("0.5")).quantize(Decimal(1), rounding=ROUND_FLOOR)
    return (shifted * step).quantize(step)


def money(value: Any) -> Decimal:
    return flt(value, CURRENCY_PRECISION)


def cint(value: Any) -> int:
    try:
        return int(dec(value))
    except (InvalidOperation, ValueError):
        return 0


def as_number(value: Decimal) -> float:
    """JSON output: Frappe returns Currency/Float fields as floats (49.98, 0.0)."""
    return float(value)


def round_to_smallest_fraction(value: Decimal, smallest_fraction: Decimal, precision: int = 2) -> Decimal:
    """`round_based_on_smallest_currency_fraction`: without a smallest fraction, round to units."""
    if smallest_fraction:
        remainder = value % smallest_fraction
        if remainder > smallest_fraction / 2:
            value += smallest_fraction - remainder
        else:
            value -= remainder
        return flt(value, precision)
    return flt(flt(value, 0), precision)


_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        parts.append(f"{_ONES[hundreds]} hundred")
    if rest:
        words = _ONES[rest] if rest < 20 else _TENS[rest // 10] + (f"-{_ONES[rest % 10]}" if rest % 10 else "")
        parts.append(("and " if hundreds else "") + words)
    return " ".join(parts)


def number_in_words(n: int) -> str:
    """English cardinal as num2words writes it ("one thousand, two hundred and thirty-four")."""
    if n == 0:
        return "zero"
    chunks: list[str] = []
    for size, name in _SCALES:
        if n >= size:
            count, n = divmod(n, size)
            chunks.append(f"{number_in_words(count)} {name}")
    if n:
        tail = _below_thousand(n)
        # num2words joins a final chunk below 100 with "and" after a scale word
        chunks.append(("and " + tail) if chunks and n < 100 else tail)
    return ", ".join(chunks)


def money_in_words(amount: Decimal, currency: str, fraction_name: str) -> str:
    """Frappe `money_in_words` (English, "#,###.##"): "EGP Forty Nine and Ninety Eight Piastre[F] only."."""
    if amount < 0:
        return ""
    text = f"{flt(amount, CURRENCY_PRECISION):.2f}"
    main, fraction = text.split(".")
    if main == "0" and int(fraction) == 0:
        out = f"{currency} Zero"
    elif main == "0":
        out = f"{_words(int(fraction))} {fraction_name}"
    else:
        out = f"{currency} {_words(int(main))}"
        if int(fraction):
            out += f" and {_words(int(fraction))} {fraction_name}"
    return out + " only."


def _words(n: int) -> str:
    return number_in_words(n).replace("-", " ").title()
