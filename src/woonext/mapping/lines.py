"""Order and refund lines carry the code of the Item they map to (pure).

Every mapper reads a line's Item code from its `sku`. A line is resolved once, through the product's
binding (so a product without a SKU, or whose SKU was renamed, keeps its Item); the resolved copy
then serves the invoice, the edit check and the credit notes alike. A refund line names the order
line it refunds (`_refunded_item_id`), whose code it takes.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from woonext.mapping.refund import refunded_item_id


def line_key(line: Mapping[str, Any]) -> tuple[int, int]:
    """(product id, variation id) of an order or refund line."""
    return int(line.get("product_id") or 0), int(line.get("variation_id") or 0)


def with_item_codes(order: Mapping[str, Any], codes: Mapping[str, str]) -> dict[str, Any]:
    """A copy of the order whose line `sku`s are the Item codes in `codes` (by line id)."""
    out = copy.deepcopy(dict(order))
    for line in out.get("line_items") or []:
        code = codes.get(str(line.get("id")))
        if code:
            line["sku"] = code
    return out


def refund_with_item_codes(refund: Mapping[str, Any], order: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the refund whose lines carry the code of the (resolved) order line they refund."""
    by_id = {str(li.get("id")): str(li.get("sku") or "") for li in order.get("line_items") or []}
    by_product = {line_key(li): str(li.get("sku") or "") for li in order.get("line_items") or []}
    out = copy.deepcopy(dict(refund))
    for line in out.get("line_items") or []:
        code = by_id.get(refunded_item_id(line)) or by_product.get(line_key(line))
        if code:
            line["sku"] = code
    return out
