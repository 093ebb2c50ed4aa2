"""`woonext state backup PATH` / `state restore PATH`: the state database as one portable file.

The file is gzip-compressed JSON lines: a header (format, Alembic revision, when, table row counts),
then one line per row (`{"t": table, "r": {column: value}}`), date-times as ISO text. It is read in one
transaction (a consistent snapshot on SQLite's WAL and on PostgreSQL), while the service runs. The
same file restores into SQLite or PostgreSQL, which is also how a SQLite installation moves to
PostgreSQL (docs/deploy.md). Console sessions and failed-login counters are not kept: after a
restore everyone logs in again.

A restore goes into a new, empty database (its schema is built to the backup's revision, the rows
loaded, then the schema brought to the newest revision), or into one at the same revision whose
tables are empty — or emptied first with `force`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, DateTime, Engine, Table, delete, func, insert, inspect, select, text

from . import migrate
from .engine import write_transaction
from .tables import metadata
from .tables_ops import console_sessions, login_failures

FORMAT = "woonext-state-backup/1"
SKIPPED_TABLES = {console_sessions.name, login_failures.name}
BATCH = 500


class BackupError(Exception):
    """The backup cannot be made or restored as asked; the message says what to do."""


@dataclass
class BackupSummary:
    revision: str
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _tables() -> list[Table]:
    return [t for t in metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value


def _rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    order = list(table.primary_key.columns)
    for row in connection.execute(select(table).order_by(*order)):
        yield {key: _plain(value) for key, value in row._mapping.items()}


def backup(engine: Engine, path: Path, now: datetime) -> BackupSummary:
    """Write every table (but sessions and login counters) to `path` in one consistent read."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            revision = migrate.revision_of(connection)
            if revision is None:
                raise BackupError("this database has no woonext schema: nothing to back up")
            summary = BackupSummary(revision)
            tables = _tables()
            for table in tables:
                summary.rows[table.name] = int(
                    connection.execute(select(func.count()).select_from(table)).scalar() or 0
                )
            partial = path.with_name(path.name + ".partial")
            with gzip.open(partial, "wt", encoding="utf-8") as out:
                header = {"format": FORMAT, "revision": revision, "at": now.isoformat(), "rows": summary.rows}
                out.write(json.dumps(header) + "\n")
                for table in tables:
                    for row in _rows(connection, table):
                        out.write(json.dumps({"t": table.name, "r": row}, ensure_ascii=False) + "\n")
    partial.replace(path)  # a backup file is whole or absent
    return summary


def _header(stream: IO[str], path: Path) -> dict[str, Any]:
    try:
        header = json.loads(stream.readline())
    except (OSError, EOFError, ValueError) as exc:
        raise BackupError(f"{path} is not a woonext state backup ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a woonext state backup (format {FORMAT})")
    return header


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for column in table.columns:
        if isinstance(column.type, DateTime) and isinstance(out.get(column.name), str):
            out[column.name] = datetime.fromisoformat(out[column.name])
    return out


def _has_rows(connection: Connection) -> list[str]:
    present = set(inspect(connection).get_table_names())
    return [
        t.name
        for t in _tables()
        if t.name in present and connection.execute(select(func.count()).select_from(t)).scalar()
    ]


def _load(connection: Connection, stream: IO[str]) -> dict[str, int]:
    tables = {t.name: t for t in metadata.sorted_tables}
    counts: dict[str, int] = {}
    pending: dict[str, list[dict[str, Any]]] = {}

    def flush(name: str) -> None:
        if pending.get(name):
            connection.execute(insert(tables[name]), pending[name])
            pending[name] = []

    for line in stream:
        item = json.loads(line)
        table = tables.get(item["t"])
        if table is None:
            raise BackupError(f"the backup has a table this woonext does not know: {item['t']!r}")
        for other in [n for n in pending if n != table.name]:  # keep the dependency order of the file
            flush(other)
        pending.setdefault(table.name, []).append(_decode(table, item["r"]))
        counts[table.name] = counts.get(table.name, 0) + 1
        if len(pending[table.name]) >= BATCH:
            flush(table.name)
    for name in list(pending):
        flush(name)
    if connection.dialect.name == "postgresql":  # ids were inserted as they were: move the sequences on
        for table in tables.values():
            if "id" in table.c and table.c.id.autoincrement is not False and counts.get(table.name):
                name = table.name  # our own table names, never input
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}"))
    return counts


def restore(engine: Engine, path: Path, *, force: bool = False) -> BackupSummary:
    """Load a backup into `engine`'s database (see the module's docstring for which databases)."""
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        header = _header(stream, path)
        revision = str(header["revision"])
        with engine.connect() as connection:
            current = migrate.revision_of(connection)
        if current is None:
            migrate.upgrade(engine, revision)
        elif current != revision:
            raise BackupError(
                f"the database is at schema {current} and the backup at {revision}: restore into a new, empty "
                "database (a new SQLite file or an empty PostgreSQL database); woonext upgrades it afterwards"
            )
        with write_transaction(engine) as connection:
            filled = _has_rows(connection)
            if filled and not force:
                raise BackupError(
                    f"the database already holds woonext data ({', '.join(filled)}); restore into a new, empty "
                    "database, or pass --force to replace it"
                )
            for table in reversed(metadata.sorted_tables):
                connection.execute(delete(table))
            counts = _load(connection, stream)
            expected = {k: int(v) for k, v in dict(header.get("rows") or {}).items() if v}
            if counts != expected:  # raised inside the transaction: nothing of a cut file stays
                raise BackupError(f"the backup is incomplete: rows {counts} against its header's {expected}")
    migrate.upgrade(engine)
    return BackupSummary(revision, counts)
