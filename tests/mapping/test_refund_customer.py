"""Credit-note and customer-identity mapping (pure)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from woonext.mapping.customer import customer_doc, identity_key
from woonext.mapping.invoice import MappingError, PaymentRow
from woonext.mapping.refund import RefundSettings, map_refund

SETTINGS = RefundSettings(company="Jarz Test", tax_accounts={"1": "VAT 14% - JT"})
ORDER: dict[str, Any] = {"id": 5, "number": "5", "date_created": "2026-03-01T10:00:00"}
ORIGINAL: dict[str, Any] = {
    "name": "ACC-SINV-2026-00001",
    "customer": "Mona",
    "currency": "EGP",
    "custom_payment_method": "Cash",
    "items": [
        {"name": "row-a", "item_code": "CAKE", "rate": 33.33, "qty": 2},
        {"name": "row-b", "item_code": "CAKE", "rate": 33.34, "qty": 1},
    ],
}


def test_amount_only_refund_is_one_qty_zero_row_of_the_refund_item() -> None:
    plan = map_refund(
        {"id": 9, "amount": "12.50", "reason": "late"},
        ORDER,
        ORIGINAL,
        SETTINGS,
        sync_key="main:refund:9",
        payment=None,
    )
    assert plan.doc["items"] == [{"item_code": "Refund", "qty": 0, "rate": 12.5, "description": "late"}]
    assert plan.doc["update_outstanding_for_self"] == 0 and plan.doc["is_return"] == 1
    assert plan.doc["return_against"] == "ACC-SINV-2026-00001" and plan.grand_total == Decimal("-12.50")


def test_line_refund_links_rows_with_a_rate_at_least_the_refund_rate_and_reverses_tax() -> None:
    refund = {
        "id": 10,
        "amount": "38.00",
        "line_items": [
            {"sku": "CAKE", "name": "Cake", "quantity": -1, "total": "-33.34", "taxes": [{"id": 1, "total": "-4.66"}]}
        ],
    }
    plan = map_refund(refund, ORDER, ORIGINAL, SETTINGS, sync_key="k", payment=PaymentRow("Cash", "Cash - JT"))
    row = plan.doc["items"][0]
    assert (row["qty"], row["rate"], row["sales_invoice_item"]) == (-1, 33.34, "row-b")
    assert plan.doc["taxes"][0]["tax_amount"] == -4.66
    assert plan.doc["payments"] == [{"mode_of_payment": "Cash", "account": "Cash - JT", "amount": -38.0}]


def test_refund_lines_above_the_amount_are_refused() -> None:
    refund = {"id": 11, "amount": "10.00", "line_items": [{"sku": "CAKE", "quantity": -1, "total": "-33.34"}]}
    with pytest.raises(MappingError) as caught:
        map_refund(refund, ORDER, ORIGINAL, SETTINGS, sync_key="k", payment=None)
    assert caught.value.reason == "residual"


@pytest.mark.parametrize(
    ("order", "key"),
    [
        ({"id": 1, "customer_id": 42, "billing": {"email": "A@B.C"}}, "id:42"),
        ({"id": 1, "customer_id": 0, "billing": {"email": "  Mona@Example.TEST "}}, "email:mona@example.test"),
        ({"id": 1, "customer_id": 0, "billing": {"email": "", "phone": "+20 10 1234 5678"}}, "phone:+201012345678"),
        ({"id": 1, "customer_id": 0, "billing": {"email": "bad@", "phone": "call me"}}, "guest-order:1"),
        ({"id": 3, "customer_id": 0, "billing": {}}, "guest-order:3"),
    ],
)
def test_identity_key(order: dict[str, Any], key: str) -> None:
    assert identity_key(order) == key


def test_customer_doc_carries_our_key_not_a_name_based_identity() -> None:
    doc = customer_doc(
        {"id": 1, "customer_id": 42, "billing": {"first_name": "Mona", "last_name": "Hassan"}}, "main:id:42"
    )
    assert doc == {
        "customer_name": "Mona Hassan",
        "customer_type": "Individual",
        "woonext_customer_key": "main:id:42",
        "woo_customer_id": "42",
    }
