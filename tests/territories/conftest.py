"""A generated store (zones for several governorates and postcodes) and an ERPNext, wired in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from woonext.config import Config
from woonext.sim.serve import SimPair, build_pair
from woonext.store import StateDB
from woonext.sync.context import StoreContext, Transports, open_store
from woonext.sync.setup import run_setup

WOO_URL = "http://woo.test"
ERP_URL = "http://erp.test"


@dataclass
class Shop:
    pair: SimPair
    config: Config
    db: StateDB

    def context(self) -> StoreContext:
        """A fresh context (one run: its own caches)."""
        transports = Transports(
            woo=httpx.ASGITransport(app=self.pair.woo.app), erpnext=httpx.ASGITransport(app=self.pair.erp.app)
        )
        return open_store(self.config, self.config.stores[0], self.db, transports)

    def territories(self) -> dict[str, dict[str, Any]]:
        return {str(d["name"]): d for d in self.pair.erp.db.all("Territory")}

    def erp_writes(self) -> list[tuple[str, str, int]]:
        return [r for r in self.pair.erp.request_log if r[0] in ("POST", "PUT", "DELETE")]


def make_shop(tmp_path: Path, orders: int = 120, store: dict[str, Any] | None = None) -> Shop:
    pair = build_pair(seed=4, orders=orders, woo_url=WOO_URL)
    raw = pair.config(WOO_URL, ERP_URL, state_url=f"sqlite:///{tmp_path / 'state.sqlite'}")
    raw["stores"][0].update(store or {})
    config = Config.model_validate(raw)
    return Shop(pair, config, StateDB.open(config.state_url))


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    made = make_shop(tmp_path)
    ctx = made.context()
    try:
        await run_setup(ctx)
    finally:
        await ctx.aclose()
    yield made
    made.db.close()
