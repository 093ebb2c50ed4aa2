"""Initial state schema: bindings, outcomes, cursors, checkpoints, runs, events.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "bindings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("store", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("remote_id", sa.String(100), nullable=False),
        sa.Column("erp_doctype", sa.String(140), nullable=False),
        sa.Column("erp_name", sa.String(140), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(128), nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.UniqueConstraint("store", "kind", "remote_id", name="uq_bindings_store_kind_remote"),
    )
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("store", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("remote_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(100), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("hint", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        _ts("updated_at"),
        sa.UniqueConstraint("store", "kind", "remote_id", name="uq_outcomes_store_kind_remote"),
    )
    op.create_index("ix_outcomes_updated_at", "outcomes", ["updated_at"])
    op.create_table(
        "cursors",
        sa.Column("store", sa.String(100), primary_key=True),
        sa.Column("stream", sa.String(60), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        _ts("updated_at"),
    )
    op.create_table(
        "checkpoints",
        sa.Column("store", sa.String(100), primary_key=True),
        sa.Column("job", sa.String(60), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        _ts("updated_at"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job", sa.String(60), nullable=False),
        sa.Column("store", sa.String(100), nullable=False),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.Column("counts", sa.JSON, nullable=True),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("store", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("remote_id", sa.String(100), nullable=False),
        sa.Column("topic", sa.String(60), nullable=False),
        sa.Column("delivery_id", sa.String(100), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        _ts("available_at"),
        sa.Column("lease_owner", sa.String(100), nullable=True),
        _ts("lease_until", nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.UniqueConstraint("delivery_id", name="uq_events_delivery_id"),
    )
    op.create_index("ix_events_available_at", "events", ["available_at"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("runs")
    op.drop_table("checkpoints")
    op.drop_table("cursors")
    op.drop_index("ix_outcomes_updated_at", table_name="outcomes")
    op.drop_table("outcomes")
    op.drop_table("bindings")
