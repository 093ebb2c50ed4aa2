"""WordPress date handling: site-local and GMT twins, the REST date regex, wp_hash()."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

# rest_parse_date(): date, T or space, time, optional fraction, optional Z / ±HH[:MM].
REST_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$"
)
WP_FORMAT = "%Y-%m-%dT%H:%M:%S"


class SiteTime:
    def __init__(self, timezone: str) -> None:
        self.tz = ZoneInfo(timezone)

    def pair(self, when: datetime) -> tuple[str, str]:
        """(site-local, GMT) strings without offset, whole seconds."""
        when = when.astimezone(UTC).replace(microsecond=0)
        return when.astimezone(self.tz).strftime(WP_FORMAT), when.strftime(WP_FORMAT)

    def local_naive(self, when: datetime) -> datetime:
        return when.astimezone(self.tz).replace(tzinfo=None, microsecond=0)


def parse_rest_date(value: str) -> tuple[datetime, bool] | None:
    """Parse a REST date parameter → (naive datetime truncated to seconds, has_offset) or None.

    With an offset the value is returned converted to UTC (still naive); callers re-express it.
    """
    match = REST_DATE.match(value.strip())
    if not match:
        return None
    y, mo, d, h, mi, s = (int(match.group(i)) for i in range(1, 7))
    try:
        naive = datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    if match.group(8):
        return naive, True
    if match.group(9):
        sign = 1 if match.group(9) == "+" else -1
        offset = timedelta(hours=int(match.group(10)), minutes=int(match.group(11) or 0))
        return naive - sign * offset, True
    return naive, False


def parse_stored(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value[:19], WP_FORMAT)


def wp_hash(data: str, salt: str) -> str:
    """WordPress wp_hash(): HMAC-MD5 with the site salt (32 hex characters)."""
    return hmac.new(salt.encode(), data.encode(), hashlib.md5).hexdigest()
