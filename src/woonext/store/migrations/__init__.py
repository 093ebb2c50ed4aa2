"""Alembic migrations of the state database, applied programmatically by `StateDB.open`."""
