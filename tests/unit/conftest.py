"""Shared fixtures for the unit tests: config files on disk and a recording sleep."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

ERP_SECRET = "erp-secret-4f9a7c1e"
CONSUMER_KEY = "ck_0123456789abcdef0123456789abcdef01234567"
CONSUMER_SECRET = "cs_fedcba9876543210fedcba9876543210fedcba98"
WEBHOOK_SECRET = "whsec-77aa99bb"

VALID_TOML = f"""
state_url = "sqlite:///state.sqlite"

[service]
host = "0.0.0.0"
port = 9090

[erpnext]
url = "http://127.0.0.1:8000/"
api_key = "erp-key-1234"
api_secret = "{ERP_SECRET}"

[[stores]]
name = "main"
url = "http://127.0.0.1:8081"
consumer_key = "{CONSUMER_KEY}"
consumer_secret = "{CONSUMER_SECRET}"
webhook_secret = "{WEBHOOK_SECRET}"
company = "Jarz Test"
warehouse = "Jarz Main - JT"
currency = "egp"

[stores.tax_accounts]
"1" = "VAT 14% - JT"
"""


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "woonext.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def _no_woonext_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Tests must not pick up the developer's own config, secrets or data directory.
    import os

    for name in list(os.environ):
        if name.startswith("WOONEXT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


class SleepRecorder:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()
