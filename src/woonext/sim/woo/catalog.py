"""Products, variations, customers, coupons, taxes and shipping zones of the simulated store.

Each record is kept as the REST JSON the real store returns (so imported records come back
verbatim); helpers build new records with the real key set.
"""

from __future__ import annotations

import copy
import hashlib
import re
from datetime import datetime
from typing import Any

from .dates import SiteTime


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _self_links(home: str, path: str, up: str | None = None) -> dict[str, Any]:
    base = f"{home}/wp-json/wc/v3/{path}"
    links: dict[str, Any] = {
        "self": [{"href": base, "targetHints": {"allow": ["GET", "POST", "PUT", "PATCH", "DELETE"]}}],
        "collection": [{"href": base.rsplit("/", 1)[0]}],
    }
    if up:
        links["up"] = [{"href": f"{home}/wp-json/wc/v3/{up}"}]
    return links


class Catalog:
    def __init__(self, home_url: str, site_time: SiteTime) -> None:
        self.home = home_url.rstrip("/")
        self.time = site_time
        self.products: dict[int, dict[str, Any]] = {}
        self.variations: dict[int, dict[str, Any]] = {}  # variation id → variation (has parent_id)
        self.deleted_products: set[int] = set()
        self.customers: dict[int, dict[str, Any]] = {}
        self.coupons: dict[int, dict[str, Any]] = {}
        self.tax_rates: dict[int, dict[str, Any]] = {}
        self.tax_classes: list[dict[str, Any]] = [
            {"slug": s, "name": n, "_links": {"collection": [{"href": f"{self.home}/wp-json/wc/v3/taxes/classes"}]}}
            for s, n in (("standard", "Standard rate"), ("reduced-rate", "Reduced rate"), ("zero-rate", "Zero rate"))
        ]
        self.zones: dict[int, dict[str, Any]] = {}
        self.zone_locations: dict[int, list[dict[str, Any]]] = {0: []}
        self.zone_methods: dict[int, list[dict[str, Any]]] = {0: []}
        self._add_zone_record(0, "Locations not covered by your other zones", 0)
        self.next_post_id = 10  # products, variations, coupons share the posts id sequence
        self.next_user_id = 2
        self.next_rate_id = 1
        self.next_instance_id = 1

    # ---- ids -----------------------------------------------------------------------------
    def _post_id(self, wanted: int | None = None) -> int:
        if wanted is not None:
            self.next_post_id = max(self.next_post_id, wanted + 1)
            return wanted
        pid = self.next_post_id
        self.next_post_id += 1
        return pid

    def _dates(self, when: datetime) -> dict[str, str]:
        local, gmt = self.time.pair(when)
        return {"date_created": local, "date_created_gmt": gmt, "date_modified": local, "date_modified_gmt": gmt}

    # ---- products ------------------------------------------------------------------------
    def import_product(self, product: dict[str, Any]) -> dict[str, Any]:
        record = copy.deepcopy(product)
        self._post_id(int(record["id"]))
        self.products[int(record["id"])] = record
        return record

    def import_variation(self, variation: dict[str, Any], parent_id: int | None = None) -> dict[str, Any]:
        record = copy.deepcopy(variation)
        if parent_id is not None:
            record["parent_id"] = parent_id
        self._post_id(int(record["id"]))
        self.variations[int(record["id"])] = record
        parent = self.products.get(int(record["parent_id"]))
        if parent is not None and record["id"] not in parent.setdefault("variations", []):
            parent["variations"].append(record["id"])
        return record

    def add_product(
        self,
        name: str,
        sku: str = "",
        price: str = "0",
        *,
        now: datetime,
        product_type: str = "simple",
        tax_class: str = "",
        tax_status: str = "taxable",
        manage_stock: bool = False,
        stock_quantity: int | None = None,
        virtual: bool = False,
        product_id: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        pid = self._post_id(product_id)
        slug = _slug(name)
        product: dict[str, Any] = {
            "id": pid,
            "name": name,
            "slug": slug,
            "permalink": f"{self.home}/product/{slug}/",
            **self._dates(now),
            "type": product_type,
            "status": "publish",
            "featured": False,
            "catalog_visibility": "visible",
            "description": "",
            "short_description": "",
            "sku": sku,
            "price": price,
            "regular_price": price if product_type != "variable" else "",
            "sale_price": "",
            "date_on_sale_from": None,
            "date_on_sale_from_gmt": None,
            "date_on_sale_to": None,
            "date_on_sale_to_gmt": None,
            "on_sale": False,
            "purchasable": True,
            "total_sales": 0,
            "virtual": virtual,
            "downloadable": False,
            "downloads": [],
            "download_limit": -1,
            "download_expiry": -1,
            "external_url": "",
            "button_text": "",
            "tax_status": tax_status,
            "tax_class": tax_class,
            "manage_stock": manage_stock,
            "stock_quantity": stock_quantity if manage_stock else None,
            "backorders": "no",
            "backorders_allowed": False,
            "backordered": False,
            "low_stock_amount": None,
            "sold_individually": False,
            "weight": "",
            "dimensions": {"length": "", "width": "", "height": ""},
            "shipping_required": not virtual,
            "shipping_taxable": tax_status == "taxable",
            "shipping_class": "",
            "shipping_class_id": 0,
            "reviews_allowed": True,
            "average_rating": "0.00",
            "rating_count": 0,
            "upsell_ids": [],
            "cross_sell_ids": [],
            "parent_id": 0,
            "purchase_note": "",
            "categories": [{"id": 15, "name": "Uncategorized", "slug": "uncategorized"}],
            "brands": [],
            "tags": [],
            "images": [],
            "attributes": [],
            "default_attributes": [],
            "variations": [],
            "grouped_products": [],
            "menu_order": 0,
            "price_html": "",
            "related_ids": [],
            "meta_data": [],
            "stock_status": "instock",
            "has_options": product_type == "variable",
            "post_password": "",
            "global_unique_id": "",
            "_links": _self_links(self.home, f"products/{pid}"),
        }
        product.update(extra)
        self.products[pid] = product
        return product

    def add_variation(
        self,
        parent_id: int,
        sku: str,
        price: str,
        attributes: list[dict[str, Any]],
        *,
        now: datetime,
        tax_class: str = "",
        variation_id: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        parent = self.products[parent_id]
        vid = self._post_id(variation_id)
        option = ", ".join(str(a.get("option", "")) for a in attributes)
        variation: dict[str, Any] = {
            "id": vid,
            "type": "variation",
            **self._dates(now),
            "description": "",
            "permalink": parent["permalink"],
            "sku": sku,
            "global_unique_id": "",
            "price": price,
            "regular_price": price,
            "sale_price": "",
            "date_on_sale_from": None,
            "date_on_sale_from_gmt": None,
            "date_on_sale_to": None,
            "date_on_sale_to_gmt": None,
            "on_sale": False,
            "status": "publish",
            "purchasable": True,
            "virtual": False,
            "downloadable": False,
            "downloads": [],
            "download_limit": -1,
            "download_expiry": -1,
            "tax_status": "taxable",
            "tax_class": tax_class or parent["tax_class"],
            "manage_stock": False,
            "stock_quantity": None,
            "stock_status": "instock",
            "backorders": "no",
            "backorders_allowed": False,
            "backordered": False,
            "low_stock_amount": None,
            "weight": "",
            "dimensions": {"length": "", "width": "", "height": ""},
            "shipping_class": "",
            "shipping_class_id": 0,
            "image": None,
            "gallery_image_ids": [],
            "attributes": [{"id": 0, **a} for a in attributes],
            "menu_order": 0,
            "meta_data": [],
            "name": option,
            "parent_id": parent_id,
            "_links": _self_links(self.home, f"products/{parent_id}/variations/{vid}", f"products/{parent_id}"),
        }
        variation.update(extra)
        self.variations[vid] = variation
        parent.setdefault("variations", []).append(vid)
        return variation

    def product_for_line(self, product_id: int, variation_id: int) -> dict[str, Any] | None:
        if variation_id:
            return self.variations.get(variation_id)
        return self.products.get(product_id)

    def delete_product(self, product_id: int) -> None:
        self.products.pop(product_id, None)
        self.variations.pop(product_id, None)
        self.deleted_products.add(product_id)

    # ---- customers -----------------------------------------------------------------------
    def import_customer(self, customer: dict[str, Any]) -> dict[str, Any]:
        record = copy.deepcopy(customer)
        cid = int(record["id"])
        self.next_user_id = max(self.next_user_id, cid + 1)
        self.customers[cid] = record
        return record

    def add_customer(
        self,
        email: str,
        first_name: str = "",
        last_name: str = "",
        *,
        now: datetime,
        username: str | None = None,
        billing: dict[str, Any] | None = None,
        shipping: dict[str, Any] | None = None,
        customer_id: int | None = None,
        meta_data: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        cid = customer_id if customer_id is not None else self.next_user_id
        self.next_user_id = max(self.next_user_id, cid + 1)
        address = {
            "first_name": "",
            "last_name": "",
            "company": "",
            "address_1": "",
            "address_2": "",
            "city": "",
            "postcode": "",
            "country": "",
            "state": "",
        }
        bill = {**address, "email": "", "phone": "", **(billing or {})}
        ship = {**address, "phone": "", **(shipping or {})}
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        customer: dict[str, Any] = {
            "id": cid,
            **self._dates(now),
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "role": "customer",
            "username": username or email.split("@")[0],
            "billing": bill,
            "shipping": ship,
            "is_paying_customer": False,
            "avatar_url": f"https://secure.gravatar.com/avatar/{digest}?s=96&d=mm&r=g",
            "meta_data": meta_data or [],
            "_links": _self_links(self.home, f"customers/{cid}"),
        }
        self.customers[cid] = customer
        return customer

    def customer_by_email(self, email: str) -> dict[str, Any] | None:
        for customer in self.customers.values():
            if customer["email"].lower() == email.lower():
                return customer
        return None

    # ---- coupons, taxes ------------------------------------------------------------------
    def import_coupon(self, coupon: dict[str, Any]) -> dict[str, Any]:
        record = copy.deepcopy(coupon)
        self.coupons[self._post_id(int(record["id"]))] = record
        return record

    def coupon_by_code(self, code: str) -> dict[str, Any] | None:
        for coupon in self.coupons.values():
            if coupon["code"].lower() == code.lower():
                return coupon
        return None

    def import_tax_rate(self, rate: dict[str, Any]) -> dict[str, Any]:
        record = copy.deepcopy(rate)
        rid = int(record["id"])
        self.next_rate_id = max(self.next_rate_id, rid + 1)
        self.tax_rates[rid] = record
        return record

    def add_tax_rate(
        self,
        rate: str,
        name: str,
        *,
        country: str = "",
        state: str = "",
        priority: int = 1,
        compound: bool = False,
        shipping: bool = True,
        tax_class: str = "standard",
    ) -> dict[str, Any]:
        rid = self.next_rate_id
        self.next_rate_id += 1
        record: dict[str, Any] = {
            "id": rid,
            "country": country,
            "state": state,
            "postcode": "",
            "city": "",
            "rate": rate,
            "name": name,
            "priority": priority,
            "compound": compound,
            "shipping": shipping,
            "order": rid,
            "class": tax_class,
            "postcodes": [],
            "cities": [],
            "_links": _self_links(self.home, f"taxes/{rid}"),
        }
        self.tax_rates[rid] = record
        return record

    # ---- shipping zones ------------------------------------------------------------------
    def _add_zone_record(self, zid: int, name: str, order: int) -> dict[str, Any]:
        zone = {
            "id": zid,
            "name": name,
            "order": order,
            "_links": {
                **_self_links(self.home, f"shipping/zones/{zid}"),
                "describedby": [{"href": f"{self.home}/wp-json/wc/v3/shipping/zones/{zid}/locations"}],
            },
        }
        self.zones[zid] = zone
        return zone

    def add_shipping_zone(
        self,
        name: str,
        locations: list[dict[str, str]] | None = None,
        methods: list[dict[str, Any]] | None = None,
        order: int = 0,
    ) -> dict[str, Any]:
        zid = max(self.zones) + 1
        zone = self._add_zone_record(zid, name, order)
        self.zone_locations[zid] = [{"code": loc["code"], "type": loc["type"]} for loc in (locations or [])]
        self.zone_methods[zid] = []
        for method in methods or []:
            self.add_shipping_method(zid, **method)
        return zone

    def add_shipping_method(
        self,
        zone_id: int,
        method_id: str = "flat_rate",
        title: str = "Flat rate",
        cost: str = "0",
        tax_status: str = "taxable",
        enabled: bool = True,
    ) -> dict[str, Any]:
        iid = self.next_instance_id
        self.next_instance_id += 1
        methods = self.zone_methods.setdefault(zone_id, [])
        method: dict[str, Any] = {
            "id": iid,
            "instance_id": iid,
            "title": title,
            "order": len(methods) + 1,
            "enabled": enabled,
            "method_id": method_id,
            "method_title": {
                "flat_rate": "Flat rate",
                "free_shipping": "Free shipping",
                "local_pickup": "Local pickup",
            }.get(method_id, method_id),
            "method_description": "",
            "settings": {
                "title": {"id": "title", "label": "Method title", "type": "text", "value": title},
                "tax_status": {"id": "tax_status", "label": "Tax status", "type": "select", "value": tax_status},
                "cost": {"id": "cost", "label": "Cost", "type": "text", "value": cost},
            },
            "_links": _self_links(self.home, f"shipping/zones/{zone_id}/methods/{iid}", f"shipping/zones/{zone_id}"),
        }
        methods.append(method)
        return method

    def import_shipping_zone(self, zone: dict[str, Any]) -> dict[str, Any]:
        """A zone as in store-shipping-zones.json: the zone object plus `locations` and `methods`."""
        record = {k: copy.deepcopy(v) for k, v in zone.items() if k not in ("locations", "methods")}
        zid = int(record["id"])
        self.zones[zid] = record
        self.zone_locations[zid] = copy.deepcopy(zone.get("locations", []))
        self.zone_methods[zid] = copy.deepcopy(zone.get("methods", []))
        for method in self.zone_methods[zid]:
            self.next_instance_id = max(self.next_instance_id, int(method["instance_id"]) + 1)
        return record
