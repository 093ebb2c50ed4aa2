"""What an alert has to say for one store, read from the state database.

- New NeedsReview / DeadLetter outcomes: unresolved objects with no mark in their current status
  (`alert_marks`). A mark is dropped once its object is resolved, so a relapse is new again.
- Lag: no successful order poll, or an event waiting, for longer than `alerts.lag`; said once per
  episode, and once more when it is over.
- A scheduled job failing `alerts.job_failures` times in a row (or given up): once per failing event.
- The daily digest: the last 24 hours in figures and what still waits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite

from woonext.config_ops import AlertsConfig
from woonext.console.queries import JobState, store_overview, unresolved
from woonext.reports.failures import FailureGroup, group_failures
from woonext.store import DEAD_LETTER, NEEDS_REVIEW, Outcome, StateDB
from woonext.store.engine import write_transaction
from woonext.store.tables import bindings, outcomes
from woonext.store.tables_ops import alert_marks

PERSON = (NEEDS_REVIEW, DEAD_LETTER)
JOB_KIND = "job"


@dataclass
class Findings:
    store: str
    new: list[FailureGroup] = field(default_factory=list)
    new_outcomes: list[Outcome] = field(default_factory=list)
    lag: float | None = None  # seconds, when over the threshold
    lag_over: bool = False
    lag_recovered: bool = False
    jobs: list[JobState] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.new or self.lag_over or self.lag_recovered or self.jobs)


def _marked(db: StateDB, store: str) -> dict[tuple[str, str], str]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(alert_marks.c.kind, alert_marks.c.remote_id, alert_marks.c.status).where(
                alert_marks.c.store == store
            )
        )
        return {(kind, rid): status for kind, rid, status in rows}


def _job_mark(job: JobState) -> str:
    return f"failing:{job.event_id}"  # one failing event (ticks merge into it) = one episode


def collect(db: StateDB, config: AlertsConfig, store: str, now: datetime, lag_alerted: bool) -> Findings:
    marks = _marked(db, store)
    found = Findings(store)
    found.new_outcomes = [o for o in unresolved(db, store, PERSON) if marks.get((o.kind, o.remote_id)) != o.status]
    found.new = group_failures(found.new_outcomes)
    view = store_overview(db, store, now, config.job_failures)
    lag = max(view.poll_lag or 0.0, view.oldest_wait or 0.0) if view.last_poll or view.oldest_wait else 0.0
    over = lag > config.lag_seconds
    found.lag = lag
    found.lag_over = over and not lag_alerted
    found.lag_recovered = lag_alerted and not over
    found.jobs = [j for j in view.failing_jobs if marks.get((JOB_KIND, j.job)) != _job_mark(j)]
    return found


def _upsert(connection: Any, values: dict[str, Any]) -> None:
    keys = ["store", "kind", "remote_id"]
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(alert_marks).values(**values)
    connection.execute(
        statement.on_conflict_do_update(index_elements=keys, set_={"status": values["status"], "at": values["at"]})
    )


def mark(db: StateDB, found: Findings, now: datetime, failing_jobs: list[JobState]) -> None:
    """Remember what was said; forget marks of objects resolved since (and of jobs that recovered)."""
    with write_transaction(db.engine) as connection:
        for o in found.new_outcomes:
            _upsert(
                connection, {"store": o.store, "kind": o.kind, "remote_id": o.remote_id, "status": o.status, "at": now}
            )
        for job in found.jobs:
            _upsert(
                connection,
                {"store": found.store, "kind": JOB_KIND, "remote_id": job.job, "status": _job_mark(job), "at": now},
            )
        still = exists().where(
            and_(
                outcomes.c.store == alert_marks.c.store,
                outcomes.c.kind == alert_marks.c.kind,
                outcomes.c.remote_id == alert_marks.c.remote_id,
                outcomes.c.status == alert_marks.c.status,
            )
        )
        connection.execute(
            delete(alert_marks).where(alert_marks.c.store == found.store, alert_marks.c.kind != JOB_KIND, ~still)
        )
        failing = [j.job for j in failing_jobs]
        connection.execute(
            delete(alert_marks).where(
                alert_marks.c.store == found.store,
                alert_marks.c.kind == JOB_KIND,
                alert_marks.c.remote_id.notin_(failing),
            )
        )


@dataclass
class Digest:
    store: str
    counts: dict[str, int]
    invoices: int
    waiting: list[FailureGroup]
    dead_letters: int
    lag: float | None


def digest(db: StateDB, config: AlertsConfig, store: str, now: datetime) -> Digest:
    since = now - timedelta(hours=24)
    with db.engine.connect() as connection:
        counts = {
            status: int(n)
            for status, n in connection.execute(
                select(outcomes.c.status, func.count())
                .where(outcomes.c.store == store, outcomes.c.updated_at >= since)
                .group_by(outcomes.c.status)
            )
        }
        invoices = int(
            connection.execute(
                select(func.count()).where(
                    bindings.c.store == store, bindings.c.kind == "order", bindings.c.created_at >= since
                )
            ).scalar()
            or 0
        )
    view = store_overview(db, store, now, config.job_failures)
    waiting = group_failures(unresolved(db, store, PERSON))
    return Digest(store, counts, invoices, waiting, view.dead_letters, view.poll_lag)
