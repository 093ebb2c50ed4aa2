"""Refund objects as WooCommerce writes them (observed-real §9): negative quantities and totals on
the refunded lines, a positive `amount`, and the order's `refunds[]` summary with a negative total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from woonext.sim.woomoney_tax import ZERO, money, q


def _d(value: Any) -> Decimal:
    return ZERO if value in (None, "") else Decimal(str(value))


def _neg(value: Decimal) -> str:
    return money(-value)


def refunded_so_far(order: Mapping[str, Any]) -> Decimal:
    return sum((abs(_d(r.get("total"))) for r in order.get("refunds") or []), ZERO)


def remaining_refund_amount(order: Mapping[str, Any]) -> Decimal:
    """What may still be refunded: the order total less every earlier refund."""
    return _d(order.get("total")) - refunded_so_far(order)


def _find_item(order: Mapping[str, Any], item_id: int) -> tuple[str, dict[str, Any]]:
    for kind in ("line_items", "shipping_lines", "fee_lines"):
        for item in order.get(kind) or []:
            if int(item.get("id") or 0) == item_id:
                return kind, item
    raise ValueError(f"Invalid order item ID: {item_id}.")


def _refund_taxes(item: Mapping[str, Any], request: Mapping[str, Any], share: Decimal) -> dict[int, Decimal]:
    given = request.get("refund_tax")
    if given is not None:
        return {int(t["id"]): _d(t.get("refund_total")) for t in given if _d(t.get("refund_total"))}
    return {
        int(t["id"]): q(_d(t.get("total")) * share, 2)
        for t in item.get("taxes") or []
        if q(_d(t.get("total")) * share, 2)
    }


def calculate_refund(
    order: Mapping[str, Any],
    amount: Decimal | str | None = None,
    line_items: Sequence[Mapping[str, Any]] | None = None,
    reason: str = "",
) -> dict:
    """The refund object for refunding `line_items` (`[{id, quantity, refund_total, refund_tax}]`, as
    `POST /orders/{id}/refunds` takes them) and/or a plain `amount`. Ids are left 0 for the store.

    Raises ValueError with WooCommerce's messages for a non-positive or excessive amount.
    """
    refund: dict[str, Any] = {
        "id": 0,
        "date_created": None,
        "date_created_gmt": None,
        "amount": "0.00",
        "reason": reason,
        "refunded_by": 0,
        "refunded_payment": False,
        "meta_data": [],
        "line_items": [],
        "shipping_lines": [],
        "tax_lines": [],
        "fee_lines": [],
    }
    cart_tax: dict[int, Decimal] = {}
    ship_tax: dict[int, Decimal] = {}
    lines_sum = ZERO
    for request in line_items or []:
        kind, item = _find_item(order, int(request["id"]))
        quantity = int(request.get("quantity") or 0)
        item_qty = int(item.get("quantity") or 0)
        share = Decimal(quantity) / item_qty if kind == "line_items" and item_qty and quantity else Decimal(1)
        if request.get("refund_total") not in (None, ""):
            total = _d(request["refund_total"])
        else:
            total = q(_d(item.get("total")) * share, 2) if (quantity or kind != "line_items") else ZERO
        taxes = _refund_taxes(item, request, share)
        if not total and not taxes and not quantity:
            continue
        lines_sum += total + sum(taxes.values(), ZERO)
        bucket = ship_tax if kind == "shipping_lines" else cart_tax
        for rid, amount_ in taxes.items():
            bucket[rid] = bucket.get(rid, ZERO) + amount_
        refund[kind].append(_refund_line(kind, item, quantity, total, taxes))

    value = _d(amount) if amount not in (None, "") else lines_sum
    if value <= 0:
        raise ValueError("Refund amount must be greater than zero.")
    if value > remaining_refund_amount(order):
        raise ValueError("Invalid refund amount.")
    refund["amount"] = money(value)
    tax_by_id = {int(t.get("rate_id") or 0): t for t in order.get("tax_lines") or []}
    for rid in dict.fromkeys([*cart_tax, *ship_tax]):
        base = tax_by_id.get(rid, {})
        refund["tax_lines"].append(
            {
                "id": 0,
                "rate_code": base.get("rate_code", ""),
                "rate_id": rid,
                "label": base.get("label", ""),
                "compound": base.get("compound", False),
                "tax_total": _neg(cart_tax.get(rid, ZERO)),
                "shipping_tax_total": _neg(ship_tax.get(rid, ZERO)),
                "rate_percent": base.get("rate_percent", 0),
                "meta_data": [],
            }
        )
    return refund


def _refund_line(
    kind: str, item: Mapping[str, Any], quantity: int, total: Decimal, taxes: Mapping[int, Decimal]
) -> dict[str, Any]:
    meta = [
        {
            "id": 0,
            "key": "_refunded_item_id",
            "value": str(item.get("id")),
            "display_key": "_refunded_item_id",
            "display_value": str(item.get("id")),
        }
    ]
    served_taxes = [
        {"id": rid, "total": _neg(v), "subtotal": _neg(v) if kind == "line_items" else ""} for rid, v in taxes.items()
    ]
    tax_sum = sum(taxes.values(), ZERO)
    if kind == "line_items":
        price: int | float = float(-total) / quantity if quantity else 0
        return {
            "id": 0,
            "name": item.get("name", ""),
            "product_id": item.get("product_id", 0),
            "variation_id": item.get("variation_id", 0),
            "quantity": -quantity,
            "tax_class": item.get("tax_class", ""),
            "subtotal": _neg(total),
            "subtotal_tax": _neg(tax_sum),
            "total": _neg(total),
            "total_tax": _neg(tax_sum),
            "taxes": served_taxes,
            "meta_data": meta,
            "sku": item.get("sku", ""),
            "global_unique_id": "",
            "price": price,
            "image": {"id": "", "src": ""},
            "parent_name": item.get("parent_name"),
        }
    common = {"id": 0, "total": _neg(total), "total_tax": _neg(tax_sum), "taxes": served_taxes, "meta_data": meta}
    if kind == "shipping_lines":
        return {
            **common,
            "method_title": item.get("method_title", ""),
            "method_id": item.get("method_id", ""),
            "instance_id": item.get("instance_id", ""),
            "tax_status": item.get("tax_status", "taxable"),
        }
    return {
        **common,
        "name": item.get("name", ""),
        "tax_class": item.get("tax_class", ""),
        "tax_status": item.get("tax_status", "taxable"),
        "amount": "",
    }


def refund_summary(refund: Mapping[str, Any]) -> dict[str, Any]:
    """The entry the order's `refunds[]` shows for a refund: its total is negative."""
    return {"id": refund.get("id", 0), "reason": refund.get("reason", ""), "total": _neg(_d(refund.get("amount")))}
