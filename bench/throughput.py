"""Benchmark (issue 13, item 4): the migration's throughput against a raw one-request POS invoice loop on
the same machine and the same simulators — the comparison made on the real ERPNext (woonext 143
orders/min, a raw loop 213/min: 0.67; the goal is >= 0.9).

    .venv/bin/python bench/throughput.py [--orders 600] [--seed 1] [--latency-ms 40] [--raw 150] [--concurrency 4]

`woonext sim up` (a child process, `--latency-ms` added to every request) serves a generated store.
1. The raw loop: `--raw` invoices, each the migration's own document for a completed order (woonext's
   mapping, one walk-in Customer, POS-paid) posted by one `POST /api/resource/Sales Invoice`, one after
   the other — nothing else: no customers, no bindings, no credit notes.
2. woonext: `setup`, then `migrate --all` of the whole store (completed, cancelled, refunded orders;
   customers, credit notes, Payment Entries) at `--concurrency`.
Prints orders per minute of each and their ratio, with the ERPNext requests each made.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _simproc import SimProcess

from woonext.config import load_config
from woonext.mapping.invoice import PaymentRow, Purpose, map_order
from woonext.store import StateDB
from woonext.sync.context import StoreContext, open_store
from woonext.sync.migration import MigrationOptions, migrate
from woonext.sync.setup import run_setup

WALK_IN = "Raw Loop Walk-in"


async def raw_loop(ctx: StoreContext, count: int) -> dict[str, Any]:
    await ctx.erp.insert("Customer", {"customer_name": WALK_IN, "customer_type": "Individual"})
    orders: list[dict[str, Any]] = []
    async for page in ctx.woo.iter_orders({"status": "completed", "orderby": "id", "order": "asc"}):
        orders += page.items
        if len(orders) >= count:
            break
    docs = []
    for order in orders:
        try:
            plan = map_order(
                order,
                ctx.invoice_settings(),
                customer=WALK_IN,
                purpose=Purpose.HISTORICAL_PAID,
                sync_key=f"raw:{order['id']}",
                payment=PaymentRow("Cash", "Cash - JT"),
            )
        except Exception:  # noqa: BLE001 - an order the mapping refuses is left out of both loops' count
            continue
        docs.append(plan.doc)
        if len(docs) == count:
            break
    before, started = ctx.erp.requests, time.perf_counter()
    for doc in docs:
        await ctx.erp.insert("Sales Invoice", doc)
    seconds = time.perf_counter() - started
    return {
        "invoices": len(docs),
        "seconds": round(seconds, 2),
        "per_min": round(len(docs) / seconds * 60, 1),
        "erp_requests": ctx.erp.requests - before,
    }


async def run(args: argparse.Namespace, config_path: Path) -> dict[str, Any]:
    config = load_config(config_path)
    db = StateDB.open(config.state_url)
    ctx = open_store(config, config.stores[0], db)
    try:
        await run_setup(ctx)
        await ctx.erp.update("Company", config.stores[0].company, {"custom_kashier_account": "Kashier - JT"})
        await ctx.erp.update("Stock Settings", "Stock Settings", {"auto_insert_price_list_rate_if_missing": 0})
        raw = await raw_loop(ctx, args.raw)
        before, started = ctx.erp.requests, time.perf_counter()
        report = await migrate(ctx, MigrationOptions(all_pages=True, concurrency=args.concurrency))
        seconds = time.perf_counter() - started
        handled = report.created + report.skipped + report.failed
        woonext = {
            "orders": handled,
            "created": report.created,
            "failed": report.failed,
            "seconds": round(seconds, 2),
            "per_min": round(handled / seconds * 60, 1),
            "erp_requests": ctx.erp.requests - before,
            "erp_per_order": round((ctx.erp.requests - before) / max(1, handled), 3),
        }
    finally:
        await ctx.aclose()
        db.close()
    return {"raw_loop": raw, "woonext_migrate": woonext, "ratio": round(woonext["per_min"] / raw["per_min"], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=40)
    parser.add_argument("--raw", type=int, default=150)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="woonext-throughput-") as tmp,
        SimProcess(Path(tmp), args.orders, args.seed, args.latency_ms, start_timeout=600) as sim,
    ):
        result = asyncio.run(run(args, sim.config_path))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
