"""Writing products and variations: PUT one, or `POST …/batch` (samples 54–59).

What the real 11.0.1 does: a batch holds at most 100 objects (create + update + delete together);
more is 413 `woocommerce_rest_request_entity_too_large` and nothing is applied. A bad id fails only
its own item, in place, and the batch answers 200. `stock_quantity` is ignored unless the object
manages stock; every saved object gets a new `date_modified` and fires `product.updated` (one per
variation, even when nothing changed); a variation's save bumps its parent's `date_modified` too.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .errors import WooError
from .request import WooRequest
from .routing import WRITE, Reply, Router

if TYPE_CHECKING:
    from .app import WooSim

BATCH_LIMIT = 100  # woocommerce_rest_batch_items_limit
ID = r"(?P<id>[\d]+)"
PARENT = r"(?P<product_id>[\d]+)"
# Writable fields a sync sends; others in the body are ignored, as unknown keys are by WordPress.
WRITABLE = (
    "name",
    "sku",
    "status",
    "description",
    "short_description",
    "regular_price",
    "sale_price",
    "manage_stock",
    "stock_quantity",
    "stock_status",
    "backorders",
    "virtual",
    "downloadable",
    "tax_status",
    "tax_class",
    "categories",
    "images",
    "meta_data",
)


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in record.items() if not k.startswith("_sim_")}


def _sku_taken(sim: WooSim, sku: str, own_id: int) -> bool:
    pool = [*sim.catalog.products.values(), *sim.catalog.variations.values()]
    return any(str(p.get("sku") or "") == sku and int(p["id"]) != own_id for p in pool)


def apply_changes(sim: WooSim, record: dict[str, Any], body: dict[str, Any]) -> None:
    """Set the writable fields of one product or variation and save it (date, webhook)."""
    if body.get("sku") and _sku_taken(sim, str(body["sku"]), int(record["id"])):
        raise WooError(400, "product_invalid_sku", "Invalid or duplicated SKU.", {"status": 400})
    for key in WRITABLE:
        if key in body and key != "stock_quantity":
            record[key] = body[key]
    if record.get("manage_stock") is True:
        if "stock_quantity" in body and body["stock_quantity"] is not None:
            record["stock_quantity"] = int(float(body["stock_quantity"]))
        quantity = int(record.get("stock_quantity") or 0)
        if "stock_status" not in body:
            record["stock_status"] = "instock" if quantity > 0 else "outofstock"
    else:
        record["stock_quantity"] = None  # sample 58: ignored without manage_stock
    if "regular_price" in body or "sale_price" in body:
        sale = str(record.get("sale_price") or "")
        record["price"] = sale or str(record.get("regular_price") or "")
        record["on_sale"] = bool(sale)
    now = sim.clock.now()
    record["date_modified"], record["date_modified_gmt"] = sim.site_time.pair(now)
    parent = sim.catalog.products.get(int(record.get("parent_id") or 0))
    if parent is not None:
        parent["date_modified"], parent["date_modified_gmt"] = sim.site_time.pair(now)
    sim.hub.fire("product.updated", int(record["id"]))


def _product(sim: WooSim, item_id: Any) -> dict[str, Any]:
    product = sim.catalog.products.get(int(item_id or 0))
    if product is None:
        raise WooError(400, "woocommerce_rest_product_invalid_id", "Invalid ID.")
    return product


def _variation(sim: WooSim, parent_id: int, item_id: Any) -> dict[str, Any]:
    variation = sim.catalog.variations.get(int(item_id or 0))
    if variation is None or int(variation.get("parent_id") or 0) != parent_id:
        raise WooError(400, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
    return variation


async def update_product(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    product = sim.catalog.products.get(int(m["id"])) or sim.catalog.variations.get(int(m["id"]))
    if product is None:
        raise WooError(400, "woocommerce_rest_product_invalid_id", "Invalid ID.")
    apply_changes(sim, product, req.params())
    return Reply(200, _public(product))


async def update_variation(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    variation = _variation(sim, int(m["product_id"]), m["id"])
    apply_changes(sim, variation, req.params())
    return Reply(200, _public(variation))


def _batch_body(req: WooRequest) -> dict[str, list[Any]]:
    body = req.params()
    groups = {key: body.get(key) or [] for key in ("create", "update", "delete")}
    if sum(len(items) for items in groups.values() if isinstance(items, list)) > BATCH_LIMIT:
        raise WooError(
            413,
            "woocommerce_rest_request_entity_too_large",
            f"Unable to accept more than {BATCH_LIMIT} items for this request.",
            {"status": 413},
        )
    return {k: v for k, v in groups.items() if isinstance(v, list)}


def _item_error(item_id: Any, err: WooError, status: int | None = None) -> dict[str, Any]:
    body = err.body()
    body["data"] = {"status": status or err.status}
    return {"id": int(item_id or 0) if str(item_id or "0").isdigit() else 0, "error": body}


async def batch_products(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    groups = _batch_body(req)
    out: dict[str, list[Any]] = {}
    if "create" in req.params():
        out["create"] = []
        for data in groups["create"]:
            product = sim.add_product(str(data.get("name") or ""), str(data.get("sku") or ""), "0")
            apply_changes(sim, product, data)
            out["create"].append(_public(product))
    if "update" in req.params():
        out["update"] = []
        for data in groups["update"]:
            try:
                product = _product(sim, (data or {}).get("id"))
                apply_changes(sim, product, data)
                out["update"].append(_public(product))
            except WooError as err:
                out["update"].append(_item_error((data or {}).get("id"), err))
    if "delete" in req.params():
        out["delete"] = []
        for item_id in groups["delete"]:
            gone = sim.catalog.products.get(int(item_id or 0))
            if gone is None:
                missing = WooError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
                out["delete"].append(_item_error(item_id, missing, 404))
                continue
            sim.catalog.delete_product(int(item_id))
            out["delete"].append(_public(gone))
    return Reply(200, out)


async def batch_variations(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    parent_id = int(m["product_id"])
    if parent_id not in sim.catalog.products:
        raise WooError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
    groups = _batch_body(req)
    out: dict[str, list[Any]] = {"update": []}
    for data in groups.get("update", []):
        try:
            variation = _variation(sim, parent_id, (data or {}).get("id"))
            apply_changes(sim, variation, data)
            out["update"].append(_public(variation))
        except WooError as err:
            out["update"].append(_item_error((data or {}).get("id"), err))
    return Reply(200, out)


def register(router: Router) -> None:
    router.add("/wc/v3/products/batch", ("POST", "PUT", "PATCH"), "batch", batch_products)
    router.add(rf"/wc/v3/products/{PARENT}/variations/batch", ("POST", "PUT", "PATCH"), "batch", batch_variations)
    router.add(f"/wc/v3/products/{ID}", WRITE, "edit", update_product)
    router.add(rf"/wc/v3/products/{PARENT}/variations/{ID}", WRITE, "edit", update_variation)
