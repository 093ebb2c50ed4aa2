"""Fixtures for the WooCommerce simulator tests: in-process HTTP through httpx.ASGITransport."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.fixtures import REAL
from woocommerce.oauth import OAuth

from woonext.sim.clock import SimClock
from woonext.sim.woo import WooSim, WooSimConfig

REFERENCE = REAL
REAL = REFERENCE / "woocommerce-real-samples"
DOCS = REFERENCE / "woocommerce-docs-examples"
HOME = "http://127.0.0.1:8080"  # the real store's home URL in the samples
START = datetime(2026, 11, 25, 4, 30, tzinfo=UTC)


def load(path: Path) -> Any:
    if not path.exists():
        raise FileNotFoundError(f"reference sample missing: {path}")
    return json.loads(path.read_text())


def real(name: str) -> Any:
    return load(REAL / name)


def make_sim(**overrides: Any) -> WooSim:
    config = WooSimConfig(home_url=overrides.pop("home_url", HOME), **overrides)
    return WooSim(config, clock=SimClock(START))


def client(sim: WooSim) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url=sim.home)


def oauth_url(sim: WooSim, path: str, ck: str, cs: str, method: str = "GET") -> str:
    """A URL signed by the official `woocommerce` client's OAuth code (an independent implementation)."""
    stamp = int(sim.clock.now().timestamp())
    return OAuth(f"{sim.home}{path}", ck, cs, version="wc/v3", method=method, oauth_timestamp=stamp).get_oauth_url()


@pytest.fixture
def sim() -> WooSim:
    return make_sim()


@pytest.fixture
def https_sim() -> WooSim:
    return make_sim(https=True)


@pytest.fixture
async def http(sim: WooSim) -> AsyncIterator[httpx.AsyncClient]:
    async with client(sim) as c:
        yield c


@pytest.fixture
def keys(sim: WooSim) -> tuple[str, str]:
    return sim.create_key("read_write")


@pytest.fixture
def signed(sim: WooSim, keys: tuple[str, str]) -> Callable[..., str]:
    def sign(path: str, method: str = "GET") -> str:
        return oauth_url(sim, path, keys[0], keys[1], method)

    return sign


def seed_catalog(sim: WooSim) -> dict[str, Any]:
    """A small store like the real one: VAT 14 %, a simple product, a variable one."""
    sim.add_tax_rate("14.0000", "VAT", country="EG")
    shirt = sim.add_product("Egyptian Cotton T-Shirt", "TSHIRT-EG-001", "450.00")
    wallet = sim.add_product("Handmade Leather Wallet", "WALLET-LTH-002", "749.99")
    box = sim.add_product("Dates Gift Box", "DATES-BOX", "0", product_type="variable")
    kilo = sim.add_variation(box["id"], "DATES-1000", "399.99", [{"name": "Weight", "slug": "weight", "option": "1kg"}])
    return {"shirt": shirt, "wallet": wallet, "box": box, "kilo": kilo}
