"""The catalog bridge's pure rules: item codes, stock flags, attributes, holds, quantities, prices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from woonext.mapping import catalog as m
from woonext.mapping.lines import refund_with_item_codes, with_item_codes
from woonext.mapping.prices import price_by_item, same_price, wanted_prices
from woonext.mapping.stock import actual_by_item, desired_quantity, held_quantities
from woonext.runtime.erp_webhooks import ERP_TOPICS, classify, webhook_json

S = m.CatalogSettings(attributes={"pa_color": "Colour"}, item_groups={"gifts": "Gift Items"})


def test_item_codes_come_from_the_sku_else_the_pattern() -> None:
    product = {"id": 30, "sku": "CANDLE-SET-009", "slug": "candle"}
    assert m.product_code(product, S) == "CANDLE-SET-009"
    assert m.product_code({**product, "sku": " "}, S) == "WOO-30"
    parent = {"id": 32, "sku": "GALABEYA"}
    assert m.variation_code(parent, {"id": 35, "sku": "GALABEYA-L"}, S) == "GALABEYA-L"
    assert m.variation_code(parent, {"id": 35, "sku": "GALABEYA"}, S) == "WOO-32-35"  # the parent's SKU shown
    custom = m.CatalogSettings(variant_code_pattern="{parent_sku}-{variation_id}")
    assert m.variation_code(parent, {"id": 35, "sku": ""}, custom) == "GALABEYA-35"


@pytest.mark.parametrize(
    ("obj", "parent", "stock"),
    [
        ({"manage_stock": True}, None, 1),
        ({"manage_stock": False}, None, 0),
        ({"manage_stock": True, "virtual": True}, None, 0),
        ({"manage_stock": True, "downloadable": True}, None, 0),
        ({"manage_stock": "parent"}, {"manage_stock": True}, 1),
        ({"manage_stock": "parent"}, {"manage_stock": False}, 0),
    ],
)
def test_an_item_keeps_stock_when_woocommerce_counts_it(obj: dict, parent: dict | None, stock: int) -> None:
    assert m.is_stock_item(obj, parent) == stock


def test_item_group_attributes_and_new_values() -> None:
    assert m.item_group({"categories": [{"name": "Gifts", "slug": "gifts"}]}, S) == ("Gift Items", False)
    assert m.item_group({"categories": [{"name": "Home", "slug": "home"}]}, S) == ("Home", True)
    assert m.item_group({"categories": []}, S) == ("Products", False)
    assert m.attribute_name({"name": "Color", "slug": "pa_color"}, S) == "Colour"
    existing = [{"attribute_value": "Small", "abbr": "S"}, {"attribute_value": "M", "abbr": "M"}]
    assert m.new_attribute_values(existing, ["S", "M", "Extra large"]) == [
        {"attribute_value": "S", "abbr": "S-2"},  # "S" is Small's abbreviation already
        {"attribute_value": "Extra large", "abbr": "EXTRA-LARGE"},
    ]


def test_a_variant_names_its_values_and_a_plain_item_does_not() -> None:
    product = {
        "id": 32,
        "name": "Classic Galabeya",
        "attributes": [{"name": "Size", "variation": True, "options": ["S"]}],
    }
    variation = {"id": 33, "attributes": [{"name": "Size", "option": "S"}]}
    doc = m.variant_doc(product, variation, S, code="G-S", group="Clothing", template="G", stock_item=1)
    assert (doc["variant_of"], doc["attributes"], doc["item_name"]) == (
        "G",
        [{"attribute": "Size", "attribute_value": "S"}],
        "Classic Galabeya - S",
    )
    plain = m.variant_doc(product, variation, S, code="G-S", group="Clothing", template="", stock_item=1)
    assert "variant_of" not in plain and m.item_hash(plain) == m.item_hash(doc)


def test_orders_not_invoiced_hold_what_they_took_and_the_quantity_never_goes_below_zero() -> None:
    line = {"product_id": 30, "variation_id": 0, "meta_data": [{"key": "_reduced_stock", "value": "2"}]}
    restored = {"product_id": 30, "variation_id": 0, "meta_data": []}  # cancelled: WooCommerce gave it back
    orders = [
        {"id": 1, "line_items": [line]},
        {"id": 2, "line_items": [line, restored]},
        {"id": 3, "line_items": [line]},
    ]
    assert held_quantities(orders, invoiced={3}) == {(30, 0): 4}
    assert desired_quantity(Decimal("10.9"), 4, 2) == 4
    assert desired_quantity(Decimal("3"), 4, 0) == 0
    bins = [
        {"item_code": "A", "warehouse": "W1", "actual_qty": 2},
        {"item_code": "A", "warehouse": "W2", "actual_qty": 3},
    ]
    assert actual_by_item([*bins, {"item_code": "A", "warehouse": "X", "actual_qty": 9}], ["W1", "W2"]) == {
        "A": Decimal(5)
    }


@given(st.decimals(min_value=-50, max_value=10_000, places=3), st.integers(0, 500), st.integers(0, 20))
def test_the_pushed_quantity_is_whole_non_negative_and_never_above_what_may_be_sold(
    actual: Decimal, held: int, buffer: int
) -> None:
    qty = desired_quantity(actual, held, buffer)
    assert isinstance(qty, int) and qty >= 0 and qty <= max(0, actual - held - buffer)


def test_prices_for_everyone_valid_today_and_sales_below_the_regular_price() -> None:
    today = date(2026, 12, 7)
    rows = [
        {"item_code": "A", "price_list": "Std", "price_list_rate": 100, "valid_from": "2026-01-01"},
        {"item_code": "A", "price_list": "Std", "price_list_rate": 120, "valid_from": "2026-12-01"},
        {"item_code": "A", "price_list": "Std", "price_list_rate": 90, "customer": "VIP"},
        {"item_code": "A", "price_list": "Std", "price_list_rate": 80, "valid_upto": "2026-11-30"},
        {"item_code": "B", "price_list": "Std", "price_list_rate": 5, "currency": "USD"},
    ]
    assert price_by_item(rows, "Std", "EGP", today) == {"A": Decimal(120)}
    assert wanted_prices(Decimal(120), Decimal(99), True) == {"regular_price": "120.00", "sale_price": "99.00"}
    assert wanted_prices(Decimal(120), Decimal(130), True) == {"regular_price": "120.00", "sale_price": ""}
    assert wanted_prices(None, None, False) == {}  # no price in ERPNext: WooCommerce's is kept
    assert same_price("105", "105.00") and not same_price("", "0.00")


def test_lines_and_refunds_carry_their_item_codes() -> None:
    order = {"line_items": [{"id": 7, "sku": "", "product_id": 11, "variation_id": 0}]}
    resolved = with_item_codes(order, {"7": "WOO-11"})
    assert resolved["line_items"][0]["sku"] == "WOO-11" and order["line_items"][0]["sku"] == ""
    refund = {"line_items": [{"sku": "", "product_id": 11, "meta_data": [{"key": "_refunded_item_id", "value": "7"}]}]}
    assert refund_with_item_codes(refund, resolved)["line_items"][0]["sku"] == "WOO-11"


def test_erpnext_topics_route_deliveries_and_render_valid_templates() -> None:
    assert classify({"doctype": "Stock Ledger Entry", "event": "after_insert", "name": "x"}).kind == "stock"
    gone = classify({"doctype": "Item Price", "event": "on_trash", "item_code": "A"})
    assert (gone.kind, gone.remote_id) == ("price", "A")
    assert classify({"doctype": "Item Price", "event": "on_trash"}).ignored
    assert classify({"doctype": "Sales Invoice", "event": "on_submit"}).ignored
    assert classify(["not", "an", "object"]).ignored
    for topic in ERP_TOPICS:
        template = webhook_json(topic)
        assert f'"event": "{topic.event}"' in template and "{{ doc.doctype | tojson }}" in template
