"""WooCommerce simulators and one ERPNext simulator served on real loopback ports, and a woonext
configuration pointing at them: flows talk HTTP over sockets exactly as against real servers (request
lines, OAuth over plain http, connection handling). For the behaviours that are HTTP (issue 13 items 1,
3, 6, 7)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest.mock import patch

from click.testing import Result
from typer.testing import CliRunner

from tests.cfg import write_config
from tests.ports import free_port, serving
from tests.sync.world import WORLD_START, jarz_masters
from woonext.cli import app
from woonext.clock import SystemClock
from woonext.config import Config
from woonext.sim.clock import SimClock
from woonext.sim.erpnext import ErpSim, ErpSimConfig
from woonext.sim.woo import WooSim, WooSimConfig
from woonext.store import StateDB
from woonext.sync.context import StoreContext, open_store
from woonext.sync.setup import run_setup

SKUS = ("TSHIRT-EG-001", "MUG-EG-002", "CAP-EG-003")


@dataclass
class RealWorld:
    woo: dict[str, WooSim]  # by store name
    erp: ErpSim
    erp_url: str
    config: Config
    db: StateDB
    clock: SimClock
    tmp_path: Path
    contexts: list[StoreContext] = field(default_factory=list)

    def context(self, store: str = "main", config: Config | None = None, db: StateDB | None = None) -> StoreContext:
        """A store context over real HTTP (no in-process transports); closed with the world."""
        config = config or self.config
        ctx = open_store(config, config.store(store), db or self.db)
        self.contexts.append(ctx)
        return ctx

    def store_config(self, **changes: Any) -> Config:
        """The same configuration with `changes` applied to every store (e.g. customer_scope)."""
        data = self.config.model_dump()
        data["stores"] = [{**s, **changes} for s in data["stores"]]
        return Config.model_validate(data)

    async def cli(self, *args: str, config: Config | None = None) -> Result:
        """`woonext --config <this world's config> ARGS` as a person runs it, in a thread (the CLI runs
        its own event loop while the simulators serve from this one), on the world's clock (the shop
        checks OAuth timestamps against its own)."""
        cfg = write_config(config or self.config, self.tmp_path / "woonext.toml")
        with patch.object(SystemClock, "now", lambda _: self.clock.now()):
            return await asyncio.to_thread(
                CliRunner().invoke, app, ["--config", str(cfg), *args], env={"COLUMNS": "400"}
            )

    def product(self, store: str = "main") -> dict[str, Any]:
        """The store's T-shirt (SKU `SKUS[0]`), added on first use."""
        woo = self.woo[store]
        product = next((p for p in woo.catalog.products.values() if p.get("sku") == SKUS[0]), None)
        return product or woo.add_product("Egyptian Cotton T-Shirt", sku=SKUS[0], price="450.00")

    def new_order(
        self, store: str = "main", method: str = "cod", status: str = "processing", **spec: Any
    ) -> dict[str, Any]:
        woo = self.woo[store]
        product = self.product(store)
        body = {
            "line_items": [{"product_id": product["id"], "quantity": 1}],
            "payment_method": method,
            "payment_method_title": method,
            "status": status,
            "billing": {
                "first_name": "Mona",
                "last_name": "Adel",
                "email": "mona@example.test",
                "phone": "01012345678",
                "address_1": "12 Nile St",
                "city": "Cairo",
                "country": "EG",
            },
            **spec,
        }
        if method.startswith("kashier"):
            body.setdefault("transaction_id", f"KSH-{len(woo.orders) + 1}")
        return woo.create_order(body, created_via="checkout")


@asynccontextmanager
async def real_world(
    tmp_path: Path, stores: tuple[str, ...] = ("main",), stock: bool = True, **store: Any
) -> AsyncIterator[RealWorld]:
    """One ERPNext simulator and one WooCommerce simulator per store, all on free ports, set up
    (`stock=False`: a fresh site, no stock in the warehouse)."""
    clock = SimClock.running_from(WORLD_START)
    ports = {name: free_port() for name in stores}
    woos = {name: WooSim(WooSimConfig(home_url=f"http://127.0.0.1:{port}"), clock) for name, port in ports.items()}
    erp = ErpSim(ErpSimConfig(), clock)
    masters = jarz_masters(SKUS)
    if not stock:
        masters.stock = {}
    erp.seed(masters)
    key, secret = erp.create_api_user("Administrator")
    erp_port = free_port()
    store_configs = []
    for name, woo in woos.items():
        ck, cs = woo.create_key("read_write")
        store_configs.append(
            {
                "name": name,
                "url": f"http://127.0.0.1:{ports[name]}",
                "consumer_key": ck,
                "consumer_secret": cs,
                "webhook_secret": "s3cret",
                "company": "Jarz Test",
                "warehouse": "Jarz Main - JT",
                "currency": "EGP",
                "country": "EG",
                **store,
            }
        )
    config = Config.model_validate(
        {
            "state_url": f"sqlite:///{tmp_path / 'state.sqlite'}",
            "erpnext": {"url": f"http://127.0.0.1:{erp_port}", "api_key": key, "api_secret": secret},
            "stores": store_configs,
        }
    )
    db = StateDB.open(config.state_url, clock)
    async with serving(erp.app, *(w.app for w in woos.values()), ports=[erp_port, *ports.values()]):
        world = RealWorld(woos, erp, f"http://127.0.0.1:{erp_port}", config, db, clock, tmp_path)
        try:
            ctx = world.context(stores[0])
            await run_setup(ctx)
            await ctx.erp.update("Company", "Jarz Test", {"custom_kashier_account": "Kashier - JT"})
            await ctx.erp.update("Stock Settings", "Stock Settings", {"auto_insert_price_list_rate_if_missing": 0})
            yield world
        finally:
            for ctx in world.contexts:
                await ctx.aclose()
            db.close()
