"""Hypothesis strategies for WooCommerce orders whose figures WooCommerce itself would compute.

Inputs (products, quantities, manual line prices, shipping, fees, coupons, the tax setting, the
address, the currency) are drawn here; every money figure of the order comes from
`woonext.sim.woomoney.calculate_order`, the simulator's port of WooCommerce 11's arithmetic.
`features()` names what an order exercises, for the coverage counter the property test prints.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from woonext.sim.generator_masters import tax_account_name
from woonext.sim.woomoney import TaxRate, TaxSettings, calculate_order

# The store observed in observed-real.md: VAT 14 % standard, a 1 % levy for one state (priority 2),
# 5 % reduced, 0 % zero; all apply to shipping. A second standard rate for Alexandria (compound)
# adds a third rate on one order.
RATES = [
    TaxRate(1, Decimal("14"), "VAT", "EG", priority=1, order=1, tax_class=""),
    TaxRate(2, Decimal("1"), "Local levy", "EG", "EGGZ", priority=2, order=2, tax_class=""),
    TaxRate(3, Decimal("5"), "VAT reduced", "EG", priority=1, order=3, tax_class="reduced-rate"),
    TaxRate(4, Decimal("0"), "VAT zero", "EG", priority=1, order=4, tax_class="zero-rate"),
    TaxRate(5, Decimal("2.5"), "City tax", "EG", "EGALX", priority=2, order=5, tax_class="", compound=True),
]
TAX_ACCOUNTS = {str(r.id): tax_account_name(r.name, r.rate) for r in RATES}
CLASSES = ["", "", "reduced-rate", "zero-rate"]
PRODUCTS = 12  # SKU-1 … SKU-12; the class of product n is CLASSES[n % 4]
CURRENCIES = {"EGP": 8, "USD": 1, "EUR": 1}
STATES = ["EGC", "EGGZ", "EGALX"]
SHIPPING_TOTALS = ["0.00", "10.00", "25.00", "35.50", "47.37", "60.00"]
FEE_TOTALS = ["25.00", "15.00", "7.33", "-25.00", "-10.00", "-3.37", "-500.00"]
PERCENTS = ["5", "10", "12.5", "33.33", "50", "100"]
FIXED_CART = ["5.00", "7.50", "25.00", "99.99", "5000.00"]
FIXED_PRODUCT = ["1.00", "3.00", "7.50", "20.00"]


def sku(product_id: int) -> str:
    return f"SKU-{product_id}"


cents = st.integers(min_value=0, max_value=250_000).map(lambda c: Decimal(c) / 100)
odd_prices = st.sampled_from(["0.01", "0.99", "9.99", "19.95", "24.99", "33.33", "100.00", "149.95", "986.04"]).map(
    Decimal
)
prices = st.one_of(cents, odd_prices, st.just(Decimal(0)))
quantities = st.sampled_from([1, 1, 1, 2, 3, 4, 7])
shelf_kinds = st.sampled_from(["shelf", "shelf", "manual_discount", "free"])
manual_kinds = st.sampled_from(["manual", "manual", "manual_discount", "free"])
hand_discounts = st.sampled_from([Decimal("0.9"), Decimal("0.5"), Decimal("0.333"), Decimal(0)])
tax_statuses = st.sampled_from(["taxable"] * 5 + ["none"])
currencies = st.sampled_from([c for c, w in CURRENCIES.items() for _ in range(w)])
tax_switch = st.sampled_from([True] * 9 + [False])
shipping_methods = st.sampled_from(["flat_rate"] * 5 + ["local_pickup"])
shipping_totals = st.sampled_from(SHIPPING_TOTALS)
shipping_statuses = st.sampled_from(["taxable", "taxable", "none"])
fee_classes = st.sampled_from(["", "reduced-rate"])
fee_statuses = st.sampled_from(["taxable", "none"])
fee_totals = st.sampled_from(FEE_TOTALS)
coupon_counts = st.sampled_from([0, 0, 1, 1, 2])
coupon_kinds = st.sampled_from(["percent", "fixed_cart", "fixed_product"])
coupon_amounts = {
    "percent": st.sampled_from(PERCENTS),
    "fixed_cart": st.sampled_from(FIXED_CART),
    "fixed_product": st.sampled_from(FIXED_PRODUCT),
}
states = st.sampled_from(STATES)
gateways = st.sampled_from(["cod", "cod", "kashier_card", "instapay"])


@st.composite
def line_inputs(draw: st.DrawFn, currency: str, products: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """A line; its product (price, tax status) is drawn the first time an order uses it."""
    product_id = draw(st.integers(1, PRODUCTS))
    if product_id not in products:
        products[product_id] = {
            "id": product_id,
            "name": f"Product {product_id}",
            "sku": sku(product_id),
            "tax_class": CLASSES[product_id % 4] or "standard",
            "tax_status": draw(tax_statuses),
            "price": f"{draw(prices):.2f}",
        }
    quantity = draw(quantities)
    line: dict[str, Any] = {
        "product_id": product_id,
        "variation_id": 0,
        "quantity": quantity,
        "name": f"Product {product_id}",
        "sku": sku(product_id),
        "meta_data": [],
    }
    kind = draw(shelf_kinds if currency == "EGP" else manual_kinds)
    if kind == "free":
        line["subtotal"] = line["total"] = "0.00"
    elif kind != "shelf":
        subtotal = draw(prices) * quantity
        total = subtotal
        if kind == "manual_discount":  # a price lowered by hand in the admin: no coupon behind it
            total = (subtotal * draw(hand_discounts)).quantize(Decimal("0.01"))
        line["subtotal"], line["total"] = f"{subtotal:.2f}", f"{total:.2f}"
    line["_kind"] = kind
    return line


@st.composite
def woo_orders(draw: st.DrawFn, order_id: int) -> dict[str, Any]:
    """One order with every money field filled by WooCommerce's arithmetic (woomoney)."""
    currency = draw(currencies)
    include_tax = draw(st.booleans())
    settings = TaxSettings(
        prices_include_tax=include_tax, round_at_subtotal=draw(st.booleans()), calc_taxes=draw(tax_switch)
    )
    products: dict[int, dict[str, Any]] = {}
    lines = draw(st.lists(line_inputs(currency, products), min_size=1, max_size=4))
    shipping = [
        {
            "method_title": "Flat rate",
            "method_id": draw(shipping_methods),
            "instance_id": "",
            "total": draw(shipping_totals),
            "tax_status": draw(shipping_statuses),
            "meta_data": [],
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    fees = [
        {
            "name": "Fee",
            "tax_class": draw(fee_classes),
            "tax_status": draw(fee_statuses),
            "amount": "",
            "total": draw(fee_totals),
            "meta_data": [],
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    coupons: dict[str, dict[str, Any]] = {}
    for n in range(draw(coupon_counts)):
        kind = draw(coupon_kinds)
        coupons[f"c{n}-{kind}"] = {
            "id": 70 + n,
            "code": f"c{n}-{kind}",
            "discount_type": kind,
            "amount": draw(coupon_amounts[kind]),
            "product_ids": [],
            "excluded_product_ids": [],
            "exclude_sale_items": False,
            "free_shipping": False,
        }
    state = draw(states)
    address = {
        "first_name": "Mona",
        "last_name": f"Buyer{order_id}",
        "company": "",
        "address_1": "1 Nile St",
        "address_2": "",
        "city": "Cairo",
        "state": state,
        "postcode": "11511",
        "country": "EG",
    }
    gateway = draw(gateways)
    raw: dict[str, Any] = {
        "id": order_id,
        "number": str(order_id),
        "parent_id": 0,
        "status": "processing",
        "currency": currency,
        "version": "11.0.1",
        "prices_include_tax": include_tax,
        "date_created": "2026-03-01T10:00:00",
        "date_created_gmt": "2026-03-01T08:00:00",
        "date_modified": "2026-03-01T10:00:00",
        "date_modified_gmt": "2026-03-01T08:00:00",
        "date_paid": "2026-03-01T10:05:00",
        "date_paid_gmt": "2026-03-01T08:05:00",
        "date_completed": None,
        "date_completed_gmt": None,
        "customer_id": 0,
        "billing": {**address, "email": f"buyer{order_id}@example.com", "phone": "01012345678"},
        "shipping": {**address, "phone": ""},
        "payment_method": gateway,
        "payment_method_title": gateway,
        "transaction_id": f"TX-{order_id}" if gateway == "kashier_card" else "",
        "customer_note": "",
        "created_via": "admin",
        "meta_data": [],
        "line_items": [{k: v for k, v in line.items() if k != "_kind"} for line in lines],
        "shipping_lines": shipping,
        "fee_lines": fees,
        "coupon_lines": [{"code": code} for code in coupons],
        "tax_lines": [],
        "refunds": [],
    }
    order = calculate_order(raw, rates=RATES, settings=settings, coupons=coupons, products=products)
    order["_features"] = sorted(_input_features(lines, coupons, settings, currency))
    return order


def _input_features(
    lines: list[dict[str, Any]], coupons: dict[str, dict[str, Any]], settings: TaxSettings, currency: str
) -> set[str]:
    found = {"prices incl. tax" if settings.prices_include_tax else "prices excl. tax"}
    if settings.round_at_subtotal:
        found.add("round at subtotal")
    if not settings.calc_taxes:
        found.add("taxes off")
    if currency != "EGP":
        found.add("foreign currency")
    if any(line["_kind"] == "manual_discount" for line in lines):
        found.add("discount without coupon")
    if any(line["_kind"] == "free" for line in lines):
        found.add("free item")
    if any(int(line["quantity"]) > 1 for line in lines):
        found.add("qty > 1")
    for coupon in coupons.values():
        found.add(f"coupon {coupon['discount_type']}")
        if coupon["discount_type"] == "percent" and coupon["amount"] == "100":
            found.add("100 % coupon")
    return found


def features(order: dict[str, Any]) -> set[str]:
    """What an order exercises: its inputs plus what WooCommerce made of them."""
    found = set(order.get("_features") or [])
    rates = {
        t["rate_id"]
        for t in order.get("tax_lines") or []
        if Decimal(t["tax_total"]) + Decimal(t["shipping_tax_total"]) != 0
    }
    if len(rates) >= 2:
        found.add(f"{min(len(rates), 3)}+ tax rates" if len(rates) >= 3 else "2 tax rates")
    if any(Decimal(s["total"]) != 0 for s in order.get("shipping_lines") or []):
        found.add("shipping")
    if any(Decimal(s.get("total_tax") or 0) != 0 for s in order.get("shipping_lines") or []):
        found.add("shipping tax")
    fee_totals = [Decimal(f["total"]) for f in order.get("fee_lines") or []]
    if any(t > 0 for t in fee_totals):
        found.add("positive fee")
    if any(t < 0 for t in fee_totals):
        found.add("negative fee")
    if Decimal(order["total"]) == 0:
        found.add("zero total")
    if any(Decimal(li["total"]) != Decimal(li["subtotal"]) for li in order["line_items"]):
        found.add("discounted line")
    if any(_needs_split(li) for li in order["line_items"]):
        found.add("line split in two rows")
    return found


def _needs_split(line: dict[str, Any]) -> bool:
    total, qty = Decimal(line["total"]), int(line["quantity"])
    return qty > 1 and (total / qty).quantize(Decimal("0.01")) * qty != total
