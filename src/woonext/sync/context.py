"""What a flow needs for one store: its configuration, both API clients, the state DB, and caches
of ERPNext masters so that an order costs about one ERPNext request."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from woonext.config import Config, StoreConfig
from woonext.erpnext.client import ErpClient
from woonext.mapping.catalog import CatalogSettings
from woonext.mapping.delivery import DeliveryMetaKeys
from woonext.mapping.invoice import InvoiceSettings
from woonext.mapping.refund import RefundSettings
from woonext.mapping.territory import ZoneBook
from woonext.store import StateDB
from woonext.store.asyncdb import AsyncStateDB
from woonext.woo.client import WooClient


@dataclass
class Transports:
    """Optional in-process transports (tests, demo): the simulators' ASGI apps."""

    woo: httpx.AsyncBaseTransport | None = None
    erpnext: httpx.AsyncBaseTransport | None = None


@dataclass
class TerritoryCache:
    """sync/territories.py: the store's zones, states, rules and ERPNext territories, read once per
    run (the lock makes concurrent orders wait for one read instead of each reading)."""

    book: ZoneBook | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loaded_at: float = 0.0  # time.monotonic() of the read: a long-lived worker reads it again later


@dataclass
class MasterCache:
    """ERPNext masters looked up once per run (items, modes of payment, company)."""

    items: set[str] = field(default_factory=set)
    missing_items: set[str] = field(default_factory=set)
    mop_accounts: dict[str, str] = field(default_factory=dict)  # mode of payment → account for the company
    company: dict[str, Any] | None = None
    company_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    customers: dict[str, str] = field(default_factory=dict)  # identity key → Customer name
    ready: bool = False  # ERPNext checked to have the custom fields this run needs
    batched: set[int] = field(default_factory=set)  # orders whose invoice this run's batch made (invoice_batch.py)
    # Orders of one new customer handled concurrently must create one Customer, not two.
    customer_locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    # sync/customers.py: the store's phone region, ERPNext Country names by ISO code, and the contact
    # and address bindings already read this run (kind:remote_id → Binding).
    region: str | None = None
    countries: dict[str, str] = field(default_factory=dict)
    party: dict[str, Any] = field(default_factory=dict)
    territories: TerritoryCache = field(default_factory=TerritoryCache)
    # The catalog bridge's per-run knowledge (item groups and attributes read, stock / price state).
    catalog: dict[str, Any] = field(default_factory=dict)

    def forget_masters(self) -> None:
        """Read ERPNext's masters again (a person fixed one and retried): the company and its accounts,
        modes of payment, Items found missing, the custom-field check and the territories. Locks and
        identities stay, so orders in flight keep their exclusivity."""
        self.company = None
        self.mop_accounts.clear()
        self.missing_items.clear()
        self.ready = False
        self.territories.loaded_at = float("-inf")


@dataclass
class StoreContext:
    config: StoreConfig
    woo: WooClient
    erp: ErpClient
    db: StateDB
    cache: MasterCache = field(default_factory=MasterCache)
    # The state DB for async code: flows await `ctx.state.<method>` (store/asyncdb.py) and never
    # call `ctx.db` methods on the event loop; `ctx.db` is for the synchronous steps they hand it.
    state: AsyncStateDB = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.state = AsyncStateDB(self.db)

    @property
    def store(self) -> str:
        return self.config.name

    def now(self) -> datetime:
        """The one clock (woonext/clock.py), carried by the state DB."""
        return self.db.clock.now()

    def invoice_settings(self) -> InvoiceSettings:
        c = self.config
        return InvoiceSettings(
            company=c.company,
            warehouse=c.warehouse,
            price_list=c.price_list,
            shipping_item=c.shipping_item,
            fee_item=c.fee_item,
            payment_methods=dict(c.payment_methods),
            tax_accounts=dict(c.tax_accounts),
            delivery_meta=DeliveryMetaKeys(
                date=c.delivery_meta.date, time_from=c.delivery_meta.time_from, duration=c.delivery_meta.duration
            ),
        )

    def catalog_settings(self) -> CatalogSettings:
        c = self.config.catalog
        return CatalogSettings(
            item_code_pattern=c.item_code_pattern,
            variant_code_pattern=c.variant_code_pattern,
            item_groups=dict(c.item_groups),
            default_item_group=c.default_item_group,
            attributes=dict(c.attributes),
            stock_uom=c.stock_uom,
        )

    def refund_settings(self) -> RefundSettings:
        c = self.config
        return RefundSettings(
            company=c.company,
            shipping_item=c.shipping_item,
            fee_item=c.fee_item,
            refund_item=c.refund_item,
            tax_accounts=dict(c.tax_accounts),
        )

    async def aclose(self) -> None:
        await self.woo.aclose()
        await self.erp.aclose()


def open_store(
    config: Config,
    store: StoreConfig,
    db: StateDB,
    transports: Transports | None = None,
    *,
    erp_concurrency: int | None = None,
) -> StoreContext:
    transports = transports or Transports()
    # OAuth 1.0a timestamps (plain-http stores) come from the one clock as well.
    woo = WooClient(
        store.url,
        store.consumer_key,
        store.consumer_secret,
        transport=transports.woo,
        clock=lambda: db.clock.now().timestamp(),
    )
    erp = ErpClient(
        config.erpnext.url,
        config.erpnext.api_key,
        config.erpnext.api_secret,
        transport=transports.erpnext,
        max_concurrency=erp_concurrency,
    )
    return StoreContext(config=store, woo=woo, erp=erp, db=db)


def select_stores(config: Config, name: str | None) -> list[StoreConfig]:
    return [config.store(name)] if name else list(config.stores)
