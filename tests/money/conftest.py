"""A fresh money world (both simulators, the observed tax rates, dated Currency Exchange rates)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.money.checks import make_money_world
from tests.sync.world import World


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_money_world(tmp_path)
