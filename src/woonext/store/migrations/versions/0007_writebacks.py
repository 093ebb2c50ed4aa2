"""Orders written back to WooCommerce (docs/writeback.md): per order, what woonext last wrote and
who holds it (`writeback_state`), and the history of every write, skip and finding (`writeback_log`).

Revision ID: 0007_writebacks
Revises: 0002_event_claims
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_writebacks"
down_revision = "0006_console_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "writeback_state",
        sa.Column("store", sa.String(100), primary_key=True),
        sa.Column("order_id", sa.String(100), primary_key=True),
        sa.Column("lease_owner", sa.String(100), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "writeback_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("store", sa.String(100), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(140), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("result", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(100), nullable=False),
        sa.Column("from_status", sa.String(40), nullable=False),
        sa.Column("to_status", sa.String(40), nullable=False),
        sa.Column("documents", sa.JSON, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_writeback_log_order", "writeback_log", ["store", "order_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_writeback_log_order", table_name="writeback_log")
    op.drop_table("writeback_log")
    op.drop_table("writeback_state")
