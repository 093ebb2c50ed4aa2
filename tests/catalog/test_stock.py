"""Stock, ERPNext → WooCommerce (issue 15, part 2): the quantity, the race with orders not invoiced
yet, only differences, batches of 100, and the sweep."""

from __future__ import annotations

from typing import Any

from tests.catalog.conftest import WAREHOUSE, stock_entry
from tests.sync.world import World
from woonext.sync.context import StoreContext
from woonext.sync.items import sync_items
from woonext.sync.orders import Mode, sync_order
from woonext.sync.stock import push_stock

BILLING = {"first_name": "Mona", "last_name": "Hassan", "email": "mona@example.test", "country": "EG"}


def woo_stock(world: World, product: dict[str, Any]) -> Any:
    pool = world.woo.catalog.variations if product.get("parent_id") else world.woo.catalog.products
    return pool[product["id"]]["stock_quantity"]


def batches(world: World) -> list[str]:
    return [path for method, path, _ in world.woo.request_log if method == "POST" and path.endswith("/batch")]


async def test_erpnext_stock_reaches_woocommerce_and_only_differences_are_written(
    world: World, ctx: StoreContext
) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    await sync_items(ctx)
    await stock_entry(ctx, "CANDLE-SET-009", 30)
    await stock_entry(ctx, "GALABEYA-S", 10)  # already 10 in WooCommerce: nothing to write
    await stock_entry(ctx, "GALABEYA-M", 4)
    report = await push_stock(ctx)
    assert sorted((c.binding.erp_name, c.values["stock"]) for c in report.changes) == [
        ("CANDLE-SET-009", 30),
        ("GALABEYA-M", 4),
    ]
    assert (woo_stock(world, cat["candle"]), woo_stock(world, cat["M"]), woo_stock(world, cat["S"])) == (30, 4, 10)
    assert woo_stock(world, cat["mug"]) == 20  # its Bin did not move: not touched
    assert batches(world) == [
        "/wp-json/wc/v3/products/batch",
        f"/wp-json/wc/v3/products/{cat['galabeya']['id']}/variations/batch",
    ]
    erp_before, woo_before = len(world.erp.request_log), len(world.woo.request_log)
    idle = await push_stock(ctx)
    assert idle.changes == [] and len(world.erp.request_log) - erp_before == 1  # an idle sweep: one request
    assert len(world.woo.request_log) == woo_before


async def test_a_sale_woocommerce_counted_is_never_undone(world: World, ctx: StoreContext) -> None:
    """Order placed (WooCommerce 30 → 28), stock pushed before its invoice exists: WooCommerce keeps 28."""
    cat = world.catalog  # type: ignore[attr-defined]
    await sync_items(ctx)
    await stock_entry(ctx, "CANDLE-SET-009", 30)
    await push_stock(ctx)
    spec = {"status": "processing", "payment_method": "cod", "billing": BILLING}
    order = world.woo.create_order({**spec, "line_items": [{"product_id": cat["candle"]["id"], "quantity": 2}]})
    assert woo_stock(world, cat["candle"]) == 28
    await stock_entry(ctx, "CANDLE-SET-009", 5)  # a receipt in ERPNext before the invoice: 35 there
    report = await push_stock(ctx)
    assert report.held == {(cat["candle"]["id"], 0): 2}
    assert woo_stock(world, cat["candle"]) == 33  # 35 less the 2 WooCommerce already sold, not 35
    result = await sync_order(ctx, await ctx.woo.get_order(order["id"]), Mode.LIVE)  # the invoice: ERPNext 33
    assert result.status == "Succeeded" and world.erp.db.bins[("CANDLE-SET-009", WAREHOUSE)] == 33
    writes = len(batches(world))
    after = await push_stock(ctx)
    assert after.held == {} and woo_stock(world, cat["candle"]) == 33 and len(batches(world)) == writes


async def test_an_order_waiting_on_hold_holds_its_units_and_a_cancelled_one_gives_them_back(
    world: World, ctx: StoreContext
) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    await sync_items(ctx)
    await stock_entry(ctx, "CANDLE-SET-009", 30)
    await push_stock(ctx)
    spec = {"status": "on-hold", "payment_method": "cod", "billing": BILLING}
    order = world.woo.create_order({**spec, "line_items": [{"product_id": cat["candle"]["id"], "quantity": 3}]})
    await sync_order(ctx, await ctx.woo.get_order(order["id"]), Mode.LIVE)  # skipped: waiting for payment
    world.db.set_cursor("main", "orders", {"modified_gmt": "2030-01-01T00:00:00", "id": 0})  # seen long ago
    await stock_entry(ctx, "CANDLE-SET-009", 1)
    assert (await push_stock(ctx)).held == {(cat["candle"]["id"], 0): 3}
    assert woo_stock(world, cat["candle"]) == 28  # 31 in ERPNext, 3 held by the on-hold order
    world.woo.cancel(order["id"])  # WooCommerce restores: 31
    await stock_entry(ctx, "CANDLE-SET-009", 1)
    assert (await push_stock(ctx)).held == {} and woo_stock(world, cat["candle"]) == 32


async def test_buffer_and_products_that_do_not_manage_stock(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    ctx.config.stock.buffer = 2
    await sync_items(ctx)
    await stock_entry(ctx, "CANDLE-SET-009", 30)
    world.woo.catalog.products[cat["mug"]["id"]].update(manage_stock=False, stock_quantity=None)
    await sync_items(ctx, product_ids=[cat["mug"]["id"]])
    await stock_entry(ctx, f"WOO-{cat['mug']['id']}", 7)
    report = await push_stock(ctx)
    assert [(c.binding.erp_name, c.values) for c in report.changes] == [("CANDLE-SET-009", {"stock": 28})]
    assert world.woo.catalog.products[cat["mug"]["id"]]["stock_quantity"] is None


async def test_250_changes_go_out_as_3_requests(world: World, ctx: StoreContext) -> None:
    for n in range(250):
        world.woo.add_product(f"Soap {n}", f"SOAP-{n:03d}", "35.00", manage_stock=True, stock_quantity=0)
    await sync_items(ctx)
    rows = [{"item_code": f"SOAP-{n:03d}", "warehouse": WAREHOUSE, "qty": 5, "valuation_rate": 10} for n in range(250)]
    await ctx.erp.insert(
        "Stock Reconciliation",
        {"company": "Jarz Test", "purpose": "Stock Reconciliation", "docstatus": 1, "items": rows},
    )
    before = len(batches(world))
    report = await push_stock(ctx)
    assert len(report.changes) == 250 and len(batches(world)) - before == 3
    assert all(p["stock_quantity"] == 5 for p in world.woo.catalog.products.values() if p["sku"].startswith("SOAP"))


async def test_dry_run_plans_and_writes_nothing(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    await sync_items(ctx)
    await stock_entry(ctx, "CANDLE-SET-009", 30)
    plan = await push_stock(ctx, dry_run=True)
    assert [(c.binding.erp_name, c.before, c.values) for c in plan.changes] == [
        ("CANDLE-SET-009", {"stock": 50}, {"stock": 30})
    ]
    assert batches(world) == [] and woo_stock(world, cat["candle"]) == 50
    assert world.db.get_cursor("main", "stock") is None  # the real run still sees the change
    assert len((await push_stock(ctx)).changes) == 1


async def test_push_all_rereads_woocommerce_and_repairs_a_drift(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    await sync_items(ctx)
    await stock_entry(ctx, "CANDLE-SET-009", 30)
    await push_stock(ctx)
    world.woo.catalog.products[cat["candle"]["id"]]["stock_quantity"] = 99  # edited by hand in WooCommerce
    assert (await push_stock(ctx)).changes == []  # no Bin moved: the sweep has nothing to say
    report = await push_stock(ctx, everything=True)
    assert ("CANDLE-SET-009", 30) in [(c.binding.erp_name, c.values["stock"]) for c in report.changes]
    assert woo_stock(world, cat["candle"]) == 30
