"""Which ERPNext site and which WooCommerce store the state database belongs to (migration 0004).

One row per scope: a store's name (its WooCommerce URL and the ERPNext site its invoices went to), and
`@erpnext` for the people shared by every store (only the ERPNext site). Starting a fresh state for a
store archives its rows under a reserved name rather than deleting them: nothing recorded is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from .db import StateDB
from .engine import write_transaction
from .tables import bindings, checkpoints, cursors, identities, outcomes

ARCHIVE_PREFIX = "@archived:"  # store names cannot start with "@" (config.py)


@dataclass(frozen=True)
class Identity:
    scope: str
    erp_url: str
    erp_site: str  # the marker `woonext setup` left in the ERPNext site
    woo_url: str
    recorded_at: datetime


def get(db: StateDB, scope: str) -> Identity | None:
    with db.engine.connect() as connection:
        row = connection.execute(select(identities).where(identities.c.scope == scope)).first()
    if row is None:
        return None
    return Identity(row.scope, row.erp_url, row.erp_site, row.woo_url, row.recorded_at)


def all_identities(db: StateDB) -> list[Identity]:
    with db.engine.connect() as connection:
        rows = connection.execute(select(identities).order_by(identities.c.scope)).all()
    return [Identity(r.scope, r.erp_url, r.erp_site, r.woo_url, r.recorded_at) for r in rows]


def record(db: StateDB, scope: str, erp_url: str, erp_site: str, woo_url: str = "") -> None:
    """Record (or replace) the identity of a scope."""
    now = db.clock.now()
    values = {"erp_url": erp_url, "erp_site": erp_site, "woo_url": woo_url, "updated_at": now}
    with write_transaction(db.engine) as connection:
        changed = connection.execute(update(identities).where(identities.c.scope == scope).values(**values))
        if changed.rowcount == 0:
            connection.execute(insert(identities).values(scope=scope, recorded_at=now, **values))


def has_records(db: StateDB, scope: str) -> bool:
    """Whether anything was recorded for the scope (a state made before identities were kept)."""
    with db.engine.connect() as connection:
        return connection.execute(select(bindings.c.id).where(bindings.c.store == scope).limit(1)).first() is not None


def archive(db: StateDB, scope: str) -> tuple[str, int]:
    """Start a fresh state for a scope: its bindings, outcomes, cursors and checkpoints move to
    `@archived:<scope>:<time>` (kept for reference, never used again) and its identity is forgotten.
    Returns (the archive's name, rows moved)."""
    name = f"{ARCHIVE_PREFIX}{scope}:{db.clock.now():%Y%m%dT%H%M%S}"
    moved = 0
    with write_transaction(db.engine) as connection:
        for table in (bindings, outcomes, cursors, checkpoints):
            moved += connection.execute(update(table).where(table.c.store == scope).values(store=name)).rowcount
        connection.execute(delete(identities).where(identities.c.scope == scope))
    return name, moved
