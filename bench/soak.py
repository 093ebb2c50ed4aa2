"""Fault soak: N orders flow through woonext against `woonext sim up` on loopback while things go
wrong, then the run is checked for the promises of docs/reliability.md.

  * faults on both simulators at about `--fault-rate` of the API requests: 429 with Retry-After,
    502/503/500, an HTML page with status 200, timeouts, responses lost after the commit, ERPNext
    deadlocks (a held request ends in the proxy's 504 after `--hold-s`);
  * every webhook delivered one to three times, out of order (a shuffled window), retried by the
    sender until accepted (as WooCommerce does) — also while the web process is down;
  * the periodic poll (orders job every minute) running alongside;
  * orders paid (completed), cancelled, refunded and edited while in flight (the simulator's order actions);
  * a worker (SQLite: the whole `woonext serve` process) SIGKILLed about every `--kill-every`
    orders and restarted.

At the end: duplicate invoices / payments / credit notes, orders missing, reconciliation mismatches
(`woonext.sync.reconcile` over the run's days), events not final, secrets found in any log — all
must be 0 (exit 1 otherwise) — and the throughput.

    .venv/bin/python bench/soak.py --orders 10000 --db sqlite
    .venv/bin/python bench/soak.py --orders 10000 --db postgres --workers 4
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _simproc import PYTHON, ROOT, free_ports  # noqa: E402
from _soakcheck import Checks, check_documents, check_events, check_logs, check_reconciliation, documents  # noqa: E402

sys.path.insert(0, str(ROOT))
from sqlalchemy import create_engine, text  # noqa: E402
from tests.unit import pg  # noqa: E402

from woonext.runtime.webhooks import sign  # noqa: E402

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}
API_FAULTS = ("429", "500", "html200", "timeout", "lost", "503")  # WooCommerce's share
ERP_FAULTS = ("429", "deadlock", "html200", "timeout", "lost", "502")


def fault_spec(rate: float) -> str:
    """About `rate` of the API requests on each side fail, spread over the kinds (never /__sim__/)."""
    each_woo, each_erp = rate / len(API_FAULTS), rate / len(ERP_FAULTS)
    return ",".join(
        [f"woo:{k}@{each_woo:.4f}:* /wp-json/*" for k in API_FAULTS]
        + [f"erpnext:{k}@{each_erp:.4f}:* /api/*" for k in ERP_FAULTS]
    )


class Service:
    """`woonext serve` (SQLite) or `woonext web` + `woonext scheduler` + N `woonext worker` processes
    (PostgreSQL)."""

    def __init__(self, cfg: Path, logs: Path, port: int, workers: int, postgres: bool, concurrency: int) -> None:
        self.cfg, self.logs, self.port, self.postgres, self.concurrency = cfg, logs, port, postgres, concurrency
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.names = ["web", "scheduler", *(f"worker{n}" for n in range(workers))] if postgres else ["serve"]
        self.kills = 0

    def start(self, name: str) -> None:
        args = {
            "serve": ["serve", "--port", str(self.port), "--concurrency", str(self.concurrency)],
            "web": ["web", "--port", str(self.port)],
            "scheduler": ["scheduler"],
        }.get(name, ["worker", "--concurrency", str(self.concurrency)])
        with (self.logs / f"{name}.log").open("ab") as out:
            self.procs[name] = subprocess.Popen(
                [PYTHON, "-m", "woonext", "--config", str(self.cfg), *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=ENV,
            )

    def start_all(self) -> None:
        for name in self.names:
            self.start(name)

    def kill_one(self, rng: random.Random) -> str:
        """SIGKILL a worker (or the single serve process) and start it again."""
        name = rng.choice([n for n in self.names if n.startswith(("worker", "serve"))])
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait()
        self.kills += 1
        self.start(name)
        return name

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


class Deliveries:
    """Signed webhooks sent by a few threads from a shuffled window (out of order); a refused or
    failed delivery is sent again until the service answers 2xx, like WooCommerce's retries."""

    def __init__(self, url: str, secret: str, rng: random.Random, window: int = 40) -> None:
        self.url, self.secret, self.rng, self.window = url, secret, rng, window
        self.pending: list[tuple[str, bytes, str]] = []
        self.lock = threading.Lock()
        self.work: queue.Queue[tuple[str, bytes, str] | None] = queue.Queue()
        self.sent = self.retried = 0
        self.threads = [threading.Thread(target=self._send_loop, daemon=True) for _ in range(6)]
        for thread in self.threads:
            thread.start()

    def add(self, order: dict[str, Any], topic: str) -> None:
        body = json.dumps(
            {"id": order["id"], "status": order["status"], "date_modified_gmt": order.get("date_modified_gmt")}
        ).encode()
        delivery = f"soak-{order['id']}-{topic}-{order.get('date_modified_gmt')}"
        with self.lock:
            for _ in range(self.rng.randint(1, 3)):  # one to three deliveries of the same webhook
                self.pending.append((topic, body, delivery))
            while len(self.pending) > self.window:
                self.work.put(self.pending.pop(self.rng.randrange(len(self.pending))))

    def flush(self) -> None:
        with self.lock:
            self.rng.shuffle(self.pending)
            for item in self.pending:
                self.work.put(item)
            self.pending.clear()
        self.work.join()

    def close(self) -> None:
        for _ in self.threads:
            self.work.put(None)

    def _send_loop(self) -> None:
        with httpx.Client(timeout=30) as http:
            while (item := self.work.get()) is not None:
                topic, body, delivery = item
                headers = {
                    "Content-Type": "application/json",
                    "X-WC-Webhook-Topic": topic,
                    "X-WC-Webhook-Signature": sign(body, self.secret),
                    "X-WC-Webhook-Delivery-ID": delivery,
                }
                while True:
                    try:
                        if http.post(self.url, content=body, headers=headers).status_code < 300:
                            break
                    except httpx.HTTPError:
                        pass
                    self.retried += 1
                    time.sleep(0.5)
                self.sent += 1
                self.work.task_done()


def start_sim(work: Path, args: argparse.Namespace) -> tuple[subprocess.Popen[bytes], Path, str, str]:
    woo_port, erp_port = free_ports(2)
    cfg = work / "sim.toml"
    with (work / "logs" / "sim.log").open("ab") as out:
        proc = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "woonext",
                "sim",
                "up",
                "--woo-port",
                str(woo_port),
                "--erpnext-port",
                str(erp_port),
                "--orders",
                "20",
                "--seed",
                str(args.seed),
                "--faults",
                fault_spec(args.fault_rate),
                "--fault-hold-s",
                str(args.hold_s),
                "--write-config",
                str(cfg),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=ENV,
        )
    deadline = time.monotonic() + 120
    while not cfg.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError((work / "logs" / "sim.log").read_text())
        time.sleep(0.1)
    return proc, cfg, f"http://127.0.0.1:{woo_port}", f"http://127.0.0.1:{erp_port}"


def configure(sim_cfg: Path, cfg: Path, state_url: str, lease_seconds: float = 60.0) -> list[str]:
    """The woonext config for the run (state DB, worker lease, orders polled every minute); returns its secrets."""
    content = re.sub(r'(?m)^state_url = ".*"$', f'state_url = "{state_url}"', sim_cfg.read_text())
    content = content.replace("\n[erpnext]", f"\n[service]\nlease_seconds = {lease_seconds}\n\n[erpnext]", 1)
    cfg.write_text(content + '\n[stores.schedules]\norders = "* * * * *"\n')
    return [
        m
        for name in ("api_key", "api_secret", "consumer_key", "consumer_secret", "webhook_secret")
        for m in re.findall(rf'(?m)^{name} = "([^"]+)"', content)
    ]


def order_template(http: httpx.Client) -> dict[str, Any]:
    orders = http.get("/__sim__/orders").json()
    known = next(
        o for o in orders if o["line_items"] and o["payment_method"] == "cod" and not o["line_items"][0]["variation_id"]
    )
    return {
        "line_items": [{"product_id": known["line_items"][0]["product_id"], "quantity": 1}],
        "payment_method": "cod",
        "payment_method_title": "Cash on delivery",
        "status": "processing",
        "billing": known["billing"],
    }


def act(http: httpx.Client, order_id: int, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = http.post(f"/__sim__/orders/{order_id}/{action}", json=body or {})
    response.raise_for_status()
    return dict(response.json())


def drive(
    args: argparse.Namespace, woo: httpx.Client, hooks: Deliveries, service: Service, rng: random.Random
) -> tuple[dict[int, dict[str, Any]], list[int], int]:
    """Create the orders and change some while their webhooks are in flight; returns the orders and the
    ones never changed (still processing) and how many were edited."""
    spec = order_template(woo)
    created: dict[int, dict[str, Any]] = {}
    in_flight: list[int] = []
    untouched: list[int] = []  # still processing, never changed: candidates for a later edit
    edits = 0
    for n in range(1, args.orders + 1):
        response = woo.post("/__sim__/orders", json={"spec": spec, "created_via": "checkout"})
        response.raise_for_status()
        order = response.json()
        created[order["id"]] = order
        hooks.add(order, "order.created")
        in_flight.append(order["id"])
        if len(in_flight) > 15:  # a little later, while earlier webhooks may still be queued
            target = in_flight.pop(rng.randrange(len(in_flight)))
            roll = rng.random()
            if roll < 0.45:
                hooks.add(act(woo, target, "complete"), "order.updated")  # delivered and paid
            elif roll < 0.55:
                hooks.add(act(woo, target, "cancel"), "order.updated")
            elif roll < 0.65:
                act(woo, target, "complete")
                refund = str(rng.choice(["5.00", "10.00", "12.50"]))
                act(woo, target, "refund", {"amount": refund, "reason": "soak", "restock": False})
                hooks.add(woo.get(f"/__sim__/orders/{target}").json(), "order.updated")
            elif roll < 0.75 and len(untouched) > 20:
                # the shop adds one to a line of an older order, most likely invoiced by now: an unpaid,
                # undelivered invoice is cancelled and amended
                older = untouched.pop(rng.randrange(len(untouched) - 20))  # ~80 orders back or more
                line = woo.get(f"/__sim__/orders/{older}").json()["line_items"][0]
                edited = act(
                    woo,
                    older,
                    "edit_lines",
                    {"line_items": [{"id": line["id"], "quantity": int(line["quantity"]) + 1}]},
                )
                hooks.add(edited, "order.updated")
                edits += 1
            else:
                untouched.append(target)
        if args.kill_every and n % args.kill_every == 0:
            print(f"  {n} orders: SIGKILL {service.kill_one(rng)}", flush=True)
    return created, untouched, edits


def edit_invoiced(woo: httpx.Client, hooks: Deliveries, untouched: list[int], rng: random.Random) -> int:
    """After the first settle: the shop edits a line of some invoiced, unpaid orders (each amended)."""
    chosen = rng.sample(untouched, k=max(1, len(untouched) // 10)) if untouched else []
    for order_id in chosen:
        line = woo.get(f"/__sim__/orders/{order_id}").json()["line_items"][0]
        edited = act(
            woo, order_id, "edit_lines", {"line_items": [{"id": line["id"], "quantity": int(line["quantity"]) + 1}]}
        )
        hooks.add(edited, "order.updated")
    hooks.flush()
    return len(chosen)


def settle(state_url: str, timeout: float) -> float:
    engine = create_engine(state_url)
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout:
            with engine.connect() as connection:
                busy = connection.execute(
                    text(
                        "SELECT count(*) FROM events WHERE status IN ('Pending', 'Running') "
                        "AND kind IN ('order', 'customer')"
                    )
                ).scalar()
            if not busy:
                break
            time.sleep(1)
    finally:
        engine.dispose()
    return time.monotonic() - started


def run(args: argparse.Namespace, work: Path, pg_url: str | None) -> Checks:
    logs = work / "logs"
    logs.mkdir(parents=True)
    rng = random.Random(args.seed)
    state_url = f"sqlite:///{work / 'state.sqlite'}"
    if pg_url is not None:
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS woonext_soak"))
            connection.execute(text("CREATE DATABASE woonext_soak"))
        admin.dispose()
        state_url = pg_url.replace("/postgres?", "/woonext_soak?")
    with ExitStack() as stack:
        sim, sim_cfg, woo_url, erp_url = start_sim(work, args)
        stack.callback(sim.wait, timeout=30)  # callbacks run last-in first-out: terminate, then wait
        stack.callback(sim.terminate)
        cfg = work / "woonext.toml"
        secrets = configure(sim_cfg, cfg, state_url, args.lease_seconds)
        for _ in range(20):  # setup meets the faults too: run it again until it has nothing left to do
            setup = subprocess.run(
                [PYTHON, "-m", "woonext", "--config", str(cfg), "setup"], capture_output=True, env=ENV
            )
            with (logs / "setup.log").open("ab") as out:
                out.write(setup.stdout + setup.stderr)
            if b"stopped:" not in setup.stdout + setup.stderr and setup.returncode in (0, 1):
                break
        (port,) = free_ports(1)
        service = Service(cfg, logs, port, args.workers, pg_url is not None, args.concurrency)
        service.start_all()
        stack.callback(service.stop)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the first deliveries would only be refused and resent
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        woo = stack.enter_context(httpx.Client(base_url=woo_url, timeout=60))
        hooks = Deliveries(f"http://127.0.0.1:{port}/webhooks/woocommerce/main", secrets[-1], rng)
        stack.callback(hooks.close)
        started = time.monotonic()
        day_one = datetime.now(UTC).date()
        orders, untouched, edits = drive(args, woo, hooks, service, rng)
        hooks.flush()
        sent = time.monotonic() - started
        waited = settle(state_url, args.settle_timeout)
        late_edits = edit_invoiced(woo, hooks, untouched, rng)
        waited += settle(state_url, args.settle_timeout)
        elapsed = time.monotonic() - started
        service.stop()
        injected = {}
        for side, url in (("woocommerce", woo_url), ("erpnext", erp_url)):  # the checks read without faults
            injected[side] = httpx.post(f"{url}/__sim__/faults", json={"enabled": False}, timeout=60).json()
        final = {int(o["id"]): o for o in woo.get("/__sim__/orders").json() if int(o["id"]) in orders}
        checks = Checks()
        check_documents(checks, documents(erp_url), final)
        checks.amendments_beyond_edits = max(0, int(checks.notes["amended"]) - edits - late_edits)
        check_events(checks, state_url)
        check_reconciliation(checks, cfg, set(final), (day_one, datetime.now(UTC).date()))
        check_logs(checks, sorted(logs.glob("*.log")), secrets)
        faults = httpx.get(f"{woo_url}/__sim__/queries", timeout=60).json()
        statuses = dict(sorted(_count(o["status"] for o in final.values()).items()))
        checks.notes.update(
            orders=len(final),
            statuses=statuses,
            edits_in_flight=edits,
            late_edits=late_edits,
            seconds=round(elapsed, 1),
            sending_s=round(sent, 1),
            settle_s=round(waited, 1),
            orders_per_min=round(len(final) / elapsed * 60, 1),
            kills=service.kills,
            webhooks_sent=hooks.sent,
            webhook_retries=hooks.retried,
            woo_requests=len(faults),
            **{
                f"{side}_faults": f"{sum(v['injected'].values())} of {v['requests_seen']} requests "
                f"{dict(sorted(v['injected'].items()))}"
                for side, v in injected.items()
            },
        )
        return checks


def _count(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=4, help="worker processes on PostgreSQL (default 4)")
    parser.add_argument("--concurrency", type=int, default=4, help="events at once per process (default 4)")
    parser.add_argument("--fault-rate", type=float, default=0.10, help="share of API requests that fail")
    parser.add_argument("--hold-s", type=float, default=3.0, help="how long a timeout / lost response holds")
    parser.add_argument("--kill-every", type=int, default=500, help="SIGKILL a worker every N orders (0: never)")
    parser.add_argument("--settle-timeout", type=float, default=1800)
    parser.add_argument(
        "--lease-seconds",
        type=float,
        default=60.0,
        help="worker lease: how long a killed worker's events wait (default 60, as in production)",
    )
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--keep", type=Path, help="keep the work directory (logs, state DB) here")
    parser.add_argument(
        "--pg-url", help="use this PostgreSQL server (its `postgres` database URL) instead of starting one"
    )
    args = parser.parse_args()
    with ExitStack() as stack:
        work = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="woonext-soak-")))
        pg_url = None if args.db != "postgres" else args.pg_url or stack.enter_context(pg.postgres_server())
        checks = run(args, work, pg_url)
    label = f"{args.db}" + (f", {args.workers} workers" if args.db == "postgres" else ", 1 process")
    print(f"\nsoak: {args.orders} orders, {label}, faults {args.fault_rate:.0%}, kill every {args.kill_every}")
    for name, value in vars(checks).items():
        if name != "notes":
            print(f"  {name:28} {value}")
    for name, value in checks.notes.items():
        print(f"  {name:28} {value}")
    print("OK: every check is 0" if not checks.failed else f"FAILED: {', '.join(checks.failed)}")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
