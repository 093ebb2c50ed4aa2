"""Benchmark: the historical migration (`migrate --all`) against both simulators on loopback ports.

The simulators run in a separate process (`woonext sim up`, injected latency on every request), so
the RSS and CPU measured here are woonext's alone; the migration runs in this process through the
library, exactly as `woonext setup` + `woonext migrate --all` would.

    .venv/bin/python bench/migrate.py [--orders 1000] [--latency-ms 40] [--concurrency 8] [--seed 1]
                                      [--warm] [--json] [--profile 25] [--max-seconds 600]

Prints: orders handled, created / skipped / failed, wall time, orders/min, ERPNext and WooCommerce
requests per order (whole run and second half, i.e. with warm caches), the theoretical bound
concurrency / latency / requests-per-order and the share of it achieved, ERPNext requests per order
by route, CPU used by woonext and by the simulators, and woonext's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import resource
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from _simproc import SimProcess, by_route, cpu_seconds, route, rss_mb, table

import woonext.sync.migration as migration_module
from woonext.config import load_config
from woonext.store import StateDB
from woonext.sync.context import StoreContext, open_store
from woonext.sync.migration import MigrationOptions, MigrationReport, migrate
from woonext.sync.orders import Mode, OrderResult
from woonext.sync.setup import run_setup

KASHIER_ACCOUNT = "Kashier - JT"


@dataclass
class Snapshot:
    """Counters after one page of the migration."""

    seconds: float
    handled: int
    erp: int
    woo: int
    rss_mb: float


@dataclass
class Phase:
    name: str
    orders: int
    seconds: float
    erp_requests: int
    woo_requests: int
    concurrency: int
    latency_ms: float

    @property
    def erp_per_order(self) -> float:
        return self.erp_requests / self.orders if self.orders else 0.0

    @property
    def woo_per_order(self) -> float:
        return self.woo_requests / self.orders if self.orders else 0.0

    @property
    def orders_per_min(self) -> float:
        return self.orders / self.seconds * 60 if self.seconds else 0.0

    @property
    def bound_per_min(self) -> float:
        """concurrency / latency / requests-per-order (both systems' requests count), per minute."""
        per_order = self.erp_per_order + self.woo_per_order
        if not per_order or not self.latency_ms:
            return float("inf")
        return self.concurrency / (self.latency_ms / 1000) / per_order * 60

    def summary(self) -> dict[str, Any]:
        bound = self.bound_per_min
        return {
            "phase": self.name,
            "orders": self.orders,
            "seconds": round(self.seconds, 2),
            "orders_per_min": round(self.orders_per_min, 1),
            "erp_requests": self.erp_requests,
            "woo_requests": self.woo_requests,
            "erp_per_order": round(self.erp_per_order, 3),
            "woo_per_order": round(self.woo_per_order, 4),
            "bound_per_min": round(bound, 1) if bound != float("inf") else None,
            "ratio": round(self.orders_per_min / bound, 3) if bound not in (0, float("inf")) else None,
        }


@dataclass
class Result:
    args: dict[str, Any]
    handled: int = 0
    created: int = 0
    skipped: int = 0
    failed: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    timed_out: bool = False
    phases: list[dict[str, Any]] = field(default_factory=list)
    erp_routes_per_order: dict[str, float] = field(default_factory=dict)
    erp_routes_warm_per_order: dict[str, float] = field(default_factory=dict)
    erp_route_ms: dict[str, dict[str, float]] = field(default_factory=dict)  # client-observed p50/p90/mean
    order_ms: dict[str, float] = field(default_factory=dict)
    mean_in_flight: float = 0.0
    state_db: dict[str, dict[str, float]] = field(default_factory=dict)  # calls and ms per order, by method
    woo_routes: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    woonext_cpu_s: float = 0.0
    sims_cpu_s: float = 0.0
    sims_startup_s: float = 0.0
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0
    peak_rss_mb: float = 0.0
    rss_mb_per_1000_orders: float | None = None  # slope of the current RSS over the run's pages
    rss_100k_estimate_mb: float | None = None
    warm_up_orders: int = 0
    memory_growth: list[str] = field(default_factory=list)  # --tracemalloc: top allocation sites that grew
    sim_imported: bool = False


class Timings:
    """Client-side timings: every ERPNext request (by route) and every order (`sync_order`).

    Installed by wrapping `ErpClient._send` on this one client and the `sync_order` name the
    migration module calls; nothing in woonext is changed."""

    def __init__(self) -> None:
        self.requests: dict[str, list[float]] = {}
        self.orders: list[float] = []
        self.state_db: dict[str, list[float]] = {}  # StateDB method -> durations (synchronous calls)
        self.active = False

    def _wrap_db(self, db: StateDB, name: str) -> None:
        method = getattr(db, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                if self.active:
                    self.state_db.setdefault(name, []).append(time.perf_counter() - started)

        setattr(db, name, timed)

    def install(self, ctx: StoreContext) -> None:
        send = ctx.erp._send
        sync_order = migration_module.sync_order

        async def timed_send(method: str, path: str, params: Any, body: Any) -> Any:
            started = time.perf_counter()
            try:
                return await send(method, path, params, body)
            finally:
                if self.active:
                    self.requests.setdefault(route(method, path), []).append(time.perf_counter() - started)

        async def timed_order(ctx: StoreContext, order: dict[str, Any], mode: Mode) -> OrderResult:
            started = time.perf_counter()
            try:
                return await sync_order(ctx, order, mode)
            finally:
                if self.active:
                    self.orders.append(time.perf_counter() - started)

        for name in ("get_binding", "save_binding", "record_outcome", "set_checkpoint", "get_checkpoint"):
            self._wrap_db(ctx.db, name)
        ctx.erp._send = timed_send  # type: ignore[method-assign]
        migration_module.sync_order = timed_order  # type: ignore[assignment]


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 1) if ordered else 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def prepare(ctx: StoreContext) -> None:
    """`woonext setup`, then what the checklist asks the shop to do (as `woonext demo` does)."""
    await run_setup(ctx)
    await ctx.erp.update("Company", ctx.config.company, {"custom_kashier_account": KASHIER_ACCOUNT})
    await ctx.erp.update("Stock Settings", "Stock Settings", {"auto_insert_price_list_rate_if_missing": 0})


async def order_statuses(ctx: StoreContext) -> dict[str, int]:
    counts: dict[str, int] = {}
    params = {"status": list(ctx.config.migrate_statuses), "orderby": "id", "order": "asc"}
    async for page in ctx.woo.iter_orders(params):
        for order in page.items:
            counts[order["status"]] = counts.get(order["status"], 0) + 1
            if order.get("refunds"):
                counts["refunds (total)"] = counts.get("refunds (total)", 0) + len(order["refunds"])
    return dict(sorted(counts.items()))


async def run(args: argparse.Namespace, sim: SimProcess, res: Result) -> None:
    config = load_config(sim.config_path)
    store = config.stores[0]
    assert config.state_url
    db = StateDB.open(config.state_url)
    ctx = open_store(config, store, db)
    timings = Timings()
    timings.install(ctx)
    try:
        await prepare(ctx)
        if args.warm:
            # One page through the same code path warms the item, mode-of-payment and company caches
            # (and the customers of that page); the measured run then skips that page's orders.
            warm = await migrate(ctx, MigrationOptions(page=1, per_page=100, concurrency=args.concurrency))
            res.warm_up_orders = warm.created + warm.skipped + warm.failed
        log_start = len(sim.erp_request_log())
        woo_log_start = len(sim.woo_request_log())
        erp0, woo0 = ctx.erp.requests, ctx.woo.requests
        snaps: list[Snapshot] = []
        res.rss_start_mb = rss_mb()
        cpu0, sim_cpu0 = self_cpu(), cpu_seconds(sim.pid)
        started = time.perf_counter()

        first_trace: list[tracemalloc.Snapshot] = []

        def progress(handled: int, _scope: int) -> None:
            if args.tracemalloc and not first_trace:
                first_trace.append(tracemalloc.take_snapshot())
            snaps.append(
                Snapshot(
                    time.perf_counter() - started, handled, ctx.erp.requests - erp0, ctx.woo.requests - woo0, rss_mb()
                )
            )

        opts = MigrationOptions(all_pages=True, concurrency=args.concurrency)
        if args.tracemalloc:
            tracemalloc.start()
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        report: MigrationReport | None = None
        timings.active = True
        try:
            report = await asyncio.wait_for(migrate(ctx, opts, progress), timeout=args.max_seconds)
        except TimeoutError:
            res.timed_out = True
        wall = time.perf_counter() - started
        timings.active = False
        if args.tracemalloc and first_trace:
            diff = tracemalloc.take_snapshot().compare_to(first_trace[0], "lineno")
            res.memory_growth = [str(stat) for stat in diff[: args.tracemalloc]]
            tracemalloc.stop()
        if profiler:
            profiler.disable()
        res.woonext_cpu_s = self_cpu() - cpu0
        res.sims_cpu_s = cpu_seconds(sim.pid) - sim_cpu0
        res.rss_end_mb = rss_mb()
        erp_total, woo_total = ctx.erp.requests - erp0, ctx.woo.requests - woo0
        handled = snaps[-1].handled if snaps else 0
        if report is not None:
            res.created, res.skipped, res.failed = report.created, report.skipped, report.failed
            res.reasons = dict(report.reasons)
        res.handled = handled
        lat, conc = args.latency_ms, args.concurrency
        # With --warm the warm-up page's orders come round again at no ERPNext cost: leave them out.
        whole = Phase(
            "whole run" if not args.warm else "run after the warm-up page",
            handled - res.warm_up_orders,
            wall,
            erp_total,
            woo_total,
            conc,
            lat,
        )
        res.phases.append(whole.summary())
        half = next((s for s in snaps if s.handled >= handled / 2), None)
        if half is not None and half.handled < handled:
            warm = Phase(
                "second half (warm)",
                handled - half.handled,
                wall - half.seconds,
                erp_total - half.erp,
                woo_total - half.woo,
                conc,
                lat,
            )
            res.phases.append(warm.summary())
        if len(snaps) >= 3 and snaps[-1].handled - snaps[0].handled >= 2000:  # shorter runs: page-1 effects
            # from the second page on: the first one loads code paths and caches once
            slope = (snaps[-1].rss_mb - snaps[0].rss_mb) / (snaps[-1].handled - snaps[0].handled) * 1000
            res.rss_mb_per_1000_orders = round(slope, 3)
            res.rss_100k_estimate_mb = round(snaps[-1].rss_mb + slope * (100_000 - handled) / 1000, 1)
        log = sim.erp_request_log()[log_start:]
        routes = by_route(log)
        counted = max(handled - res.warm_up_orders, 1)
        res.erp_routes_per_order = {r: round(n / counted, 3) for r, n in routes.most_common()}
        if half is not None and half.handled < handled:
            warm_routes = by_route(log[half.erp :])
            res.erp_routes_warm_per_order = {
                r: round(n / (handled - half.handled), 3) for r, n in warm_routes.most_common()
            }
        res.erp_route_ms = {
            r: {"n": len(v), "p50": _ms(v, 0.5), "p90": _ms(v, 0.9), "mean": round(sum(v) / len(v) * 1000, 1)}
            for r, v in sorted(timings.requests.items(), key=lambda kv: -len(kv[1]))
        }
        if timings.orders:
            res.order_ms = {
                "p50": _ms(timings.orders, 0.5),
                "p90": _ms(timings.orders, 0.9),
                "mean": round(sum(timings.orders) / len(timings.orders) * 1000, 1),
            }
            res.mean_in_flight = round(sum(timings.orders) / wall, 2)
        counted_orders = max(handled - res.warm_up_orders, 1)
        res.state_db = {
            name: {
                "calls_per_order": round(len(v) / counted_orders, 2),
                "ms_per_call": round(sum(v) / len(v) * 1000, 3),
                "ms_per_order": round(sum(v) / counted_orders * 1000, 2),
            }
            for name, v in sorted(timings.state_db.items())
        }
        res.woo_routes = dict(by_route(sim.woo_request_log()[woo_log_start:]).most_common())
        res.statuses = await order_statuses(ctx)
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.profile)
            if args.profile_out:
                profiler.dump_stats(args.profile_out)
            print(out.getvalue(), file=sys.stderr)
    finally:
        await ctx.aclose()
        db.close()


def render(res: Result) -> str:
    a = res.args
    lines = [
        f"woonext migration benchmark: {a['orders']} orders (seed {a['seed']}), latency {a['latency_ms']} ms "
        f"on both simulators, concurrency {a['concurrency']}, warm-up page {'yes' if a['warm'] else 'no'}",
        f"simulators: separate process, started in {res.sims_startup_s:.1f} s",
        f"orders handled {res.handled}: created {res.created}, skipped {res.skipped}, failed {res.failed}"
        + (" (TIMED OUT: stopped by --max-seconds)" if res.timed_out else ""),
    ]
    if res.reasons:
        lines.append("reasons: " + ", ".join(f"{k} {v}" for k, v in sorted(res.reasons.items())))
    lines.append("orders in scope by status: " + ", ".join(f"{k} {v}" for k, v in res.statuses.items()))
    lines.append("")
    rows = [
        [
            p["phase"],
            p["orders"],
            p["seconds"],
            p["orders_per_min"],
            p["erp_per_order"],
            p["woo_per_order"],
            p["bound_per_min"],
            p["ratio"],
        ]
        for p in res.phases
    ]
    lines.append(
        table(
            [
                "phase",
                "orders",
                "wall s",
                "orders/min",
                "ERPNext req/order",
                "Woo req/order",
                "bound orders/min",
                "achieved/bound",
            ],
            rows,
        )
    )
    lines.append("")
    lines.append("bound = concurrency / latency / (ERPNext + WooCommerce requests per order)")
    lines.append("")
    warm = res.erp_routes_warm_per_order
    routes = [[r, n, warm.get(r, 0)] for r, n in res.erp_routes_per_order.items()]
    lines.append(table(["ERPNext route", "per order (whole)", "per order (second half)"], routes))
    lines.append("")
    ms = [[r, v["n"], v["p50"], v["p90"], v["mean"]] for r, v in res.erp_route_ms.items()]
    lines.append(table(["ERPNext route (client-observed)", "n", "p50 ms", "p90 ms", "mean ms"], ms))
    lines.append("")
    if res.order_ms:
        lines.append(
            f"one order (sync_order): p50 {res.order_ms['p50']} ms, p90 {res.order_ms['p90']} ms, "
            f"mean {res.order_ms['mean']} ms; orders in flight on average {res.mean_in_flight} "
            f"(concurrency {a['concurrency']})"
        )
    if res.state_db:
        total = sum(v["ms_per_order"] for v in res.state_db.values())
        lines.append(
            f"state DB (synchronous, on the event loop): {total:.2f} ms per order; "
            + ", ".join(f"{k} {v['calls_per_order']}/order x {v['ms_per_call']} ms" for k, v in res.state_db.items())
        )
    lines.append("WooCommerce requests: " + ", ".join(f"{r} x{n}" for r, n in res.woo_routes.items()))
    wall = res.phases[0]["seconds"] if res.phases else 0
    lines.append(
        f"CPU during the migration: woonext {res.woonext_cpu_s:.1f} s "
        f"({res.woonext_cpu_s / wall:.0%} of one core), simulators {res.sims_cpu_s:.1f} s "
        f"({res.sims_cpu_s / wall:.0%} of one core)"
        if wall
        else ""
    )
    lines.append(
        f"woonext RSS: {res.rss_start_mb:.1f} MB before the migration, {res.rss_end_mb:.1f} MB after, "
        f"peak (ru_maxrss) {res.peak_rss_mb:.1f} MB; simulator modules imported here: "
        f"{'yes' if res.sim_imported else 'no'}"
    )
    if res.rss_mb_per_1000_orders is not None:
        lines.append(
            f"RSS growth over the run: {res.rss_mb_per_1000_orders} MB per 1000 orders; straight-line "
            f"estimate for 100,000 orders: {res.rss_100k_estimate_mb} MB"
        )
    if res.memory_growth:
        lines.append("allocation sites that grew most after the first page (tracemalloc):")
        lines += [f"  {line}" for line in res.memory_growth]
    if res.warm_up_orders:
        lines.append(
            f"warm-up page: {res.warm_up_orders} orders migrated before the measured run "
            "(per-order figures leave them out)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1000, help="orders the simulated store holds (default 1000)")
    parser.add_argument("--latency-ms", type=float, default=40, help="latency per request, both simulators (40)")
    parser.add_argument("--concurrency", type=int, default=8, help="orders in flight (MigrationOptions, 8)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warm", action="store_true", help="migrate page 1 first, then measure the full run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="cProfile the migration, print the top N functions (to stderr)",
    )
    parser.add_argument("--profile-out", type=Path, default=None, help="with --profile: also dump the stats here")
    parser.add_argument(
        "--tracemalloc",
        type=int,
        default=0,
        metavar="N",
        help="trace allocations; print the N sites that grew most after the first page (slow)",
    )
    parser.add_argument("--max-seconds", type=float, default=600, help="stop the migration after this long (600)")
    args = parser.parse_args(argv)
    shown = ("orders", "latency_ms", "concurrency", "seed", "warm", "max_seconds")
    res = Result(args={k: v for k, v in vars(args).items() if k in shown})
    with (
        tempfile.TemporaryDirectory(prefix="woonext-bench-") as tmp,
        SimProcess(Path(tmp), args.orders, args.seed, args.latency_ms) as sim,
    ):
        res.sims_startup_s = sim.startup_s
        asyncio.run(run(args, sim, res))
        code = sim.stop()
        if code not in (0, None):
            print(f"warning: the simulators exited with {code}", file=sys.stderr)
    res.peak_rss_mb = peak_rss_mb()
    res.sim_imported = any(m.startswith("woonext.sim") for m in sys.modules)
    if args.json:
        out = asdict(res)
        print(json.dumps(out, indent=2))
    else:
        print(render(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
