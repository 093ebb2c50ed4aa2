"""Configuration of the operator side: `[console]` and `[alerts]` (docs/console.md, docs/alerts.md).

Secrets (the metrics token, the SMTP password, the alert webhook URL, which carries its own token in
Slack-compatible services) are read like the others (`config.py`): the environment
(`WOONEXT_CONSOLE_METRICS_TOKEN`, `WOONEXT_ALERTS_SMTP_PASSWORD`, `WOONEXT_ALERTS_WEBHOOK_URL`), a
`*_file`, or the value in the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

# (section path, key, environment variable): the operator side's secrets.
OPS_SECRETS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("console",), "metrics_token", "WOONEXT_CONSOLE_METRICS_TOKEN"),
    (("alerts", "email"), "password", "WOONEXT_ALERTS_SMTP_PASSWORD"),
    (("alerts", "webhook"), "url", "WOONEXT_ALERTS_WEBHOOK_URL"),
)
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration_seconds(text: str) -> int:
    """`"15m"` → 900; units s, m, h, d."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"is not a duration: {text!r} (a number and a unit: 90s, 15m, 2h, 1d)")
    return int(match.group(1)) * _UNITS[match.group(2)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ConsoleConfig(_Strict):
    enabled: bool = True
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    # `/metrics` answers a scraper that sends `Authorization: Bearer <token>`, or a logged-in user.
    metrics_token: SecretStr | None = None
    metrics_token_file: Path | None = None


class EmailAlerts(_Strict):
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str = ""
    password: SecretStr | None = None
    password_file: Path | None = None
    sender: str = Field(alias="from", min_length=3)
    to: list[str] = Field(min_length=1)
    timeout: float = Field(default=20.0, gt=0, le=300)


class WebhookAlerts(_Strict):
    url: SecretStr
    url_file: Path | None = None
    timeout: float = Field(default=10.0, gt=0, le=300)

    @field_validator("url")
    @classmethod
    def _http(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value


class AlertsConfig(_Strict):
    every: str = "15m"  # at most one message per store in this time
    lag: str = "30m"  # no successful order poll, or an event waiting, for longer than this
    job_failures: int = Field(default=3, ge=1, le=100)  # a scheduled job failing this many times in a row
    digest_at: str = "08:00"  # daily digest, UTC, "HH:MM"; "" for none
    console_url: str = ""  # the console's public address, for links in messages
    email: EmailAlerts | None = None
    webhook: WebhookAlerts | None = None

    @field_validator("every", "lag")
    @classmethod
    def _duration(cls, value: str) -> str:
        if duration_seconds(value) < 1:
            raise ValueError("must be at least 1s")
        return value

    @field_validator("digest_at")
    @classmethod
    def _time(cls, value: str) -> str:
        if value and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f'must be a time of day HH:MM (UTC) or "", got {value!r}')
        return value

    @property
    def enabled(self) -> bool:
        return self.email is not None or self.webhook is not None

    @property
    def every_seconds(self) -> int:
        return duration_seconds(self.every)

    @property
    def lag_seconds(self) -> int:
        return duration_seconds(self.lag)
