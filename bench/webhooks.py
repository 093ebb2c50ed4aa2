"""Webhook burst: signed `order.created` webhooks at a fixed rate into the running service, against
`woonext sim up` on loopback with injected latency; latency from webhook receipt (the event row's
`created_at`) to the submitted invoice (the event's `Succeeded` `updated_at`) and throughput.

Scenarios (`--scenarios`, comma-separated):
  sqlite  `woonext serve --no-scheduler` (web + 1 worker process, SQLite state DB)
  pg1     `woonext web` + 1 `woonext worker` process on a PostgreSQL state DB
  pg4     `woonext web` + 4 `woonext worker` processes on the same PostgreSQL state DB
PostgreSQL is started from the machine's binaries (tests/unit/pg.py). Orders are created in the
WooCommerce simulator (`/__sim__/orders`) before the burst; the burst only sends their webhooks.

    .venv/bin/python bench/webhooks.py --rate 20 --duration 20 --latency-ms 40
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from _simproc import PYTHON, ROOT, SimProcess, free_ports, table
from sqlalchemy import create_engine, text

sys.path.insert(0, str(ROOT))
from tests.unit import pg  # noqa: E402

from woonext.runtime.webhooks import sign  # noqa: E402


def woonext(cfg: Path, log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [PYTHON, "-m", "woonext", "--config", str(cfg), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


def stop(proc: subprocess.Popen[bytes]) -> int:
    if proc.poll() is None:
        proc.terminate()
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready")


def create_orders(sim: SimProcess, count: int) -> list[dict[str, Any]]:
    """`count` new processing cash-on-delivery orders of a simple product the ERPNext sim knows."""
    orders = httpx.get(f"{sim.woo_url}/__sim__/orders", timeout=60).json()
    known = next(
        o for o in orders if o["line_items"] and o["payment_method"] == "cod" and not o["line_items"][0]["variation_id"]
    )
    spec = {
        "line_items": [{"product_id": known["line_items"][0]["product_id"], "quantity": 1}],
        "payment_method": "cod",
        "payment_method_title": "Cash on delivery",
        "status": "processing",
        "billing": known["billing"],
    }
    with httpx.Client(timeout=60) as client:

        def one(_: int) -> dict[str, Any]:
            response = client.post(f"{sim.woo_url}/__sim__/orders", json={"spec": spec, "created_via": "checkout"})
            response.raise_for_status()
            return dict(response.json())

        with ThreadPoolExecutor(16) as pool:
            return list(pool.map(one, range(count)))


def burst(url: str, secret: str, orders: list[dict[str, Any]], rate: float) -> float:
    """Send one signed webhook per order, `rate` per second (open loop); returns the sending time."""
    started = time.perf_counter()
    with httpx.Client(timeout=30) as client, ThreadPoolExecutor(8) as pool:

        def send(order: dict[str, Any]) -> None:
            body = json.dumps(
                {"id": order["id"], "status": order["status"], "date_modified_gmt": order["date_modified_gmt"]}
            ).encode()
            response = client.post(
                url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "X-WC-Webhook-Topic": "order.created",
                    "X-WC-Webhook-Signature": sign(body, secret),
                    "X-WC-Webhook-Delivery-ID": f"bench-{order['id']}",
                },
            )
            response.raise_for_status()

        futures = []
        for n, order in enumerate(orders):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(send, order))
        for future in futures:
            future.result()
    return time.perf_counter() - started


def settle(state_url: str, expected: int, timeout: float) -> list[tuple[str, float, float]]:
    """Wait until every order event is final; (status, receipt, done) epoch seconds per event."""
    engine = create_engine(state_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as connection:
                rows = [
                    (str(s), c, u)
                    for s, c, u in connection.execute(
                        text("SELECT status, created_at, updated_at FROM events WHERE kind = 'order'")
                    )
                ]
            if len(rows) >= expected and all(s not in ("Pending", "Running") for s, _, _ in rows):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"events not final after {timeout} s")
            time.sleep(0.2)
    finally:
        engine.dispose()
    return [(s, _epoch(c), _epoch(u)) for s, c, u in rows]


def _epoch(value: Any) -> float:
    from datetime import UTC, datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return float(value.timestamp())


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def scenario(name: str, args: argparse.Namespace, work: Path, pg_url: str | None) -> dict[str, Any]:
    work.mkdir(parents=True)
    count = int(args.rate * args.duration)
    with SimProcess(work, orders=50, seed=args.seed, latency_ms=args.latency_ms) as sim, ExitStack() as procs:
        cfg = sim.config_path
        state_url = f"sqlite:///{work / 'state.sqlite'}"
        if pg_url is not None:
            database = f"bench_{name}"
            admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {database}"))
                connection.execute(text(f"CREATE DATABASE {database}"))
            admin.dispose()
            state_url = pg_url.replace("/postgres?", f"/{database}?")
        cfg.write_text(re.sub(r'(?m)^state_url = ".*"$', f'state_url = "{state_url}"', cfg.read_text()))
        log = work / "woonext.log"
        setup = subprocess.run([PYTHON, "-m", "woonext", "--config", str(cfg), "setup"], capture_output=True)
        if setup.returncode not in (0, 1):
            raise RuntimeError(setup.stdout.decode() + setup.stderr.decode())
        orders = create_orders(sim, count)
        (port,) = free_ports(1)
        if name == "sqlite":
            procs.callback(
                stop,
                woonext(
                    cfg, log, "serve", "--no-scheduler", "--port", str(port), "--concurrency", str(args.concurrency)
                ),
            )
        else:
            procs.callback(stop, woonext(cfg, log, "web", "--port", str(port)))
            for _ in range(4 if name == "pg4" else 1):
                procs.callback(stop, woonext(cfg, log, "worker", "--concurrency", str(args.concurrency)))
        wait_ready(f"http://127.0.0.1:{port}/readyz")
        secret = cfg.read_text().split('webhook_secret = "')[1].split('"')[0]
        sent = burst(f"http://127.0.0.1:{port}/webhooks/woocommerce/main", secret, orders, args.rate)
        rows = settle(state_url, count, timeout=args.duration * 10 + 120)
    succeeded = [(c, u) for s, c, u in rows if s == "Succeeded"]
    latencies = [u - c for c, u in succeeded]
    span = max(u for _, u in succeeded) - min(c for c, _ in succeeded)
    return {
        "scenario": name,
        "orders": count,
        "sent_s": sent,
        "succeeded": len(succeeded),
        "other": len(rows) - len(succeeded),
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "p99": pct(latencies, 99),
        "mean": statistics.fmean(latencies),
        "throughput": len(succeeded) / span,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=20.0, help="webhooks per second (default 20)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of burst per scenario (default 20)")
    parser.add_argument("--latency-ms", type=float, default=40.0, help="simulator latency per request (default 40)")
    parser.add_argument("--concurrency", type=int, default=4, help="events at once per worker process (default 4)")
    parser.add_argument("--scenarios", default="sqlite,pg1,pg4", help="comma-separated: sqlite, pg1, pg4")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
    results = []
    with tempfile.TemporaryDirectory(prefix="woonext-bench-") as tmp, ExitStack() as stack:
        pg_url = stack.enter_context(pg.postgres_server()) if any(n.startswith("pg") for n in names) else None
        for name in names:
            result = scenario(name, args, Path(tmp) / name, pg_url)
            results.append(result)
            print(
                f"{name}: {json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()})}",
                flush=True,
            )
    print(
        f"\n{args.rate:g} webhooks/s for {args.duration:g} s, {args.latency_ms:g} ms simulator latency, "
        f"worker concurrency {args.concurrency}"
    )
    print(
        table(
            ["scenario", "orders", "succeeded", "other", "p50 s", "p95 s", "p99 s", "invoices/s"],
            [
                [
                    r["scenario"],
                    r["orders"],
                    r["succeeded"],
                    r["other"],
                    f"{r['p50']:.3f}",
                    f"{r['p95']:.3f}",
                    f"{r['p99']:.3f}",
                    f"{r['throughput']:.1f}",
                ]
                for r in results
            ],
        )
    )


if __name__ == "__main__":
    main()
