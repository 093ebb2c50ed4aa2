"""The state database: bindings (what each WooCommerce object became), outcomes, cursors,
checkpoints, runs and events. SQLAlchemy Core + Alembic migrations applied at open."""

from .db import BindingExists, StateDB, create_state_engine
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
]
