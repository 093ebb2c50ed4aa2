"""Write a test world's configuration (secrets included) as a TOML file for CLI tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from woonext.config import Config
from woonext.sim.serve import config_toml


def _plain(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def write_config(config: Config, path: Path) -> Path:
    path.write_text(config_toml(_plain(config.model_dump())), encoding="utf-8")
    return path
