"""Bounded state: indexes for the prune job and for scrapes that read only the events that are
work or need attention, whatever the number of finished events kept.

- `ix_events_status_store_updated` (status, store, updated_at): the prune job's range (one store's
  Succeeded / Skipped events before the cutoff), `/metrics`' count of the open statuses, and the
  counts `woonext status` shows — all read from the index alone, in its order (no sort).
- `ix_bindings_store_kind_state` (store, kind, state): `/metrics`' documents by kind and state,
  from the index alone.

Revision ID: 0003_bounded_state
Revises: 0002_event_claims
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0003_bounded_state"
down_revision = "0002_event_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_status_store_updated", "events", ["status", "store", "updated_at"])
    op.create_index("ix_bindings_store_kind_state", "bindings", ["store", "kind", "state"])


def downgrade() -> None:
    op.drop_index("ix_bindings_store_kind_state", table_name="bindings")
    op.drop_index("ix_events_status_store_updated", table_name="events")
