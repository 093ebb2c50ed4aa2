"""The state database: bindings (what each WooCommerce object became), outcomes, cursors,
checkpoints, runs and events. SQLAlchemy Core + Alembic migrations applied at open."""

from . import tables_ops  # noqa: F401  (the operator tables join the same metadata)
from .db import BindingExists, StateDB
from .engine import create_state_engine, write_transaction
from .models import (
    DEAD_LETTER,
    FAILED,
    NEEDS_REVIEW,
    OUTCOME_STATUSES,
    SKIPPED,
    SUCCEEDED,
    UNRESOLVED_STATUSES,
    Binding,
    Outcome,
)

__all__ = [
    "DEAD_LETTER",
    "FAILED",
    "NEEDS_REVIEW",
    "OUTCOME_STATUSES",
    "SKIPPED",
    "SUCCEEDED",
    "UNRESOLVED_STATUSES",
    "Binding",
    "BindingExists",
    "Outcome",
    "StateDB",
    "create_state_engine",
    "write_transaction",
]
