"""Identities (issue 13): which ERPNext site and which WooCommerce store the state belongs to, and an
index for finding a person's bindings across stores.

`identities` holds, per scope — a store's name, or `@erpnext` for the people shared by every store —
the ERPNext URL and the marker `woonext setup` leaves in that site, and the store's URL. A run compares
them with what it is pointed at and refuses on a mismatch (sync/identity.py). The index on (kind,
remote_id) serves the shared scope's look-up of a person a store knew before the scope was shared.

Revision ID: 0004_identities
Revises: 0002_event_claims
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_identities"
down_revision = "0003_bounded_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identities",
        sa.Column("scope", sa.String(100), primary_key=True),
        sa.Column("erp_url", sa.String(500), nullable=False),
        sa.Column("erp_site", sa.String(100), nullable=False),
        sa.Column("woo_url", sa.String(500), nullable=False, server_default=""),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_bindings_kind_remote", "bindings", ["kind", "remote_id"])


def downgrade() -> None:
    op.drop_index("ix_bindings_kind_remote", table_name="bindings")
    op.drop_table("identities")
