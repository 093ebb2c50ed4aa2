"""The operator side: console users, sessions, failed logins, the audit log, the alerts' state.

Revision ID: 0006_console_alerts
Revises: 0002_event_claims
Create Date: 2026-11-27
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0006_console_alerts"
down_revision = "0004_identities"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        _ts("created_at"),
        _ts("expires_at"),
    )
    op.create_index("ix_console_sessions_user_id", "console_sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        _ts("first_at"),
        _ts("blocked_until", nullable=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _ts("at"),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("store", sa.String(100), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_log_target", "audit_log", ["store", "target"])
    op.create_table(
        "alert_state",
        sa.Column("store", sa.String(100), primary_key=True),
        sa.Column("stream", sa.String(40), primary_key=True),
        _ts("last_sent_at", nullable=True),
        _ts("claimed_until", nullable=True),
        sa.Column("value", sa.JSON, nullable=False),
        _ts("updated_at"),
    )
    op.create_table(
        "alert_marks",
        sa.Column("store", sa.String(100), primary_key=True),
        sa.Column("kind", sa.String(40), primary_key=True),
        sa.Column("remote_id", sa.String(100), primary_key=True),
        sa.Column("status", sa.String(40), nullable=False),
        _ts("at"),
    )


def downgrade() -> None:
    op.drop_table("alert_marks")
    op.drop_table("alert_state")
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("login_failures")
    op.drop_index("ix_console_sessions_user_id", table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_table("users")
