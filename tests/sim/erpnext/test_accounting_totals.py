"""C2 item 12 (amounts): ERPNext's taxes-and-totals arithmetic, checked by hand-computed figures."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from woonext.sim.erpnext.accounting.money import flt, money_in_words, number_in_words, rounding_method
from woonext.sim.erpnext.accounting.totals import calculate_taxes_and_totals, to_json
from woonext.sim.erpnext.base import FrappeError


def invoice(*rows: tuple[str, float, float], **header: object) -> dict:
    doc = {"currency": "EGP", "conversion_rate": 1, "items": [], "taxes": []}
    doc.update(header)
    doc["items"] = [{"item_code": code, "qty": qty, "rate": rate} for code, qty, rate in rows]
    return doc


def computed(doc: dict) -> dict:
    return to_json(calculate_taxes_and_totals(doc))


def test_frappe_legacy_rounding_half_up_to_cents_and_half_even_to_units() -> None:
    assert flt("2.345", 2) == Decimal("2.35")
    assert flt("-2.345", 2) == Decimal("-2.34")
    assert flt("24.5", 0) == Decimal("24")
    assert flt("25.5", 0) == Decimal("26")
    assert flt(0.1 + 0.2, 2) == Decimal("0.30")


@pytest.mark.parametrize(
    ("method", "cents", "units"),
    [
        ("Banker's Rounding (legacy)", ["3.47", "-3.46"], ["24", "26"]),
        ("Banker's Rounding", ["3.46", "-3.46"], ["24", "26"]),
        ("Commercial Rounding", ["3.47", "-3.47"], ["25", "26"]),
    ],
)
def test_system_settings_rounding_methods(method: str, cents: list[str], units: list[str]) -> None:
    token = rounding_method.set(method)
    try:
        # 14 % of 24.75 is 3.465: a tie at the third decimal
        assert [str(flt(Decimal("24.75") * Decimal("0.14"), 2)), str(flt("-3.465", 2))] == cents
        assert [str(flt("24.5", 0)), str(flt("25.5", 0))] == units
    finally:
        rounding_method.reset(token)


def test_money_in_words_like_erpnext() -> None:
    assert money_in_words(Decimal("49.98"), "EGP", "Piastre[F]") == "EGP Forty Nine and Ninety Eight Piastre[F] only."
    assert money_in_words(Decimal("50"), "EGP", "Piastre[F]") == "EGP Fifty only."
    assert number_in_words(1234) == "one thousand, two hundred and thirty-four"
    assert money_in_words(Decimal("0.05"), "USD", "Cent") == "Five Cent only."


def test_rate_rounded_to_cents_and_amount_is_rate_times_qty() -> None:
    doc = computed(invoice(("Test Cake", 3, 33.333), disable_rounded_total=1))
    assert doc["items"][0]["rate"] == 33.33
    assert doc["items"][0]["amount"] == 99.99
    assert doc["net_total"] == doc["grand_total"] == doc["outstanding_amount"] == 99.99


def test_rounded_total_and_outstanding_follow_rounding_unless_disabled() -> None:
    doc = computed(invoice(("Test Cake", 1, 24.99)))
    assert (doc["grand_total"], doc["rounded_total"], doc["rounding_adjustment"]) == (24.99, 25.0, 0.01)
    assert doc["outstanding_amount"] == 25.0
    off = computed(invoice(("Test Cake", 1, 24.99), disable_rounded_total=1))
    assert (off["rounded_total"], off["rounding_adjustment"], off["outstanding_amount"]) == (0.0, 0.0, 24.99)


def test_actual_tax_is_spread_over_rows_in_item_wise_detail() -> None:
    doc = invoice(("A", 1, 100), ("Shipping", 1, 50), disable_rounded_total=1)
    doc["taxes"] = [{"charge_type": "Actual", "account_head": "VAT - JT", "tax_amount": 10}]
    doc = computed(doc)
    tax = doc["taxes"][0]
    assert (tax["tax_amount"], tax["total"], doc["total_taxes_and_charges"], doc["grand_total"]) == (
        10.0,
        160.0,
        10.0,
        160.0,
    )
    assert json.loads(tax["item_wise_tax_detail"]) == {"A": [0.0, 6.67], "Shipping": [0.0, 3.33]}


def test_percentage_rows_on_net_total_and_previous_row_total() -> None:
    doc = invoice(("A", 3, 33.33), ("B", 1, 10.01))
    doc["taxes"] = [
        {"charge_type": "On Net Total", "account_head": "VAT - JT", "rate": 14},
        {"charge_type": "On Previous Row Total", "account_head": "Levy - JT", "rate": 1, "row_id": 1},
    ]
    doc = computed(doc)
    vat, levy = doc["taxes"]
    assert (vat["tax_amount"], vat["total"]) == (15.4, 125.4)
    assert (levy["tax_amount"], levy["total"]) == (1.25, 126.65)
    assert json.loads(vat["item_wise_tax_detail"]) == {"A": [14.0, 14.0], "B": [14.0, 1.4]}
    assert json.loads(levy["item_wise_tax_detail"]) == {"A": [1.0, 1.14], "B": [1.0, 0.11]}
    assert (doc["grand_total"], doc["rounded_total"], doc["rounding_adjustment"]) == (126.65, 127.0, 0.35)
    assert doc["total_taxes_and_charges"] == 16.65


def test_previous_row_type_on_first_row_is_refused() -> None:
    doc = invoice(("A", 1, 10))
    doc["taxes"] = [{"charge_type": "On Previous Row Amount", "account_head": "VAT - JT", "rate": 1, "row_id": 1}]
    with pytest.raises(FrappeError) as err:
        computed(doc)
    assert err.value.exception == (
        "Cannot select charge type as 'On Previous Row Amount' or 'On Previous Row Total' for first row"
    )


def test_discount_on_net_total_is_distributed_before_tax() -> None:
    doc = invoice(("A", 1, 100), ("B", 1, 50), apply_discount_on="Net Total", discount_amount=15)
    doc["taxes"] = [{"charge_type": "On Net Total", "account_head": "VAT - JT", "rate": 14}]
    doc = computed(doc)
    assert [i["net_amount"] for i in doc["items"]] == [90.0, 45.0]
    assert [i["distributed_discount_amount"] for i in doc["items"]] == [10.0, 5.0]
    assert (doc["total"], doc["net_total"], doc["total_taxes_and_charges"], doc["grand_total"]) == (
        150.0,
        135.0,
        18.9,
        153.9,
    )


def test_negative_fee_as_net_total_discount_keeps_actual_tax() -> None:
    doc = invoice(("A", 1, 100), apply_discount_on="Net Total", discount_amount=25, disable_rounded_total=1)
    doc["taxes"] = [{"charge_type": "Actual", "account_head": "VAT - JT", "tax_amount": 10.5}]
    doc = computed(doc)
    assert (doc["net_total"], doc["total_taxes_and_charges"], doc["grand_total"]) == (75.0, 10.5, 85.5)


def test_additional_discount_percentage_on_grand_total() -> None:
    doc = invoice(("A", 1, 99.99), apply_discount_on="Grand Total", additional_discount_percentage=10)
    doc["disable_rounded_total"] = 1
    doc["taxes"] = [{"charge_type": "On Net Total", "account_head": "VAT - JT", "rate": 14}]
    doc = computed(doc)
    assert doc["discount_amount"] == 11.4
    tax = doc["taxes"][0]
    # ERPNext keeps tax_amount from before the discount; the discounted figure is in the other field
    assert (tax["tax_amount"], tax["tax_amount_after_discount_amount"]) == (14.0, 12.6)
    assert (doc["net_total"], doc["grand_total"]) == (89.99, 102.59)
    assert doc["rounding_adjustment"] == 0.0


def test_discount_without_apply_discount_on_is_refused() -> None:
    with pytest.raises(FrappeError) as err:
        computed(invoice(("A", 1, 10), apply_discount_on="", discount_amount=1))
    assert (err.value.status, err.value.exception) == (417, "Please select Apply Discount On")


def test_foreign_currency_fills_company_currency_fields() -> None:
    doc = invoice(("A", 2, 10.25), currency="USD", conversion_rate=48.5, disable_rounded_total=1)
    doc["taxes"] = [{"charge_type": "Actual", "account_head": "VAT - JT", "tax_amount": 2.87}]
    doc = computed(doc)
    assert (doc["grand_total"], doc["base_grand_total"]) == (23.37, 1133.45)
    assert (doc["items"][0]["base_amount"], doc["base_net_total"]) == (994.25, 994.25)
    assert doc["base_total_taxes_and_charges"] == 139.2


def test_amount_only_return_row_books_minus_rate() -> None:
    doc = computed(invoice(("Refund", 0, 30), is_return=1, disable_rounded_total=1))
    assert (doc["items"][0]["amount"], doc["grand_total"], doc["outstanding_amount"]) == (-30.0, -30.0, -30.0)


def test_pos_payment_above_total_is_change_when_a_cash_row_exists() -> None:
    doc = invoice(("A", 2, 24.99), is_pos=1, disable_rounded_total=1)
    doc["payments"] = [{"mode_of_payment": "Cash", "type": "Cash", "amount": 49.99}]
    doc = computed(doc)
    assert (doc["paid_amount"], doc["change_amount"], doc["outstanding_amount"]) == (49.99, 0.01, 0.0)
    doc = invoice(("A", 2, 24.99), is_pos=1, disable_rounded_total=1)
    doc["payments"] = [{"mode_of_payment": "Card", "type": "Bank", "amount": 49.99}]
    assert computed(doc)["outstanding_amount"] == -0.01


def test_non_pos_invoice_loses_its_payments() -> None:
    doc = invoice(("A", 1, 10))
    doc["payments"] = [{"mode_of_payment": "Cash", "amount": 10}]
    doc = computed(doc)
    assert doc["payments"] == [] and doc["outstanding_amount"] == 10.0


CENTS = Decimal("0.01")


@st.composite
def woo_orders(draw: st.DrawFn) -> dict:
    """Order figures as WooCommerce stores them (ex-tax line totals, per-rate tax totals, fees)."""
    lines = draw(st.lists(st.tuples(st.integers(1, 7), st.integers(1, 200_000)), min_size=1, max_size=5))
    return {
        "lines": [(qty, Decimal(cents) * CENTS) for qty, cents in lines],
        "shipping": Decimal(draw(st.integers(0, 9_000))) * CENTS,
        "fee": Decimal(draw(st.integers(0, 5_000))) * CENTS,
        "negative_fee": Decimal(draw(st.integers(0, 900))) * CENTS,
        "taxes": [Decimal(c) * CENTS for c in draw(st.lists(st.integers(1, 40_000), max_size=3))],
    }


def mapped_invoice(order: dict) -> dict:
    """observed-real.md mapping rules 1-6: rows split so that rate × qty is exact, shipping and fee
    as rows, a negative fee as a Net Total discount, one Actual row per tax line, rounding off."""
    rows = []
    for n, (qty, total) in enumerate(order["lines"]):
        rate = (total / qty).quantize(CENTS)
        if rate * qty == total:
            rows.append((f"SKU-{n}", qty, float(rate)))
        else:
            rows.append((f"SKU-{n}", qty - 1, float(rate)))
            rows.append((f"SKU-{n}", 1, float(total - rate * (qty - 1))))
    if order["shipping"]:
        rows.append(("Shipping", 1, float(order["shipping"])))
    if order["fee"]:
        rows.append(("Fee", 1, float(order["fee"])))
    doc = invoice(*rows, disable_rounded_total=1, ignore_pricing_rule=1)
    if order["negative_fee"]:
        doc.update(apply_discount_on="Net Total", discount_amount=float(order["negative_fee"]))
    doc["taxes"] = [
        {"charge_type": "Actual", "account_head": f"Tax {i} - JT", "tax_amount": float(t)}
        for i, t in enumerate(order["taxes"])
    ]
    return doc


@settings(max_examples=300, deadline=None)
@given(woo_orders())
def test_mapped_woocommerce_orders_add_up_to_the_cent(order: dict) -> None:
    net = sum((t for _, t in order["lines"]), Decimal(0)) + order["shipping"] + order["fee"] - order["negative_fee"]
    tax = sum(order["taxes"], Decimal(0))
    doc = computed(mapped_invoice(order))
    assert Decimal(str(doc["net_total"])) == net
    assert Decimal(str(doc["total_taxes_and_charges"])) == tax
    assert Decimal(str(doc["grand_total"])) == Decimal(str(doc["outstanding_amount"])) == net + tax
    assert Decimal(str(doc["base_grand_total"])) == net + tax
