"""How the scheduled jobs are doing, kept in the state database so every process shows the same.

Each attempt of a job (orders, customers, territories, reconcile) leaves the job's outcome — kind
"job", remote id = the job's name — so a job that keeps failing is listed by `woonext status` with
its error and how many attempts in a row failed (the outcome's `attempts`), and `/metrics` exposes
`woonext_job_failures_in_row` and `woonext_job_last_success_timestamp_seconds`: an alert needs no
log search. The time of the last success is a checkpoint (`job:<name>`), since the outcome row
holds only the latest attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from woonext.store import FAILED, SUCCEEDED, UNRESOLVED_STATUSES, StateDB

KIND = "job"


def _checkpoint(job: str) -> str:
    return f"{KIND}:{job}"


def record_job(db: StateDB, store: str, job: str, ok: bool, note: str) -> None:
    """One attempt of a scheduled job: its summary when it ran, else its error."""
    if ok:
        db.record_outcome(store, KIND, job, SUCCEEDED, reason="ran", detail=note)
        db.set_checkpoint(store, _checkpoint(job), {"last_success": db.clock.now().isoformat(), "summary": note})
        return
    db.record_outcome(
        store,
        KIND,
        job,
        FAILED,
        reason="job_failed",
        detail=note,
        hint=f"the {job} job is retried with back-off and runs again at its next scheduled time; "
        "fix what the error names (`woonext events list --store "
        f"{store}` shows its attempts)",
    )


@dataclass(frozen=True)
class JobHealth:
    store: str
    job: str
    status: str  # the last attempt's outcome: Succeeded, Failed (DeadLetter after the worker gave up)
    failures_in_row: int
    last_error: str
    last_success: datetime | None
    last_attempt: datetime

    @property
    def failing(self) -> bool:
        return self.status in UNRESOLVED_STATUSES


def job_health(db: StateDB, store: str | None = None) -> list[JobHealth]:
    """Every job that has run at least once, per store (sorted by store and job)."""
    health = []
    for outcome in db.outcomes_of_kind(KIND, store):
        checkpoint = db.get_checkpoint(outcome.store, _checkpoint(outcome.remote_id)) or {}
        success = checkpoint.get("last_success")
        failing = outcome.status in UNRESOLVED_STATUSES
        health.append(
            JobHealth(
                store=outcome.store,
                job=outcome.remote_id,
                status=outcome.status,
                failures_in_row=outcome.attempts if failing else 0,
                last_error=outcome.detail if failing else "",
                last_success=datetime.fromisoformat(success) if success else None,
                last_attempt=outcome.updated_at,
            )
        )
    return sorted(health, key=lambda h: (h.store, h.job))
