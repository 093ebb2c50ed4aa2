from __future__ import annotations

import itertools
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text, update

from woonext.store import (
    DEAD_LETTER,
    FAILED,
    NEEDS_REVIEW,
    SKIPPED,
    SUCCEEDED,
    Binding,
    BindingExists,
    StateDB,
)
from woonext.store.migrate import current_revision

_database_counter = itertools.count()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[StateDB]:
    state = StateDB.open(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'state.sqlite'}")
    yield state
    state.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateDB]:
    """The same behaviour on both backends: SQLite (default) and PostgreSQL (scale-out)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    else:
        server = request.getfixturevalue("postgres_url")
        name = f"woonext_test_{next(_database_counter)}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        url = server.replace("/postgres?", f"/{name}?")
    state = StateDB.open(url)
    yield state
    state.close()


def test_open_creates_directory_applies_migrations_and_uses_wal(tmp_path: Path, sqlite_db: StateDB) -> None:
    db = sqlite_db
    assert (tmp_path / "nested" / "dir" / "state.sqlite").exists()
    from alembic.script import ScriptDirectory

    from woonext.store.migrate import alembic_config

    newest = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert newest is not None and current_revision(db.engine) == newest  # the newest migration, one head
    tables = set(inspect(db.engine).get_table_names())
    assert {"bindings", "outcomes", "cursors", "checkpoints", "runs", "events", "alembic_version"} <= tables
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_reopen_is_idempotent_and_keeps_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    first = StateDB.open(url)
    first.save_binding(Binding("main", "order", "1", erp_doctype="Sales Invoice", erp_name="SI-1"))
    first.close()
    second = StateDB.open(url)
    binding = second.get_binding("main", "order", "1")
    assert binding is not None and binding.erp_name == "SI-1"
    second.close()


def test_binding_insert_update_and_unique_key(db: StateDB) -> None:
    binding = Binding("main", "order", "1001", erp_doctype="Sales Invoice", erp_name="ACC-SINV-1", data={"n": 1})
    db.save_binding(binding)
    assert binding.id is not None and binding.created_at is not None

    with pytest.raises(BindingExists, match="get_binding"):
        db.save_binding(Binding("main", "order", "1001"))
    # Same remote id under another kind or store is a different object.
    db.save_binding(Binding("main", "refund", "1001"))
    db.save_binding(Binding("other", "order", "1001"))

    loaded = db.get_binding("main", "order", 1001)  # ints are accepted as remote ids
    assert loaded is not None
    loaded.revision += 1
    loaded.state = "submitted"
    loaded.content_hash = "abc"
    loaded.data["n"] = 2
    db.save_binding(loaded)
    again = db.get_binding("main", "order", "1001")
    assert again is not None
    assert (again.revision, again.state, again.content_hash, again.data) == (1, "submitted", "abc", {"n": 2})
    assert again.created_at == binding.created_at and again.updated_at is not None
    assert again.updated_at.tzinfo is not None
    assert [b.remote_id for b in db.bindings("main", "order")] == ["1001"]
    assert db.get_binding("main", "order", "404") is None


def test_unique_binding_is_enforced_by_the_database(db: StateDB) -> None:
    db.save_binding(Binding("main", "order", "7"))
    with pytest.raises(Exception, match="(?i)unique|duplicate key"), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO bindings (store, kind, remote_id, erp_doctype, erp_name, revision, content_hash,"
                " state, data, created_at, updated_at) VALUES ('main','order','7','','',0,'','','{}',"
                " '2026-01-01', '2026-01-01')"
            )
        )


def test_concurrent_inserts_of_one_key_leave_one_binding(db: StateDB) -> None:
    errors: list[Exception] = []
    barrier = threading.Barrier(8)

    def insert() -> None:
        barrier.wait()
        try:
            db.save_binding(Binding("main", "order", "55"))
        except BindingExists as exc:
            errors.append(exc)

    threads = [threading.Thread(target=insert) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(db.bindings("main", "order")) == 1
    assert len(errors) == 7


def test_outcomes_attempts_counts_and_failures(db: StateDB) -> None:
    first = db.record_outcome("main", "order", 1, FAILED, "erp_deadlock", "QueryDeadlockError", "retry later")
    assert first.attempts == 1
    second = db.record_outcome("main", "order", 1, FAILED, "erp_deadlock")
    assert second.attempts == 2
    third = db.record_outcome("main", "order", 1, DEAD_LETTER, "erp_deadlock", "gave up", "replay it")
    assert third.attempts == 3
    stored = db.outcome("main", "order", "1")
    assert stored is not None and (stored.status, stored.attempts, stored.hint) == (
        DEAD_LETTER,
        3,
        "replay it",
    )

    done = db.record_outcome("main", "order", 1, SUCCEEDED)
    assert done.attempts == 0
    assert db.record_outcome("main", "order", 1, NEEDS_REVIEW, "unknown_sku").attempts == 1

    db.record_outcome("main", "order", 2, SKIPPED, "status_pending", "order is pending")
    db.record_outcome("main", "order", 3, SUCCEEDED)
    db.record_outcome("other", "order", 3, FAILED, "x")
    assert db.outcome_counts() == {NEEDS_REVIEW: 1, SKIPPED: 1, SUCCEEDED: 1, FAILED: 1}
    assert db.outcome_counts("main") == {NEEDS_REVIEW: 1, SKIPPED: 1, SUCCEEDED: 1}

    failures = db.latest_failures()
    assert [(f.store, f.remote_id) for f in failures] == [("other", "3"), ("main", "1")]
    assert [f.remote_id for f in db.latest_failures(store="main")] == ["1"]
    assert len(db.latest_failures(limit=1)) == 1
    assert db.outcome("main", "order", 99) is None
    with pytest.raises(ValueError, match="unknown outcome status"):
        db.record_outcome("main", "order", 1, "Done")


def test_cursors_and_checkpoints(db: StateDB) -> None:
    assert db.get_cursor("main", "orders") is None
    db.set_cursor("main", "orders", {"modified_gmt": "2026-01-01T00:00:00", "id": 5})
    db.set_cursor("main", "orders", {"modified_gmt": "2026-01-02T00:00:00", "id": 9})
    db.set_cursor("other", "orders", {"id": 1})
    assert db.get_cursor("main", "orders") == {"modified_gmt": "2026-01-02T00:00:00", "id": 9}
    assert db.get_cursor("other", "orders") == {"id": 1}

    assert db.get_checkpoint("main", "migrate") is None
    db.set_checkpoint("main", "migrate", {"page": 3})
    db.set_checkpoint("main", "migrate", {"page": 4})
    assert db.get_checkpoint("main", "migrate") == {"page": 4}
    db.clear_checkpoint("main", "migrate")
    assert db.get_checkpoint("main", "migrate") is None
    db.clear_checkpoint("main", "migrate")  # clearing twice is harmless


def test_runs(db: StateDB) -> None:
    run_id = db.start_run("sync-orders", "main")
    started = db.run(run_id)
    assert started is not None and started["finished_at"] is None
    db.finish_run(run_id, {"created": 3, "skipped": 1})
    finished = db.run(run_id)
    assert finished is not None and finished["counts"] == {"created": 3, "skipped": 1}
    assert finished["finished_at"] >= finished["started_at"]
    with pytest.raises(LookupError):
        db.finish_run(run_id + 100, {})


def test_events_delivery_id_unique_but_nullable(db: StateDB) -> None:
    insert = text(
        "INSERT INTO events (store, kind, remote_id, topic, delivery_id, status, attempts, available_at,"
        " created_at, updated_at) VALUES ('main','order','1','order.updated', :d, 'pending', 0,"
        " '2026-01-01', '2026-01-01', '2026-01-01')"
    )
    with db.engine.begin() as connection:
        connection.execute(insert, {"d": None})
        connection.execute(insert, {"d": None})
        connection.execute(insert, {"d": "abc"})
    with pytest.raises(Exception, match="(?i)unique|duplicate key"), db.engine.begin() as connection:
        connection.execute(insert, {"d": "abc"})


def test_state_file_is_plain_sqlite(tmp_path: Path, sqlite_db: StateDB) -> None:
    db = sqlite_db
    db.save_binding(Binding("main", "customer", "12", erp_doctype="Customer", erp_name="Mona"))
    path = tmp_path / "nested" / "dir" / "state.sqlite"
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT erp_name FROM bindings").fetchall() == [("Mona",)]


def test_migrations_match_the_table_definitions(db: StateDB) -> None:
    # The Core tables used by queries and the schema Alembic builds must not drift apart.
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from woonext.store.tables import metadata

    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def _in_threads(count: int, work: Callable[[int], None]) -> None:
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            work(index)
        except BaseException as exc:  # reported below, a thread cannot fail the test by itself
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_concurrent_failures_never_lose_an_attempt(db: StateDB) -> None:
    def work(_: int) -> None:
        for _ in range(15):
            db.record_outcome("main", "order", "1", FAILED, "erp_deadlock")

    _in_threads(6, work)
    outcome = db.outcome("main", "order", "1")
    assert outcome is not None and outcome.attempts == 90


def test_read_then_write_in_begin_is_atomic(db: StateDB) -> None:
    from woonext.store.tables import checkpoints

    db.set_checkpoint("main", "counter", {"n": 0})

    def work(_: int) -> None:
        for _ in range(10):
            with db.begin() as connection:
                where = (checkpoints.c.store == "main", checkpoints.c.job == "counter")
                query = select(checkpoints.c.value).where(*where)
                if connection.dialect.name == "postgresql":
                    query = query.with_for_update()
                value = connection.execute(query).scalar_one()
                connection.execute(update(checkpoints).where(*where).values(value={"n": value["n"] + 1}))

    _in_threads(5, work)
    assert db.get_checkpoint("main", "counter") == {"n": 50}
