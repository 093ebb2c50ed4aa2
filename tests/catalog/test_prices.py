"""Prices, ERPNext → WooCommerce (issue 15, part 3): regular and sale price lists, only changes,
the Item Price webhook (on_update for inserts and changes, on_trash for a price taken away)."""

from __future__ import annotations

import httpx

from tests.catalog.conftest import BASE
from tests.sync.world import World
from woonext.runtime.erp_install import install_erpnext
from woonext.runtime.web import create_app
from woonext.runtime.worker import Worker
from woonext.store import events as queue
from woonext.sync.context import StoreContext
from woonext.sync.items import sync_items
from woonext.sync.prices import push_prices


async def _price(ctx: StoreContext, code: str, rate: float, price_list: str = "Standard Selling") -> dict:
    return await ctx.erp.insert("Item Price", {"item_code": code, "price_list": price_list, "price_list_rate": rate})


async def test_selling_prices_reach_woocommerce_once(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    await sync_items(ctx)
    await _price(ctx, "CANDLE-SET-009", 449.99)  # what WooCommerce already asks: nothing to write
    await _price(ctx, "GALABEYA-S", 375)
    report = await push_prices(ctx)
    assert [(c.binding.erp_name, c.values) for c in report.changes] == [("GALABEYA-S", {"regular_price": "375.00"})]
    assert world.woo.catalog.variations[cat["S"]["id"]]["regular_price"] == "375.00"
    again = await push_prices(ctx)
    assert again.changes == [] and again.rows == 0


async def test_a_sale_price_list_sets_and_ends_sales(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    await ctx.erp.insert("Price List", {"price_list_name": "Eid Sale", "currency": "EGP", "selling": 1, "enabled": 1})
    ctx.config.prices.sale_price_list = "Eid Sale"
    await sync_items(ctx)
    sale = await _price(ctx, "CANDLE-SET-009", 399, "Eid Sale")
    await push_prices(ctx)
    candle = world.woo.catalog.products[cat["candle"]["id"]]
    assert (candle["sale_price"], candle["price"], candle["on_sale"]) == ("399.00", "399.00", True)
    await ctx.erp.delete("Item Price", sale["name"])
    report = await push_prices(ctx, item_codes=["CANDLE-SET-009"])  # what the on_trash webhook queues
    assert [c.values for c in report.changes] == [{"sale_price": ""}]
    assert (candle["sale_price"], candle["regular_price"], candle["on_sale"]) == ("", "449.99", False)


async def test_an_item_price_change_reaches_woocommerce_through_the_webhook(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    await sync_items(ctx)
    await push_prices(ctx)  # the cursor starts here
    await install_erpnext(ctx, BASE)
    world.erp.webhook_transport = httpx.ASGITransport(app=create_app(world.config, world.db))
    price = await _price(ctx, "CANDLE-SET-009", 470)
    await ctx.erp.update("Item Price", price["name"], {"price_list_rate": 480})
    world.clock.advance(1)
    await world.erp.run_webhooks(now=False)
    worker = Worker(world.config, world.db, world.transports())
    while await worker.run_once() is not None:
        pass
    await worker.aclose()
    events = [e for e in queue.list_events(world.db) if e.kind == "price"]
    assert len(events) == 1 and events[0].status == "Succeeded"  # the insert and the change: one sweep
    assert world.woo.catalog.products[cat["candle"]["id"]]["regular_price"] == "480.00"


async def test_dry_run_shows_the_plan_and_writes_nothing(world: World, ctx: StoreContext) -> None:
    await sync_items(ctx)
    await _price(ctx, "GALABEYA-M", 360)
    plan = await push_prices(ctx, dry_run=True)
    assert [(c.binding.erp_name, c.before, c.values) for c in plan.changes] == [
        ("GALABEYA-M", {"regular_price": "350.00"}, {"regular_price": "360.00"})
    ]
    assert not [r for r in world.woo.request_log if r[0] == "POST"]
    assert world.db.get_cursor("main", "prices") is None
