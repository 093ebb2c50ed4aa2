"""WooCommerce's order arithmetic: real samples re-computed, observed rules, invariants."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fixtures import WOO_SAMPLES

from woonext.sim.woomoney import (
    TaxRate,
    TaxSettings,
    calculate_order,
    calculate_refund,
    refund_summary,
    render_line_taxes,
)

REF = WOO_SAMPLES


def load(name: str):
    path = REF / name
    if not path.exists():
        raise FileNotFoundError(f"reference sample missing: {path}")
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def store():
    rates = [TaxRate.from_rest(r) for r in load("store-taxes.json")]
    products = {p["id"]: p for p in load("store-products.json")}
    for variations in load("store-variations.json").values():
        for v in variations:
            products[v["id"]] = v
    coupons = {c["code"]: c for c in load("store-coupons.json")}
    return rates, products, coupons


def addr(state: str) -> dict:
    return {
        "first_name": "Mona",
        "last_name": "Hassan",
        "country": "EG",
        "state": state,
        "city": "X",
        "postcode": "12611",
        "address_1": "1 St",
        "email": "m@example.test",
        "phone": "01012345678",
    }


def order(lines, state="EGC", **extra) -> dict:
    return {
        "id": 1,
        "currency": "EGP",
        "billing": addr(state),
        "shipping": addr(state),
        "line_items": lines,
        "shipping_lines": [],
        "fee_lines": [],
        "coupon_lines": [],
        **extra,
    }


D = Decimal


def test_settings_and_rates_from_real_store() -> None:
    settings = TaxSettings.from_rest(
        load("store-settings-tax.json"), load("store-settings-general.json"), load("store-tax-classes.json")
    )
    assert settings.prices_include_tax is True
    assert settings.shipping_tax_class == "inherit" and settings.tax_based_on == "shipping"
    assert settings.base.country == "EG" and settings.base.state == "EGC"
    assert settings.tax_classes == ("", "reduced-rate", "zero-rate")
    rates = {r.id: r for r in (TaxRate.from_rest(x) for x in load("store-taxes.json"))}
    assert rates[2].state == "EGGZ" and rates[2].priority == 2 and rates[2].rate == D("1")
    assert rates[1].tax_class == "" and rates[3].tax_class == "reduced-rate"
    assert TaxRate.from_rest(rates[2].to_rest()) == rates[2]


@pytest.mark.parametrize("number", [15, 16, 17, 18, 19, 20])
def test_real_orders_recomputed_from_their_inputs(number: int, store) -> None:
    _, products, coupons = store
    real = load(f"order_{number}.json")
    # These orders were made before taxes were switched on; the coupon "welcome10" was deleted since.
    welcome = {c["code"]: json.loads(c["meta_data"][0]["value"]) for c in real["coupon_lines"]}
    known = dict(coupons)
    for code, (cid, _, kind, amount) in welcome.items():
        known[code] = {"id": cid, "code": code, "discount_type": kind, "amount": str(amount)}
    inputs = {k: v for k, v in real.items() if k not in ("line_items", "coupon_lines", "tax_lines")}
    inputs["line_items"] = [
        {
            "id": li["id"],
            "name": li["name"],
            "product_id": li["product_id"],
            "variation_id": li["variation_id"],
            "quantity": li["quantity"],
            "subtotal": li["subtotal"],
            "sku": li["sku"],
        }
        for li in real["line_items"]
    ]
    inputs["coupon_lines"] = [{"id": c["id"], "code": c["code"]} for c in real["coupon_lines"]]
    for key in ("total", "discount_total", "total_tax", "shipping_total", "cart_tax"):
        inputs[key] = "0"
    got = render_line_taxes(
        calculate_order(inputs, rates=[], settings=TaxSettings(), coupons=known, products=products), False
    )
    for key in ("total", "discount_total", "discount_tax", "shipping_total", "shipping_tax", "cart_tax", "total_tax"):
        assert got[key] == real[key], key
    for mine, theirs in zip(got["line_items"], real["line_items"], strict=True):
        assert list(mine) == list(theirs)
        for key in ("subtotal", "total", "subtotal_tax", "total_tax", "price", "taxes"):
            assert mine[key] == theirs[key] and type(mine[key]) is type(theirs[key]), key
    for mine, theirs in zip(got["coupon_lines"], real["coupon_lines"], strict=True):
        assert list(mine) == list(theirs)
        for key in ("discount", "discount_tax", "discount_type", "nominal_amount", "free_shipping"):
            assert mine[key] == theirs[key], key
        assert mine["meta_data"][0]["value"] == theirs["meta_data"][0]["value"]
    assert "_sim_" not in json.dumps(got)


def test_two_priorities_and_taxable_shipping_in_giza(store) -> None:
    rates, products, _ = store
    o = order(
        [{"product_id": 11, "quantity": 1, "total": "450.00", "subtotal": "450.00"}],
        state="EGGZ",
        shipping_lines=[{"method_id": "flat_rate", "method_title": "Flat rate (Giza)", "total": "40.00"}],
    )
    got = calculate_order(o, rates=rates, settings=TaxSettings(), products=products)
    line = got["line_items"][0]
    assert line["taxes"] == [
        {"id": 1, "total": "63.00", "subtotal": "63.00"},
        {"id": 2, "total": "4.50", "subtotal": "4.50"},
    ]
    assert [(t["rate_id"], t["tax_total"], t["shipping_tax_total"], t["rate_code"]) for t in got["tax_lines"]] == [
        (1, "63.00", "5.60", "EG-VAT-1"),
        (2, "4.50", "0.40", "EG-EGGZ-LOCAL LEVY-2"),
    ]
    assert got["shipping_lines"][0]["total_tax"] == "6.00"
    assert (got["cart_tax"], got["shipping_tax"], got["total_tax"], got["total"]) == (
        "67.50",
        "6.00",
        "73.50",
        "563.50",
    )


def test_tax_inclusive_hidden_decimals_and_only_base_tax_removed(store) -> None:
    rates, _, _ = store
    shelf = {
        500: {
            "id": 500,
            "name": "Speaker",
            "price": "1124.09",
            "tax_class": "",
            "tax_status": "taxable",
            "sku": "SPK-1",
        }
    }
    incl = TaxSettings(prices_include_tax=True)
    cairo = calculate_order(order([{"product_id": 500, "quantity": 1}]), rates=rates, settings=incl, products=shelf)
    line = cairo["line_items"][0]
    assert line["price"] == 986.04386  # raw float, as observed
    assert (line["subtotal"], line["total"]) == ("986.04", "986.04")
    assert cairo["total"] == "1124.09" and cairo["prices_include_tax"] is True
    giza = calculate_order(
        order([{"product_id": 500, "quantity": 1}], state="EGGZ"), rates=rates, settings=incl, products=shelf
    )
    assert D(giza["total"]) > D("1124.09")  # the levy is added on top of the shelf price


def test_line_taxes_rendered_with_the_current_rounding_mode(store) -> None:
    rates, _, _ = store
    o = order([{"product_id": 0, "name": "Sticker", "quantity": 1, "total": "1.25", "subtotal": "1.25"}])
    stored = calculate_order(o, rates=rates, settings=TaxSettings(prices_include_tax=False))
    assert stored["line_items"][0]["_sim_taxes"]["total"] == {"1": "0.175"}
    excl = render_line_taxes(stored, prices_include_tax_now=False)["line_items"][0]
    incl = render_line_taxes(stored, prices_include_tax_now=True)["line_items"][0]
    assert excl["total_tax"] == "0.18"
    assert incl["total_tax"] == "0.17"  # half down once the store enters prices with tax
    assert incl["taxes"][0]["total"] == "0.18"  # … while the per-rate figure disagrees with it
    assert stored["total_tax"] == "0.18" and stored["total"] == "1.43"  # stored figures never move
    assert "_sim_taxes" not in incl and "_sim_total" not in incl


def test_negative_fee_taxed_over_item_classes_and_kept_as_sent(store) -> None:
    rates, _, _ = store
    lines = [
        {"product_id": 0, "name": "A", "quantity": 1, "total": "500.00", "subtotal": "500.00", "tax_class": ""},
        {
            "product_id": 0,
            "name": "B",
            "quantity": 1,
            "total": "100.00",
            "subtotal": "100.00",
            "tax_class": "reduced-rate",
        },
    ]
    fee = {"name": "Loyalty", "total": "-25.00", "tax_status": "none", "tax_class": ""}
    got = calculate_order(
        order(lines, state="EGGZ", fee_lines=[fee], prices_include_tax=True),
        rates=rates,
        settings=TaxSettings(prices_include_tax=True),
    )
    fee_out = got["fee_lines"][0]
    assert fee_out["total"] == "-25.00"
    by_rate = {t["id"]: t["total"] for t in fee_out["taxes"]}
    assert by_rate == {1: "-2.92", 2: "-0.21", 3: "-0.21"}  # VAT, levy and reduced, shares 500:100
    assert D(fee_out["total_tax"]) < 0


def test_coupons_percent_fixed_cart_fixed_product_free_shipping(store) -> None:
    rates, products, coupons = store
    lines = [{"product_id": 13, "quantity": 3, "subtotal": "556.50", "total": "556.50"}]
    ship = [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "30.00"}]
    fixed_cart = calculate_order(
        order(lines, coupon_lines=[{"code": "save50"}], shipping_lines=ship),
        rates=[],
        settings=TaxSettings(),
        coupons=coupons,
        products=products,
    )
    assert fixed_cart["discount_total"] == "50.00" and fixed_cart["line_items"][0]["total"] == "506.50"
    assert fixed_cart["coupon_lines"][0]["discount"] == "50"
    per_item = calculate_order(
        order(lines, coupon_lines=[{"code": "item15"}]),
        rates=[],
        settings=TaxSettings(),
        coupons=coupons,
        products=products,
    )
    assert per_item["discount_total"] == "45.00"
    free = calculate_order(
        order(lines, coupon_lines=[{"code": "freeship"}], shipping_lines=ship),
        rates=[],
        settings=TaxSettings(),
        coupons=coupons,
        products=products,
    )
    assert free["shipping_total"] == "30.00" and free["total"] == "586.50"  # the API's flat rate stays
    assert free["coupon_lines"][0]["discount"] == "0" and free["coupon_lines"][0]["free_shipping"] is True
    taxed = calculate_order(
        order(lines, coupon_lines=[{"code": "eid10"}]),
        rates=rates,
        settings=TaxSettings(),
        coupons=coupons,
        products=products,
    )
    assert taxed["discount_total"] == "55.65" and taxed["discount_tax"] == "7.79"
    assert taxed["coupon_lines"][0]["discount"] == "55.65" and taxed["coupon_lines"][0]["discount_tax"] == "7.79"


def test_fixed_coupon_is_gross_on_tax_inclusive_orders(store) -> None:
    rates, products, coupons = store
    lines = [{"product_id": 0, "name": "A", "quantity": 1, "subtotal": "100.00", "total": "100.00"}]
    got = calculate_order(
        order(lines, coupon_lines=[{"code": "save50"}], prices_include_tax=True),
        rates=rates,
        settings=TaxSettings(prices_include_tax=True),
        coupons=coupons,
    )
    # 114.00 gross − 50.00 gross = 64.00 gross: the ex-tax total is 100 − 50 / 1.14.
    assert got["line_items"][0]["total"] == "56.14"
    assert got["total"] == "64.00"
    assert D(got["coupon_lines"][0]["discount"]) + D(got["coupon_lines"][0]["discount_tax"]) == D("50")


def test_shipping_inherits_first_item_class(store) -> None:
    rates, products, _ = store
    ship = [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "30.00"}]
    zero_only = calculate_order(
        order([{"product_id": 28, "quantity": 1}], shipping_lines=ship),
        rates=rates,
        settings=TaxSettings(),
        products=products,
    )
    assert zero_only["shipping_tax"] == "0.00"
    assert [(t["rate_id"], t["tax_total"]) for t in zero_only["tax_lines"]] == [(4, "0.00")]
    mixed = calculate_order(
        order([{"product_id": 28, "quantity": 1}, {"product_id": 25, "quantity": 1}], shipping_lines=ship),
        rates=rates,
        settings=TaxSettings(),
        products=products,
    )
    assert mixed["shipping_tax"] == "1.50"  # reduced 5 % comes before zero in the class list


def test_compound_rate_applies_on_top_of_earlier_taxes() -> None:
    rates = [
        TaxRate(id=1, rate=D("10"), name="A", priority=1),
        TaxRate(id=2, rate=D("5"), name="B", priority=2, compound=True),
    ]
    got = calculate_order(
        order([{"product_id": 0, "name": "X", "quantity": 2, "total": "200.00", "subtotal": "200.00"}]),
        rates=rates,
        settings=TaxSettings(),
    )
    assert [(t["rate_id"], t["tax_total"], t["compound"]) for t in got["tax_lines"]] == [
        (1, "20.00", False),
        (2, "11.00", True),
    ]
    assert got["total"] == "231.00" and got["line_items"][0]["price"] == 100


def test_refunds_partial_line_and_amount(store) -> None:
    rates, products, _ = store
    stored = calculate_order(
        order([{"product_id": 13, "quantity": 4}], state="EGGZ"), rates=rates, settings=TaxSettings(), products=products
    )
    line_id = stored["line_items"][0]["id"]
    refund = calculate_refund(stored, line_items=[{"id": line_id, "quantity": 1}], reason="broken")
    item = refund["line_items"][0]
    assert item["quantity"] == -1 and item["total"] == "-185.50"
    assert {t["id"]: t["total"] for t in item["taxes"]} == {1: "-25.97", 2: "-1.86"}
    assert refund["amount"] == "213.33"
    assert refund["tax_lines"][0]["tax_total"] == "-25.97"
    assert refund_summary(refund)["total"] == "-213.33"
    stored["refunds"] = [refund_summary(refund)]
    rest = (D(stored["total"]) - D("213.33")).quantize(D("0.01"))
    full = calculate_refund(stored, amount=str(rest))
    assert full["amount"] == f"{rest:.2f}" and full["line_items"] == []
    with pytest.raises(ValueError, match="Invalid refund amount."):
        calculate_refund(stored, amount=str(rest + D("0.01")))
    with pytest.raises(ValueError, match="greater than zero"):
        calculate_refund(stored, amount="0")


STATES = st.sampled_from(["EGC", "EGGZ", "EGALX", ""])
PRODUCT_IDS = [11, 13, 25, 26, 27, 28, 29, 30, 31, 33, 35, 37, 38]


@st.composite
def random_orders(draw):
    lines = [
        {"product_id": pid, "variation_id": 0, "quantity": draw(st.integers(1, 5))}
        for pid in draw(st.lists(st.sampled_from(PRODUCT_IDS), min_size=1, max_size=4, unique=True))
    ]
    for line in lines:
        if line["product_id"] in (33, 35):
            line["product_id"], line["variation_id"] = 32, line["product_id"]
        if line["product_id"] in (37, 38):
            line["product_id"], line["variation_id"] = 36, line["product_id"]
    fees = [
        {
            "name": "Fee",
            "total": str(draw(st.decimals(-80, 80, places=2))),
            "tax_status": draw(st.sampled_from(["taxable", "none"])),
            "tax_class": "",
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    shipping = [
        {
            "method_id": "flat_rate",
            "method_title": "Flat rate",
            "total": draw(st.sampled_from(["30.00", "40.00", "60.00", "0.00"])),
        }
        for _ in range(draw(st.integers(0, 1)))
    ]
    codes = draw(st.lists(st.sampled_from(["eid10", "save50", "item15", "freeship"]), max_size=2, unique=True))
    return order(
        lines,
        state=draw(STATES),
        fee_lines=fees,
        shipping_lines=shipping,
        coupon_lines=[{"code": c} for c in codes],
        prices_include_tax=draw(st.booleans()),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(random_orders(), st.booleans())
def test_order_level_figures_always_add_up(store, o, store_incl) -> None:
    rates, products, coupons = store
    got = render_line_taxes(
        calculate_order(
            o, rates=rates, settings=TaxSettings(prices_include_tax=store_incl), coupons=coupons, products=products
        ),
        store_incl,
    )
    lines = sum((D(li["total"]) for li in got["line_items"]), D(0))
    ship = sum((D(s["total"]) for s in got["shipping_lines"]), D(0))
    fees = sum((D(f["total"]) for f in got["fee_lines"]), D(0))
    assert D(got["total"]) == lines + ship + fees + D(got["total_tax"])
    assert D(got["total_tax"]) == sum((D(t["tax_total"]) + D(t["shipping_tax_total"]) for t in got["tax_lines"]), D(0))
    assert D(got["total_tax"]) == D(got["cart_tax"]) + D(got["shipping_tax"])
    assert D(got["discount_total"]) == sum((D(li["subtotal"]) - D(li["total"]) for li in got["line_items"]), D(0))
    assert D(got["shipping_tax"]) == sum((D(t["shipping_tax_total"]) for t in got["tax_lines"]), D(0))
    for li in got["line_items"]:
        assert D(li["total"]) >= 0 and D(li["total"]) <= D(li["subtotal"])
    assert "_sim_" not in json.dumps(got)
    # Recalculating a stored order gives the same figures (hidden decimals are kept).
    again = calculate_order(
        calculate_order(
            o, rates=rates, settings=TaxSettings(prices_include_tax=store_incl), coupons=coupons, products=products
        ),
        rates=rates,
        settings=TaxSettings(prices_include_tax=store_incl),
        coupons=coupons,
        products=products,
    )
    assert render_line_taxes(again, store_incl)["total"] == got["total"]


def test_accepts_rest_shaped_rates_flat_settings_and_coupon_list(store) -> None:
    rates, products, coupons = store
    o = order([{"product_id": 11, "quantity": 2}], state="EGGZ", coupon_lines=[{"code": "EID10"}])
    typed = calculate_order(o, rates=rates, settings=TaxSettings(), coupons=coupons, products=products)
    loose = calculate_order(
        o,
        rates=load("store-taxes.json"),
        settings={"prices_include_tax": False, "tax_based_on": "shipping", "shipping_tax_class": "inherit"},
        coupons=list(coupons.values()),
        products=products,
    )
    assert loose == typed
    assert typed["discount_total"] == "90.00"


def test_negative_fee_shares_include_shipping_and_untaxed_costs_dilute(store) -> None:
    rates, _, _ = store
    lines = [
        {"product_id": 0, "name": "A", "quantity": 1, "total": "500.00", "subtotal": "500.00", "tax_class": ""},
        {
            "product_id": 0,
            "name": "B",
            "quantity": 1,
            "total": "100.00",
            "subtotal": "100.00",
            "tax_class": "reduced-rate",
        },
    ]
    ship = [{"method_id": "flat_rate", "method_title": "Flat rate (Giza)", "total": "60.00"}]
    fee = {"name": "Loyalty", "total": "-25.00", "tax_status": "taxable", "tax_class": ""}
    got = calculate_order(
        order(lines, state="EGGZ", shipping_lines=ship, fee_lines=[fee]), rates=rates, settings=TaxSettings()
    )
    # Standard carries 500 + 60 (shipping inherits the first item class) of 660.
    assert {t["id"]: t["total"] for t in got["fee_lines"][0]["taxes"]} == {1: "-2.97", 2: "-0.21", 3: "-0.19"}
    wrap = {"name": "Wrapping", "total": "40.00", "tax_status": "none", "tax_class": ""}
    diluted = calculate_order(order(lines, state="EGGZ", fee_lines=[fee, wrap]), rates=rates, settings=TaxSettings())
    # 500 of 640 standard, 100 of 640 reduced; the untaxed 40 takes its share without tax.
    assert {t["id"]: t["total"] for t in diluted["fee_lines"][0]["taxes"]} == {1: "-2.73", 2: "-0.20", 3: "-0.20"}


def test_local_pickup_is_taxed_at_the_shop_base(store) -> None:
    rates, products, _ = store
    pickup = [{"method_id": "local_pickup", "method_title": "Pick up in the shop", "total": "0.00"}]
    got = calculate_order(
        order([{"product_id": 11, "quantity": 1}], state="EGGZ", shipping_lines=pickup),
        rates=rates,
        settings=TaxSettings(),
        products=products,
    )
    assert [t["rate_id"] for t in got["tax_lines"]] == [1]  # no Giza levy


def test_quantity_only_edit_keeps_totals_and_lowers_the_price(store) -> None:
    rates, products, _ = store
    stored = calculate_order(
        order([{"product_id": 13, "quantity": 1}]), rates=rates, settings=TaxSettings(), products=products
    )
    edited = dict(stored, line_items=[dict(stored["line_items"][0], quantity=2)])
    again = calculate_order(edited, rates=rates, settings=TaxSettings(), products=products)
    assert again["line_items"][0]["total"] == stored["line_items"][0]["total"] == "185.50"
    assert again["line_items"][0]["price"] == 92.75
    assert again["total"] == stored["total"]


def test_recalculation_uses_the_store_current_rounding_mode(store) -> None:
    rates, _, _ = store
    o = order([{"product_id": 0, "name": "Sticker", "quantity": 1, "total": "1.25", "subtotal": "1.25"}])
    created = calculate_order(o, rates=rates, settings=TaxSettings(prices_include_tax=False))
    assert created["total"] == "1.43"
    edited_later = calculate_order(created, rates=rates, settings=TaxSettings(prices_include_tax=True))
    assert edited_later["total"] == "1.42" and edited_later["prices_include_tax"] is False


def test_coupon_product_restrictions(store) -> None:
    _, products, _ = store
    lines = [{"product_id": 11, "quantity": 1}, {"product_id": 13, "quantity": 1}]
    only_mugs = {
        "mugs20": {"id": 90, "code": "mugs20", "discount_type": "percent", "amount": "20", "product_ids": [13]},
        "nomug": {
            "id": 91,
            "code": "nomug",
            "discount_type": "fixed_product",
            "amount": "10",
            "excluded_product_ids": [13],
        },
    }
    got = calculate_order(
        order(lines, coupon_lines=[{"code": "mugs20"}, {"code": "nomug"}]),
        rates=[],
        settings=TaxSettings(),
        coupons=only_mugs,
        products=products,
    )
    totals = [(li["product_id"], li["subtotal"], li["total"]) for li in got["line_items"]]
    price_11, price_13 = D(products[11]["price"]), D(products[13]["price"])
    assert totals == [
        (11, f"{price_11:.2f}", f"{price_11 - 10:.2f}"),
        (13, f"{price_13:.2f}", f"{price_13 - (price_13 * D('0.2')).quantize(D('0.01')):.2f}"),
    ]


def test_posted_total_alone_keeps_the_product_price_as_subtotal(store) -> None:
    _, products, _ = store
    got = calculate_order(
        order([{"product_id": 13, "quantity": 2, "total": "300.00"}]),
        rates=[],
        settings=TaxSettings(),
        products=products,
    )
    line = got["line_items"][0]
    assert line["subtotal"] == f"{D(products[13]['price']) * 2:.2f}" and line["total"] == "300.00"
    assert got["discount_total"] == f"{D(products[13]['price']) * 2 - D('300.00'):.2f}"
    assert line["price"] == 150
