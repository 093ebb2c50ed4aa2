"""Benchmark: ERPNext requests per order, by kind of order (issue 13, item 4).

Both simulators in-process (requests are counted by the ERPNext simulator's own log, so the figures are
exact and do not depend on the machine's load), a generated store, woonext through its library:

    .venv/bin/python bench/per_order.py [--orders 1000] [--seed 1] [--each 20] [--json]

Kinds, each measured on its own (the requests of that step divided by its orders):
- migration: the whole generated store, `migrate --all` (completed, cancelled, refunded orders;
  refunds on completed orders too; foreign-currency orders);
- completed, known customer: new completed orders of people the migration made Customers for,
  migrated by a second `migrate --since <their day>`;
- live COD / live prepaid, known customer: new processing orders (cash on delivery; Kashier card),
  each synced by `sync orders --once` as it arrives — once with one context kept (`woonext serve`,
  whose worker keeps its context and caches) and once with a fresh context per run (a cron job
  running `woonext sync orders --once`: every run reads its masters again).

Targets (issue 13): completed order of a known customer <= 1.05; migration as a whole <= 1.2; live
unpaid COD order of a known customer <= 2; prepaid <= 3.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from woonext.config import Config
from woonext.sim.serve import SimPair, build_pair
from woonext.store import StateDB
from woonext.sync.context import StoreContext, Transports, open_store
from woonext.sync.live import sync_orders_once
from woonext.sync.migration import MigrationOptions, migrate
from woonext.sync.setup import run_setup

_NAME = re.compile(r"^(/api/resource/[^/]+)/.+$")


def route(method: str, path: str) -> str:
    named = _NAME.match(path)
    return f"{method} {named.group(1) + '/{name}' if named else path}"


class Shop:
    def __init__(self, pair: SimPair, config: Config, db: StateDB) -> None:
        self.pair, self.config, self.db = pair, config, db
        self.transports = Transports(
            woo=httpx.ASGITransport(app=pair.woo.app), erpnext=httpx.ASGITransport(app=pair.erp.app)
        )
        self.ctx = self.context()

    def context(self) -> StoreContext:
        return open_store(self.config, self.config.stores[0], self.db, self.transports)

    async def measure(self, kind: str, orders: int, step: Callable[[], Awaitable[Any]]) -> dict[str, Any]:
        before = len(self.pair.erp.request_log)
        await step()
        log = self.pair.erp.request_log[before:]
        routes = Counter(route(m, p) for m, p, _ in log)
        return {
            "kind": kind,
            "orders": orders,
            "erp_requests": len(log),
            "per_order": round(len(log) / orders, 3) if orders else None,
            "routes_per_order": {r: round(n / orders, 3) for r, n in routes.most_common()},
        }


def known_people(shop: Shop) -> list[dict[str, Any]]:
    """Billing blocks (and account ids) of people the migration made Customers for."""
    people = []
    for order in shop.pair.woo.orders.values():
        binding = shop.db.get_binding("main", "order", order["id"])
        if binding is not None and binding.erp_name and order.get("billing", {}).get("email"):
            people.append({"billing": order["billing"], "customer_id": order.get("customer_id") or 0})
    return people


def new_order(shop: Shop, rng: random.Random, people: list[dict[str, Any]], method: str, status: str) -> dict[str, Any]:
    store = shop.pair.store
    assert store is not None
    person = rng.choice(people)
    products = [p for p in store.products if p["type"] == "simple"]
    spec = {
        "status": status,
        "payment_method": method,
        "payment_method_title": method,
        "customer_id": person["customer_id"],
        "billing": person["billing"],
        "shipping": {k: v for k, v in person["billing"].items() if k not in ("email", "phone")},
        "line_items": [{"product_id": p["id"], "quantity": 1} for p in rng.sample(products, 2)],
        "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "50.00"}],
    }
    if method.startswith("kashier"):
        spec["transaction_id"] = f"KSH-{rng.randint(100000, 999999)}"
    return shop.pair.woo.create_order(spec)


async def live(
    shop: Shop, rng: random.Random, people: list[dict[str, Any]], method: str, each: int, fresh: bool
) -> None:
    for _ in range(each):
        new_order(shop, rng, people, method, "processing")
        ctx = shop.context() if fresh else shop.ctx
        await sync_orders_once(ctx)
        if fresh:
            await ctx.aclose()
        shop.pair.woo.clock.advance(120)


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    tmp = Path(tempfile.mkdtemp(prefix="woonext-per-order-"))
    pair = build_pair(seed=args.seed, orders=args.orders)
    config = Config.model_validate(pair.config("http://woo.test", "http://erp.test", f"sqlite:///{tmp / 's.sqlite'}"))
    shop = Shop(pair, config, StateDB.open(config.state_url, pair.woo.clock))
    await run_setup(shop.ctx)
    await shop.ctx.erp.update(
        "Company", config.stores[0].company, {"custom_kashier_account": pair.masters.kashier_account}
    )
    await shop.ctx.erp.update("Stock Settings", "Stock Settings", {"auto_insert_price_list_rate_if_missing": 0})
    results = []
    migrated = sum(1 for o in pair.woo.orders.values() if o["status"] in config.stores[0].migrate_statuses)
    results.append(
        await shop.measure(
            "migration (whole store)", migrated, lambda: migrate(shop.ctx, MigrationOptions(all_pages=True))
        )
    )
    rng = random.Random(args.seed)
    people = known_people(shop)
    # the live poll's first run sweeps the store's open orders; settle it before measuring
    await sync_orders_once(shop.ctx)
    pair.woo.clock.advance(600)
    await sync_orders_once(shop.ctx)
    pair.woo.clock.advance(timedelta(days=1).total_seconds())
    day = pair.woo.clock.now().date()
    for _ in range(args.each * 5):
        new_order(shop, rng, people, "cod", "completed")
    results.append(
        await shop.measure(
            "completed, known customer (migration)",
            args.each * 5,
            lambda: migrate(shop.ctx, MigrationOptions(all_pages=True, since=day)),
        )
    )
    await sync_orders_once(shop.ctx)  # the live poll has seen them (already invoiced): nothing to do
    pair.woo.clock.advance(600)
    await sync_orders_once(shop.ctx)
    for method, label in (("cod", "live COD, known customer"), ("kashier_card", "live prepaid, known customer")):
        for fresh, how in ((False, "service: one context"), (True, "cron: a context per run")):
            results.append(
                await shop.measure(
                    f"{label} ({how})", args.each, lambda m=method, f=fresh: live(shop, rng, people, m, args.each, f)
                )
            )
    await shop.ctx.aclose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--each", type=int, default=20, help="live orders per kind (x5 completed ones)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = asyncio.run(run(args))
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for r in results:
        print(f"{r['kind']:<58} {r['orders']:>5} orders  {r['per_order']:>6} ERPNext requests/order")
        for name, n in r["routes_per_order"].items():
            print(f"      {n:>7}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
