"""The order → invoice mapping (pure): rows, splits, taxes, fees, payments, errors."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from tests.fixtures import WOO_SAMPLES

from woonext.mapping.invoice import InvoiceSettings, MappingError, PaymentRow, Purpose, map_order, split_rows
from woonext.mapping.keys import content_hash, order_key
from woonext.mapping.money import allocate_cents
from woonext.mapping.residual import CAUSE_PRECISION, CAUSE_TAX_LINES, CAUSE_TOTAL

SAMPLES = WOO_SAMPLES
SETTINGS = InvoiceSettings(
    company="Jarz Test",
    warehouse="Jarz Main - JT",
    payment_methods={
        "cod": "Cash",
        "instapay": "Instapay",
        "kashier_card": "Kashier Card",
        "kashier_wallet": "Kashier Wallet",
    },
    tax_accounts={"1": "VAT 14% - JT", "2": "Levy 1% - JT"},
)
CASH = PaymentRow("Cash", "Cash - JT")


def sample(name: str) -> dict[str, Any]:
    data = json.loads((SAMPLES / name).read_text())
    return data.get("body", data)


def row_sum(doc: dict[str, Any]) -> Decimal:
    return sum((Decimal(str(r["rate"])) * r["qty"] for r in doc["items"]), Decimal(0))


def tax_sum(doc: dict[str, Any]) -> Decimal:
    return sum((Decimal(str(t["tax_amount"])) for t in doc["taxes"]), Decimal(0))


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("order_*.json")))
def test_real_orders_map_to_their_total(name: str) -> None:
    order = sample(name)
    plan = map_order(order, SETTINGS, customer="C", purpose=Purpose.LIVE, sync_key=order_key("main", order["id"]))
    discount = Decimal(str(plan.doc.get("discount_amount", 0)))
    assert row_sum(plan.doc) - discount + tax_sum(plan.doc) == Decimal(order["total"])
    assert plan.grand_total == Decimal(order["total"])
    assert plan.doc["update_stock"] == 1 and plan.doc["set_warehouse"] == "Jarz Main - JT"
    assert plan.doc["woonext_sync_key"] == f"main:order:{order['id']}"
    assert plan.doc["set_posting_time"] == 1 and plan.doc["posting_date"] == order["date_created"][:10]


def test_rate_that_does_not_divide_is_split_into_two_rows() -> None:
    rows = split_rows("SKU", 3, Decimal("100.00"), {})
    assert [(r["qty"], Decimal(str(r["rate"]))) for r in rows] == [(2, Decimal("33.33")), (1, Decimal("33.34"))]
    assert split_rows("SKU", 4, Decimal("100.00"), {})[0]["qty"] == 4


def base_order(**changes: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "id": 7,
        "number": "7",
        "status": "completed",
        "currency": "EGP",
        "payment_method": "cod",
        "date_created": "2026-03-01T10:20:30",
        "total": "0",
        "total_tax": "0",
        "customer_id": 0,
        "line_items": [{"id": 1, "name": "Cake", "sku": "CAKE", "quantity": 3, "total": "100.00"}],
        "shipping_lines": [{"method_title": "Flat", "total": "20.00"}],
        "fee_lines": [],
        "tax_lines": [],
        "meta_data": [],
    }
    order.update(changes)
    return order


def test_taxes_come_from_tax_lines_and_negative_fees_become_a_net_discount() -> None:
    order = base_order(
        fee_lines=[{"name": "Gift wrap", "total": "5.00"}, {"name": "Loyalty", "total": "-25.00"}],
        tax_lines=[
            {"rate_id": 1, "label": "VAT", "tax_total": "10.50", "shipping_tax_total": "2.80"},
            {"rate_id": 2, "label": "Levy", "tax_total": "0.75", "shipping_tax_total": "0.00"},
        ],
        total="114.05",
        total_tax="14.05",
    )
    plan = map_order(order, SETTINGS, customer="C", purpose=Purpose.HISTORICAL_PAID, sync_key="k", payment=CASH)
    doc = plan.doc
    assert doc["apply_discount_on"] == "Net Total" and Decimal(str(doc["discount_amount"])) == Decimal("25")
    assert [(t["account_head"], t["tax_amount"]) for t in doc["taxes"]] == [
        ("VAT 14% - JT", 13.3),
        ("Levy 1% - JT", 0.75),
    ]
    assert all(t["charge_type"] == "Actual" for t in doc["taxes"])
    assert [r["item_code"] for r in doc["items"]] == ["CAKE", "CAKE", "Shipping", "Fee"]
    assert doc["is_pos"] == 1 and doc["update_stock"] == 0
    assert doc["payments"] == [{"mode_of_payment": "Cash", "account": "Cash - JT", "amount": 114.05}]


def test_zero_total_order_has_no_payment_row() -> None:
    order = base_order(
        line_items=[{"id": 1, "name": "Free", "sku": "CAKE", "quantity": 1, "total": "0.00"}],
        shipping_lines=[],
        total="0.00",
    )
    plan = map_order(order, SETTINGS, customer="C", purpose=Purpose.HISTORICAL_PAID, sync_key="k", payment=CASH)
    assert plan.doc["payments"] == [] and plan.doc["items"][0]["rate"] == 0
    # ERPNext would put the price-list rate on a zero-rate row unless it is 100 % discounted.
    assert plan.doc["items"][0]["discount_percentage"] == 100


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"payment_method": "bitcoin"}, "unknown_payment_method"),
        (
            {
                "tax_lines": [{"rate_id": 9, "tax_total": "1.00", "shipping_tax_total": "0"}],
                "total": "121.00",
                "total_tax": "1.00",
            },
            "unknown_tax_rate",
        ),
        ({"line_items": [{"id": 1, "name": "No SKU", "sku": "", "quantity": 1, "total": "100.00"}]}, "missing_sku"),
        ({"total": "119.99"}, "residual"),
        ({"total": "12O.00"}, "bad_money"),
    ],
)
def test_orders_that_cannot_reconcile_are_refused_with_a_reason(changes: dict[str, Any], reason: str) -> None:
    order = base_order(total="120.00", **{k: v for k, v in changes.items() if k != "total"})
    if "total" in changes:
        order["total"] = changes["total"]
    with pytest.raises(MappingError) as caught:
        map_order(order, SETTINGS, customer="C", purpose=Purpose.LIVE, sync_key="k")
    assert caught.value.reason == reason
    assert caught.value.message


def test_unknown_payment_method_error_says_how_to_fix_it() -> None:
    with pytest.raises(MappingError) as caught:
        map_order(
            base_order(total="120.00", payment_method="fawry"),
            SETTINGS,
            customer="C",
            purpose=Purpose.LIVE,
            sync_key="k",
        )
    assert "[stores.payment_methods]" in caught.value.hint and "fawry" in caught.value.hint


def test_delivery_meta_is_mapped_and_bad_values_only_warn() -> None:
    order = base_order(
        total="120.00",
        meta_data=[
            {"id": 1, "key": "_delivery_date", "value": "2026-03-02"},
            {"id": 2, "key": "_delivery_time_from", "value": "14:30"},
            {"id": 3, "key": "_delivery_duration", "value": "3600"},
        ],
    )
    doc = map_order(order, SETTINGS, customer="C", purpose=Purpose.LIVE, sync_key="k").doc
    assert (doc["custom_delivery_date"], doc["custom_delivery_time_from"], doc["custom_delivery_duration"]) == (
        "2026-03-02",
        "14:30:00",
        3600,
    )
    bad = base_order(total="120.00", meta_data=[{"id": 1, "key": "_delivery_date", "value": "tomorrow"}])
    plan = map_order(bad, SETTINGS, customer="C", purpose=Purpose.LIVE, sync_key="k")
    assert "custom_delivery_date" not in plan.doc and "tomorrow" in plan.warnings[0]


def test_content_hash_ignores_status_and_rerendered_line_taxes() -> None:
    order = base_order(total="120.00")
    same = base_order(total="120.00", status="processing", date_modified="2027-01-01T00:00:00")
    same["line_items"][0]["total_tax"] = "0.01"
    same["line_items"][0]["price"] = 33.333333
    assert content_hash(order) == content_hash(same)
    edited = base_order(total="120.00")
    edited["line_items"][0]["quantity"] = 4
    assert content_hash(order) != content_hash(edited)


def test_split_rows_never_go_negative_and_zero_rates_are_fully_discounted() -> None:
    rows = split_rows("SKU", 7, Decimal("0.04"), {})
    assert [(r["qty"], r["rate"], r.get("discount_percentage")) for r in rows] == [(6, 0, 100), (1, 0.04, None)]
    rows = split_rows("SKU", 4, Decimal("0.03"), {})
    assert sum(Decimal(str(r["rate"])) * r["qty"] for r in rows) == Decimal("0.03")
    assert all(r["rate"] >= 0 for r in rows)


def test_cents_between_tax_lines_and_total_tax_go_to_the_largest_tax_rows() -> None:
    assert allocate_cents([Decimal("1.41"), Decimal("0.10")], Decimal("1.52")) == [Decimal("1.42"), Decimal("0.10")]
    assert allocate_cents([Decimal("5"), Decimal("9"), Decimal("9")], Decimal("22.98")) == [
        Decimal("5"),
        Decimal("8.99"),
        Decimal("8.99"),
    ]
    order = base_order(
        total="121.52",
        total_tax="1.52",
        tax_lines=[
            {"rate_id": 1, "label": "VAT", "tax_total": "1.41", "shipping_tax_total": "0"},
            {"rate_id": 2, "label": "Levy", "tax_total": "0.10", "shipping_tax_total": "0"},
        ],
    )
    plan = map_order(order, SETTINGS, customer="C", purpose=Purpose.LIVE, sync_key="k")
    assert [t["tax_amount"] for t in plan.doc["taxes"]] == [1.42, 0.1] and plan.total_taxes == Decimal("1.52")


@pytest.mark.parametrize(
    ("changes", "cause"),
    [
        ({"total": "119.99"}, CAUSE_TOTAL),
        (
            {
                "total": "125.00",
                "total_tax": "5.00",
                "tax_lines": [{"rate_id": 1, "tax_total": "3.00", "shipping_tax_total": "0"}],
            },
            CAUSE_TAX_LINES,
        ),
        ({"total": "120.005"}, CAUSE_PRECISION),
    ],
)
def test_a_residual_names_its_likely_cause(changes: dict[str, Any], cause: str) -> None:
    with pytest.raises(MappingError) as caught:
        map_order(base_order(**changes), SETTINGS, customer="C", purpose=Purpose.LIVE, sync_key="k")
    assert caught.value.reason == "residual"
    assert "residual" in caught.value.message and cause in caught.value.message


def test_a_negative_total_is_refused_before_anything_else() -> None:
    order = base_order(total="-25.00", fee_lines=[{"name": "Loyalty", "total": "-145.00"}])
    with pytest.raises(MappingError) as caught:
        map_order(order, SETTINGS, customer="C", purpose=Purpose.HISTORICAL_PAID, sync_key="k", payment=CASH)
    assert caught.value.reason == "negative_total"
