"""Order refunds (A2.7 and observed-real §9)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .book import meta_value
from .errors import WooError
from .render import format_money
from .shop import Shop


def _refund_error(code: str, message: str, data: int) -> WooError:
    # The refunds controller passes a bare integer as data, so WordPress answers HTTP 500.
    return WooError(500, code, message, data)


def _dec(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def refunded_total(shop: Shop, order_id: int) -> Decimal:
    return sum((_dec(r["amount"]) for r in shop.book.refunds.values() if r["_sim_order_id"] == order_id),
               Decimal(0))


def create_refund(shop: Shop, order_id: int, data: dict[str, Any]) -> dict[str, Any]:
    order = shop.book.orders.get(order_id)
    if order is None:
        raise _refund_error("woocommerce_rest_invalid_order_id", "Invalid order ID.", 404)
    dp = shop.config.price_decimals
    lines_in = [x for x in data.get("line_items") or [] if isinstance(x, dict)]
    if data.get("amount") in (None, ""):
        amount = sum((_dec(x.get("refund_total")) + sum((_dec(t.get("refund_total"))
                      for t in x.get("refund_tax") or []), Decimal(0)) for x in lines_in), Decimal(0))
    else:
        amount = _dec(data["amount"])
    if amount <= 0:
        raise _refund_error("woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.", 400)
    remaining = _dec(order.get("total")) - refunded_total(shop, order_id)
    if amount > remaining:
        raise _refund_error("woocommerce_rest_cannot_create_order_refund", "Invalid refund amount.", 500)
    api_refund = data.get("api_refund", True) not in (False, "false", "0", 0)
    if api_refund:
        gateway = str(order.get("payment_method") or "")
        if gateway not in shop.config.gateways:
            raise _refund_error("woocommerce_rest_cannot_create_order_refund",
                                "The payment gateway for this order does not exist.", 500)
        if not shop.config.gateways[gateway]:
            raise _refund_error("woocommerce_rest_cannot_create_order_refund",
                                "The payment gateway for this order does not support automatic refunds.", 500)
    refund_lines = []
    for entry in lines_in:
        item = next((x for x in order.get("line_items") or [] if x["id"] == int(entry.get("id") or 0)), None)
        if item is None:
            continue
        qty = int(entry.get("quantity") or 0)
        total = _dec(entry.get("refund_total"))
        taxes = [{"id": int(t.get("id") or 0), "total": format_money(-_dec(t.get("refund_total")), dp),
                  "subtotal": format_money(-_dec(t.get("refund_total")), dp)} for t in entry.get("refund_tax") or []]
        tax_total = sum((_dec(t.get("refund_total")) for t in entry.get("refund_tax") or []), Decimal(0))
        refund_lines.append({
            "id": shop.book.take_item_id(), "name": item["name"], "product_id": item["product_id"],
            "variation_id": item["variation_id"], "quantity": -qty, "tax_class": item.get("tax_class", ""),
            "subtotal": format_money(-total, dp), "subtotal_tax": format_money(-tax_total, dp),
            "total": format_money(-total, dp), "total_tax": format_money(-tax_total, dp), "taxes": taxes,
            "meta_data": [{"id": shop.book.take_item_meta_id(), "key": "_refunded_item_id",
                           "value": str(item["id"]), "display_key": "_refunded_item_id",
                           "display_value": str(item["id"])}],
            "sku": item.get("sku"), "global_unique_id": "", "price": -float(total / qty) if qty else 0,
            "image": {"id": "", "src": ""}, "parent_name": item.get("parent_name"),
        })
        if data.get("api_restock", True) not in (False, "false", "0", 0) and qty:
            _restock(shop, item, qty)
    rid = shop.book.take_order_id()
    local, gmt = shop.time.pair(shop.now())
    base = f"{shop.home}/wp-json/wc/v3/orders/{order_id}"
    reason = str(data.get("reason") or "")
    refund: dict[str, Any] = {
        "id": rid, "date_created": local, "date_created_gmt": gmt, "amount": format_money(amount, dp),
        "reason": reason, "refunded_by": 1, "refunded_payment": api_refund,
        "meta_data": [{"id": shop.book.take_meta_id(), "key": str(m["key"]), "value": meta_value(m.get("value"))}
                      for m in data.get("meta_data") or [] if isinstance(m, dict) and "key" in m],
        "line_items": refund_lines, "shipping_lines": [], "tax_lines": [], "fee_lines": [],
        "_links": {"self": [{"href": f"{base}/refunds/{rid}"}], "collection": [{"href": f"{base}/refunds"}],
                   "up": [{"href": base}]},
        "_sim_order_id": order_id,
    }
    shop.book.refunds[rid] = refund
    old_status = str(order["status"])
    with shop.hub.scope():
        order.setdefault("refunds", []).insert(0, {"id": rid, "reason": reason,
                                                   "total": format_money(-amount, dp)})
        if amount == remaining:
            shop.book.set_status(order, "refunded", shop.now())
        shop.hub.fire("order.updated", order_id, str(order["status"]))  # woocommerce_order_refunded
        shop._save(order, old_status)
    return refund


def _restock(shop: Shop, item: dict[str, Any], qty: int) -> None:
    product = shop.catalog.product_for_line(int(item["product_id"]), int(item["variation_id"]))
    if product is not None and product.get("manage_stock") and product.get("stock_quantity") is not None:
        product["stock_quantity"] = int(product["stock_quantity"]) + qty


def delete_refund(shop: Shop, order_id: int, refund_id: int) -> dict[str, Any]:
    refund = shop.book.refunds.get(refund_id)
    if refund is None or refund["_sim_order_id"] != order_id:
        raise WooError(404, "woocommerce_rest_invalid_id", "Invalid ID.")
    del shop.book.refunds[refund_id]
    order = shop.book.orders.get(order_id)
    if order is not None:
        order["refunds"] = [r for r in order.get("refunds", []) if r.get("id") != refund_id]
    return refund
