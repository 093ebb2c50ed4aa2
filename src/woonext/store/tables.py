"""The state database's tables (SQLAlchemy Core). The schema itself is created by Alembic
(`migrations/versions/`); these objects are for queries and must match the latest migration."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

# What each WooCommerce object became in ERPNext: the one place that decides "already applied".
bindings = Table(
    "bindings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("store", String(100), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("remote_id", String(100), nullable=False),
    Column("erp_doctype", String(140), nullable=False, default=""),
    Column("erp_name", String(140), nullable=False, default=""),
    Column("revision", Integer, nullable=False, default=0),
    Column("content_hash", String(128), nullable=False, default=""),
    Column("state", String(40), nullable=False, default=""),
    Column("data", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("store", "kind", "remote_id", name="uq_bindings_store_kind_remote"),
)

# Migration 0004: a person's bindings found across stores (sync/party_scope.py).
Index("ix_bindings_kind_remote", bindings.c.kind, bindings.c.remote_id)

# Which ERPNext site and which store the state belongs to, per scope (store name, or "@erpnext"):
# runs refuse on a mismatch (sync/identity.py).
identities = Table(
    "identities",
    metadata,
    Column("scope", String(100), primary_key=True),
    Column("erp_url", String(500), nullable=False),
    Column("erp_site", String(100), nullable=False),
    Column("woo_url", String(500), nullable=False, server_default=""),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The last outcome per object (Succeeded, Skipped, NeedsReview, Failed, DeadLetter).
outcomes = Table(
    "outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("store", String(100), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("remote_id", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("reason", String(100), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
    Column("hint", Text, nullable=False, default=""),
    Column("attempts", Integer, nullable=False, default=0),
    Column("updated_at", DateTime(timezone=True), nullable=False, index=True),
    UniqueConstraint("store", "kind", "remote_id", name="uq_outcomes_store_kind_remote"),
)

cursors = Table(
    "cursors",
    metadata,
    Column("store", String(100), primary_key=True),
    Column("stream", String(60), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("store", String(100), primary_key=True),
    Column("job", String(60), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job", String(60), nullable=False),
    Column("store", String(100), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("counts", JSON, nullable=True),
)

# Durable triggers (webhooks, polls, replays) for the worker; leased, never lost.
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("store", String(100), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("remote_id", String(100), nullable=False),
    Column("topic", String(60), nullable=False, default=""),
    Column("delivery_id", String(100), nullable=True),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("available_at", DateTime(timezone=True), nullable=False, index=True),
    Column("lease_owner", String(100), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("delivery_id", name="uq_events_delivery_id"),
)
# Migration 0002: at most one Running event per object (the database, not the code, keeps two workers
# off one order), and the indexes of the claim query and of the receiver's coalescing lookup.
_RUNNING = text("status = 'Running'")
Index(
    "uq_events_running_object",
    events.c.store,
    events.c.kind,
    events.c.remote_id,
    unique=True,
    sqlite_where=_RUNNING,
    postgresql_where=_RUNNING,
)
Index("ix_events_object", events.c.store, events.c.kind, events.c.remote_id)
Index("ix_events_status_available", events.c.status, events.c.available_at)
# Migration 0003 (bounded state): the prune job's range and the scrape's counts, read from the index alone.
Index("ix_events_status_store_updated", events.c.status, events.c.store, events.c.updated_at)
Index("ix_bindings_store_kind_state", bindings.c.store, bindings.c.kind, bindings.c.state)

# Migration 0007: orders written back to WooCommerce (store/writebacks.py, docs/writeback.md).
writeback_state = Table(
    "writeback_state",
    metadata,
    Column("store", String(100), primary_key=True),
    Column("order_id", String(100), primary_key=True),
    Column("lease_owner", String(100), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("data", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
writeback_log = Table(
    "writeback_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("store", String(100), nullable=False),
    Column("order_id", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("trigger", String(140), nullable=False),
    Column("action", String(20), nullable=False),
    Column("result", String(20), nullable=False),
    Column("reason", String(100), nullable=False),
    Column("from_status", String(40), nullable=False),
    Column("to_status", String(40), nullable=False),
    Column("documents", JSON, nullable=False),
    Column("detail", Text, nullable=False),
)
Index("ix_writeback_log_order", writeback_log.c.store, writeback_log.c.order_id, writeback_log.c.id)
