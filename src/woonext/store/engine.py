"""Engines for the state database, and write transactions that are safe under concurrency.

SQLite: WAL journal (readers never block the writer), a busy timeout (writers queue instead of
failing), and write transactions opened with `BEGIN IMMEDIATE`. The immediate begin matters: a
deferred transaction that reads first and writes later cannot wait for the write lock once another
writer committed in between (SQLITE_BUSY_SNAPSHOT), so read-modify-write steps would fail or lose
updates. Reads stay deferred and run concurrently. PostgreSQL needs none of this.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from . import loopguard

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Connections beyond the pool's 5: the async path's thread lanes (store/asyncdb.py) may hold up to
# 15 at once while another process holds the write lock; a caller should never wait for the pool.
POOL_OVERFLOW = 20
_WRITE = "woonext_write"


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's BEGIN (below) control transactions instead of pysqlite's implicit ones.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_state_engine(url: str) -> Engine:
    """An engine for `url`; for SQLite creates the parent directory and sets up WAL + busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True, max_overflow=POOL_OVERFLOW)
        loopguard.install(engine)
        return engine
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        max_overflow=POOL_OVERFLOW,
    )
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    loopguard.install(engine)
    return engine


@contextmanager
def write_transaction(engine: Engine, lock_wait_ms: int | None = None) -> Iterator[Connection]:
    """A transaction that will write: on SQLite it takes the write lock up front (BEGIN IMMEDIATE).

    `lock_wait_ms` bounds the wait for a lock held by someone else (default: SQLite's 30 s busy
    timeout, PostgreSQL's no limit); past it `sqlalchemy.exc.OperationalError` is raised. The
    webhook receiver uses it to answer within a second whatever another process does."""
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        sqlite = _is_sqlite(engine)
        if lock_wait_ms is not None and sqlite:
            _sqlite_busy_timeout(connection, lock_wait_ms)
        try:
            with connection.begin():
                if lock_wait_ms is not None and not sqlite:
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(lock_wait_ms)}ms'")
                yield connection
        finally:
            if lock_wait_ms is not None and sqlite and not connection.invalidated:
                _sqlite_busy_timeout(connection, SQLITE_BUSY_TIMEOUT_MS)  # the pooled connection waits normally again


def _sqlite_busy_timeout(connection: Connection, milliseconds: int) -> None:
    # On the driver's connection: through SQLAlchemy the PRAGMA would begin a transaction first.
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute(f"PRAGMA busy_timeout={int(milliseconds)}")
