"""The one error mapping raises: an order that cannot become a correct document."""

from __future__ import annotations


class MappingError(Exception):
    """The order cannot become a correct invoice; it is parked NeedsReview with this reason."""

    def __init__(self, reason: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.hint = hint
