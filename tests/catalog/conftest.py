"""A world for the catalog bridge: a WooCommerce store with simple, SKU-less, virtual and variable
products (stock managed or not), an ERPNext seeded like the sync tests' one, `woonext setup` done."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sync.world import World, make_world
from woonext.runtime.web import create_app
from woonext.sync.context import StoreContext
from woonext.sync.setup import run_setup

ERP_SECRET = "erp-s3cret"
BASE = "http://woonext.test"
WAREHOUSE = "Jarz Main - JT"


def add_catalog(world: World) -> dict[str, Any]:
    woo = world.woo
    home = [{"id": 21, "name": "Home", "slug": "home"}]
    candle = woo.add_product(
        "Scented Candle Set", "CANDLE-SET-009", "449.99", manage_stock=True, stock_quantity=50, categories=home
    )
    mug = woo.add_product("Plain Mug", "", "120.00", manage_stock=True, stock_quantity=20, categories=home)
    card = woo.add_product("Gift Card", "", "100.00", virtual=True, categories=[])
    size = {"id": 1, "name": "Size", "slug": "pa_size", "variation": True, "options": ["S", "M", "L"]}
    clothing = [{"id": 22, "name": "Clothing", "slug": "clothing"}]
    galabeya = woo.add_product(
        "Classic Galabeya", "GALABEYA", "0", product_type="variable", attributes=[size], categories=clothing
    )
    variations = {
        option: woo.add_variation(
            galabeya["id"],
            f"GALABEYA-{option}" if option != "L" else "",
            "350.00",
            [{"id": 1, "name": "Size", "option": option}],
            manage_stock=True,
            stock_quantity=10,
        )
        for option in ("S", "M", "L")
    }
    return {"candle": candle, "mug": mug, "card": card, "galabeya": galabeya, **variations}


async def set_up(world: World) -> None:
    ctx = world.context()
    await run_setup(ctx)
    await ctx.erp.update("Company", "Jarz Test", {"custom_kashier_account": "Kashier - JT"})
    await ctx.aclose()


@pytest.fixture
async def world(tmp_path: Path) -> World:
    built = make_world(tmp_path, [], store={"erpnext_webhook_secret": ERP_SECRET})
    built.catalog = add_catalog(built)  # type: ignore[attr-defined]
    await set_up(built)
    return built


@pytest.fixture
async def ctx(world: World) -> Any:
    context = world.context()
    yield context
    await context.aclose()


def writes(world: World, target: str = "erp") -> list[tuple[str, str, int]]:
    log = world.erp.request_log if target == "erp" else world.woo.request_log
    return [r for r in log if r[0] in ("POST", "PUT", "DELETE")]


def client(world: World) -> httpx.AsyncClient:
    app = create_app(world.config, world.db)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


async def stock_entry(ctx: StoreContext, item_code: str, qty: int, purpose: str = "Material Receipt") -> dict[str, Any]:
    side = "t_warehouse" if purpose == "Material Receipt" else "s_warehouse"
    row = {"item_code": item_code, side: WAREHOUSE, "qty": qty, "basic_rate": 10}
    return await ctx.erp.insert(
        "Stock Entry", {"stock_entry_type": purpose, "company": "Jarz Test", "docstatus": 1, "items": [row]}
    )
