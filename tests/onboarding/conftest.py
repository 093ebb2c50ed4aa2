"""In-process onboarding: a bare pair of simulators, `init`'s proposal rendered and loaded as the
configuration, and a store context on it (the CLI tests run the same against real ports)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from woonext.config import Config, load_config
from woonext.config_render import Connection, render_config
from woonext.mapping.onboard_plan import Proposal
from woonext.sim.serve import SimPair, build_pair
from woonext.store import StateDB
from woonext.sync.context import StoreContext, Transports, open_store
from woonext.sync.onboard import Credentials, investigate, propose

WOO_URL, ERP_URL = "http://woo.test", "http://erp.test"


@dataclass
class Onboarded:
    pair: SimPair
    proposal: Proposal
    config: Config
    ctx: StoreContext


def transports(pair: SimPair) -> Transports:
    return Transports(woo=httpx.ASGITransport(app=pair.woo.app), erpnext=httpx.ASGITransport(app=pair.erp.app))


async def onboard(tmp_path: Path, orders: int = 60, seed: int = 5) -> Onboarded:
    pair = build_pair(seed, orders, woo_url=WOO_URL, erpnext_state="bare", clock=None)
    creds = Credentials(
        ERP_URL, SecretStr(pair.erp_key), SecretStr(pair.erp_secret), WOO_URL, SecretStr(pair.woo_key),
        SecretStr(pair.woo_secret),
    )  # fmt: skip
    findings = await investigate(creds, transports(pair))
    proposal = propose(findings, "Jarz Test", "main")
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name, value in (("erp", pair.erp_secret), ("woo", pair.woo_secret), ("hook", "whsec")):
        (secrets / name).write_text(value)
    connection = Connection(
        ERP_URL, pair.erp_key, "secrets/erp", WOO_URL, pair.woo_key, "secrets/woo", "secrets/hook",
        state_url=f"sqlite:///{tmp_path / 'state.sqlite'}",
    )  # fmt: skip
    path = tmp_path / "cfg.toml"
    path.write_text(render_config(proposal, connection))
    config = load_config(path)
    db = StateDB.open(config.state_url, clock=pair.erp.clock)
    return Onboarded(pair, proposal, config, open_store(config, config.stores[0], db, transports(pair)))


@pytest.fixture
async def onboarded(tmp_path: Path) -> AsyncIterator[Onboarded]:
    done = await onboard(tmp_path)
    yield done
    await done.ctx.aclose()
    done.ctx.db.close()
