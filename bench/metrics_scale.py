"""Benchmark: `/metrics`, `woonext status` and the prune job on a state DB with 1,000,000 event rows,
on SQLite and on PostgreSQL 15.

    .venv/bin/python bench/metrics_scale.py [--rows 1000000] [--bindings 100000] [--days 90]
        [--backends sqlite,postgres] [--scrapes 7] [--no-prune] [--json]

For each backend: a fresh state DB at the newest migration (PostgreSQL: a throw-away server started
as in tests/unit/pg.py, from /usr/lib/postgresql/15/bin), filled by SQL inside the database with
`--rows` events spread evenly over the last `--days` days (two stores; 97 % Succeeded, 2.8 % Skipped,
0.1 % each NeedsReview, DeadLetter, Pending; a tenth are scheduled jobs) and `--bindings` bindings, then
ANALYZE (PostgreSQL: VACUUM ANALYZE, as autovacuum would). Then it times, best and median of
`--scrapes` runs: the `/metrics` body (`runtime.metrics.render`, what the endpoint runs), each of its
state-DB queries alone, and the queries of `woonext status`. Last, the prune job's deletion for both
stores with the default 30-day retention, and `/metrics` again on what is left.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.unit import pg  # noqa: E402

from woonext.clock import SYSTEM_CLOCK  # noqa: E402
from woonext.runtime import metrics  # noqa: E402
from woonext.store import StateDB, retention  # noqa: E402
from woonext.store import events as queue  # noqa: E402

STORES = ("main", "second")
RETENTION_DAYS = 30

# One generated row per n in 1..rows; `ago` is how many seconds before now the row last changed.
STATUS = (
    "CASE WHEN n % 1000 = 0 THEN 'NeedsReview' WHEN n % 1000 = 1 THEN 'DeadLetter' "
    "WHEN n % 1000 = 2 THEN 'Pending' WHEN n % 1000 < 31 THEN 'Skipped' ELSE 'Succeeded' END"
)
COLUMNS = (
    "store, kind, remote_id, topic, delivery_id, status, attempts, available_at, created_at, updated_at, last_error"
)
SELECT = (
    "SELECT CASE WHEN n % 4 = 0 THEN 'second' ELSE 'main' END, "
    "CASE WHEN n % 10 = 0 THEN 'job' ELSE 'order' END, "
    "CASE WHEN n % 10 = 0 THEN 'orders' ELSE CAST(n % 50000 AS TEXT) END, "
    "CASE WHEN n % 10 = 0 THEN 'schedule' ELSE 'order.updated' END, "
    "'bench-' || n, {status}, 1, {ts}, {ts}, {ts}, NULL FROM {series}"
)
BINDING_COLUMNS = (
    "store, kind, remote_id, erp_doctype, erp_name, revision, content_hash, state, data, created_at, updated_at"
)
BINDING_SELECT = (
    "SELECT CASE WHEN n % 4 = 0 THEN 'second' ELSE 'main' END, "
    "CASE WHEN n % 5 = 0 THEN 'payment' WHEN n % 7 = 0 THEN 'customer' ELSE 'order' END, "
    "CAST(n AS TEXT), 'Sales Invoice', 'ACC-SINV-' || n, 0, '', "
    "CASE WHEN n % 3 = 0 THEN 'paid' ELSE 'submitted' END, '{{}}', {ts}, {ts} FROM {series}"
)


def fill(db: StateDB, rows: int, bindings: int, days: float) -> float:
    """Insert the generated rows inside the database; returns the seconds it took."""
    started = time.perf_counter()
    step = days * 86400 / max(rows, 1)
    now = SYSTEM_CLOCK.now()
    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":

            def series(count: int) -> str:
                recursive = f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {count})"
                return f"({recursive} SELECT n FROM s)"

            def ts(seconds: str) -> str:  # the text SQLAlchemy stores for a DateTime on SQLite
                return f"datetime(:now, '-' || CAST({seconds} AS INTEGER) || ' seconds') || '.000000'"

            params: dict[str, Any] = {"now": now.replace(tzinfo=None).isoformat(sep=" ")}
        else:

            def series(count: int) -> str:
                return f"generate_series(1, {count}) AS s(n)"

            def ts(seconds: str) -> str:
                return f"(CAST(:now AS timestamptz) - ({seconds}) * interval '1 second')"

            params = {"now": now}
        event_ts = ts(f"(({rows} - n) * {step})")
        connection.execute(
            text(f"INSERT INTO events ({COLUMNS}) " + SELECT.format(status=STATUS, ts=event_ts, series=series(rows))),
            params,
        )
        binding_ts = ts(f"(({bindings} - n) * {days * 86400 / max(bindings, 1)})")
        connection.execute(
            text(
                f"INSERT INTO bindings ({BINDING_COLUMNS}) "
                + BINDING_SELECT.format(ts=binding_ts, series=series(bindings))
            ),
            params,
        )
    analyze(db)
    return time.perf_counter() - started


def analyze(db: StateDB) -> None:
    if db.engine.dialect.name == "sqlite":
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    else:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))


def timed(fn: Callable[[], Any], runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return {"best_ms": round(min(times) * 1000, 1), "median_ms": round(statistics.median(times) * 1000, 1)}


def query_timings(db: StateDB, runs: int) -> dict[str, dict[str, float]]:
    """Each state-DB read of `/metrics` and of `woonext status` alone."""
    collector = metrics.QueueCollector(db)
    result = {"/metrics (whole body)": timed(lambda: metrics.render(db), runs)}
    for name, query in collector.queries().items():
        result[f"/metrics: {name}"] = timed(lambda q=query: _run(db, q), runs)  # type: ignore[misc]
    result["status: outcome counts"] = timed(lambda: db.outcome_counts(None), runs)
    result["status: latest failures"] = timed(lambda: db.latest_failures(limit=20), runs)
    result["status: open events"] = timed(lambda: retention.open_counts(db), runs)
    result["status: oldest finished kept"] = timed(lambda: [retention.oldest_finished(db, s) for s in STORES], runs)
    return result


def _run(db: StateDB, query: Any) -> None:
    with db.engine.connect() as connection:
        connection.execute(query).all()


def prune_all(db: StateDB) -> dict[str, Any]:
    """The prune of both stores, while another thread inserts an event every 50 ms as webhooks do:
    how long those inserts waited is what a big first prune costs the receiver."""
    cutoff = SYSTEM_CLOCK.now() - timedelta(days=RETENTION_DAYS)
    waits: list[float] = []
    done = threading.Event()

    def webhooks() -> None:
        n = 0
        while not done.is_set():
            started = time.perf_counter()
            queue.enqueue(db, "main", "order", f"w{n}", "order.updated", SYSTEM_CLOCK.now(), f"bench-hook-{n}")
            waits.append(time.perf_counter() - started)
            n += 1
            done.wait(0.05)

    receiver = threading.Thread(target=webhooks)
    receiver.start()
    started = time.perf_counter()
    try:
        removed = sum(retention.prune(db, store, cutoff) for store in STORES)
    finally:
        seconds = time.perf_counter() - started
        done.set()
        receiver.join()
    analyze(db)
    return {
        "removed": removed,
        "seconds": round(seconds, 2),
        "rows_per_second": round(removed / max(seconds, 1e-9)),
        "inserts_during": len(waits),
        "insert_wait_median_ms": round(statistics.median(waits) * 1000, 1) if waits else None,
        "insert_wait_max_ms": round(max(waits) * 1000, 1) if waits else None,
    }


def event_rows(db: StateDB) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM events")).scalar_one())


@contextmanager
def database(backend: str) -> Iterator[StateDB]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            db = StateDB.open(f"sqlite:///{folder}/state.sqlite")
            try:
                yield db
            finally:
                db.close()
        return
    reason = pg.available()
    if reason:
        raise SystemExit(f"PostgreSQL: {reason}")
    with pg.postgres_server() as url:
        db = StateDB.open(url)
        try:
            yield db
        finally:
            db.close()


def run(backend: str, opts: argparse.Namespace) -> dict[str, Any]:
    with database(backend) as db:
        report: dict[str, Any] = {
            "backend": backend,
            "fill_seconds": round(fill(db, opts.rows, opts.bindings, opts.days), 1),
        }
        report["event_rows"] = event_rows(db)
        report["queries"] = query_timings(db, opts.scrapes)
        if not opts.no_prune:
            report["prune"] = prune_all(db)
            report["event_rows_after_prune"] = event_rows(db)
            report["after_prune"] = {"/metrics (whole body)": timed(lambda: metrics.render(db), opts.scrapes)}
        return report


def print_report(report: dict[str, Any]) -> None:
    print(f"\n{report['backend']}: {report['event_rows']:,} event rows (filled in {report['fill_seconds']} s)")
    for name, t in report["queries"].items():
        print(f"  {name:<44} best {t['best_ms']:>8.1f} ms   median {t['median_ms']:>8.1f} ms")
    if "prune" in report:
        p = report["prune"]
        print(
            f"  prune (30 days): {p['removed']:,} rows in {p['seconds']} s ({p['rows_per_second']:,}/s); "
            f"{report['event_rows_after_prune']:,} rows left"
        )
        print(
            f"  webhook inserts during the prune: {p['inserts_during']}, waited median "
            f"{p['insert_wait_median_ms']} ms, max {p['insert_wait_max_ms']} ms"
        )
        t = report["after_prune"]["/metrics (whole body)"]
        print(f"  {'/metrics after the prune':<44} best {t['best_ms']:>8.1f} ms   median {t['median_ms']:>8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bindings", type=int, default=100_000)
    parser.add_argument("--days", type=float, default=90.0)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--scrapes", type=int, default=7)
    parser.add_argument("--no-prune", action="store_true")
    parser.add_argument("--json", action="store_true")
    opts = parser.parse_args()
    reports = [run(backend.strip(), opts) for backend in opts.backends.split(",") if backend.strip()]
    if opts.json:
        print(json.dumps(reports, indent=2))
    else:
        for report in reports:
            print_report(report)


if __name__ == "__main__":
    main()
