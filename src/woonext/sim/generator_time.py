"""Dates as WooCommerce writes them: site-local (Africa/Cairo) and UTC twins, without offsets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

SITE_TZ = ZoneInfo("Africa/Cairo")
FMT = "%Y-%m-%dT%H:%M:%S"


def wc_dates(prefix: str, when: datetime | None) -> dict[str, Any]:
    """`{prefix: local, prefix_gmt: utc}` for an aware datetime, or both null."""
    if when is None:
        return {prefix: None, f"{prefix}_gmt": None}
    return {prefix: when.astimezone(SITE_TZ).strftime(FMT), f"{prefix}_gmt": when.astimezone(UTC).strftime(FMT)}
