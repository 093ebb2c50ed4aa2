"""structlog set-up: a readable console on a terminal, JSON lines otherwise, secrets redacted from
every event — by value (each configured credential) and by key name (`*secret*`, `*token*`,
`*password*`, `authorization`, …) — and personal data (e-mail addresses, phone numbers) replaced by
tags (`woonext.log_privacy`). Standard-library log records (httpx, alembic, uvicorn) go through the
same processors, and httpx's per-request INFO lines (which carry signed URLs) are silenced."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, MutableMapping
from typing import IO, Any

import structlog
from pydantic import SecretStr

from woonext.log_privacy import masker

REDACTED = "[redacted]"
SENSITIVE_KEY = re.compile(
    r"secret|token|password|passwd|authorization|api_key|consumer_key|signature|cookie", re.IGNORECASE
)
# Shorter values would redact ordinary words; real credentials are far longer.
MIN_SECRET_LENGTH = 4


class SecretRedactor:
    """A structlog processor that masks secrets anywhere in an event (nested dicts/lists too)."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, values: Iterable[str | SecretStr | None]) -> None:
        for value in values:
            text = value.get_secret_value() if isinstance(value, SecretStr) else value
            if text and len(text) >= MIN_SECRET_LENGTH:
                self._values.add(text)
        # Longest first, so a secret that contains another is masked whole.
        ordered = sorted(self._values, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None

    def clear(self) -> None:
        self._values.clear()
        self._pattern = None

    def redact(self, value: Any, key: str = "") -> Any:
        if key and SENSITIVE_KEY.search(key) and value not in (None, ""):
            return REDACTED
        if isinstance(value, SecretStr):
            return REDACTED
        if isinstance(value, str):
            return self._pattern.sub(REDACTED, value) if self._pattern else value
        if isinstance(value, dict):
            return {k: self.redact(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.redact(v) for v in value)
        if isinstance(value, BaseException | bytes):
            return self.redact(str(value))
        return value

    def __call__(self, _logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        for key in list(event):
            event[key] = self.redact(event[key], "" if key == "event" else key)
        return event


redactor = SecretRedactor()
_handler: logging.Handler | None = None


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """Writes to whatever `sys.stderr` is when a line is logged, not when logging was set up: while a
    progress bar is drawn (rich, on stderr) that is the bar's proxy, which prints the line above the
    bar instead of through it."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override,unused-ignore]
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


def register_secrets(values: Iterable[str | SecretStr | None]) -> None:
    """Mask these values in every log line from now on (call with `Config.secret_values()`)."""
    redactor.add(values)


def configure_logging(
    *,
    json: bool | None = None,
    level: str = "INFO",
    secrets: Iterable[str | SecretStr | None] = (),
    stream: IO[str] | None = None,
) -> None:
    """Configure structlog and the standard `logging` root. `json=None` → JSON unless `stream` is a TTY."""
    out = stream or sys.stderr
    register_secrets(secrets)
    use_json = (not out.isatty()) if json is None else json
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redactor,
        masker,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer(colors=out.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, redactor, renderer],
    )
    global _handler
    root = logging.getLogger()
    if _handler is not None:
        # Replace only our own handler: others (pytest's capture, an embedding app's) stay.
        root.removeHandler(_handler)
    _handler = logging.StreamHandler(stream) if stream is not None else _CurrentStderr()
    _handler.setFormatter(formatter)
    root.addHandler(_handler)
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO; signed URLs carry the consumer key.
    # Alembic announces its migration context on every start; only real upgrades are worth a line.
    for noisy in ("httpx", "httpcore", "alembic.runtime.migration", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
