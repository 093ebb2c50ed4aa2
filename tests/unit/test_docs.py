"""The configuration documented in docs/architecture.md is a configuration woonext accepts."""

from __future__ import annotations

import tomllib
from pathlib import Path

from woonext.config import Config

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_documented_configuration_is_valid() -> None:
    text = (DOCS / "architecture.md").read_text()
    section = text[text.index("## Configuration") :]
    block = section[section.index("```toml") + len("```toml") :]
    data = tomllib.loads(block[: block.index("```")])
    store = Config.model_validate(data).stores[0]
    assert store.error_log is False and store.delivery_meta.time_from == "_delivery_time_from"
    assert store.territory_rules["state:EG:GZ"] == "Giza" and store.schedules.territories == "0 */6 * * *"
