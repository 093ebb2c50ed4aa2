"""Order refunds (A2.7 and observed-real §9); the figures come from woonext.sim.woomoney."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from woonext.sim import woomoney
from woonext.sim.woomoney_refunds import remaining_refund_amount

from .book import meta_value
from .errors import WooError
from .shop import Shop


def _refund_error(code: str, message: str, data: int) -> WooError:
    # The refunds controller passes a bare integer as data, so WordPress answers HTTP 500.
    return WooError(500, code, message, data)


def _flag(value: Any, default: bool) -> bool:
    if value is None:
        return default
    return value not in (False, "false", "0", 0, "")


def create_refund(shop: Shop, order_id: int, data: dict[str, Any]) -> dict[str, Any]:
    order = shop.book.orders.get(order_id)
    if order is None:
        raise _refund_error("woocommerce_rest_invalid_order_id", "Invalid order ID.", 404)
    amount = data.get("amount")
    if amount not in (None, ""):
        try:
            if Decimal(str(amount)) <= 0:
                raise _refund_error(
                    "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.", 400
                )
        except InvalidOperation as exc:
            raise _refund_error(
                "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.", 400
            ) from exc
    lines_in = [x for x in data.get("line_items") or [] if isinstance(x, dict)]
    try:
        refund = woomoney.calculate_refund(order, amount, lines_in, str(data.get("reason") or ""))
    except ValueError as exc:
        raise _refund_error("woocommerce_rest_cannot_create_order_refund", str(exc), 500) from exc
    api_refund = _flag(data.get("api_refund"), True)
    if api_refund:
        gateway = str(order.get("payment_method") or "")
        if gateway not in shop.config.gateways:
            raise _refund_error(
                "woocommerce_rest_cannot_create_order_refund", "The payment gateway for this order does not exist.", 500
            )
        if not shop.config.gateways[gateway]:
            raise _refund_error(
                "woocommerce_rest_cannot_create_order_refund",
                "The payment gateway for this order does not support automatic refunds.",
                500,
            )
    rid = shop.book.take_order_id()
    refund["id"] = rid
    refund["date_created"], refund["date_created_gmt"] = shop.time.pair(shop.now())
    refund["refunded_by"] = 1
    refund["refunded_payment"] = api_refund
    refund["meta_data"] = [
        {"id": shop.book.take_meta_id(), "key": str(m["key"]), "value": meta_value(m.get("value"))}
        for m in data.get("meta_data") or []
        if isinstance(m, dict) and "key" in m
    ]
    for group in ("line_items", "shipping_lines", "fee_lines", "tax_lines"):
        for line in refund.get(group) or []:
            line["id"] = shop.book.take_item_id()
            for meta in line.get("meta_data") or []:
                meta["id"] = shop.book.take_item_meta_id()
    base = f"{shop.home}/wp-json/wc/v3/orders/{order_id}"
    refund["_links"] = {
        "self": [{"href": f"{base}/refunds/{rid}"}],
        "collection": [{"href": f"{base}/refunds"}],
        "up": [{"href": base}],
    }
    refund["_sim_order_id"] = order_id
    if _flag(data.get("api_restock"), True):
        for line in refund.get("line_items") or []:
            _restock(shop, order, line)
    remaining = remaining_refund_amount(order)
    shop.book.refunds[rid] = refund
    old_status = str(order["status"])
    with shop.hub.scope():
        order.setdefault("refunds", []).insert(0, woomoney.refund_summary(refund))
        if Decimal(str(refund["amount"])) >= remaining:
            shop.book.set_status(order, "refunded", shop.now())
        shop.hub.fire("order.updated", order_id, str(order["status"]))  # woocommerce_order_refunded
        shop._save(order, old_status)
    for note in shop.mailer.refund(order, full=order["status"] == "refunded"):  # "Refunded order" (sample 72)
        shop.add_note(order_id, note)
    return refund


def _restock(shop: Shop, order: dict[str, Any], line: dict[str, Any]) -> None:
    """`wc_restock_refunded_items`: only a product that manages stock is restocked; the original
    line then counts what went back in `_restock_refunded_items` (cumulative over refunds), its
    `_reduced_stock` drops by as much, and the order gets a system note. The refund object itself
    says nothing about restocking. (This simulator does not reduce stock at checkout, so a line
    without `_reduced_stock` is restocked too.)"""
    qty = -int(line.get("quantity") or 0)
    product = shop.catalog.product_for_line(int(line.get("product_id") or 0), int(line.get("variation_id") or 0))
    if qty <= 0 or product is None or not product.get("manage_stock") or product.get("stock_quantity") is None:
        return
    original = _refunded_item(order, line)
    if original is None:
        return
    old_stock = int(product["stock_quantity"])
    product["stock_quantity"] = old_stock + qty
    meta = original.setdefault("meta_data", [])
    reduced = next((m for m in meta if m.get("key") == "_reduced_stock"), None)
    if reduced is not None:
        _set_meta(reduced, int(reduced.get("value") or 0) - qty)
    tally = next((m for m in meta if m.get("key") == "_restock_refunded_items"), None)
    if tally is None:
        tally = {"id": shop.book.take_item_meta_id(), "key": "_restock_refunded_items"}
        meta.append(tally)
    _set_meta(tally, int(tally.get("value") or 0) + qty)
    meta.sort(key=lambda m: str(m.get("key")))  # meta_data comes back ordered by key (observed §11)
    shop.add_note(
        int(order["id"]), f"Item #{original.get('id')} stock increased from {old_stock} to {product['stock_quantity']}."
    )


def _refunded_item(order: dict[str, Any], line: dict[str, Any]) -> dict[str, Any] | None:
    ref = next((m.get("value") for m in line.get("meta_data") or [] if m.get("key") == "_refunded_item_id"), None)
    for item in order.get("line_items") or []:
        if str(item.get("id")) == str(ref):
            return item
    return None


def _set_meta(entry: dict[str, Any], value: int) -> None:
    entry.update(value=str(value), display_key=entry["key"], display_value=str(value))


def delete_refund(shop: Shop, order_id: int, refund_id: int) -> dict[str, Any]:
    """`WC_AJAX::delete_refund` / REST `delete_item`: only the refund is deleted. The order is not
    saved: no new `date_modified`, no `order.updated` webhook, the status stays (a `refunded` order
    stays `refunded`) and restocked quantities stay in stock; the order's `refunds[]` loses it."""
    refund = shop.book.refunds.get(refund_id)
    if refund is None or refund["_sim_order_id"] != order_id:
        raise WooError(404, "woocommerce_rest_invalid_id", "Invalid ID.")
    del shop.book.refunds[refund_id]
    order = shop.book.orders.get(order_id)
    if order is not None:
        order["refunds"] = [r for r in order.get("refunds", []) if r.get("id") != refund_id]
    return refund
