"""The catalog bridge at size: 10,000 products (30 % variable with 4 variations each), 40 ms latency on
both simulators (`woonext sim up --import-orders DIR` with products.json / variations.json).

    .venv/bin/python bench/catalog.py [--products 10000] [--variable 0.3] [--latency-ms 40] [--samples 40]

Measures, each through the real CLI or service against the simulators on loopback:
  1. the first `woonext items sync` (time, WooCommerce and ERPNext requests, Items made);
  2. the first full `woonext stock push` after ERPNext got stock for every Item (requests against
     the bound: changed objects ÷ 100 + 5 %);
  3. an idle sweep (`woonext stock push` with nothing changed: 1 ERPNext request per store);
  4. with `woonext serve` running and the Webhooks installed: one Stock Entry in ERPNext →
     `stock_quantity` updated in WooCommerce, `--samples` times (p50 < 2 s, p99 < 5 s).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _simproc import PYTHON, ROOT, SimProcess, free_ports, table

sys.path.insert(0, str(ROOT))
from tests.fixtures import WOO_SAMPLES  # noqa: E402

from woonext.config import load_config  # noqa: E402
from woonext.sim.clock import SimClock  # noqa: E402
from woonext.sim.woo import WooSim, WooSimConfig  # noqa: E402
from woonext.woo.client import WooClient  # noqa: E402

WAREHOUSE = "Jarz Main - JT"
COST = re.compile(r"(\d+) WooCommerce and (\d+) ERPNext request\(s\), ([\d.]+) s")


def write_catalog(directory: Path, products: int, variable: float, seed: int) -> tuple[int, int]:
    """products.json and variations.json as the REST API returns them (built by the WooCommerce simulator)."""
    rng = random.Random(seed)
    woo = WooSim(WooSimConfig(home_url="http://127.0.0.1:8080"), SimClock())
    size = {"id": 1, "name": "Size", "slug": "pa_size", "variation": True, "options": ["S", "M", "L", "XL"]}
    for n in range(products):
        category = [{"id": 100 + n % 12, "name": f"Category {n % 12}", "slug": f"category-{n % 12}"}]
        price = f"{rng.randint(50, 900)}.{rng.choice(['00', '50', '99'])}"
        if rng.random() < variable:
            parent = woo.add_product(
                f"Shirt {n}", f"SHIRT-{n:05d}", "0", product_type="variable", attributes=[size], categories=category
            )
            for option in size["options"]:
                woo.add_variation(
                    parent["id"],
                    f"SHIRT-{n:05d}-{option}",
                    price,
                    [{"id": 1, "name": "Size", "option": option}],
                    manage_stock=True,
                    stock_quantity=0,
                )
        else:
            woo.add_product(
                f"Product {n}", f"P-{n:05d}", price, manage_stock=True, stock_quantity=0, categories=category
            )
    variations: dict[str, list[dict[str, Any]]] = {}
    for v in woo.catalog.variations.values():
        variations.setdefault(str(v["parent_id"]), []).append(v)
    (directory / "products.json").write_text(json.dumps(list(woo.catalog.products.values())))
    (directory / "variations.json").write_text(json.dumps(variations))
    shutil.copy(WOO_SAMPLES / "order_15.json", directory / "order_15.json")  # sim up wants one order
    return len(woo.catalog.products), len(woo.catalog.variations)


def cli(cfg: Path, *args: str) -> tuple[str, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-m", "woonext", "--config", str(cfg), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(f"woonext {' '.join(args)}: {done.stdout}\n{done.stderr}")
    return done.stdout, time.perf_counter() - started


def cost(out: str) -> tuple[int, int]:
    found = COST.search(out)
    if found is None:
        raise RuntimeError(f"no request counts in: {out[-500:]}")
    return int(found.group(1)), int(found.group(2))


def erp(cfg: Path) -> httpx.Client:
    config = load_config(cfg)
    token = f"{config.erpnext.api_key.get_secret_value()}:{config.erpnext.api_secret.get_secret_value()}"
    return httpx.Client(base_url=config.erpnext.url, headers={"Authorization": f"token {token}"}, timeout=600)


def stock_everything(cfg: Path, codes: list[str], chunk: int = 1000) -> None:
    with erp(cfg) as client:
        for start in range(0, len(codes), chunk):
            rows = [
                {"item_code": c, "warehouse": WAREHOUSE, "qty": 25, "valuation_rate": 10}
                for c in codes[start : start + chunk]
            ]
            body = {"company": "Jarz Test", "purpose": "Stock Reconciliation", "docstatus": 1, "items": rows}
            client.post("/api/resource/Stock Reconciliation", json=body).raise_for_status()


def item_codes(cfg: Path) -> list[str]:
    with erp(cfg) as client:
        rows = client.get(
            "/api/resource/Item",
            params={
                "fields": '["name"]',
                "filters": '[["is_stock_item", "=", 1], ["has_variants", "=", 0]]',
                "limit_page_length": 0,
            },
        ).json()["data"]
    return [r["name"] for r in rows]


async def _woo_stock(woo: WooClient, product_id: int) -> Any:
    body, _ = await woo.get(f"products/{product_id}")
    return body["stock_quantity"]


def latency(cfg: Path, samples: int, seed: int) -> list[float]:
    """Stock Entry in ERPNext → WooCommerce's stock_quantity, with `serve` running."""
    import asyncio

    config = load_config(cfg)
    store = config.stores[0]
    rng = random.Random(seed)
    (port,) = free_ports(1)
    log = (cfg.parent / "serve.log").open("ab")
    serve = subprocess.Popen(
        [PYTHON, "-m", "woonext", "--config", str(cfg), "serve", "--no-scheduler", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    out: list[float] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        cli(cfg, "webhooks", "install", "--url", f"http://127.0.0.1:{port}")
        from woonext.store import StateDB

        db = StateDB.open(config.state_url)
        simple = [
            b for b in db.bindings(store.name, "product") if b.data.get("stock_item") and not b.data.get("template")
        ]
        db.close()

        async def run() -> None:
            async with WooClient(store.url, store.consumer_key, store.consumer_secret) as woo:
                with erp(cfg) as client:
                    for _ in range(samples):
                        binding = rng.choice(simple)
                        before = await _woo_stock(woo, int(binding.remote_id))
                        row = {"item_code": binding.erp_name, "t_warehouse": WAREHOUSE, "qty": 1, "basic_rate": 10}
                        started = time.perf_counter()
                        client.post(
                            "/api/resource/Stock Entry",
                            json={
                                "stock_entry_type": "Material Receipt",
                                "company": "Jarz Test",
                                "docstatus": 1,
                                "items": [row],
                            },
                        ).raise_for_status()
                        while await _woo_stock(woo, int(binding.remote_id)) != before + 1:
                            if time.perf_counter() - started > 30:
                                raise RuntimeError(f"{binding.erp_name} not updated in 30 s")
                            await asyncio.sleep(0.02)
                        out.append(time.perf_counter() - started)

        asyncio.run(run())
    finally:
        serve.terminate()
        serve.wait(timeout=30)
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--variable", type=float, default=0.3)
    parser.add_argument("--latency-ms", type=float, default=40)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="woonext-catalog-"))
    shop = work / "shop"
    shop.mkdir()
    products, variations = write_catalog(shop, args.products, args.variable, args.seed)
    results: dict[str, Any] = {"products": products, "variations": variations, "latency_ms": args.latency_ms}
    with SimProcess(
        work, orders=0, seed=args.seed, latency_ms=args.latency_ms, extra_args=("--import-orders", str(shop))
    ) as sim:
        cfg = sim.config_path
        cli(cfg, "setup")
        out, seconds = cli(cfg, "items", "sync")
        woo, erp_requests = cost(out)
        made = int(re.search(r"(\d+) created", out).group(1))  # type: ignore[union-attr]
        results["items_sync"] = {
            "seconds": round(seconds, 1),
            "items": made,
            "woo_requests": woo,
            "erp_requests": erp_requests,
        }
        codes = item_codes(cfg)
        stock_everything(cfg, codes)
        logged = len(sim.woo_request_log())
        out, seconds = cli(cfg, "stock", "push")
        woo, erp_requests = cost(out)
        changed = int(re.search(r"(\d+) quantit\(ies\) written", out).group(1))  # type: ignore[union-attr]
        posts = [r["path"] for r in sim.woo_request_log()[logged:] if r["method"] == "POST"]
        variation_posts = [p for p in posts if p.endswith("/variations/batch")]
        simple = changed - variations  # every variation changed (0 → 25), the rest are simple products
        results["stock_push"] = {
            "seconds": round(seconds, 1),
            "changed": changed,
            "woo_requests": woo,
            "erp_requests": erp_requests,
            "product_batches": len(posts) - len(variation_posts),
            "product_bound": round(simple / 100 * 1.05 + 1, 1),
            "variation_batches": len(variation_posts),
            "parents": len(set(variation_posts)),
        }
        out, seconds = cli(cfg, "stock", "push")
        results["idle_sweep"] = {"erp_requests": cost(out)[1], "woo_requests": cost(out)[0]}
        samples = latency(cfg, args.samples, args.seed)
        results["webhook_latency_s"] = {
            "p50": round(statistics.median(samples), 2),
            "p99": round(pct(samples, 99), 2),
            "max": round(max(samples), 2),
            "samples": len(samples),
        }
    if args.json:
        print(json.dumps(results, indent=1))
        return
    s, p, i, w = results["items_sync"], results["stock_push"], results["idle_sweep"], results["webhook_latency_s"]
    print(f"{products} products, {variations} variations, {args.latency_ms:g} ms latency on both simulators\n")
    items = (
        f"{s['seconds']} s, {s['items']} Items; {s['woo_requests']} WooCommerce + {s['erp_requests']} ERPNext requests"
    )
    push = (
        f"{p['seconds']} s, {p['changed']} changed; {p['product_batches']} products batches (bound "
        f"{p['product_bound']}) + {p['variation_batches']} variations batches ({p['parents']} parents); "
        f"{p['woo_requests']} WooCommerce + {p['erp_requests']} ERPNext requests"
    )
    rows = [
        ["first items sync", items],
        ["first full stock push", push],
        ["idle sweep", f"{i['erp_requests']} ERPNext request(s), {i['woo_requests']} WooCommerce"],
        ["Stock Entry → WooCommerce (serve)", f"p50 {w['p50']} s, p99 {w['p99']} s, max {w['max']} s ({w['samples']})"],
    ]
    print(table(["measure", "value"], rows))


if __name__ == "__main__":
    main()
