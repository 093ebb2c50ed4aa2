"""Prometheus metrics: webhook deliveries and worker attempts by result, HTTP requests to both APIs
by target, route and status (`woonext.telemetry`), and — read from the state database at scrape
time, so every process shows the same — the open events by status, the documents created by kind and
state, the lag of each cursor, and each scheduled job's failures in a row and last success.

A scrape stays cheap however many finished events are kept (docs/benchmarks.md, "/metrics at
1,000,000 events"): `woonext_events` counts only the open statuses (work waiting or running, events
that need a person), read by index range from migration 0003's index; finished events are counted
as they happen by `woonext_event_attempts_total`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from woonext.store import StateDB
from woonext.store.retention import open_counts_query
from woonext.store.tables import bindings, cursors
from woonext.telemetry import PROCESS

from .job_health import job_health

WEBHOOKS = Counter(
    "woonext_webhooks", "Webhook deliveries received, by store and result", ["store", "result"], registry=PROCESS
)
ATTEMPTS = Counter(
    "woonext_event_attempts", "Events processed by the worker, by kind and result", ["kind", "result"], registry=PROCESS
)


class QueueCollector(Collector):
    """`woonext_events{store, status}`, `woonext_documents` and the cursor lag from the state DB."""

    def __init__(self, db: StateDB) -> None:
        self.db = db

    def queries(self) -> dict[str, Any]:
        """The state-DB reads of one scrape, by name (bench/metrics_scale.py times each)."""
        return {
            "open events by status and store": open_counts_query(),
            "documents by store, kind and state": select(
                bindings.c.store, bindings.c.kind, bindings.c.state, func.count()
            ).group_by(bindings.c.store, bindings.c.kind, bindings.c.state),
            "cursors": select(cursors.c.store, cursors.c.stream, cursors.c.value),
        }

    def collect(self) -> Iterator[Any]:
        by_status = GaugeMetricFamily(
            "woonext_events",
            "Open events in the state database by store and status (Pending, Running, NeedsReview, DeadLetter)",
            labels=["store", "status"],
        )
        documents = GaugeMetricFamily(
            "woonext_documents",
            "What WooCommerce objects became in ERPNext, by store, kind (order, payment, refund, customer) and state",
            labels=["store", "kind", "state"],
        )
        lag = GaugeMetricFamily(
            "woonext_cursor_lag_seconds",
            "Now minus the modification time of the last object a cursor has passed",
            labels=["store", "stream"],
        )
        queries = list(self.queries().values())
        now = self.db.clock.now()
        with self.db.engine.connect() as connection:
            for store, status, count in connection.execute(queries[0]):
                by_status.add_metric([store, status], float(count))
            for store, kind, state, count in connection.execute(queries[1]):
                documents.add_metric([store, kind, state], float(count))
            for store, stream, value in connection.execute(queries[2]):
                seen = _cursor_time(value)
                if seen is not None:
                    lag.add_metric([store, stream], max(0.0, (now - seen).total_seconds()))
        yield by_status
        yield documents
        yield lag
        yield from self._jobs()

    def _jobs(self) -> Iterator[Any]:
        failures = GaugeMetricFamily(
            "woonext_job_failures_in_row",
            "Attempts of a scheduled job that failed since it last succeeded (0 = its last attempt succeeded)",
            labels=["store", "job"],
        )
        success = GaugeMetricFamily(
            "woonext_job_last_success_timestamp_seconds",
            "When a scheduled job last succeeded (Unix time)",
            labels=["store", "job"],
        )
        for health in job_health(self.db):
            failures.add_metric([health.store, health.job], float(health.failures_in_row))
            if health.last_success is not None:
                success.add_metric([health.store, health.job], health.last_success.timestamp())
        yield failures
        yield success


def _cursor_time(value: Any) -> datetime | None:
    """The data's own clock in a cursor (`modified_gmt`, UTC without offset), if it has one."""
    raw = value.get("modified_gmt") if isinstance(value, dict) else None
    try:
        return datetime.fromisoformat(str(raw)).replace(tzinfo=UTC) if raw else None
    except ValueError:
        return None


def render(db: StateDB) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(QueueCollector(db))
    return generate_latest(registry) + generate_latest(PROCESS)
