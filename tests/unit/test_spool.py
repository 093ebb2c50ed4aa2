"""The webhook spool (store/spool.py) and the receiver (runtime/receiver.py): while another
connection holds SQLite's write lock a delivery is written to disk within a second and becomes
exactly one event once the lock frees — however often its file is drained."""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from woonext.runtime.receiver import Receiver
from woonext.store import StateDB
from woonext.store import events as queue
from woonext.store.spool import Delivery, Spool, spool_dir

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[StateDB]:
    state = StateDB.open(f"sqlite:///{tmp_path / 'state.sqlite'}")
    yield state
    state.close()


def _held(tmp_path: Path) -> sqlite3.Connection:
    """Another connection holding the write lock, as another process would."""
    holder = sqlite3.connect(tmp_path / "state.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def _delivery(remote_id: int, key: str) -> Delivery:
    return Delivery("main", "order.updated", T0.isoformat(), key, "order", str(remote_id))


def test_the_spool_lives_beside_a_sqlite_file_only(db: StateDB, tmp_path: Path) -> None:
    assert spool_dir(db) == tmp_path / "state.sqlite.spool"
    assert spool_dir(StateDB(create_engine("postgresql+psycopg://woonext@db.invalid/state"))) is None  # not connected


def test_a_spooled_delivery_is_on_disk_before_append_returns_and_drains_once(db: StateDB, tmp_path: Path) -> None:
    spool = Spool(tmp_path / "state.sqlite.spool")
    spool.append(_delivery(15, "d1:order:15:2026-11-25T10:00:00"))
    spool.append(_delivery(16, "d2:order:16:2026-11-25T10:00:00"))
    [incoming] = spool.pending_files()
    assert incoming.read_text().count("\n") == 2  # written through, not buffered
    saved = tmp_path / "copy.jsonl"
    shutil.copy(incoming, saved)

    assert spool.drain(db) == 2
    assert spool.pending_files() == []
    rows = queue.list_events(db)
    assert sorted(e.remote_id for e in rows) == ["15", "16"] and {e.created_at for e in rows} == {T0}

    # The same file drained again (a crash after the commit, before its removal): nothing twice.
    shutil.copy(saved, spool.directory / "draining-1-1.jsonl")
    assert spool.drain(db) == 0
    assert len(queue.list_events(db)) == 2 and spool.pending_files() == []


def test_a_torn_last_line_is_skipped_and_the_rest_is_kept(db: StateDB, tmp_path: Path) -> None:
    spool = Spool(tmp_path / "state.sqlite.spool")
    spool.append(_delivery(15, "d1"))
    with (spool.directory / "incoming.jsonl").open("a") as handle:
        handle.write('{"store": "main", "topic": "order.upd')  # power lost before the fsync: never answered 200
    assert spool.drain(db) == 1
    assert [e.remote_id for e in queue.list_events(db)] == ["15"]


def test_a_rejected_delivery_is_spooled_as_one_needs_review_row(db: StateDB, tmp_path: Path) -> None:
    spool = Spool(tmp_path / "state.sqlite.spool")
    rejected = Delivery("main", "order.updated", T0.isoformat(), "spool:abc", rejected="malformed JSON ...")
    spool.append(rejected)
    spool.append(rejected)  # drained twice, in effect
    spool.drain(db)
    [row] = queue.list_events(db)
    assert (row.kind, row.status, row.last_error) == ("webhook", "NeedsReview", "malformed JSON ...")


async def test_the_receiver_spools_while_the_lock_is_held_and_the_drainer_queues_it_after(
    db: StateDB, tmp_path: Path
) -> None:
    woken: list[bool] = []
    receiver = Receiver(db, lambda: T0, lambda: woken.append(True))
    assert receiver.drainer is not None
    holder = _held(tmp_path)
    try:
        started = time.monotonic()
        spooled = await receiver.queue("main", "order", 15, "order.updated", "d1:order:15:x")
        rejected = await receiver.reject("main", "order.updated", "malformed JSON")
        assert time.monotonic() - started < 1.5  # two short lock waits and two fsyncs
        assert spooled.spooled and spooled.created and rejected.spooled
        assert await receiver.drainer.drain_once() == 0  # still locked: tried, kept for later
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert await receiver.drainer.drain_once() == 1 and woken == [True]
    assert sorted((e.kind, e.remote_id) for e in queue.list_events(db)) == [("order", "15"), ("webhook", "")]
    free = await receiver.queue("main", "order", 16, "order.updated", None)
    assert not free.spooled and free.event_id is not None  # the lock is free: straight into the table
    with db.engine.connect() as connection:  # the short wait did not stay on the pooled connection
        raw = connection.connection.driver_connection
        assert raw is not None and raw.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
