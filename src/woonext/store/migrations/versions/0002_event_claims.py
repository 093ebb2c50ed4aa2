"""Event claims: at most one Running event per object (store, kind, remote id), enforced by the
database, and indexes for the worker's claim query and the receiver's coalescing lookup.

Revision ID: 0002_event_claims
Revises: 0001_initial
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_event_claims"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

RUNNING = sa.text("status = 'Running'")


def upgrade() -> None:
    # A partial unique index: two workers can never hold the same order at once, whatever the code does.
    op.create_index(
        "uq_events_running_object",
        "events",
        ["store", "kind", "remote_id"],
        unique=True,
        sqlite_where=RUNNING,
        postgresql_where=RUNNING,
    )
    op.create_index("ix_events_object", "events", ["store", "kind", "remote_id"])
    op.create_index("ix_events_status_available", "events", ["status", "available_at"])


def downgrade() -> None:
    op.drop_index("ix_events_status_available", table_name="events")
    op.drop_index("ix_events_object", table_name="events")
    op.drop_index("uq_events_running_object", table_name="events")
