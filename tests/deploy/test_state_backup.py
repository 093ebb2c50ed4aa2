"""`woonext state backup` / `state restore`: a consistent portable file; restored into a new SQLite
file and into PostgreSQL (the way from one to the other), refused over existing data without --force,
a cut file restores nothing."""

from __future__ import annotations

import gzip
import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from typer.testing import CliRunner

from woonext.cli import app
from woonext.console import accounts
from woonext.store import NEEDS_REVIEW, Binding, StateDB
from woonext.store import events as queue
from woonext.store.tables import metadata

runner = CliRunner()
_names = itertools.count()
CONFIG = """state_url = "{state}"
[erpnext]
url = "http://127.0.0.1:9"
api_key = "k"
api_secret = "s"
[[stores]]
name = "main"
url = "http://127.0.0.1:9"
consumer_key = "ck"
consumer_secret = "cs"
company = "C"
warehouse = "W"
currency = "EGP"
"""


def _config(tmp_path: Path, state: str) -> Path:
    path = tmp_path / f"cfg{next(_names)}.toml"
    path.write_text(CONFIG.format(state=state))
    return path


def _cli(cfg: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--config", str(cfg), *args])
    return result.exit_code, result.output


def _plain(value: Any) -> Any:
    """Comparable across SQLite (naive UTC date-times) and PostgreSQL (aware ones)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    return sorted(value.items()) if isinstance(value, dict) else str(value)


def _content(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = {
            t.name: sorted(tuple(_plain(v) for v in row) for row in connection.execute(select(t)))
            for t in metadata.sorted_tables
            if t.name not in ("console_sessions", "login_failures")
        }
    engine.dispose()
    return found


def _filled(url: str) -> None:
    db = StateDB.open(url)
    db.save_binding(Binding("main", "order", "17", "Sales Invoice", "ACC-SINV-1", state="submitted", data={"a": [1]}))
    db.record_outcome("main", "order", "18", NEEDS_REVIEW, "unknown_sku", "no Item X — ünïcode", "create it")
    now = db.clock.now()
    for n in range(3):
        queue.enqueue(db, "main", "order", str(n), "order.updated", now, f"d{n}")
    db.set_cursor("main", "orders", {"modified_gmt": "2026-11-25T04:00:00", "id": 3})
    user = accounts.add_user(db, "olga", accounts.OPERATOR, "a long enough password")
    accounts.start_session(db, user, 1)
    db.close()


def test_backup_restores_into_a_new_sqlite_file_and_refuses_to_overwrite(tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path / 'source.sqlite'}"
    _filled(source)
    backup_file = tmp_path / "state.jsonl.gz"
    code, out = _cli(_config(tmp_path, source), "state", "backup", str(backup_file))
    assert code == 0 and "rows from" in out, out

    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    target_cfg = _config(tmp_path, target)
    code, out = _cli(target_cfg, "state", "restore", str(backup_file))
    assert code == 0 and "restored" in out, out
    restored = _content(target)
    assert restored == _content(source) and len(restored["events"]) == 3
    engine = create_engine(target)
    with engine.connect() as connection:  # sessions are not carried over: everyone logs in again
        assert connection.execute(text("SELECT count(*) FROM console_sessions")).scalar() == 0
    engine.dispose()

    code, out = _cli(target_cfg, "state", "restore", str(backup_file))
    assert code == 2 and "already holds woonext data" in out and "--force" in out
    assert _cli(target_cfg, "state", "restore", str(backup_file), "--force")[0] == 0
    assert _content(target) == _content(source)


def test_a_cut_backup_file_restores_nothing(tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path / 'source.sqlite'}"
    _filled(source)
    whole = tmp_path / "whole.jsonl.gz"
    assert _cli(_config(tmp_path, source), "state", "backup", str(whole))[0] == 0
    lines = gzip.decompress(whole.read_bytes()).decode().splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress("".join(lines[:-2]).encode()))
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    code, out = _cli(_config(tmp_path, target), "state", "restore", str(cut))
    assert code == 2 and "incomplete" in out
    assert all(rows == [] for rows in _content(target).values())
    not_a_backup = tmp_path / "x.gz"
    not_a_backup.write_bytes(gzip.compress(b'{"hello": 1}\n'))
    assert _cli(_config(tmp_path, target), "state", "restore", str(not_a_backup))[0] == 2


def test_sqlite_moves_to_postgresql_through_a_backup(tmp_path: Path, postgres_url: str) -> None:
    source = f"sqlite:///{tmp_path / 'source.sqlite'}"
    _filled(source)
    backup_file = tmp_path / "state.jsonl.gz"
    assert _cli(_config(tmp_path, source), "state", "backup", str(backup_file))[0] == 0
    name = f"woonext_restore_{next(_names)}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    target = postgres_url.replace("/postgres?", f"/{name}?")
    code, out = _cli(_config(tmp_path, target), "state", "restore", str(backup_file))
    assert code == 0, out
    assert _content(target) == _content(source)
    db = StateDB.open(target)  # the sequences moved past the restored ids: new rows get new ids
    created = queue.enqueue(db, "main", "order", "99", "order.updated", db.clock.now(), "d99")
    assert created.created and created.event_id == 4
    db.close()
