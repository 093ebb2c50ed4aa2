"""Building and editing order line items from REST bodies / specs (before the arithmetic)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from . import phpjson
from .book import OrderBook, meta_value
from .catalog import Catalog
from .errors import WooError
from .phpjson import php_number

GROUP_NAME_KEY = {
    "line_items": "product_id",
    "shipping_lines": "method_id",
    "fee_lines": "name",
    "coupon_lines": "code",
}


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def invalid_item() -> WooError:
    return WooError(400, "woocommerce_rest_invalid_item_id", "Order item ID provided is not associated with order.")


def item_meta(book: OrderBook, entries: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for entry in entries or []:
        if isinstance(entry, dict) and "key" in entry and entry.get("value") is not None:
            value = meta_value(entry["value"])
            rows.append(
                {
                    "id": book.take_item_meta_id(),
                    "key": str(entry["key"]),
                    "value": value,
                    "display_key": str(entry.get("display_key", entry["key"])),
                    "display_value": entry.get("display_value", value),
                }
            )
    return rows


def new_product_line(book: OrderBook, catalog: Catalog, data: dict[str, Any]) -> dict[str, Any]:
    pid = int(data.get("product_id") or 0)
    vid = int(data.get("variation_id") or 0)
    product = catalog.product_for_line(pid, vid)
    if vid and product is not None and not pid:
        pid = int(product.get("parent_id") or 0)
    if (pid or vid) and product is None:
        raise WooError(400, "woocommerce_rest_invalid_product_id", "Product ID provided is not valid.")
    parent = catalog.products.get(pid) if vid else None
    qty = int(data.get("quantity") or 1)
    # Figures the client gives are kept; missing ones are left to the arithmetic (shelf price).
    subtotal = _dec(data.get("subtotal"))
    total = _dec(data.get("total"))
    name = data.get("name") or (product.get("name", "") if product else "")
    meta = item_meta(book, data.get("meta_data") or [])
    if parent is not None and product is not None:
        name = data.get("name") or f"{parent['name']} - {product.get('name', '')}"
        for attr in product.get("attributes", []):
            slug = attr.get("slug") or str(attr.get("name", "")).lower()
            meta.append(
                {
                    "id": book.take_item_meta_id(),
                    "key": slug,
                    "value": attr.get("option", ""),
                    "display_key": attr.get("name", slug),
                    "display_value": attr.get("option", ""),
                }
            )
    return {
        "id": book.take_item_id(),
        "name": name,
        "product_id": pid,
        "variation_id": vid,
        "quantity": qty,
        "tax_class": (product or {}).get("tax_class", "") if data.get("tax_class") is None else data["tax_class"],
        "subtotal": "" if subtotal is None else str(subtotal),
        "subtotal_tax": "0",
        "total": "" if total is None else str(total),
        "total_tax": "0",
        "taxes": [],
        "meta_data": meta,
        "sku": (product or {}).get("sku", ""),
        "global_unique_id": "",
        "price": 0,
        "image": {"id": "", "src": ""},
        "parent_name": parent["name"] if parent is not None else None,
    }


def new_line(book: OrderBook, catalog: Catalog, group: str, data: dict[str, Any]) -> dict[str, Any]:
    if group == "line_items":
        return new_product_line(book, catalog, data)
    meta = item_meta(book, data.get("meta_data") or [])
    if group == "shipping_lines":
        return {
            "id": book.take_item_id(),
            "method_title": data.get("method_title", ""),
            "method_id": data.get("method_id", ""),
            "instance_id": str(data.get("instance_id", "")),
            "total": str(_dec(data.get("total")) or Decimal(0)),
            "total_tax": "0",
            "taxes": [],
            "tax_status": data.get("tax_status", "taxable"),
            "meta_data": meta,
        }
    if group == "fee_lines":
        return {
            "id": book.take_item_id(),
            "name": data.get("name", ""),
            "tax_class": data.get("tax_class", ""),
            "tax_status": data.get("tax_status", "taxable"),
            "amount": str(data.get("amount", "")),
            "total": str(_dec(data.get("total")) or Decimal(0)),
            "total_tax": "0",
            "taxes": [],
            "meta_data": meta,
        }
    coupon = catalog.coupon_by_code(str(data.get("code", "")))
    if coupon is None:
        raise WooError(400, "woocommerce_rest_invalid_coupon", f'Coupon "{data.get("code", "")}" does not exist!')
    nominal = php_number(Decimal(str(coupon.get("amount", "0"))))
    discount_type = coupon.get("discount_type", "fixed_cart")
    # WooCommerce keeps a compact copy of the coupon on the line (`coupon_info`, PHP JSON).
    info = phpjson.encode([coupon["id"], coupon["code"], discount_type, nominal])
    meta.insert(
        0,
        {
            "id": book.take_item_meta_id(),
            "key": "coupon_info",
            "value": info,
            "display_key": "coupon_info",
            "display_value": info,
        },
    )
    return {
        "id": book.take_item_id(),
        "code": coupon["code"],
        "discount": "0",
        "discount_tax": "0",
        "meta_data": meta,
        "discount_type": discount_type,
        "nominal_amount": nominal,
        "free_shipping": bool(coupon.get("free_shipping", False)),
    }


def apply_lines(book: OrderBook, catalog: Catalog, order: dict[str, Any], group: str, items: list[Any]) -> None:
    """PUT/POST semantics: with id → update that item (quantity 0 or a null key field removes it);
    without id → a new item."""
    current: list[dict[str, Any]] = order.setdefault(group, [])
    for data in items:
        if not isinstance(data, dict):
            continue
        name_key = GROUP_NAME_KEY[group]
        if data.get("id"):
            line = next((x for x in current if x["id"] == int(data["id"])), None)
            if line is None:
                raise invalid_item()
            removed = (name_key in data and data[name_key] is None) or (
                group == "line_items" and "quantity" in data and int(data["quantity"] or 0) == 0
            )
            if removed:
                current.remove(line)
                continue
            for key, value in data.items():
                if key in ("id", "meta_data"):
                    continue
                line[key] = str(value) if key in ("subtotal", "total") else value
            if data.get("meta_data"):
                line.setdefault("meta_data", []).extend(item_meta(book, data["meta_data"]))
        else:
            if group == "line_items" and "quantity" in data and int(data["quantity"] or 0) == 0:
                continue
            current.append(new_line(book, catalog, group, data))
