"""Items for the store's products, by SKU, for `setup --apply`.

A stand-in until the catalog sync (issue 15, `woonext items sync`) binds products to Items by id:
`store_item_actions` is the one function to swap for it. It makes an Item per SKU that ERPNext lacks
(item code = SKU, the product's name, "Products", stock kept unless the product is virtual or
downloadable); it never changes an Item that exists."""

from __future__ import annotations

from typing import Any

from woonext.sync.context import StoreContext
from woonext.sync.discover import Product
from woonext.sync.setup_plan_types import Action

PRODUCT_GROUP = "Products"


async def existing_items(ctx: StoreContext, codes: list[str]) -> set[str]:
    """Which of these item codes exist, asked by POST (a long `in` list would overflow a GET's
    request line, sample 103; frappe.client.get_list takes its arguments in the body, sample 104)."""
    if not codes:
        return set()
    rows = await ctx.erp.call(
        "frappe.client.get_list", doctype="Item", filters=[["name", "in", codes]], fields=["name"], limit_page_length=0
    )
    return {str(row["name"]) for row in rows or []}


def _item(ctx: StoreContext, product: Product, group: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "item_code": product.sku,
        "item_name": product.name or product.sku,
        "item_group": group,
        "stock_uom": "Nos",
        "is_stock_item": int(product.stock),
        "is_sales_item": 1,
        "include_item_in_manufacturing": 0,
    }
    if product.stock:
        doc["item_defaults"] = [{"company": ctx.config.company, "default_warehouse": ctx.config.warehouse}]
    return doc


async def store_item_actions(ctx: StoreContext, products: list[Product], groups: set[str]) -> list[Action]:
    """An insert per product SKU ERPNext has no Item for (one per SKU, the first product wins)."""
    by_sku: dict[str, Product] = {}
    for product in products:
        by_sku.setdefault(product.sku, product)
    have = await existing_items(ctx, sorted(by_sku))
    group = PRODUCT_GROUP if PRODUCT_GROUP in groups else "All Item Groups"
    actions = []
    for sku, product in sorted(by_sku.items()):
        if sku not in have:
            kind = "stock item" if product.stock else "non-stock item"
            actions.append(Action("Item", sku, f"{kind} for product {product.name!r}", _item(ctx, product, group)))
    return actions
