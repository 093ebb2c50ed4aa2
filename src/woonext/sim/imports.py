"""`sim up --import-orders DIR`: real WooCommerce orders taken verbatim, with the catalog files beside
them (`products*.json`, `variations*.json`), and minimal stand-in products for the rest."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from .generator_masters import masters_for_orders, tax_map_for_orders
from .masters import Masters
from .woo.app import WooSim

CATALOG_FILES = ("products*.json", "variations*.json")


def _catalog_file(path: Path) -> bool:
    return any(path.match(pattern) for pattern in CATALOG_FILES)


def load_catalog(directory: Path) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """`products*.json` (each an array of products) and `variations*.json` (each an object: parent
    product id → array of its variations) in `directory`, as the REST API returns them."""
    products: list[dict[str, Any]] = []
    variations: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.glob("products*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list) or not all(isinstance(p, dict) and "id" in p for p in data):
            raise ValueError(f"{path} is not an array of WooCommerce products")
        products += data
    for path in sorted(directory.glob("variations*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
            raise ValueError(f"{path} is not an object of parent product id → array of variations")
        for parent, items in data.items():
            variations.setdefault(str(parent), []).extend(items)
    return products, variations


def load_orders(directory: Path) -> list[dict[str, Any]]:
    """Every other `*.json` in `directory` (sorted by name): WooCommerce order objects, taken verbatim."""
    if not directory.is_dir():
        raise FileNotFoundError(f"--import-orders: {directory} is not a directory")
    orders = []
    for path in sorted(p for p in directory.glob("*.json") if not _catalog_file(p)):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "line_items" not in data or "id" not in data:
            raise ValueError(f"{path} is not a WooCommerce order object (no id / line_items)")
        orders.append(data)
    if not orders:
        raise ValueError(f"--import-orders: no *.json order files in {directory}")
    return orders


def _products_from_orders(orders: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Minimal products and variations so imported lines resolve their SKUs (WooCommerce reads the
    SKU from the product at response time)."""
    products: dict[int, dict[str, Any]] = {}
    variations: dict[int, dict[str, Any]] = {}
    for order in orders:
        for line in order.get("line_items") or []:
            pid, vid = int(line.get("product_id") or 0), int(line.get("variation_id") or 0)
            qty = int(line.get("quantity") or 0) or 1
            price = f"{(Decimal(str(line.get('subtotal') or '0')) / qty).quantize(Decimal('0.01'))}"
            record = {
                "id": vid or pid,
                "name": line.get("parent_name") or line.get("name", ""),
                "sku": line.get("sku") or "",
                "price": price,
                "regular_price": price,
                "sale_price": "",
                "type": "variation" if vid else "simple",
                "status": "publish",
                "tax_status": "taxable",
                "tax_class": line.get("tax_class") or "",
                "variations": [],
            }
            if vid:
                variations.setdefault(vid, {**record, "parent_id": pid, "name": line.get("name", "")})
                products.setdefault(pid, {**record, "id": pid, "type": "variable", "sku": "", "price": ""})
            elif pid:
                products.setdefault(pid, record)
    return list(products.values()), list(variations.values())


def _rates_from_orders(orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rates: dict[int, dict[str, Any]] = {}
    for order in orders:
        for tax in order.get("tax_lines") or []:
            rid = int(tax.get("rate_id") or 0)
            rates.setdefault(
                rid,
                {
                    "id": rid,
                    "country": "",
                    "state": "",
                    "postcode": "",
                    "city": "",
                    "rate": f"{Decimal(str(tax.get('rate_percent') or 0)):.4f}",
                    "name": tax.get("label", ""),
                    "priority": 1,
                    "compound": bool(tax.get("compound")),
                    "shipping": True,
                    "order": rid,
                    "class": "standard",
                    "postcodes": [],
                    "cities": [],
                },
            )
    return list(rates.values())


def seed_imported(
    woo: WooSim, orders: list[dict[str, Any]], directory: Path, seed_items: bool
) -> tuple[Masters, dict[str, str], str]:
    """The imported orders, the catalog files beside them, stand-in products for the rest; ERPNext
    Items only for the lines of stand-in products (or all, with `seed_items`): the imported catalog's
    Items are for `woonext items sync` to make."""
    products, variations = load_catalog(directory)
    woo.import_store(products=products, variations=variations)
    loaded = {int(p["id"]) for p in products} | {int(v["id"]) for vs in variations.values() for v in vs}
    stand_ins, stand_in_variations = _products_from_orders(orders)
    for product in stand_ins:
        if int(product["id"]) not in loaded:
            woo.catalog.import_product(product)
    for variation in stand_in_variations:
        if int(variation["id"]) not in loaded:
            woo.catalog.import_variation(variation)
    for rate in _rates_from_orders(orders):
        woo.catalog.import_tax_rate(rate)
    for order in orders:
        woo.import_order(order)

    def stand_in(line: dict[str, Any]) -> bool:
        return int(line.get("variation_id") or line.get("product_id") or 0) not in loaded

    seeded = (
        orders
        if seed_items
        else [{**o, "line_items": [li for li in o.get("line_items") or [] if stand_in(li)]} for o in orders]
    )
    currency = str(orders[0].get("currency") or "EGP")
    return masters_for_orders(seeded), tax_map_for_orders(orders), currency
