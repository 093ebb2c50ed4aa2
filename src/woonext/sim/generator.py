"""Deterministic store generator: a WooCommerce store (catalogue, taxes, zones, coupons, customers,
orders over time, refunds) and the matching ERPNext masters. Same seed → byte-identical output.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from woonext.sim.woomoney_tax import TaxSettings

from .generator_catalog import build_catalog
from .generator_masters import masters_for, masters_for_orders, tax_account_name
from .generator_orders import DEFAULT_DELIVERY_KEYS, Counter, OrderContext, add_refunds, build_order, finish_order
from .generator_people import customer_json, make_people
from .masters import Masters

__all__ = ["GeneratedStore", "generate_store", "masters_for_orders"]

DEFAULT_START = datetime(2026, 7, 1, tzinfo=UTC)
FIRST_ORDER_ID = 100


@dataclass
class GeneratedStore:
    seed: int
    currency: str
    products: list[dict[str, Any]]
    variations: dict[int, list[dict[str, Any]]]  # parent product id → its variations
    customers: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    refunds: dict[int, list[dict[str, Any]]]  # order id → refund objects
    tax_rates: list[dict[str, Any]]
    tax_classes: list[dict[str, Any]]
    settings: dict[str, list[dict[str, Any]]]  # "tax", "general" → REST setting objects
    shipping_zones: list[dict[str, Any]]
    coupons: list[dict[str, Any]]
    tax_settings: TaxSettings = field(default_factory=TaxSettings)

    def masters(self) -> Masters:
        """ERPNext masters for this store: items for every SKU, a tax account per rate."""
        skus: dict[str, tuple[str, Decimal]] = {}
        for product in self.products:
            if product["type"] == "variable":
                for variation in self.variations[product["id"]]:
                    skus[variation["sku"]] = (f"{product['name']} - {variation['name']}", Decimal(variation["price"]))
            else:
                skus[product["sku"]] = (product["name"], Decimal(product["price"]))
        currencies = [self.currency, *(o["currency"] for o in self.orders)]
        return masters_for(skus, self.tax_account_map().values(), currencies)

    def tax_account_map(self) -> dict[str, str]:
        """WooCommerce tax rate_id → ERPNext account head (for the woonext config)."""
        return {
            str(r["id"]): tax_account_name(r["name"].replace("reduced", "").replace("zero", ""), r["rate"])
            for r in sorted(self.tax_rates, key=lambda r: r["id"])
        }

    def products_by_id(self) -> dict[int, dict[str, Any]]:
        found = {p["id"]: p for p in self.products}
        for variations in self.variations.values():
            found.update({v["id"]: v for v in variations})
        return found


def generate_store(
    seed: int = 1,
    orders: int = 1000,
    start: datetime | None = None,
    days: int = 120,
    currency: str = "EGP",
    home_url: str = "http://woo.test",
    delivery_keys: tuple[str, str, str] = DEFAULT_DELIVERY_KEYS,
) -> GeneratedStore:
    """A whole store, seeded. Orders are spread over `days` from `start` (UTC), oldest first."""
    rng = random.Random(seed)
    start = (start or DEFAULT_START).astimezone(UTC)
    span = timedelta(days=days).total_seconds()
    # The shop entered prices without tax at first and switched to tax-inclusive prices later.
    switch_at = start + timedelta(seconds=span * 2 / 3)
    catalog = build_catalog(rng, start - timedelta(days=30), home_url, currency, prices_include_tax=True)
    members, visitors = make_people(rng, registered=max(3, orders // 8), guests=max(3, orders // 4))
    ctx = OrderContext(
        rng=rng,
        catalog=catalog,
        home=home_url,
        item_ids=Counter(1000),
        meta_ids=Counter(5000),
        members=members,
        visitors=visitors,
        guests_seen=[],
        store_currency=currency,
        delivery_keys=delivery_keys,
    )
    moments = sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(orders))
    moments = [m.replace(microsecond=0) for m in moments]
    tx_ids = Counter(990000)
    refund_ids = Counter(FIRST_ORDER_ID + orders)
    coupon_by_code = {c["code"]: c for c in catalog.coupons}
    out_orders: list[dict[str, Any]] = []
    refunds: dict[int, list[dict[str, Any]]] = {}
    for n, created in enumerate(moments):
        include_tax = created >= switch_at
        draft, person = build_order(ctx, FIRST_ORDER_ID + n, created, include_tax)
        order = finish_order(draft, ctx, include_tax, tx_ids)
        done = add_refunds(order, ctx, refund_ids)
        if done:
            refunds[order["id"]] = done
        for row in order["coupon_lines"]:
            coupon = coupon_by_code[row["code"]]
            coupon["usage_count"] += 1
            coupon["used_by"].append(str(person.customer_id) if person.customer_id else order["billing"]["email"])
        out_orders.append(order)

    customers = []
    for person in members:
        joined = start - timedelta(days=rng.randint(1, 200), seconds=rng.randint(0, 86399))
        record = customer_json(person, joined)
        record["is_paying_customer"] = any(
            o["customer_id"] == person.customer_id and o["date_paid"] for o in out_orders
        )
        customers.append(record)
    return GeneratedStore(
        seed=seed,
        currency=currency,
        products=catalog.products,
        variations=catalog.variations,
        customers=customers,
        orders=out_orders,
        refunds=refunds,
        tax_rates=catalog.tax_rates,
        tax_classes=catalog.tax_classes,
        settings=catalog.settings,
        shipping_zones=catalog.shipping_zones,
        coupons=catalog.coupons,
        tax_settings=catalog.tax_settings(),
    )
