"""The webhook spool: verified deliveries kept durably on disk while the state DB is busy.

A webhook is answered 200 only once it is recorded durably. Normally that record is the event row
(`events.enqueue`). When another process holds SQLite's write lock, that insert cannot commit
within the second WooCommerce and `/healthz` watchers allow, so the receiver writes the delivery
here instead — one JSON line, appended under a file lock and fsync'd before the 200 — and a
background task (`runtime/spool_drain.py`) moves the lines into the events table as soon as the
lock frees. Each line carries its delivery key (the delivery's own, or a fresh `spool:<uuid>`),
and `enqueue` / `record_rejected` ignore a key they already hold, so a line moved twice (a crash
between the insert and the removal of its file) is still one event.

Layout, next to the SQLite file `state.sqlite`: `state.sqlite.spool/incoming.jsonl` (appended to),
`draining-<ns>-<pid>.jsonl` (taken by a drainer: renamed under the lock, so appends never wait for
the database), `lock` (the append/rename lock). PostgreSQL takes no table lock on insert: no spool.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import structlog

from . import events
from .db import StateDB

log = structlog.get_logger(__name__)
INCOMING = "incoming.jsonl"
DRAINING = "draining-"


@dataclass(frozen=True)
class Delivery:
    """A verified delivery to record: an event for `kind` `remote_id`, or, with `rejected` set, a
    signed delivery that could not be used (a NeedsReview row, as `events.record_rejected`)."""

    store: str
    topic: str
    received_at: str  # ISO 8601, UTC: becomes the event's created_at
    key: str
    kind: str = ""
    remote_id: str = ""
    rejected: str = ""


def new_key() -> str:
    """A delivery key for a delivery that brought none (WooCommerce always sends one; a proxy may not)."""
    return f"spool:{uuid.uuid4().hex}"


def spool_dir(db: StateDB) -> Path | None:
    """Where the state DB's spool lives: beside its SQLite file; None for other databases."""
    url = db.engine.url
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser().with_name(Path(database).name + ".spool")


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.directory / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def append(self, delivery: Delivery) -> None:
        """Durable when this returns: the line is fsync'd (and the file's directory entry, when new)."""
        line = (json.dumps(asdict(delivery), separators=(",", ":")) + "\n").encode()
        path = self.directory / INCOMING
        with self._locked():
            created = not path.exists()
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                _fsync_dir(self.directory)

    def pending_files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if p.name == INCOMING or p.name.startswith(DRAINING))

    def _take_incoming(self) -> None:
        path = self.directory / INCOMING
        with self._locked():
            if path.exists():
                path.rename(self.directory / f"{DRAINING}{time.time_ns()}-{os.getpid()}.jsonl")
                _fsync_dir(self.directory)

    def drain(self, db: StateDB) -> int:
        """Move every spooled delivery into the events table (waiting for the lock as long as the
        state DB's busy timeout); returns how many became new events. A file is removed only after
        all its lines are committed; on an error it stays for the next drain."""
        if not self.pending_files():
            return 0
        self._take_incoming()
        created = 0
        for path in sorted(self.directory.glob(f"{DRAINING}*.jsonl")):
            created += self._drain_file(db, path)
        return created

    def _drain_file(self, db: StateDB, path: Path) -> int:
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:  # another drainer finished it
            return 0
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # another process is draining this file
                return 0
            with os.fdopen(os.dup(fd), "rb") as handle:
                lines = handle.read().splitlines()
            created = sum(self._record(db, line, path) for line in lines if line.strip())
            path.unlink(missing_ok=True)
            return created
        finally:
            os.close(fd)

    def _record(self, db: StateDB, line: bytes, path: Path) -> int:
        try:
            delivery = Delivery(**json.loads(line))
        except (ValueError, TypeError) as exc:  # a line torn by a crash before its fsync: never acknowledged
            log.warning("webhook_spool_bad_line", file=path.name, error=str(exc))
            return 0
        at = datetime.fromisoformat(delivery.received_at)
        if delivery.rejected:
            events.record_rejected(db, delivery.store, delivery.topic, at, delivery.rejected, delivery.key)
            return 0
        result = events.enqueue(db, delivery.store, delivery.kind, delivery.remote_id, delivery.topic, at, delivery.key)
        return int(result.created)
