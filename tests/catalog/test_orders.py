"""Orders resolve their lines through the bindings: no SKU needed, Items made when missing (issue 15)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.sync.world import World
from woonext.store import NEEDS_REVIEW, SUCCEEDED
from woonext.sync.context import StoreContext
from woonext.sync.items import sync_items
from woonext.sync.orders import Mode, sync_order

BILLING = {"first_name": "Mona", "last_name": "Hassan", "email": "mona@example.test", "phone": "01012345678"}


async def _allow_negative_stock(ctx: StoreContext) -> None:
    await ctx.erp.update("Stock Settings", "Stock Settings", {"allow_negative_stock": 1})


def _order(world: World, *lines: tuple[int, int, int]) -> dict[str, Any]:
    spec = {
        "status": "processing",
        "payment_method": "cod",
        "billing": {**BILLING, "country": "EG"},
        "line_items": [{"product_id": p, "variation_id": v, "quantity": q} for p, v, q in lines],
    }
    return world.woo.create_order(spec)


async def _sync(ctx: StoreContext, order_id: int) -> Any:
    order = await ctx.woo.get_order(order_id)
    assert order is not None
    return await sync_order(ctx, order, Mode.LIVE)


async def test_an_order_whose_lines_have_no_sku_is_invoiced_to_the_cent(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    await _allow_negative_stock(ctx)
    mug, gala, large = cat["mug"]["id"], cat["galabeya"]["id"], cat["L"]["id"]
    placed = _order(world, (mug, 0, 2), (gala, large, 1))
    # the mug has no SKU; the variation has none of its own and shows its parent's — the template's code
    assert [li["sku"] for li in (await ctx.woo.get_order(placed["id"]))["line_items"]] == ["", "GALABEYA"]
    result = await _sync(ctx, placed["id"])  # no items sync ran: create_missing_items makes them now
    assert result.status == SUCCEEDED, result
    [invoice] = world.invoices(woo_order_id=str(placed["id"]))
    codes = [row["item_code"] for row in invoice["items"]]
    assert codes == [f"WOO-{mug}", f"WOO-{gala}-{large}"]
    assert Decimal(str(invoice["grand_total"])) == Decimal(placed["total"])
    assert world.erp.db.get("Item", f"WOO-{gala}-{large}")["variant_of"] == "GALABEYA"


async def test_a_renamed_sku_still_invoices_with_the_bound_item(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    await _allow_negative_stock(ctx)
    await sync_items(ctx)
    world.woo.catalog.products[cat["candle"]["id"]]["sku"] = "CANDLE-NEW"  # no Item has this code
    placed = _order(world, (cat["candle"]["id"], 0, 1))
    assert (await _sync(ctx, placed["id"])).status == SUCCEEDED
    [invoice] = world.invoices(woo_order_id=str(placed["id"]))
    assert [row["item_code"] for row in invoice["items"]] == ["CANDLE-SET-009"]


async def test_without_create_missing_items_the_order_waits_naming_the_product(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    ctx.config.catalog.create_missing_items = False
    placed = _order(world, (cat["mug"]["id"], 0, 1))
    result = await _sync(ctx, placed["id"])
    assert (result.status, result.reason) == (NEEDS_REVIEW, "unknown_product")
    assert "'Plain Mug' (product" in result.detail and "items sync" in result.hint
    assert world.invoices(woo_order_id=str(placed["id"])) == []


async def test_a_refund_of_a_line_without_sku_credits_its_item(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    await _allow_negative_stock(ctx)
    placed = _order(world, (cat["mug"]["id"], 0, 2))
    assert (await _sync(ctx, placed["id"])).status == SUCCEEDED
    line = world.woo.orders[placed["id"]]["line_items"][0]
    world.woo.refund(placed["id"], line_items=[{"id": line["id"], "quantity": 1, "refund_total": "120.00"}])
    assert (await _sync(ctx, placed["id"])).status == SUCCEEDED
    [note] = [d for d in world.invoices() if d.get("is_return")]
    assert [row["item_code"] for row in note["items"]] == [f"WOO-{cat['mug']['id']}"]
    assert Decimal(str(note["grand_total"])) == Decimal("-120.00")
