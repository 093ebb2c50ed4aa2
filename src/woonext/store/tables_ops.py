"""Tables of the operator side (migration 0006): console users and their sessions, failed logins,
the audit log of what a person did, and the alerts' own state. Same `metadata` as `tables.py`."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from .tables import metadata

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(20), nullable=False),  # viewer | operator
    Column("password_hash", String(255), nullable=False),  # argon2id, never the password
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# A browser's login: the cookie carries a random token, the database only its SHA-256.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Failed logins per user name and per client address ("user:NAME" / "ip:ADDR"); blocked until a time.
login_failures = Table(
    "login_failures",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("first_at", DateTime(timezone=True), nullable=False),
    Column("blocked_until", DateTime(timezone=True), nullable=True),
)

# What a person did from the console or the CLI (retry, replay, accept an edit, log in).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("store", String(100), nullable=False, default=""),
    Column("target", String(200), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
)
Index("ix_audit_log_target", audit_log.c.store, audit_log.c.target)

# Per store and alert stream ("batch", "digest"): when the last message went out, and who is sending.
alert_state = Table(
    "alert_state",
    metadata,
    Column("store", String(100), primary_key=True),
    Column("stream", String(40), primary_key=True),
    Column("last_sent_at", DateTime(timezone=True), nullable=True),
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# What an alert already told a person about: (store, kind, remote id) in which unresolved status.
# An object is new for the alerts while it has no mark in its current status.
alert_marks = Table(
    "alert_marks",
    metadata,
    Column("store", String(100), primary_key=True),
    Column("kind", String(40), primary_key=True),
    Column("remote_id", String(100), primary_key=True),
    Column("status", String(40), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
