"""`woonext demo`: the whole job against the built-in simulators, in-process, no configuration.

A seeded store with its history, ERPNext set up from scratch, the migration, then live cycles
while new orders arrive (cash on delivery, Instapay, Kashier; some wait for payment, one is
cancelled), and `woonext reconcile` of WooCommerce against ERPNext for the whole period.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from woonext.config import Config
from woonext.mapping.reconcile import MISSING, Period, Report
from woonext.sim.serve import SimPair, build_pair
from woonext.store import StateDB
from woonext.sync.context import StoreContext, Transports, open_store
from woonext.sync.live import LiveReport, sync_orders_once
from woonext.sync.migration import MigrationOptions, MigrationReport, migrate
from woonext.sync.reconcile import reconcile as reconcile_period
from woonext.sync.setup import SetupReport, run_setup

LIVE_METHODS = ["cod", "cod", "instapay", "kashier_card", "kashier_wallet"]


@dataclass
class Reconciliation:
    """`woonext reconcile` over the demo's whole period, with the headline figures the demo prints."""

    report: Report

    @property
    def orders(self) -> int:
        return sum(t.orders for t in self.report.totals.values())

    def by_currency(self) -> list[tuple[str, Decimal, Decimal]]:
        """Per currency (never added across currencies): WooCommerce totals less refunds of the invoiced
        orders, and ERPNext's current invoices less their credit notes for the same orders."""
        return [
            (currency, t.woocommerce - t.woocommerce_refunds, t.erpnext - t.erpnext_credit_notes)
            for currency, t in sorted(self.report.totals.items())
        ]

    @property
    def missing(self) -> list[int]:
        return [f.order_id for f in self.report.findings if f.kind == MISSING]

    @property
    def matches(self) -> bool:
        """No mismatch, and WooCommerce = ERPNext in every currency (parked orders are listed apart)."""
        return self.report.ok and all(woo == erp for _, woo, erp in self.by_currency())


@dataclass
class DemoResult:
    setup: SetupReport
    setup_again: SetupReport
    migration: MigrationReport
    cycles: list[LiveReport]
    reconciliation: Reconciliation
    sample_invoice: dict[str, Any] | None
    sample_payment: dict[str, Any] | None
    seconds: float
    erp_requests: int
    woo_requests: int


def _new_order(pair: SimPair, rng: random.Random, method: str, status: str) -> dict[str, Any]:
    assert pair.store is not None
    products = [p for p in pair.store.products if p["type"] == "simple"]
    person = rng.choice(pair.store.customers)
    lines = [{"product_id": p["id"], "quantity": rng.randint(1, 3)} for p in rng.sample(products, rng.randint(1, 3))]
    spec = {
        "status": status,
        "payment_method": method,
        "payment_method_title": method,
        "customer_id": person["id"],
        "billing": person["billing"],
        "shipping": person["shipping"],
        "line_items": lines,
        "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "50.00"}],
        "meta_data": [
            {"key": "_delivery_date", "value": "2026-12-01"},
            {"key": "_delivery_time_from", "value": "14:00"},
            {"key": "_delivery_duration", "value": "3600"},
        ],
    }
    if method.startswith("kashier"):
        spec["transaction_id"] = f"KSH-{rng.randint(100000, 999999)}"
    return pair.woo.create_order(spec)


def _arrivals(pair: SimPair, rng: random.Random, cycle: int, per_cycle: int) -> None:
    """New orders while the service runs; the previous cycle's waiting ones get paid, one is cancelled."""
    for order in list(pair.woo.orders.values()):
        if order["status"] == "pending" and order.get("_sim_demo"):
            pair.woo.pay(order["id"])
    for n in range(per_cycle):
        status = "pending" if n % 5 == 4 else "processing"
        created = _new_order(pair, rng, LIVE_METHODS[n % len(LIVE_METHODS)], status)
        pair.woo.orders[created["id"]]["_sim_demo"] = True
    if cycle == 1:
        live = [o for o in pair.woo.orders.values() if o.get("_sim_demo") and o["status"] == "processing"]
        pair.woo.cancel(live[0]["id"])


async def reconcile(ctx: StoreContext, pair: SimPair) -> Reconciliation:
    """Every order the store has, from its first day to its last (the shop's own dates)."""
    days = sorted(str(o.get("date_created") or "")[:10] for o in pair.woo.orders.values() if o.get("date_created"))
    period = Period(date.fromisoformat(days[0]), date.fromisoformat(days[-1]))
    return Reconciliation(await reconcile_period(ctx, period))


async def run_demo(
    orders: int = 1000,
    seed: int = 1,
    cycles: int = 3,
    per_cycle: int = 10,
    state_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> DemoResult:
    step = on_step or (lambda _text: None)
    started = time.perf_counter()
    step(f"seeding a store with {orders} historical orders (seed {seed})")
    pair = build_pair(seed=seed, orders=orders)
    state_dir = state_dir or Path(tempfile.mkdtemp(prefix="woonext-demo-"))
    config = Config.model_validate(
        pair.config("http://woo.test", "http://erp.test", f"sqlite:///{state_dir / 'state.sqlite'}")
    )
    db = await asyncio.to_thread(StateDB.open, config.state_url)  # creates and migrates the schema: off the loop
    transports = Transports(woo=httpx.ASGITransport(app=pair.woo.app), erpnext=httpx.ASGITransport(app=pair.erp.app))
    ctx = open_store(config, config.stores[0], db, transports)
    try:
        step("setup: custom fields and prerequisites")
        setup = await run_setup(ctx)
        kashier = pair.masters.kashier_account
        step(
            f"the shop follows the checklist: Company.custom_kashier_account = {kashier!r}, "
            "Stock Settings auto_insert_price_list_rate_if_missing off"
        )
        await ctx.erp.update("Company", config.stores[0].company, {"custom_kashier_account": kashier})
        await ctx.erp.update("Stock Settings", "Stock Settings", {"auto_insert_price_list_rate_if_missing": 0})
        setup_again = await run_setup(ctx)
        step("historical migration (--all)")
        migration = await migrate(ctx, MigrationOptions(all_pages=True, concurrency=4), progress)
        rng = random.Random(seed)
        live: list[LiveReport] = []
        for cycle in range(1, cycles + 1):
            _arrivals(pair, rng, cycle, per_cycle)
            step(f"live cycle {cycle}: {per_cycle} new orders arrived")
            live.append(await sync_orders_once(ctx))
        step("reconciliation")
        recon = await reconcile(ctx, pair)
        sample = next((b for b in await ctx.state.bindings("main", "payment") if b.state == "submitted"), None)
        invoice = payment = None
        if sample is not None:
            payment = await ctx.erp.get_doc("Payment Entry", sample.erp_name)
            order_binding = await ctx.state.get_binding("main", "order", sample.remote_id)
            if order_binding is not None:
                invoice = await ctx.erp.get_doc("Sales Invoice", order_binding.erp_name)
        return DemoResult(
            setup,
            setup_again,
            migration,
            live,
            recon,
            invoice,
            payment,
            time.perf_counter() - started,
            ctx.erp.requests,
            ctx.woo.requests,
        )
    finally:
        await ctx.aclose()
        db.close()
