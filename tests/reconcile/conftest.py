"""A generated shop, migrated and live-synced in-process, for the reconciliation tests.

The shop: a seeded history migrated with `--all`, then live cycles in which new orders arrive
(cash on delivery, Instapay, Kashier), waiting ones get paid, one is cancelled, some are refunded
(partly and fully) and one unpaid order is edited — the situations reconciliation has to read right.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from woonext.config import Config
from woonext.demo import _arrivals
from woonext.mapping.reconcile import Period, Report
from woonext.sim.serve import SimPair, build_pair
from woonext.store import StateDB
from woonext.sync.context import StoreContext, Transports, open_store
from woonext.sync.live import sync_orders_once
from woonext.sync.migration import MigrationOptions, migrate
from woonext.sync.reconcile import reconcile
from woonext.sync.setup import run_setup


@dataclass
class Shop:
    pair: SimPair
    config: Config
    db: StateDB
    ctx: StoreContext

    @property
    def period(self) -> Period:
        days = [str(o.get("date_created") or "")[:10] for o in self.pair.woo.orders.values()]
        return Period(date.fromisoformat(min(days)), date.fromisoformat(max(days)))

    async def reconcile(self) -> Report:
        return await reconcile(self.ctx, self.period)

    def invoices(self) -> list[dict[str, Any]]:
        return self.pair.erp.db.all("Sales Invoice")

    def in_step(self, order_id: Any) -> bool:
        """The order's last sync outcome is a success (not parked for review)."""
        outcome = self.db.outcome("main", "order", str(order_id))
        return outcome is not None and outcome.status == "Succeeded"

    def live_cash_invoice(self) -> dict[str, Any]:
        """The newest submitted live cash-on-delivery invoice with no credit note and no payment (the live sync's
        first run also invoices month-old processing orders; the scheduled job looks at the last two days only)."""
        returned = {d.get("return_against") for d in self.invoices() if d.get("is_return")}
        return next(
            d
            for d in sorted(self.invoices(), key=lambda d: d["name"], reverse=True)
            if self.in_step(d.get("woo_order_id"))
            and d["docstatus"] == 1
            and not d.get("is_return")
            and d.get("update_stock") == 1
            and d.get("custom_payment_method") == "Cash"
            and d["name"] not in returned
            and float(d["outstanding_amount"]) == float(d["grand_total"])
        )


def _refunds_and_edits(pair: SimPair, rng: random.Random) -> None:
    """Refunds of live orders (by amount on a cash one, in full on a prepaid one), an unpaid order edited."""
    live = [o for o in pair.woo.orders.values() if o.get("_sim_demo") and o["status"] == "processing"]
    cash = [o for o in live if o["payment_method"] == "cod"]
    prepaid = [o for o in live if o["payment_method"].startswith("kashier")]
    if cash:
        pair.woo.refund(cash[0]["id"], amount=f"{float(cash[0]['total']) * 0.2:.2f}", reason="late delivery")
    if prepaid:
        pair.woo.refund(prepaid[0]["id"], amount=prepaid[0]["total"], reason="out of stock")
    if len(cash) > 1:
        line = cash[1]["line_items"][0]
        pair.woo.edit_lines(cash[1]["id"], [{"id": line["id"], "quantity": int(line["quantity"]) + 1}])


async def make_shop(tmp_path: Path, orders: int = 120, seed: int = 5, cycles: int = 2) -> Shop:
    pair = build_pair(seed=seed, orders=orders)
    config = Config.model_validate(
        pair.config("http://woo.test", "http://erp.test", f"sqlite:///{tmp_path / 'state.sqlite'}")
    )
    db = StateDB.open(config.state_url)
    transports = Transports(woo=httpx.ASGITransport(app=pair.woo.app), erpnext=httpx.ASGITransport(app=pair.erp.app))
    ctx = open_store(config, config.stores[0], db, transports)
    await run_setup(ctx)
    await ctx.erp.update("Company", config.stores[0].company, {"custom_kashier_account": pair.masters.kashier_account})
    await ctx.erp.update("Stock Settings", "Stock Settings", {"auto_insert_price_list_rate_if_missing": 0})
    await migrate(ctx, MigrationOptions(all_pages=True, concurrency=4))
    rng = random.Random(seed)
    for cycle in range(1, cycles + 1):
        _arrivals(pair, rng, cycle, 10)
        await sync_orders_once(ctx)
    _refunds_and_edits(pair, rng)
    await sync_orders_once(ctx)
    return Shop(pair=pair, config=config, db=db, ctx=ctx)


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    made = await make_shop(tmp_path)
    try:
        yield made
    finally:
        await made.ctx.aclose()
        made.db.close()
