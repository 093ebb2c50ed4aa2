"""One controllable clock shared by the simulators (and, in tests and the demo, by woonext's own
state DB: it satisfies `woonext.clock.Clock`), so tests can move time and never depend on today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SimClock:
    """Real time by default; frozen or shifted when a test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self._frozen: datetime | None = start.astimezone(UTC) if start else None
        self._offset = timedelta(0)

    @classmethod
    def running_from(cls, start: datetime) -> SimClock:
        """A clock that reads `start` now and then runs at the speed of real time."""
        clock = cls()
        clock._offset = start.astimezone(UTC) - datetime.now(UTC)
        return clock

    def now(self) -> datetime:
        base = self._frozen if self._frozen is not None else datetime.now(UTC)
        return base + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)

    def set(self, when: datetime) -> None:
        self._frozen = when.astimezone(UTC)
        self._offset = timedelta(0)

    def unfreeze(self) -> None:
        self._frozen = None
