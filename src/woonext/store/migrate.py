"""Apply the Alembic migrations in code (no alembic.ini needed at run time).

Alembic is imported only when there is something to migrate: opening a database that is already at
the newest revision (every start but the first after an upgrade) costs one small query, and commands
like `woonext status` start without loading Alembic (docs/benchmarks.md, "CLI start-up").
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text

from .engine import write_transaction

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
HEAD = "head"
MIGRATION_LOCK_KEY = 0x776F6F6E  # "woon"


def alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade(engine: Engine, revision: str = HEAD) -> None:
    """Bring the schema to `revision` (default: the newest) on this engine's database."""
    from alembic import command

    cfg = alembic_config()
    with write_transaction(engine) as connection:
        if connection.dialect.name == "postgresql":
            # Several processes may start at once; one migrates, the others wait and find it done.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def ensure_current(engine: Engine) -> None:
    """Upgrade to the newest revision unless the database is already there (checked without Alembic)."""
    head = script_head()
    if head is None or stored_revision(engine) != head:
        upgrade(engine)


@cache
def script_head() -> str | None:
    """The newest revision in `migrations/versions`: the one no other names as its `down_revision`.

    Read from the scripts' literal `revision = …` / `down_revision = …` lines (no import of the
    scripts, which import Alembic). None when that is not one clear answer (a merge, an unusual
    script): the caller then lets Alembic decide.
    """
    revisions: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        values = _literal_assignments(path)
        if isinstance(values.get("revision"), str):
            down = values.get("down_revision")
            if down is not None and not isinstance(down, str):
                return None  # a merge revision (a tuple of parents)
            revisions[str(values["revision"])] = down
    heads = set(revisions) - {down for down in revisions.values() if down}
    return heads.pop() if len(heads) == 1 else None


def _literal_assignments(path: Path) -> dict[str, object]:
    # `revision = "…"` as well as Alembic's newer template, `revision: str = "…"`.
    values: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            try:
                values[target.id] = ast.literal_eval(value)
            except (ValueError, TypeError, SyntaxError):
                continue
    return values


def stored_revision(engine: Engine) -> str | None:
    """The revision recorded in `alembic_version` (None before the first migration)."""
    with engine.connect() as connection:
        if not connection.dialect.has_table(connection, "alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return str(rows[0]) if len(rows) == 1 else None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return revision_of(connection)


def revision_of(connection: Connection) -> str | None:
    """The schema's Alembic revision on this connection; None for a database without woonext's schema."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()
