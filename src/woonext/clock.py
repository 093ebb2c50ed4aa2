"""The one clock: everything woonext dates or times (cursors' first look-back, event leases, state
timestamps, reconcile periods, audit stamps) asks it, never `datetime.now()` directly.

Production uses the system clock. Tests and the demo give the state database a `SimClock`
(`woonext.sim.clock`), the same object both simulators run on, so a test pinned to a date stays true
on any day it runs. The state database carries the clock (`StateDB.clock`): whoever holds the
database holds the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol, overload


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


SYSTEM_CLOCK: Clock = SystemClock()


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """A time read back from the state DB, as UTC: SQLite hands back naive datetimes, and everything
    woonext stores is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
