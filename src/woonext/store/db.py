"""`StateDB`: the state database (bindings, outcomes, cursors, checkpoints, runs).

SQLite by default (see `engine.py` for WAL, busy timeout and immediate write transactions); the same
code runs on PostgreSQL for scale-out. Every method is its own transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from woonext.clock import SYSTEM_CLOCK, Clock, as_utc

from . import migrate
from .engine import create_state_engine, write_transaction
from .models import UNRESOLVED_STATUSES, Binding, Outcome
from .tables import bindings, checkpoints, cursors, outcomes, runs


class BindingExists(Exception):
    """A binding with this (store, kind, remote_id) is already recorded."""

    def __init__(self, store: str, kind: str, remote_id: str) -> None:
        self.store, self.kind, self.remote_id = store, kind, remote_id
        super().__init__(
            f"a {kind} binding for {store}/{remote_id} already exists; load it with "
            "get_binding() and save that (it carries the id) instead of inserting a new one"
        )


def binding_from_row(row: Any) -> Binding:
    """A `bindings` row as a Binding (times as UTC)."""
    return Binding(
        id=row.id,
        store=row.store,
        kind=row.kind,
        remote_id=row.remote_id,
        erp_doctype=row.erp_doctype,
        erp_name=row.erp_name,
        revision=row.revision,
        content_hash=row.content_hash,
        state=row.state,
        data=dict(row.data or {}),
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def outcome_from_row(row: Any) -> Outcome:
    """An `outcomes` row as an Outcome (times as UTC)."""
    updated = as_utc(row.updated_at)
    assert updated is not None
    return Outcome(
        store=row.store,
        kind=row.kind,
        remote_id=row.remote_id,
        status=row.status,
        reason=row.reason,
        detail=row.detail,
        hint=row.hint,
        attempts=row.attempts,
        updated_at=updated,
    )


class StateDB:
    """The service's own state. Open with `StateDB.open(url)`; every method is one transaction."""

    def __init__(self, engine: Engine, clock: Clock = SYSTEM_CLOCK) -> None:
        self.engine = engine
        self.clock = clock  # the one clock (woonext/clock.py): every flow holding the DB asks it

    @classmethod
    def open(cls, url: str, clock: Clock = SYSTEM_CLOCK) -> StateDB:
        """Connect and bring the schema to the newest migration."""
        engine = create_state_engine(url)
        migrate.ensure_current(engine)
        return cls(engine, clock)

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        # The URL may carry a database password: show it masked.
        return f"StateDB({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction on the state database, for callers that need several steps atomically."""
        with write_transaction(self.engine) as connection:
            yield connection

    # -- bindings ---------------------------------------------------------------------------

    def get_binding(self, store: str, kind: str, remote_id: str | int) -> Binding | None:
        query = select(bindings).where(
            bindings.c.store == store, bindings.c.kind == kind, bindings.c.remote_id == str(remote_id)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return binding_from_row(row) if row is not None else None

    def save_binding(self, b: Binding) -> None:
        """Insert (`b.id is None`; sets `b.id`) or update by id. Raises `BindingExists` when an
        insert meets an existing (store, kind, remote_id)."""
        now = self.clock.now()
        values = {
            "store": b.store,
            "kind": b.kind,
            "remote_id": str(b.remote_id),
            "erp_doctype": b.erp_doctype,
            "erp_name": b.erp_name,
            "revision": b.revision,
            "content_hash": b.content_hash,
            "state": b.state,
            "data": b.data,
            "updated_at": now,
        }
        if b.id is None:
            try:
                with write_transaction(self.engine) as connection:
                    result = connection.execute(insert(bindings).values(created_at=now, **values))
            except IntegrityError as exc:
                raise BindingExists(b.store, b.kind, str(b.remote_id)) from exc
            key = result.inserted_primary_key
            assert key is not None
            b.id = int(key[0])
            b.created_at = now
        else:
            with write_transaction(self.engine) as connection:
                result = connection.execute(update(bindings).where(bindings.c.id == b.id).values(**values))
            if result.rowcount == 0:
                raise LookupError(f"binding id {b.id} no longer exists; load it again with get_binding()")
        b.updated_at = now

    def bindings_of_remote(self, kind: str, remote_id: str) -> list[Binding]:
        """Every store's binding of one remote object (e.g. one e-mail), oldest first."""
        query = (
            select(bindings)
            .where(bindings.c.kind == kind, bindings.c.remote_id == str(remote_id))
            .order_by(bindings.c.id)
        )
        with self.engine.connect() as connection:
            return [binding_from_row(row) for row in connection.execute(query)]

    def bindings(self, store: str, kind: str) -> list[Binding]:
        query = select(bindings).where(bindings.c.store == store, bindings.c.kind == kind).order_by(bindings.c.id)
        with self.engine.connect() as connection:
            return [binding_from_row(row) for row in connection.execute(query)]

    def bindings_named(self, store: str, kinds: tuple[str, ...], erp_names: list[str] | None = None) -> list[Binding]:
        """The store's bindings of these kinds that point at these ERPNext names (all named ones when
        None): the catalog bridge finds the products of changed Items this way."""
        query = select(bindings).where(bindings.c.store == store, bindings.c.kind.in_(kinds), bindings.c.erp_name != "")
        if erp_names is not None:
            query = query.where(bindings.c.erp_name.in_(erp_names))
        with self.engine.connect() as connection:
            return [binding_from_row(row) for row in connection.execute(query.order_by(bindings.c.id))]

    def credited_refund_ids(self, store: str, invoice: str) -> list[str]:
        """The refund ids whose credit note (made or being made) returns against `invoice`, from the
        refund bindings' `data.invoice`: for order bindings made before they listed them themselves.
        Reads the store's refund bindings only (the unique index's store/kind prefix)."""
        query = select(bindings.c.remote_id).where(
            bindings.c.store == store,
            bindings.c.kind == "refund",
            bindings.c.state.notin_(("", "cancelled")),
            bindings.c.data["invoice"].as_string() == invoice,
        )
        with self.engine.connect() as connection:
            return [str(rid) for rid in connection.execute(query).scalars()]

    def last_credit_without_order(self, store: str) -> datetime | None:
        """When the newest refund binding that does not name its order was made: credit notes recorded
        before order bindings listed their credited refunds (newer ones carry `data.order`)."""
        query = select(func.max(bindings.c.created_at)).where(
            bindings.c.store == store, bindings.c.kind == "refund", bindings.c.data["order"].as_string().is_(None)
        )
        with self.engine.connect() as connection:
            return as_utc(connection.execute(query).scalar_one_or_none())

    def refund_bindings_since(self, store: str, since: datetime, states: tuple[str, ...]) -> list[Binding]:
        """The store's refund bindings (credit notes) made since `since` in one of `states`."""
        query = (
            select(bindings)
            .where(
                bindings.c.store == store,
                bindings.c.kind == "refund",
                bindings.c.state.in_(states),
                bindings.c.created_at >= since,
            )
            .order_by(bindings.c.id)
        )
        with self.engine.connect() as connection:
            return [binding_from_row(row) for row in connection.execute(query)]

    # -- outcomes ---------------------------------------------------------------------------

    def record_outcome(
        self,
        store: str,
        kind: str,
        remote_id: str | int,
        status: str,
        reason: str = "",
        detail: str = "",
        hint: str = "",
    ) -> Outcome:
        """Record the last outcome of one object. `attempts` counts consecutive unresolved outcomes
        (NeedsReview / Failed / DeadLetter): it grows on each repeat and is 0 after a success or skip."""
        from .models import OUTCOME_STATUSES

        if status not in OUTCOME_STATUSES:
            raise ValueError(f"unknown outcome status {status!r}; use one of {', '.join(OUTCOME_STATUSES)}")
        key = (outcomes.c.store == store, outcomes.c.kind == kind, outcomes.c.remote_id == str(remote_id))
        now = self.clock.now()
        values = {"status": status, "reason": reason, "detail": detail, "hint": hint, "updated_at": now}
        if status in UNRESOLVED_STATUSES:
            # Computed by the database from the row as it is now, so concurrent recorders never lose
            # an increment (PostgreSQL re-evaluates it after waiting for the row lock).
            attempts: Any = case((outcomes.c.status.in_(UNRESOLVED_STATUSES), outcomes.c.attempts + 1), else_=1)
            first_attempts = 1
        else:
            attempts = first_attempts = 0
        for _ in range(3):  # a concurrent first insert of the same key makes us go round once more
            try:
                with write_transaction(self.engine) as connection:
                    changed = connection.execute(update(outcomes).where(*key).values(attempts=attempts, **values))
                    if changed.rowcount == 0:
                        connection.execute(
                            insert(outcomes).values(
                                store=store, kind=kind, remote_id=str(remote_id), attempts=first_attempts, **values
                            )
                        )
                    stored = connection.execute(select(outcomes).where(*key)).one()
                return outcome_from_row(stored)
            except IntegrityError:
                continue
        raise RuntimeError(f"could not record the outcome of {store}/{kind}/{remote_id} (constant conflicts)")

    def outcome(self, store: str, kind: str, remote_id: str | int) -> Outcome | None:
        query = select(outcomes).where(
            outcomes.c.store == store, outcomes.c.kind == kind, outcomes.c.remote_id == str(remote_id)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return outcome_from_row(row) if row is not None else None

    def outcome_counts(self, store: str | None = None) -> dict[str, int]:
        query = select(outcomes.c.status, func.count()).group_by(outcomes.c.status)
        if store is not None:
            query = query.where(outcomes.c.store == store)
        with self.engine.connect() as connection:
            return {status: int(count) for status, count in connection.execute(query)}

    def outcomes_of_kind(self, kind: str, store: str | None = None) -> list[Outcome]:
        """Every outcome of one kind (e.g. the scheduled jobs'), optionally of one store."""
        query = select(outcomes).where(outcomes.c.kind == kind)
        if store is not None:
            query = query.where(outcomes.c.store == store)
        with self.engine.connect() as connection:
            return [outcome_from_row(row) for row in connection.execute(query.order_by(outcomes.c.id))]

    def latest_failures(self, limit: int = 20, store: str | None = None) -> list[Outcome]:
        """The most recent unresolved outcomes (NeedsReview, Failed, DeadLetter), newest first."""
        query = select(outcomes).where(outcomes.c.status.in_(UNRESOLVED_STATUSES))
        if store is not None:
            query = query.where(outcomes.c.store == store)
        query = query.order_by(outcomes.c.updated_at.desc(), outcomes.c.id.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [outcome_from_row(row) for row in connection.execute(query)]

    # -- cursors and checkpoints ------------------------------------------------------------

    def _get_json(self, table: Any, keycol: str, store: str, key: str) -> dict[str, Any] | None:
        query = select(table.c.value).where(table.c.store == store, table.c[keycol] == key)
        with self.engine.connect() as connection:
            value = connection.execute(query).scalar_one_or_none()
        return dict(value) if value is not None else None

    def _set_json(self, table: Any, keycol: str, store: str, key: str, value: dict[str, Any]) -> None:
        now = self.clock.now()
        where = (table.c.store == store, table.c[keycol] == key)
        for _ in range(3):
            try:
                with write_transaction(self.engine) as connection:
                    changed = update(table).where(*where).values(value=value, updated_at=now)
                    result = connection.execute(changed)
                    if result.rowcount == 0:
                        connection.execute(
                            insert(table).values(store=store, **{keycol: key}, value=value, updated_at=now)
                        )
                return
            except IntegrityError:
                continue
        raise RuntimeError(f"could not save {table.name} {store}/{key} (constant conflicts)")

    def get_cursor(self, store: str, stream: str) -> dict[str, Any] | None:
        return self._get_json(cursors, "stream", store, stream)

    def set_cursor(self, store: str, stream: str, value: dict[str, Any]) -> None:
        self._set_json(cursors, "stream", store, stream, value)

    def get_checkpoint(self, store: str, job: str) -> dict[str, Any] | None:
        return self._get_json(checkpoints, "job", store, job)

    def set_checkpoint(self, store: str, job: str, value: dict[str, Any]) -> None:
        self._set_json(checkpoints, "job", store, job, value)

    def clear_checkpoint(self, store: str, job: str) -> None:
        with write_transaction(self.engine) as connection:
            where = (checkpoints.c.store == store, checkpoints.c.job == job)
            connection.execute(delete(checkpoints).where(*where))

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, job: str, store: str) -> int:
        with write_transaction(self.engine) as connection:
            result = connection.execute(insert(runs).values(job=job, store=store, started_at=self.clock.now()))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def finish_run(self, run_id: int, counts: dict[str, Any]) -> None:
        with write_transaction(self.engine) as connection:
            result = connection.execute(
                update(runs).where(runs.c.id == run_id).values(finished_at=self.clock.now(), counts=counts)
            )
        if result.rowcount == 0:
            raise LookupError(f"no run with id {run_id}; start_run() returns the id to pass here")

    def run(self, run_id: int) -> dict[str, Any] | None:
        """One run as a dict (id, job, store, started_at, finished_at, counts)."""
        with self.engine.connect() as connection:
            row = connection.execute(select(runs).where(runs.c.id == run_id)).first()
        if row is None:
            return None
        data = dict(row._mapping)
        data["started_at"] = as_utc(data["started_at"])
        data["finished_at"] = as_utc(data["finished_at"])
        return data
