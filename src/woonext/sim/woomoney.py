"""WooCommerce 11's order arithmetic, pure and in `Decimal` (observed-real.md, "how it computes money").

`calculate_order` takes an order in REST shape (lines with product ids and quantities, optional
ex-tax subtotal/total; coupon, fee and shipping lines; addresses) and fills in every money field
the way WooCommerce writes it when the order is created or recalculated through the REST API.
The stored per-rate tax amounts (6 places) and raw ex-tax line figures are kept under `_sim_` keys:
WooCommerce re-renders line taxes on every GET with the store's *current* rounding mode, which
`render_line_taxes` reproduces. `_sim_` keys are private and never served.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from woonext.sim.woomoney_coupons import HUNDRED, DiscountItem, Discounts, coupon_of, eligible_lines
from woonext.sim.woomoney_lines import (
    COUPON_KEYS,
    FEE_KEYS,
    LINE_KEYS,
    SHIPPING_KEYS,
    IdAllocator,
    LineCalc,
    dec,
    in_rest_order,
    line_price,
    render_line_taxes,
    strip_private,
    sum_rounded,
    write_fees,
    write_lines,
    write_shipping,
    write_tax_lines,
)
from woonext.sim.woomoney_refunds import calculate_refund, refund_summary
from woonext.sim.woomoney_tax import (
    ZERO,
    Location,
    TaxRate,
    TaxSettings,
    calc_tax,
    class_slug,
    find_rates,
    money,
    php_float_json,
    php_number,
    q,
    round_tax_total,
)

__all__ = [
    "TaxRate",
    "TaxSettings",
    "calculate_order",
    "render_line_taxes",
    "calculate_refund",
    "refund_summary",
    "line_price",
    "strip_private",
    "tax_location",
]

Order = dict[str, Any]


def tax_location(order: Mapping[str, Any], settings: TaxSettings) -> Location:
    """WC_Abstract_Order::get_tax_location: shipping address, else billing, else the shop base (also
    for local pickup)."""
    based_on = settings.tax_based_on
    shipping = order.get("shipping") or {}
    billing = order.get("billing") or {}
    if based_on == "shipping" and not shipping.get("country"):
        based_on = "billing"
    address = billing if based_on == "billing" else shipping
    pickup = any(
        str(s.get("method_id")) in ("local_pickup", "legacy_local_pickup") for s in order.get("shipping_lines") or []
    )
    if based_on == "base" or pickup or not address.get("country"):
        return settings.base
    return Location(
        str(address.get("country") or "").upper(),
        str(address.get("state") or "").upper(),
        str(address.get("postcode") or ""),
        str(address.get("city") or "").upper(),
    )


def _product_for(line: Mapping[str, Any], products: Mapping[int, Mapping[str, Any]]) -> tuple[Any, Any]:
    variation = products.get(int(line.get("variation_id") or 0)) if line.get("variation_id") else None
    parent = products.get(int(line.get("product_id") or 0))
    return variation or parent, parent


def _build_line(
    raw: dict[str, Any],
    products: Mapping[int, Mapping[str, Any]],
    rates: list[TaxRate],
    settings: TaxSettings,
    include_tax: bool,
) -> LineCalc:
    product, parent = _product_for(raw, products)
    product_class = (product or {}).get("tax_class")
    if product_class == "parent":
        product_class = (parent or {}).get("tax_class")
    # A stored line keeps its own class; a new line takes its product's (as set_product does).
    stored = raw.get("_sim_total") is not None or product is None
    tax_class = class_slug(raw.get("tax_class") if stored else product_class)
    taxable = (product or {}).get("tax_status", "taxable") == "taxable"
    quantity = int(raw.get("quantity") or 0)

    shelf: Decimal | None = None
    if product is not None and product.get("price") not in (None, ""):
        shelf = dec(product["price"]) * quantity
        if include_tax and taxable:
            # wc_get_price_excluding_tax: only the *base* location's tax is taken off the shelf price.
            base_rates = find_rates(rates, settings.base, tax_class)
            shelf -= sum(calc_tax(shelf, base_rates, True).values(), ZERO)

    def given(key: str) -> Decimal | None:
        shown = raw.get(key)
        hidden = raw.get(f"_sim_{key}")
        if hidden is not None and (shown in (None, "") or money(dec(hidden)) == money(dec(shown))):
            return dec(hidden)  # unchanged since we stored it: keep WooCommerce's hidden decimals
        return None if shown in (None, "") else dec(shown)

    total = given("total")
    subtotal = given("subtotal")
    if total is None:
        total = shelf if shelf is not None else (subtotal if subtotal is not None else ZERO)
    if subtotal is None:
        # A posted total alone leaves the subtotal at the product's price: the gap shows as discount.
        subtotal = shelf if shelf is not None and raw.get("_sim_total") is None else total
    return LineCalc(raw, product, tax_class, taxable, subtotal, total)


def _coerce_rates(rates: Iterable[TaxRate | Mapping[str, Any]]) -> list[TaxRate]:
    return [r if isinstance(r, TaxRate) else TaxRate.from_rest(r) for r in rates]


def _coerce_settings(settings: TaxSettings | Mapping[str, Any]) -> TaxSettings:
    """A TaxSettings, or a flat dict of option names without the `woocommerce_` prefix."""
    if isinstance(settings, TaxSettings):
        return settings
    plain = {str(k).removeprefix("woocommerce_"): v for k, v in settings.items()}

    def flag(key: str, default: bool) -> bool:
        value = plain.get(key, default)
        return value in (True, "yes", 1, "1") if not isinstance(value, bool) else value

    default = TaxSettings()
    return TaxSettings(
        prices_include_tax=flag("prices_include_tax", False),
        tax_based_on=str(plain.get("tax_based_on") or default.tax_based_on),
        shipping_tax_class=str(plain.get("shipping_tax_class", default.shipping_tax_class) or ""),
        round_at_subtotal=flag("tax_round_at_subtotal", False),
        calc_taxes=flag("calc_taxes", True),
        price_decimals=int(plain.get("price_num_decimals") or 2),
    )


def _coerce_coupons(coupons: Mapping[str, Any] | Iterable[Mapping[str, Any]] | None) -> dict[str, dict]:
    if coupons is None:
        return {}
    if isinstance(coupons, Mapping):
        return {str(code).lower(): dict(c) for code, c in coupons.items()}
    return {str(c["code"]).lower(): dict(c) for c in coupons}


def calculate_order(
    order: Mapping[str, Any],
    *,
    rates: list[TaxRate],
    settings: TaxSettings,
    coupons: dict[str, dict] | None = None,
    products: dict[int, dict] | None = None,
) -> dict:
    """Fill in every money field of `order` as WooCommerce does (a new dict; the input is untouched).

    Also accepts REST-shaped rates (`/taxes` objects), a flat settings dict and a list of coupons.
    """
    rates = _coerce_rates(rates)
    settings = _coerce_settings(settings)
    coupons = _coerce_coupons(coupons)
    out: Order = copy.deepcopy(dict(order))
    products = products or {}
    include_tax = bool(out.get("prices_include_tax", settings.prices_include_tax))
    out["prices_include_tax"] = include_tax
    store_incl = settings.prices_include_tax  # rounding follows the store's setting, not the order's
    location = tax_location(out, settings)
    taxes_on = settings.calc_taxes and bool(rates)
    ids = IdAllocator(out)

    lines = [_build_line(raw, products, rates, settings, include_tax) for raw in out.get("line_items") or []]
    _line_taxes(lines, rates, location, taxes_on)

    coupon_rows = out.get("coupon_lines") or []
    if coupon_rows:
        _apply_coupons(out, lines, coupon_rows, coupons, rates, location, include_tax, store_incl, taxes_on)
        _line_taxes(lines, rates, location, taxes_on)

    shipping_total = ZERO
    for ship in out.get("shipping_lines") or []:
        shipping_total += q(dec(ship.get("total")), 2)
    cart_total = sum((q(line.total, 2) for line in lines), ZERO)
    cart_subtotal = sum((q(line.subtotal, 2) for line in lines), ZERO)

    fees_total = ZERO
    fee_taxes: list[dict[int, Decimal]] = []
    for fee in out.get("fee_lines") or []:
        fee_total = dec(fee.get("total"))
        if fee_total < 0:
            # A negative fee may not take the order below zero.
            max_discount = -q(cart_total + fees_total + shipping_total, 2)
            if fee_total < max_discount < 0:
                fee_total = max_discount
        fees_total += fee_total
        fee["total"] = php_number(fee_total)
    for fee in out.get("fee_lines") or []:
        fee_taxes.append(_fee_taxes(fee, out, lines, settings, rates, location, taxes_on))

    ship_class = _shipping_class(settings, lines)
    ship_taxes: list[dict[int, Decimal]] = []
    for ship in out.get("shipping_lines") or []:
        taxable = ship.get("tax_status", "taxable") == "taxable"
        if taxes_on and taxable and ship_class is not None:
            ship_rates = find_rates(rates, location, ship_class, shipping=True)
            ship_taxes.append(calc_tax(dec(ship.get("total")), ship_rates, False))
        else:
            ship_taxes.append({})

    # update_taxes: per-rate amounts rounded per line with the current mode, then summed.
    def round_line(value: Decimal) -> Decimal:
        return value if settings.round_at_subtotal else round_tax_total(value, store_incl)

    cart_by_rate: dict[int, Decimal] = {}
    for taxes in [line.taxes for line in lines] + fee_taxes:
        for rid, amount in taxes.items():
            cart_by_rate[rid] = cart_by_rate.get(rid, ZERO) + round_line(amount)
    ship_by_rate: dict[int, Decimal] = {}
    for taxes in ship_taxes:
        for rid, amount in taxes.items():
            ship_by_rate[rid] = ship_by_rate.get(rid, ZERO) + round_line(amount)

    cart_tax = round_tax_total(sum(cart_by_rate.values(), ZERO), store_incl)
    shipping_tax = round_tax_total(sum(ship_by_rate.values(), ZERO), store_incl)
    raw_total_tax = sum((t for line in lines for t in line.taxes.values()), ZERO)
    raw_subtotal_tax = sum((t for line in lines for t in line.subtotal_taxes.values()), ZERO)

    write_lines(out, lines, store_incl, settings, ids)
    write_fees(out, fee_taxes, store_incl, settings, ids)
    write_shipping(out, ship_taxes, store_incl, settings, ids)
    write_tax_lines(out, rates, cart_by_rate, ship_by_rate, ids)
    for row in out.get("coupon_lines") or []:
        if not row.get("id"):
            row["id"] = ids.next()

    for group, keys in (
        ("line_items", LINE_KEYS),
        ("shipping_lines", SHIPPING_KEYS),
        ("fee_lines", FEE_KEYS),
        ("coupon_lines", COUPON_KEYS),
    ):
        if out.get(group):
            out[group] = [in_rest_order(item, keys) for item in out[group]]
    out["discount_total"] = money(cart_subtotal - cart_total)
    out["discount_tax"] = money(round_tax_total(raw_subtotal_tax - raw_total_tax, store_incl))
    out["shipping_total"] = money(shipping_total)
    out["shipping_tax"] = money(shipping_tax)
    out["cart_tax"] = money(cart_tax)
    out["total_tax"] = money(cart_tax + shipping_tax)
    out["total"] = money(cart_total + fees_total + shipping_total + cart_tax + shipping_tax)
    return out


def _line_taxes(lines: list[LineCalc], rates: list[TaxRate], location: Location, taxes_on: bool) -> None:
    for line in lines:
        if taxes_on and line.taxable:
            line_rates = find_rates(rates, location, line.tax_class)
            line.taxes = calc_tax(line.total, line_rates, False)
            line.subtotal_taxes = calc_tax(line.subtotal, line_rates, False)
        else:
            line.taxes, line.subtotal_taxes = {}, {}


def _apply_coupons(
    out: Order,
    lines: list[LineCalc],
    rows: list[dict[str, Any]],
    coupons: Any,
    rates: list[TaxRate],
    location: Location,
    include_tax: bool,
    store_incl: bool,
    taxes_on: bool,
) -> None:
    """WC_Abstract_Order::recalculate_coupons: reset totals, discount, then take tax off gross discounts."""
    items = []
    for key, line in enumerate(lines):
        line.total = line.subtotal
        price = line.subtotal
        if include_tax:
            price += sum_rounded(line.subtotal_taxes, store_incl, False)
        items.append(DiscountItem(key, line.quantity, q(price * HUNDRED, 4)))
    discounts = Discounts(items)
    defs = []
    for row in rows:
        coupon = coupon_of(str(row.get("code") or ""), coupons, row)
        defs.append(coupon)
        eligible = eligible_lines(
            coupon, [line.raw for line in lines], [bool((line.product or {}).get("on_sale")) for line in lines]
        )
        discounts.apply(str(row.get("code")), str(coupon.get("discount_type")), dec(coupon.get("amount")), eligible)

    for key, amount in discounts.per_item().items():
        line = lines[key]
        if include_tax and taxes_on and line.taxable:
            amount -= sum(calc_tax(amount, find_rates(rates, location, line.tax_class), True).values(), ZERO)
        line.total = max(ZERO, line.total - amount)

    for row, coupon in zip(rows, defs, strict=True):
        per_item = discounts.by_coupon.get(str(row.get("code")), {})
        amount = sum(per_item.values(), ZERO) / HUNDRED
        discount_tax = ZERO
        if taxes_on:
            for key, cents in per_item.items():
                line = lines[key]
                if not line.taxable:
                    continue
                line_rates = find_rates(rates, location, line.tax_class)
                tax = sum(calc_tax(cents / HUNDRED, line_rates, include_tax).values(), ZERO)
                tax = round_tax_total(tax, store_incl)
                discount_tax += tax
                if include_tax:
                    amount -= tax
        coupon_amount = dec(coupon.get("amount"))
        row["discount"] = php_number(amount)
        row["discount_tax"] = php_number(discount_tax)
        row.setdefault("discount_type", coupon.get("discount_type"))
        row.setdefault("nominal_amount", php_float_json(coupon_amount))
        row.setdefault("free_shipping", bool(coupon.get("free_shipping")))
        info = json.dumps(
            [coupon.get("id", 0), row.get("code"), coupon.get("discount_type"), php_float_json(coupon_amount)],
            separators=(",", ":"),
        )
        row.setdefault(
            "meta_data", [{"key": "coupon_info", "value": info, "display_key": "coupon_info", "display_value": info}]
        )


def _fee_taxes(
    fee: dict[str, Any],
    order: Order,
    lines: list[LineCalc],
    settings: TaxSettings,
    rates: list[TaxRate],
    location: Location,
    taxes_on: bool,
) -> dict[int, Decimal]:
    if not taxes_on:
        return {}
    fee_total = dec(fee.get("total"))
    if fee_total >= 0:
        if fee.get("tax_status", "taxable") != "taxable":
            return {}
        return calc_tax(fee_total, find_rates(rates, location, class_slug(fee.get("tax_class"))), False)
    # A negative fee ignores its own tax status: its (negative) tax is apportioned over the order's
    # other costs by tax class (WC_Order_Item_Fee::get_tax_class_costs). Lines count in their own
    # class, shipping in the first item class, untaxed costs only dilute the shares.
    item_classes = list(dict.fromkeys(line.tax_class for line in lines if line.taxable))
    costs: dict[str | None, Decimal] = {}

    def add(tax_class: str | None, amount: Decimal) -> None:
        if amount > 0:
            costs[tax_class] = costs.get(tax_class, ZERO) + amount

    for line in lines:
        add(line.tax_class if line.taxable else None, line.total)
    for other in order.get("fee_lines") or []:
        taxable = other.get("tax_status", "taxable") == "taxable"
        add(class_slug(other.get("tax_class")) if taxable else None, dec(other.get("total")))
    for ship in order.get("shipping_lines") or []:
        shipping_class: str | None = settings.shipping_tax_class
        if shipping_class == "inherit":
            shipping_class = item_classes[0] if item_classes else None
        add(shipping_class if ship.get("tax_status", "taxable") == "taxable" else None, dec(ship.get("total")))
    whole = sum(costs.values(), ZERO)
    taxes: dict[int, Decimal] = {}
    if whole:
        for tax_class, cost in costs.items():
            if tax_class is None:
                continue
            share = fee_total * cost / whole
            for rid, amount in calc_tax(share, find_rates(rates, location, class_slug(tax_class)), False).items():
                taxes[rid] = taxes.get(rid, ZERO) + amount
    return taxes


def _shipping_class(settings: TaxSettings, lines: list[LineCalc]) -> str | None:
    if settings.shipping_tax_class != "inherit":
        return class_slug(settings.shipping_tax_class)
    present = {line.tax_class for line in lines if line.taxable}
    for slug in settings.tax_classes:
        if slug in present:
            return slug
    return None
