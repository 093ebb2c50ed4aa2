"""Benchmark (issue 13, "Show"): `woonext reconcile` over a 5,000-order period against the simulators with
the web servers' request-line limits on (gunicorn's 4,094 bytes in front of ERPNext, Apache's 8,190 in
front of WooCommerce: both are the simulators' defaults).

    .venv/bin/python bench/reconcile_limit.py [--orders 5000] [--seed 1] [--latency-ms 0] [--json]

`woonext sim up` serves a generated store in a child process; this process runs `woonext setup`, the
migration (`migrate --all`) and the live poll through the library, then `woonext reconcile --from
<first day> --to <last day>` as a person would (a subprocess), and reads the simulators' request logs:
its exit status, the orders it checked, its requests, and how many requests either web server refused
(400 "Request Line is too large" / 414) — which must be none.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _simproc import PYTHON, SimProcess

from woonext.config import load_config
from woonext.store import StateDB
from woonext.sync.context import open_store
from woonext.sync.live import sync_orders_once
from woonext.sync.migration import MigrationOptions, migrate
from woonext.sync.setup import run_setup


async def prepare(config_path: Path) -> dict[str, Any]:
    config = load_config(config_path)
    db = StateDB.open(config.state_url)
    ctx = open_store(config, config.stores[0], db)
    started = time.perf_counter()
    try:
        await run_setup(ctx)
        await ctx.erp.update("Company", config.stores[0].company, {"custom_kashier_account": "Kashier - JT"})
        report = await migrate(ctx, MigrationOptions(all_pages=True, concurrency=8))
        live = await sync_orders_once(ctx)
        days: list[str] = []
        for status in ("any", "trash"):
            async for page in ctx.woo.iter_orders({"status": status}):
                days += [str(o.get("date_created"))[:10] for o in page.items]
        days.sort()
    finally:
        await ctx.aclose()
        db.close()
    return {
        "migrated": report.created,
        "failed": report.failed,
        "live": len(live.results),
        "first_day": days[0],
        "last_day": days[-1],
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="woonext-reconcile-") as tmp,
        SimProcess(Path(tmp), args.orders, args.seed, args.latency_ms, start_timeout=900) as sim,
    ):
        prepared = asyncio.run(prepare(sim.config_path))
        before_erp, before_woo = len(sim.erp_request_log()), len(sim.woo_request_log())
        started = time.perf_counter()
        done = subprocess.run(
            [
                PYTHON,
                "-m",
                "woonext",
                "--config",
                str(sim.config_path),
                "reconcile",
                "--json",
                "--from",
                prepared["first_day"],
                "--to",
                prepared["last_day"],
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        erp_log, woo_log = sim.erp_request_log()[before_erp:], sim.woo_request_log()[before_woo:]
    data = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    store = (data.get("stores") or [{}])[0]
    result = {
        **prepared,
        "exit_status": done.returncode,
        "reconcile_seconds": round(seconds, 1),
        "orders_checked": store.get("orders"),
        "mismatches": data.get("mismatches"),
        "states": store.get("states"),
        "erpnext_requests": len(erp_log),
        "woocommerce_requests": len(woo_log),
        "erpnext_statuses": dict(Counter(str(r["status"]) for r in erp_log)),
        "woocommerce_statuses": dict(Counter(str(r["status"]) for r in woo_log)),
        "long_queries_sent_as_post": sum(1 for r in erp_log if r["method"] == "POST" and "get_list" in r["path"]),
        "stderr": done.stderr[-2000:],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>28}: {value}")
    return 0 if done.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
