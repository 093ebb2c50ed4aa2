"""WooCommerce's tax primitives: rates, settings, rate matching, `calc_tax` and its rounding rules.

Everything is `Decimal`. Where PHP works in floats, WooCommerce rounds at fixed points (tax amounts
to 6 places, money to 2); we round at the same points, which is what makes its figures reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

# WC_Tax::round uses wc_get_rounding_precision() = max(price decimals + 2, 6). The observed raw
# ex-tax price 986.04386 (= 1124.09 − round6(1124.09 − 1124.09 / 1.14)) confirms 6, not 4, places.
TAX_PRECISION = 6
CENT = Decimal("0.01")
ZERO = Decimal("0")


def q(value: Decimal, places: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    """PHP's round() on a decimal value (half away from zero by default)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def tax_rounding(prices_include_tax: bool) -> str:
    """wc_get_tax_rounding_mode: half down when the store enters prices with tax, else half up."""
    return ROUND_HALF_DOWN if prices_include_tax else ROUND_HALF_UP


def round_tax_total(value: Decimal, store_prices_include_tax: bool, places: int = 2) -> Decimal:
    """wc_round_tax_total with the store's *current* setting."""
    return q(value, places, tax_rounding(store_prices_include_tax))


def floor(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_FLOOR)


def money(value: Decimal | int | str, dp: int = 2) -> str:
    """A REST money string (`wc_format_decimal($v, dp)`: number_format, half away from zero)."""
    return f"{q(Decimal(value), dp):f}"


def php_number(value: Decimal) -> str:
    """A float as PHP stores it in order item meta: 14 significant digits, no trailing zeros."""
    if value.is_zero():
        return "0"
    digits = value.adjusted() + 1
    text = f"{q(value, max(0, 14 - digits)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def php_float_json(value: Decimal) -> int | float:
    """A PHP number that json_encode writes as an integer when it has no fraction."""
    return int(value) if value == value.to_integral_value() else float(value)


def class_slug(rest_class: str | None) -> str:
    """Tax class as stored on items: `""` for the standard class (REST rates say "standard")."""
    return "" if rest_class in (None, "", "standard") else rest_class


@dataclass(frozen=True)
class TaxRate:
    id: int
    rate: Decimal
    name: str = "Tax"
    country: str = ""
    state: str = ""
    postcodes: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    priority: int = 1
    compound: bool = False
    shipping: bool = True
    order: int = 0
    tax_class: str = ""  # "" = standard

    @classmethod
    def from_rest(cls, data: Mapping[str, Any]) -> TaxRate:
        postcodes = tuple(data.get("postcodes") or ([data["postcode"]] if data.get("postcode") else []))
        cities = tuple(data.get("cities") or ([data["city"]] if data.get("city") else []))
        return cls(
            id=int(data["id"]),
            rate=Decimal(str(data.get("rate") or "0")),
            name=str(data.get("name") or ""),
            country=str(data.get("country") or "").upper(),
            state=str(data.get("state") or "").upper(),
            postcodes=tuple(p.upper() for p in postcodes),
            cities=tuple(c.upper() for c in cities),
            priority=int(data.get("priority") or 1),
            compound=bool(data.get("compound")),
            shipping=bool(data.get("shipping", True)),
            order=int(data.get("order") or 0),
            tax_class=class_slug(data.get("class")),
        )

    def to_rest(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "country": self.country,
            "state": self.state,
            "postcode": ";".join(self.postcodes),
            "city": ";".join(self.cities),
            "rate": f"{self.rate:.4f}",
            "name": self.name,
            "priority": self.priority,
            "compound": self.compound,
            "shipping": self.shipping,
            "order": self.order,
            "class": self.tax_class or "standard",
            "postcodes": list(self.postcodes),
            "cities": list(self.cities),
        }

    @property
    def code(self) -> str:
        """WC_Tax::get_rate_code: COUNTRY-STATE-NAME-PRIORITY, empty parts dropped."""
        parts = [self.country, self.state, self.name or "TAX", str(self.priority)]
        return "-".join(p for p in parts if p).upper()

    def matches(self, location: Location, tax_class: str) -> bool:
        if self.tax_class != tax_class:
            return False
        if self.country and self.country != location.country:
            return False
        if self.state and self.state != location.state:
            return False
        if self.postcodes and not any(_postcode_matches(p, location.postcode) for p in self.postcodes):
            return False
        return not self.cities or location.city.upper() in self.cities

    @property
    def specificity(self) -> int:
        return (4 if self.postcodes else 0) + (2 if self.cities else 0) + (1 if self.state else 0)


def _postcode_matches(pattern: str, postcode: str) -> bool:
    postcode = postcode.upper().replace(" ", "")
    if "..." in pattern:
        low, high = pattern.split("...", 1)
        return low.isdigit() and high.isdigit() and postcode.isdigit() and int(low) <= int(postcode) <= int(high)
    if pattern.endswith("*"):
        return postcode.startswith(pattern[:-1])
    return postcode == pattern


@dataclass(frozen=True)
class Location:
    country: str = ""
    state: str = ""
    postcode: str = ""
    city: str = ""


@dataclass(frozen=True)
class TaxSettings:
    prices_include_tax: bool = False
    tax_based_on: str = "shipping"  # shipping | billing | base
    shipping_tax_class: str = "inherit"  # inherit | "" (standard) | a class slug
    round_at_subtotal: bool = False
    calc_taxes: bool = True
    tax_classes: tuple[str, ...] = ("", "reduced-rate", "zero-rate")  # slugs, standard first
    base: Location = field(default_factory=lambda: Location("EG", "EGC", "11511", "CAIRO"))
    price_decimals: int = 2

    @classmethod
    def from_rest(
        cls,
        tax_settings: Iterable[Mapping[str, Any]],
        general: Iterable[Mapping[str, Any]] | None = None,
        tax_classes: Iterable[Mapping[str, Any]] | None = None,
    ) -> TaxSettings:
        """From `GET /settings/tax` (and optionally `/settings/general`, `/taxes/classes`)."""
        values = {s["id"]: s.get("value") for s in tax_settings}
        gen = {s["id"]: s.get("value") for s in (general or [])}
        country, _, state = str(gen.get("woocommerce_default_country") or "EG:EGC").partition(":")
        slugs = tuple(class_slug(c["slug"]) for c in tax_classes) if tax_classes else cls.tax_classes
        return cls(
            prices_include_tax=values.get("woocommerce_prices_include_tax") == "yes",
            tax_based_on=str(values.get("woocommerce_tax_based_on") or "shipping"),
            shipping_tax_class=str(values.get("woocommerce_shipping_tax_class", "inherit") or ""),
            round_at_subtotal=values.get("woocommerce_tax_round_at_subtotal") == "yes",
            calc_taxes=gen.get("woocommerce_calc_taxes", "yes") != "no",
            tax_classes=slugs,
            base=Location(
                country.upper(),
                state.upper(),
                str(gen.get("woocommerce_store_postcode") or ""),
                str(gen.get("woocommerce_store_city") or "").upper(),
            ),
            price_decimals=int(gen.get("woocommerce_price_num_decimals") or 2),
        )


def find_rates(
    rates: Sequence[TaxRate], location: Location, tax_class: str, *, shipping: bool = False
) -> list[TaxRate]:
    """WC_Tax::find_rates: the best-matching rate of each priority, in priority order."""
    candidates = [r for r in rates if r.matches(location, tax_class) and (r.shipping or not shipping)]
    candidates.sort(key=lambda r: (r.priority, -r.specificity, r.order, r.id))
    chosen: list[TaxRate] = []
    seen: set[int] = set()
    for rate in candidates:
        if rate.priority not in seen:
            seen.add(rate.priority)
            chosen.append(rate)
    return chosen


def calc_tax(price: Decimal, rates: Sequence[TaxRate], price_includes_tax: bool = False) -> dict[int, Decimal]:
    """WC_Tax::calc_tax: per-rate tax on `price`, each rounded to TAX_PRECISION places."""
    taxes: dict[int, Decimal] = {r.id: ZERO for r in rates}
    if price_includes_tax:
        remaining = price
        for rate in reversed([r for r in rates if r.compound]):
            amount = remaining - remaining / (1 + rate.rate / 100)
            taxes[rate.id] += amount
            remaining -= amount
        regular = [r for r in rates if not r.compound]
        regular_total = 1 + sum((r.rate for r in regular), ZERO) / 100
        for rate in regular:
            share = (rate.rate / 100) / regular_total
            taxes[rate.id] += share * remaining
    else:
        for rate in rates:
            if not rate.compound:
                taxes[rate.id] += price * rate.rate / 100
        for rate in rates:
            if rate.compound:
                pre_compound = sum(taxes.values(), ZERO)
                taxes[rate.id] += (price + pre_compound) * rate.rate / 100
    return {rid: q(amount, TAX_PRECISION) for rid, amount in taxes.items()}
