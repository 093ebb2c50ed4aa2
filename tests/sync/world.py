"""A WooCommerce simulator, an ERPNext simulator and a woonext configuration wired in-process."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from tests.fixtures import REAL
from woonext.config import Config
from woonext.sim.clock import SimClock
from woonext.sim.erpnext import ErpSim, ErpSimConfig
from woonext.sim.masters import AccountSpec, ItemSpec, Masters, ModeOfPaymentSpec
from woonext.sim.woo import WooSim, WooSimConfig
from woonext.store import StateDB
from woonext.sync.context import StoreContext, Transports, open_store

REFERENCE = REAL
# The world's clock starts here and runs: an hour after the captured real orders were made (UTC),
# whatever today's date is (woonext/clock.py). Both simulators and the state DB read it.
WORLD_START = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
WOO_URL = "http://woo.test"
ERP_URL = "http://erp.test"


def real_orders() -> list[dict[str, Any]]:
    """The real WooCommerce 11 orders captured in the reference folder (order_15 … order_20)."""
    orders = []
    for path in sorted((REFERENCE / "woocommerce-real-samples").glob("order_[0-9]*.json")):
        data = json.loads(path.read_text())
        orders.append(data.get("body", data))
    return orders


def jarz_masters(skus: Iterable[str], tax_accounts: Iterable[str] = ()) -> Masters:
    accounts = [
        AccountSpec("Debtors - JT", "Receivable", "Asset"),
        AccountSpec("Sales - JT", "Income Account", "Income"),
        AccountSpec("Cash - JT", "Cash", "Asset"),
        AccountSpec("Kashier - JT", "Bank", "Asset"),
        AccountSpec("Instapay - JT", "Bank", "Asset"),
        AccountSpec("Woo Clearing - JT", "", "Asset"),
        AccountSpec("Round Off - JT", "Round Off", "Expense"),
        AccountSpec("Stock In Hand - JT", "Stock", "Asset"),
        AccountSpec("Cost of Goods Sold - JT", "Cost of Goods Sold", "Expense"),
        *(AccountSpec(name, "Tax", "Liability") for name in tax_accounts),
    ]
    items = [ItemSpec(sku, sku, 1, standard_rate=Decimal("0")) for sku in sorted(set(skus))]
    items += [ItemSpec(code, code, 0, item_group="Services") for code in ("Shipping", "Fee", "Refund")]
    return Masters(
        accounts=accounts,
        default_receivable_account="Debtors - JT",
        default_income_account="Sales - JT",
        default_cash_account="Cash - JT",
        round_off_account="Round Off - JT",
        warehouses=["Jarz Main - JT"],
        default_warehouse="Jarz Main - JT",
        items=items,
        stock={(sku, "Jarz Main - JT"): Decimal(10_000) for sku in skus},
        modes_of_payment=[
            ModeOfPaymentSpec("Cash", "Cash", "Cash - JT"),
            ModeOfPaymentSpec("Instapay", "Bank", "Instapay - JT"),
            ModeOfPaymentSpec("Kashier Card", "Bank", "Kashier - JT"),
            ModeOfPaymentSpec("Kashier Wallet", "Bank", "Kashier - JT"),
            ModeOfPaymentSpec("Mobile Wallet", "Bank", "Instapay - JT"),
        ],
        customers=[],
    )


@dataclass
class World:
    woo: WooSim
    erp: ErpSim
    config: Config
    db: StateDB
    clock: SimClock

    def transports(self) -> Transports:
        return Transports(woo=httpx.ASGITransport(app=self.woo.app), erpnext=httpx.ASGITransport(app=self.erp.app))

    def context(self) -> StoreContext:
        return open_store(self.config, self.config.stores[0], self.db, self.transports())

    def invoices(self, **filters: Any) -> list[dict[str, Any]]:
        docs = self.erp.db.all("Sales Invoice")
        return [d for d in docs if all(d.get(k) == v for k, v in filters.items())]


def make_world(
    tmp_path: Path,
    orders: list[dict[str, Any]],
    *,
    masters: Masters | None = None,
    tax_accounts: dict[str, str] | None = None,
    store: dict[str, Any] | None = None,
    start: datetime = WORLD_START,
) -> World:
    clock = SimClock.running_from(start)
    woo = WooSim(WooSimConfig(home_url=WOO_URL), clock)
    for order in orders:
        woo.import_order(order)
    ck, cs = woo.create_key("read_write")
    erp = ErpSim(ErpSimConfig(), clock)
    skus = {str(li["sku"]) for o in orders for li in o.get("line_items") or [] if li.get("sku")}
    erp.seed(masters or jarz_masters(skus, (tax_accounts or {}).values()))
    key, secret = erp.create_api_user("Administrator")
    config = Config.model_validate(
        {
            "state_url": f"sqlite:///{tmp_path / 'state.sqlite'}",
            "erpnext": {"url": ERP_URL, "api_key": key, "api_secret": secret},
            "stores": [
                {
                    "name": "main",
                    "url": WOO_URL,
                    "consumer_key": ck,
                    "consumer_secret": cs,
                    "webhook_secret": "s3cret",
                    "company": "Jarz Test",
                    "warehouse": "Jarz Main - JT",
                    "currency": "EGP",
                    "tax_accounts": tax_accounts or {},
                    **(store or {}),
                }
            ],
        }
    )
    return World(woo=woo, erp=erp, config=config, db=StateDB.open(config.state_url, clock), clock=clock)
