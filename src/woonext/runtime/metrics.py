"""Prometheus metrics: webhook deliveries by result, worker attempts by result, and the event queue
by store and status (read from the state database at scrape time, so every process shows the same
queue)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from woonext.store import StateDB
from woonext.store.tables import events

# Process-wide counters, in their own registry (never the global default one).
PROCESS = CollectorRegistry(auto_describe=True)
WEBHOOKS = Counter("woonext_webhooks", "Webhook deliveries received, by store and result", ["store", "result"],
                   registry=PROCESS)
ATTEMPTS = Counter("woonext_event_attempts", "Events processed by the worker, by kind and result", ["kind", "result"],
                   registry=PROCESS)


class QueueCollector(Collector):
    """`woonext_events{store, status}` from the state DB."""

    def __init__(self, db: StateDB) -> None:
        self.db = db

    def collect(self) -> Iterator[Any]:
        by_status = GaugeMetricFamily("woonext_events", "Events in the state database by store and status",
                                      labels=["store", "status"])
        query = select(events.c.store, events.c.status, func.count()).group_by(events.c.store, events.c.status)
        with self.db.engine.connect() as connection:
            for store, status, count in connection.execute(query):
                by_status.add_metric([store, status], float(count))
        yield by_status


def render(db: StateDB) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(QueueCollector(db))
    return generate_latest(registry) + generate_latest(PROCESS)
