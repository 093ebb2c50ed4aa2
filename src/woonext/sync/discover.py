"""What `woonext init` (and `setup --apply`) read from both systems: the store's gateways, tax rates,
shipping methods, products and recent orders; ERPNext's companies, warehouses, accounts, Modes of
Payment, price lists and Stock Settings. Read-only."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from woonext.erpnext.client import ErpClient
from woonext.sync.online import on_erpnext, on_store
from woonext.woo.client import WooClient

RECENT_ORDERS = 100
Row = dict[str, Any]


@dataclass(frozen=True)
class Product:
    """One sellable thing of the store: a simple product or a variation (a variable parent is not)."""

    sku: str
    name: str
    product_id: int
    variation_id: int = 0
    stock: bool = True  # False for virtual / downloadable products


@dataclass
class StoreFacts:
    url: str
    gateways: list[Row] = field(default_factory=list)
    tax_rates: list[Row] = field(default_factory=list)
    shipping_methods: list[Row] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    without_sku: list[str] = field(default_factory=list)  # names of products that have no SKU
    recent_orders: list[Row] = field(default_factory=list)

    def utc_offset(self) -> timedelta | None:
        """The store's UTC offset, read off its latest order (date_created is site time)."""
        for order in self.recent_orders:
            local, gmt = order.get("date_created"), order.get("date_created_gmt")
            if local and gmt:
                return datetime.fromisoformat(str(local)) - datetime.fromisoformat(str(gmt))
        return None


@dataclass
class ErpFacts:
    url: str
    companies: list[Row] = field(default_factory=list)
    warehouses: list[Row] = field(default_factory=list)
    accounts: list[Row] = field(default_factory=list)
    modes_of_payment: dict[str, Row] = field(default_factory=dict)
    price_lists: list[Row] = field(default_factory=list)
    stock_settings: Row = field(default_factory=dict)

    def company(self, name: str) -> Row | None:
        return next((c for c in self.companies if c.get("name") == name), None)

    def account_types(self) -> dict[str, str]:
        return {str(a["name"]): str(a.get("account_type") or "") for a in self.accounts}


def _product(raw: Row, parent: Row | None = None) -> Product:
    name = str(raw.get("name") or "")
    if parent is not None:
        name = f"{parent.get('name')} - {name}" if name and name != parent.get("name") else str(parent.get("name"))
    return Product(
        sku=str(raw.get("sku") or "").strip(),
        name=name[:140],
        product_id=int((parent or raw).get("id") or 0),
        variation_id=int(raw.get("id") or 0) if parent is not None else 0,
        stock=not (raw.get("virtual") or raw.get("downloadable")),
    )


async def read_products(woo: WooClient) -> tuple[list[Product], list[str]]:
    """Every simple product and variation (what order lines point at), and the names of those
    without a SKU (their lines cannot be invoiced)."""
    found: list[Product] = []
    async for page in woo.iter_pages("products", {"per_page": 100}):
        for raw in page.items:
            if raw.get("type") != "variable":
                found.append(_product(raw))
                continue
            async for vpage in woo.iter_pages(f"products/{raw['id']}/variations", {"per_page": 100}):
                found.extend(_product(v, raw) for v in vpage.items)
    with_sku = [p for p in found if p.sku]
    return with_sku, [p.name for p in found if not p.sku]


async def read_store(woo: WooClient, url: str) -> StoreFacts:
    facts = StoreFacts(url=url)
    facts.gateways = await on_store(woo, url, woo.list_payment_gateways())
    facts.tax_rates = await on_store(woo, url, woo.list_tax_rates())
    facts.shipping_methods = await on_store(woo, url, woo.list_shipping_methods())
    facts.products, facts.without_sku = await on_store(woo, url, read_products(woo))
    page = await on_store(
        woo, url, woo.list_orders({"per_page": RECENT_ORDERS, "orderby": "date", "order": "desc", "status": "any"})
    )
    facts.recent_orders = page.items
    return facts


async def read_erpnext(erp: ErpClient, company: str | None = None) -> ErpFacts:
    """ERPNext's masters; accounts and warehouses of `company` only when one is given."""
    facts = ErpFacts(url=erp.url)
    own = [["company", "=", company]] if company else None
    # Whole documents: custom fields such as custom_kashier_account come with them (when they exist).
    company_names = (
        [company] if company else [str(c["name"]) for c in await on_erpnext(erp, erp.get_list("Company", limit=0))]
    )
    companies = await on_erpnext(erp, asyncio.gather(*(erp.get_doc("Company", name) for name in company_names)))
    facts.companies = [doc for doc in companies if doc]
    facts.warehouses = await on_erpnext(
        erp, erp.get_list("Warehouse", filters=own, fields=["name", "company", "is_group"], limit=0)
    )
    account_fields = ["name", "account_name", "account_type", "root_type", "is_group", "parent_account", "tax_rate"]
    facts.accounts = await on_erpnext(erp, erp.get_all("Account", filters=own, fields=[*account_fields, "company"]))
    names = await on_erpnext(erp, erp.get_list("Mode of Payment", fields=["name"], limit=0))
    docs = await on_erpnext(erp, asyncio.gather(*(erp.get_doc("Mode of Payment", str(n["name"])) for n in names)))
    facts.modes_of_payment = {str(doc["name"]): doc for doc in docs if doc}
    facts.price_lists = await on_erpnext(
        erp, erp.get_list("Price List", fields=["name", "currency", "selling", "enabled"], limit=0)
    )
    settings = await on_erpnext(erp, erp.get_doc("Stock Settings", "Stock Settings"))
    facts.stock_settings = settings or {}
    return facts
