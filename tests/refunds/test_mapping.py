"""The pure parts: the split content hash and its migration, and which refund restocked what."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from woonext.mapping.keys import compare_hash, content_hash, legacy_content_hash
from woonext.mapping.refund import RefundSettings, map_refund, restock_allocation

ORDER: dict[str, Any] = {
    "id": 7,
    "number": "7",
    "status": "processing",
    "currency": "EGP",
    "total": "342.00",
    "total_tax": "42.00",
    "date_created": "2026-03-01T10:00:00",
    "customer_id": 3,
    "payment_method": "cod",
    "billing": {"email": "a@b.c", "address_1": "5 Nile St"},
    "meta_data": [],
    "line_items": [
        {
            "id": 11,
            "sku": "CAKE",
            "quantity": 3,
            "subtotal": "300.00",
            "total": "300.00",
            "meta_data": [{"key": "_reduced_stock", "value": "3"}],
        }
    ],
    "shipping_lines": [],
    "fee_lines": [],
    "tax_lines": [{"rate_id": 1, "tax_total": "42.00"}],
}


def with_line_meta(order: dict[str, Any], **meta: str) -> dict[str, Any]:
    line = {**order["line_items"][0], "meta_data": [{"key": k, "value": v} for k, v in meta.items()]}
    return {**order, "line_items": [line]}


def refund_line(qty: int, total: str) -> dict[str, Any]:
    return {
        "sku": "CAKE",
        "name": "Cake",
        "quantity": -qty,
        "total": f"-{total}",
        "taxes": [],
        "meta_data": [{"key": "_refunded_item_id", "value": "11"}],
    }


def test_the_hash_tells_lines_and_totals_from_details_and_ignores_the_rest() -> None:
    stored = content_hash(ORDER)
    noise = {
        **ORDER,
        "status": "completed",
        "date_modified": "2027-01-01T00:00:00",
        "customer_note": "hi",
        "meta_data": [{"key": "_x", "value": "1"}],
    }
    assert compare_hash(stored, noise).invoice is False and not compare_hash(stored, noise).details
    moved = {**ORDER, "billing": {**ORDER["billing"], "address_1": "7 Nile St"}}
    assert (compare_hash(stored, moved).invoice, compare_hash(stored, moved).details) == (False, True)
    edited = {**ORDER, "total": "456.00"}
    assert (compare_hash(stored, edited).invoice, compare_hash(stored, edited).details) == (True, False)
    restocked = with_line_meta(ORDER, _restock_refunded_items="1")  # line meta is not a line edit
    assert compare_hash(stored, restocked).invoice is False


def test_an_old_single_hash_matches_or_admits_it_cannot_tell() -> None:
    old = legacy_content_hash(ORDER)
    assert compare_hash(old, {**ORDER, "status": "completed"}).invoice is False
    assert compare_hash(old, {**ORDER, "total": "456.00"}).unknown  # the caller compares the invoice


def test_restocked_quantities_are_shared_out_over_refunds_oldest_first() -> None:
    order = with_line_meta(ORDER, _restock_refunded_items="2")
    assert restock_allocation(order, {"line_items": [refund_line(1, "100.00")]}, {}) == {"11": 1}
    # an earlier credit note already returned 1 of the 2: this refund of 2 restocked only 1
    assert restock_allocation(order, {"line_items": [refund_line(2, "200.00")]}, {"11": 1}) == {"11": 1}
    assert restock_allocation(order, {"line_items": [refund_line(1, "100.00")]}, {"11": 2}) == {}
    assert restock_allocation(ORDER, {"line_items": [refund_line(1, "100.00")]}, {}) == {}


def test_a_partly_restocked_line_returns_stock_for_what_came_back_and_credits_the_rest() -> None:
    refund = {
        "id": 9,
        "amount": "228.00",
        "line_items": [{**refund_line(2, "200.00"), "taxes": [{"id": 1, "total": "-28.00"}]}],
    }
    original = {"name": "SINV-1", "customer": "C", "currency": "EGP", "custom_payment_method": "Cash", "items": []}
    settings = RefundSettings(company="Jarz Test", tax_accounts={"1": "VAT - JT"})
    plan = map_refund(
        refund, ORDER, original, settings, sync_key="k", payment=None, restocked={"11": 1}, warehouse="Main - JT"
    )
    assert plan.doc["update_stock"] == 1 and plan.doc["set_warehouse"] == "Main - JT"
    assert [(r["item_code"], r["qty"], r["rate"], r.get("warehouse")) for r in plan.doc["items"]] == [
        ("CAKE", -1, 100, "Main - JT"),
        ("Refund", 0, 100, None),
    ]
    assert plan.grand_total == Decimal("-228.00")
    plain = map_refund(refund, ORDER, original, settings, sync_key="k", payment=None)
    assert plain.doc["update_stock"] == 0 and [r["qty"] for r in plain.doc["items"]] == [-2]
