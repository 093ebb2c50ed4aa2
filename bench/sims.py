"""Benchmark: how many requests per second each simulator serves, and how ERPNext inserts slow down
as invoices accumulate.

    .venv/bin/python bench/sims.py [--seconds 3] [--concurrency 8] [--orders 500] [--growth 3000]
                                   [--growth-step 500] [--json]

Four operations, each for `--seconds` with `--concurrency` requests in flight, through woonext's own
clients (WooClient with OAuth 1.0a over http, ErpClient with token auth):

  woo read    GET  /wp-json/wc/v3/orders?per_page=100
  woo write   PUT  /wp-json/wc/v3/orders/{id}            (status on-hold <-> processing)
  erp read    GET  /api/resource/Sales Invoice/{name}
  erp write   POST /api/resource/Sales Invoice           (docstatus 1: inserted and submitted)

once in-process (httpx.ASGITransport, client and simulator share one event loop and one core) and
once on loopback ports (`woonext sim up` in a child process, no injected latency). On loopback the
simulators' CPU time per request is measured from /proc, which gives the most each simulator can
serve on one core whatever the client (`capacity`). Then `--growth` invoices are inserted one at a
time into a fresh in-process ERPNext simulator, timing every `--growth-step` of them.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import resource
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from _simproc import SimProcess, cpu_seconds, table

from woonext.config import Config, load_config
from woonext.mapping.customer import customer_doc
from woonext.mapping.invoice import Purpose, map_order
from woonext.sim.serve import build_pair
from woonext.store import StateDB
from woonext.sync.accounts import historical_payment
from woonext.sync.context import StoreContext, Transports, open_store
from woonext.sync.customers import resolve_customer
from woonext.sync.setup import run_setup

Op = Callable[[int], Awaitable[Any]]


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Rate:
    mode: str
    op: str
    requests: int
    seconds: float
    client_cpu_s: float
    sim_cpu_s: float | None  # None in-process (one process does both)
    p50_ms: float
    p90_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def row(self) -> list[Any]:
        sim_ms = self.sim_cpu_s / self.requests * 1000 if self.sim_cpu_s is not None else None
        return [
            self.mode,
            self.op,
            round(self.rps, 1),
            self.p50_ms,
            self.p90_ms,
            f"{self.client_cpu_s / self.seconds:.0%}",
            f"{self.sim_cpu_s / self.seconds:.0%}" if self.sim_cpu_s is not None else "(same process)",
            round(sim_ms, 2) if sim_ms is not None else "",
            round(1000 / sim_ms) if sim_ms else "",
        ]

    def as_dict(self) -> dict[str, Any]:
        r = self.row()
        return {
            "mode": self.mode,
            "op": self.op,
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "rps": r[2],
            "p50_ms": self.p50_ms,
            "p90_ms": self.p90_ms,
            "client_cpu": r[5],
            "sim_cpu": r[6],
            "sim_cpu_ms_per_request": r[7],
            "sim_capacity_rps": r[8],
        }


async def measure(op: Op, seconds: float, concurrency: int, pid: int | None, mode: str, name: str) -> Rate:
    """Run `op` from `concurrency` workers for `seconds`; every call is one request."""
    await op(0)  # warm: first connection, caches
    latencies: list[float] = []
    counter = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal counter
        while time.perf_counter() < deadline:
            counter += 1
            started = time.perf_counter()
            await op(counter)
            latencies.append(time.perf_counter() - started)

    cpu0, sim0 = self_cpu(), (cpu_seconds(pid) if pid else 0.0)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    latencies.sort()
    return Rate(
        mode,
        name,
        len(latencies),
        wall,
        self_cpu() - cpu0,
        (cpu_seconds(pid) - sim0) if pid else None,
        round(latencies[len(latencies) // 2] * 1000, 1),
        round(latencies[int(len(latencies) * 0.9)] * 1000, 1),
    )


class Workload:
    """The four operations against one pair of simulators, through a woonext StoreContext."""

    def __init__(self, ctx: StoreContext) -> None:
        self.ctx = ctx
        self.template: dict[str, Any] = {}
        self.invoices: list[str] = []
        self.order_ids: list[int] = []
        self.cancellable: list[str] = []
        self.tag = f"{time.time_ns():x}"

    async def prepare(self) -> None:
        ctx = self.ctx
        await run_setup(ctx)
        await ctx.erp.update("Company", ctx.config.company, {"custom_kashier_account": "Kashier - JT"})
        await ctx.erp.update("Stock Settings", "Stock Settings", {"auto_insert_price_list_rate_if_missing": 0})
        page = await ctx.woo.list_orders({"status": "completed", "per_page": 100, "orderby": "id", "order": "asc"})
        self.order_ids = [int(o["id"]) for o in page.items]
        order = next(o for o in page.items if o.get("payment_method") == "cod" and not o.get("refunds"))
        customer = await resolve_customer(ctx, order)
        payment = await historical_payment(ctx, order)
        plan = map_order(
            order,
            ctx.invoice_settings(),
            customer=customer,
            purpose=Purpose.HISTORICAL_PAID,
            sync_key="template",
            payment=payment,
        )
        self.template = plan.doc

    def invoice_doc(self, n: int) -> dict[str, Any]:
        return {**self.template, "woonext_sync_key": f"bench:{self.tag}:{n}"}

    async def erp_write(self, n: int) -> None:
        doc = await self.ctx.erp.insert("Sales Invoice", self.invoice_doc(n))
        self.invoices.append(str(doc["name"]))
        self.cancellable.append(str(doc["name"]))

    async def erp_read(self, n: int) -> None:
        await self.ctx.erp.get_doc("Sales Invoice", self.invoices[n % len(self.invoices)])

    async def erp_lookup(self, n: int) -> None:
        """What woonext does after an uncertain write: find the invoice by its sync key (get_list)."""
        key = self.invoice_doc(1 + n % max(1, len(self.invoices)))["woonext_sync_key"]
        await self.ctx.erp.get_list("Sales Invoice", filters={"woonext_sync_key": key}, fields=["name"], limit=1)

    async def erp_cancel(self, n: int) -> None:
        """Cancel one of the invoices inserted so far (frappe.client.cancel: GL reversal)."""
        if self.cancellable:
            await self.ctx.erp.cancel("Sales Invoice", self.cancellable.pop())

    async def woo_read(self, n: int) -> None:
        await self.ctx.woo.list_orders({"per_page": 100, "page": 1 + n % 3})

    async def woo_write(self, n: int) -> None:
        order_id = self.order_ids[n % len(self.order_ids)]
        await self.ctx.woo.update_order(order_id, {"status": "on-hold" if n % 2 else "processing"})

    def ops(self) -> list[tuple[str, Op]]:
        return [
            ("woo read  GET orders?per_page=100", self.woo_read),
            ("woo write PUT orders/{id} status", self.woo_write),
            ("erp write POST Sales Invoice (submit)", self.erp_write),
            ("erp read  GET Sales Invoice/{name}", self.erp_read),
        ]


async def run_ops(ctx: StoreContext, args: argparse.Namespace, pid: int | None, mode: str) -> list[Rate]:
    work = Workload(ctx)
    await work.prepare()
    return [await measure(op, args.seconds, args.concurrency, pid, mode, name) for name, op in work.ops()]


def in_process_context(orders: int, seed: int, state_dir: Path) -> tuple[StoreContext, StateDB, Any]:
    pair = build_pair(seed=seed, orders=orders)
    config = Config.model_validate(
        pair.config("http://woo.test", "http://erp.test", f"sqlite:///{state_dir / 'state.sqlite'}")
    )
    db = StateDB.open(str(config.state_url))
    transports = Transports(woo=httpx.ASGITransport(app=pair.woo.app), erpnext=httpx.ASGITransport(app=pair.erp.app))
    # ERPNext and WooCommerce clients as woonext makes them (WooClient keeps its default cap of 2).
    return open_store(config, config.stores[0], db, transports), db, pair


async def in_process(args: argparse.Namespace, tmp: Path) -> list[Rate]:
    ctx, db, _pair = in_process_context(args.orders, args.seed, tmp)
    try:
        return await run_ops(ctx, args, None, "in-process")
    finally:
        await ctx.aclose()
        db.close()


async def loopback(args: argparse.Namespace, sim: SimProcess) -> list[Rate]:
    config = load_config(sim.config_path)
    db = StateDB.open(str(config.state_url))
    ctx = open_store(config, config.stores[0], db)
    try:
        return await run_ops(ctx, args, sim.pid, "loopback")
    finally:
        await ctx.aclose()
        db.close()


async def timed(op: Op, count: int) -> float:
    """Mean milliseconds of `count` sequential calls."""
    started = time.perf_counter()
    for i in range(count):
        await op(i)
    return (time.perf_counter() - started) / count * 1000


async def growth(args: argparse.Namespace, tmp: Path) -> tuple[list[dict[str, Any]], str]:
    """Insert `--growth` invoices one at a time (in-process, latency 0); time each step."""
    ctx, db, pair = in_process_context(50, args.seed, tmp)
    rows: list[dict[str, Any]] = []
    profile_text = ""
    try:
        work = Workload(ctx)
        await work.prepare()
        n = 0
        while n < args.growth:
            step = min(args.growth_step, args.growth - n)
            last = n + step >= args.growth
            profiler = cProfile.Profile() if (last and args.profile) else None
            insert_s = 0.0
            if profiler:
                profiler.enable()
            for _ in range(step):
                n += 1
                started = time.perf_counter()
                await work.erp_write(n)
                insert_s += time.perf_counter() - started
            if profiler:
                profiler.disable()
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.profile)
                profile_text = out.getvalue()
            # other operations at this size, for comparison (not counted in the inserts)
            read_ms = await timed(work.erp_read, 50)
            lookup_ms = await timed(work.erp_lookup, 20)
            cancel_ms = await timed(work.erp_cancel, 20)
            rows.append(
                {
                    "invoices_before": n - step,
                    "invoices_after": n,
                    "ms_per_insert": round(insert_s / step * 1000, 2),
                    "ms_per_read": round(read_ms, 2),
                    "ms_per_lookup_by_key": round(lookup_ms, 2),
                    "ms_per_cancel": round(cancel_ms, 2),
                    "gl_entries": len(pair.erp.gl_entries),
                }
            )
    finally:
        await ctx.aclose()
        db.close()
    return rows, profile_text


async def customer_growth(args: argparse.Namespace, tmp: Path) -> list[dict[str, Any]]:
    """Insert `--customer-growth` Customers, 50 per `frappe.client.insert_many` (what the migration
    sends for a page's new customers), into a fresh in-process simulator. Their names come from the
    50 orders of the store, so most names already exist and ERPNext names them "Name - N"."""
    ctx, db, pair = in_process_context(50, args.seed, tmp)
    rows: list[dict[str, Any]] = []
    try:
        await Workload(ctx).prepare()
        orders = list(pair.woo.orders.values())
        n = 0
        while n < args.customer_growth:
            step = min(args.growth_step, args.customer_growth - n)
            before, spent = n, 0.0
            while n < before + step:
                size = min(50, before + step - n)
                docs = [
                    {"doctype": "Customer", **customer_doc(orders[(n + i) % len(orders)], f"bench:{n + i}")}
                    for i in range(size)
                ]
                started = time.perf_counter()
                await ctx.erp.call("frappe.client.insert_many", docs=docs)
                spent += time.perf_counter() - started
                n += size
            rows.append(
                {
                    "customers_before": before,
                    "customers_after": n,
                    "ms_per_customer": round(spent / step * 1000, 2),
                    "ms_per_insert_many_of_50": round(spent / step * 50 * 1000, 1),
                }
            )
    finally:
        await ctx.aclose()
        db.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each measurement (3)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight (8)")
    parser.add_argument("--orders", type=int, default=500, help="orders in the simulated store (500)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--growth", type=int, default=3000, help="invoices inserted for the growth curve (3000; 0 = skip)"
    )
    parser.add_argument(
        "--customer-growth",
        type=int,
        default=1500,
        help="Customers inserted (insert_many of 50) for the second growth curve (1500; 0 = skip)",
    )
    parser.add_argument("--growth-step", type=int, default=500, help="invoices per timed step (500)")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile the last growth step, print the top N functions"
    )
    parser.add_argument("--skip-rates", action="store_true", help="only the growth curve")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rates: list[Rate] = []
    with tempfile.TemporaryDirectory(prefix="woonext-bench-sims-") as tmp_name:
        tmp = Path(tmp_name)
        if not args.skip_rates:
            (tmp / "inproc").mkdir()
            rates += asyncio.run(in_process(args, tmp / "inproc"))
            (tmp / "loop").mkdir()
            with SimProcess(tmp / "loop", args.orders, args.seed, 0) as sim:
                rates += asyncio.run(loopback(args, sim))
        grow: list[dict[str, Any]] = []
        profile_text = ""
        if args.growth:
            (tmp / "growth").mkdir()
            grow, profile_text = asyncio.run(growth(args, tmp / "growth"))
        customers: list[dict[str, Any]] = []
        if args.customer_growth:
            (tmp / "customers").mkdir()
            customers = asyncio.run(customer_growth(args, tmp / "customers"))
    if args.json:
        print(
            json.dumps(
                {
                    "args": vars(args),
                    "rates": [r.as_dict() for r in rates],
                    "growth": grow,
                    "customer_growth": customers,
                },
                indent=2,
            )
        )
        return 0
    if rates:
        print(
            f"simulator throughput: {args.concurrency} requests in flight, {args.seconds:g} s each, "
            f"store of {args.orders} orders, no injected latency"
        )
        print(
            table(
                [
                    "mode",
                    "operation",
                    "req/s",
                    "p50 ms",
                    "p90 ms",
                    "client CPU",
                    "simulators CPU",
                    "sim CPU ms/req",
                    "sim capacity req/s",
                ],
                [r.row() for r in rates],
            )
        )
    if grow:
        print()
        print(f"ERPNext insert cost as invoices accumulate (in-process, sequential, {args.growth_step} per step)")
        print(
            table(
                [
                    "invoices before",
                    "invoices after",
                    "ms per insert",
                    "ms per GET Sales Invoice",
                    "ms per get_list by sync key",
                    "ms per cancel",
                    "GL entries after",
                ],
                [
                    [
                        g["invoices_before"],
                        g["invoices_after"],
                        g["ms_per_insert"],
                        g["ms_per_read"],
                        g["ms_per_lookup_by_key"],
                        g["ms_per_cancel"],
                        g["gl_entries"],
                    ]
                    for g in grow
                ],
            )
        )
    if customers:
        print()
        print("ERPNext Customer inserts as Customers accumulate (in-process, insert_many of 50, names repeat)")
        print(
            table(
                ["customers before", "customers after", "ms per customer", "ms per insert_many of 50"],
                [
                    [c["customers_before"], c["customers_after"], c["ms_per_customer"], c["ms_per_insert_many_of_50"]]
                    for c in customers
                ],
            )
        )
    if profile_text:
        print()
        print(profile_text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
