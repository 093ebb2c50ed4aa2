"""Plain records the state database hands out (no ORM session, no lazy loading)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

SUCCEEDED: Final = "Succeeded"
SKIPPED: Final = "Skipped"
NEEDS_REVIEW: Final = "NeedsReview"
FAILED: Final = "Failed"
DEAD_LETTER: Final = "DeadLetter"
OUTCOME_STATUSES: Final = (SUCCEEDED, SKIPPED, NEEDS_REVIEW, FAILED, DEAD_LETTER)
# Outcomes that need someone (or a later retry) to act; repeated ones count attempts.
UNRESOLVED_STATUSES: Final = (NEEDS_REVIEW, FAILED, DEAD_LETTER)


@dataclass
class Binding:
    """What one WooCommerce object (`kind` + `remote_id` in `store`) became in ERPNext."""

    store: str
    kind: str
    remote_id: str
    erp_doctype: str = ""
    erp_name: str = ""
    revision: int = 0
    content_hash: str = ""
    state: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    """The last outcome of syncing one object."""

    store: str
    kind: str
    remote_id: str
    status: str
    reason: str
    detail: str
    hint: str
    attempts: int
    updated_at: datetime
