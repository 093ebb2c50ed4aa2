"""What woonext wrote back to each WooCommerce order, and the history of it (docs/writeback.md).

`writeback_state`: one row per order woonext has looked at for a writeback — the marker it last put in
the order's `_woonext_writeback` meta, the `date_modified_gmt` its own write gave the order, what it
wrote (status, refunds, notes) — and a lease, so that a webhook's worker, the hourly sweep and a
person's `woonext orders writeback` never write to the same order at once.

`writeback_log`: every write, skip (with its reason) and finding for a person, oldest first;
`writeback_history(db, store, order_id)` is what `woonext orders show` and the console's order story
read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from woonext.clock import as_utc

from .db import StateDB
from .engine import write_transaction
from .tables import writeback_log, writeback_state

# A history entry's result.
WRITTEN = "written"
SKIPPED = "skipped"
REVIEW = "needs_review"
FAILED = "failed"


@dataclass(frozen=True)
class WritebackEntry:
    """One line of an order's writeback history."""

    at: datetime
    trigger: str  # what asked: "Payment Entry ACC-PAY-2026-00042 on_submit", "sweep", "orders writeback"
    action: str  # "status", "refund", "note", "review", "skip"
    result: str  # WRITTEN, SKIPPED, REVIEW, FAILED
    reason: str  # why, as a short code ("paid", "refunded_meanwhile", "changed_since_seen", …)
    from_status: str = ""
    to_status: str = ""
    documents: list[str] = field(default_factory=list)  # the ERPNext documents it is about
    detail: str = ""  # for a person, one line

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "trigger": self.trigger,
            "action": self.action,
            "result": self.result,
            "reason": self.reason,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "documents": list(self.documents),
            "detail": self.detail,
        }


def _key(store: str, order_id: str | int) -> tuple[Any, ...]:
    return (writeback_state.c.store == store, writeback_state.c.order_id == str(order_id))


def claim(db: StateDB, store: str, order_id: str | int, owner: str, until: datetime) -> dict[str, Any] | None:
    """Hold the order for a writeback until `until`; its state, or None when another holder has it."""
    now = db.clock.now()
    free = or_(writeback_state.c.lease_owner.is_(None), writeback_state.c.lease_until < now)
    for _ in range(3):
        try:
            with write_transaction(db.engine) as connection:
                taken = connection.execute(
                    update(writeback_state)
                    .where(*_key(store, order_id), free)
                    .values(lease_owner=owner, lease_until=until, updated_at=now)
                )
                if taken.rowcount:
                    row = connection.execute(select(writeback_state.c.data).where(*_key(store, order_id))).one()
                    return dict(row.data or {})
                exists = connection.execute(select(writeback_state.c.store).where(*_key(store, order_id))).first()
                if exists is not None:
                    return None  # held by someone else
                connection.execute(
                    insert(writeback_state).values(
                        store=store,
                        order_id=str(order_id),
                        lease_owner=owner,
                        lease_until=until,
                        data={},
                        updated_at=now,
                    )
                )
            return {}
        except IntegrityError:  # a first claim of the same order at the same moment: look again
            continue
    return None


def save(db: StateDB, store: str, order_id: str | int, owner: str, data: dict[str, Any]) -> bool:
    """Save the order's state while holding it (an intent before a write, its result after);
    False when the lease was lost."""
    with write_transaction(db.engine) as connection:
        result = connection.execute(
            update(writeback_state)
            .where(*_key(store, order_id), writeback_state.c.lease_owner == owner)
            .values(data=data, updated_at=db.clock.now())
        )
    return bool(result.rowcount)


def release(db: StateDB, store: str, order_id: str | int, owner: str, data: dict[str, Any] | None = None) -> None:
    """Give the order back, saving its state (`data`) when given."""
    values: dict[str, Any] = {"lease_owner": None, "lease_until": None, "updated_at": db.clock.now()}
    if data is not None:
        values["data"] = data
    with write_transaction(db.engine) as connection:
        connection.execute(
            update(writeback_state)
            .where(*_key(store, order_id), writeback_state.c.lease_owner == owner)
            .values(**values)
        )


def state(db: StateDB, store: str, order_id: str | int) -> dict[str, Any]:
    """The order's writeback state as last saved ({} when woonext never looked at it)."""
    with db.engine.connect() as connection:
        value = connection.execute(select(writeback_state.c.data).where(*_key(store, order_id))).scalar()
    return dict(value or {})


def pending_orders(db: StateDB, store: str) -> list[str]:
    """Orders whose last writeback was put off for a passing reason (retried by the next sweep)."""
    query = select(writeback_state.c.order_id).where(
        writeback_state.c.store == store, writeback_state.c.data["pending"].as_string().is_not(None)
    )
    with db.engine.connect() as connection:
        return [str(oid) for oid in connection.execute(query.order_by(writeback_state.c.order_id)).scalars()]


def record(db: StateDB, store: str, order_id: str | int, entry: WritebackEntry, *, once: bool = False) -> bool:
    """Append to the order's history. `once`: not when the last entry says the same (a skip seen again
    by the next sweep is not a new event). Returns whether a line was added."""
    if once:
        last = writeback_history(db, store, order_id, limit=1)
        if last and _same(last[0], entry):
            return False
    with write_transaction(db.engine) as connection:
        connection.execute(
            insert(writeback_log).values(
                store=store,
                order_id=str(order_id),
                at=entry.at,
                trigger=entry.trigger[:140],
                action=entry.action,
                result=entry.result,
                reason=entry.reason[:100],
                from_status=entry.from_status[:40],
                to_status=entry.to_status[:40],
                documents=list(entry.documents),
                detail=entry.detail,
            )
        )
    return True


def _same(a: WritebackEntry, b: WritebackEntry) -> bool:
    return (a.action, a.result, a.reason, a.from_status, a.to_status, sorted(a.documents)) == (
        b.action,
        b.result,
        b.reason,
        b.from_status,
        b.to_status,
        sorted(b.documents),
    )


def writeback_history(db: StateDB, store: str, order_id: str | int, limit: int | None = None) -> list[WritebackEntry]:
    """The order's writeback history, oldest first (`limit`: only the newest N)."""
    query = select(writeback_log).where(writeback_log.c.store == store, writeback_log.c.order_id == str(order_id))
    query = query.order_by(writeback_log.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with db.engine.connect() as connection:
        rows = list(connection.execute(query))
    return [
        WritebackEntry(
            at=as_utc(row.at),
            trigger=row.trigger,
            action=row.action,
            result=row.result,
            reason=row.reason,
            from_status=row.from_status,
            to_status=row.to_status,
            documents=list(row.documents or []),
            detail=row.detail,
        )
        for row in reversed(rows)
    ]
