"""`items sync`: products and variations → Items, bound by WooCommerce id (issue 15, part 1)."""

from __future__ import annotations

from typing import Any

from tests.catalog.conftest import writes
from tests.sync.world import World
from woonext.store import NEEDS_REVIEW
from woonext.sync.context import StoreContext
from woonext.sync.items import sync_items


def items(world: World) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in world.erp.db.all("Item") if d["name"] not in ("Shipping", "Fee", "Refund")}


async def test_products_become_items_templates_and_variants(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    report = await sync_items(ctx)
    assert report.count("created") == 7 and not report.failed
    made = items(world)
    assert set(made) == {"CANDLE-SET-009", f"WOO-{cat['mug']['id']}", f"WOO-{cat['card']['id']}", "GALABEYA"} | {
        "GALABEYA-S",
        "GALABEYA-M",
        f"WOO-{cat['galabeya']['id']}-{cat['L']['id']}",  # a variation without its own SKU
    }
    candle, card, template = made["CANDLE-SET-009"], made[f"WOO-{cat['card']['id']}"], made["GALABEYA"]
    assert (candle["item_group"], candle["is_stock_item"], candle["woo_product_id"]) == (
        "Home",
        1,
        str(cat["candle"]["id"]),
    )
    assert (card["is_stock_item"], card["item_group"]) == (0, "Products")  # virtual; no category → default group
    assert template["has_variants"] == 1 and [a["attribute"] for a in template["attributes"]] == ["Size"]
    small = made["GALABEYA-S"]
    assert small["variant_of"] == "GALABEYA" and small["woo_variation_id"] == str(cat["S"]["id"])
    assert [(a["attribute"], a["attribute_value"]) for a in small["attributes"]] == [("Size", "S")]
    # the wizard's "Size" (Small, Medium, …) got the WooCommerce options as values; the groups were made
    size = {v["attribute_value"] for v in world.erp.db.get("Item Attribute", "Size")["item_attribute_values"]}
    assert {"S", "M", "L", "Small"} <= size
    assert world.erp.db.get("Item Group", "Clothing")["parent_item_group"] == "All Item Groups"
    binding = world.db.get_binding("main", "variation", cat["S"]["id"])
    assert binding.erp_name == "GALABEYA-S" and binding.data["parent"] == cat["galabeya"]["id"]
    assert binding.data["stock"] == 10 and binding.data["manage_stock"] is True


async def test_a_second_sync_writes_nothing(world: World, ctx: StoreContext) -> None:
    await sync_items(ctx)
    before = len(writes(world))
    report = await sync_items(ctx)
    assert report.writes == 0 and report.count("unchanged") == 7
    assert writes(world)[before:] == []


async def test_a_renamed_sku_keeps_its_binding_and_its_item(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    await sync_items(ctx)
    product = world.woo.catalog.products[cat["candle"]["id"]]
    product.update(sku="CANDLE-2025", name="Scented Candle Set (3 pack)")
    report = await sync_items(ctx, product_ids=[cat["candle"]["id"]])
    assert [(a.action, a.item_code) for a in report.actions] == [("updated", "CANDLE-SET-009")]
    assert "CANDLE-2025" not in items(world)
    assert items(world)["CANDLE-SET-009"]["item_name"] == "Scented Candle Set (3 pack)"


async def test_an_existing_item_with_the_same_code_is_linked_not_duplicated(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    await ctx.erp.insert("Item", {"item_code": "CANDLE-SET-009", "item_name": "Candles", "item_group": "Products"})
    report = await sync_items(ctx)
    assert ("linked", "CANDLE-SET-009") in [(a.action, a.item_code) for a in report.actions]
    candle = items(world)["CANDLE-SET-009"]
    assert candle["item_name"] == "Candles"  # the shop's own Item is adopted, not overwritten
    assert candle["woo_product_id"] == str(cat["candle"]["id"])
    assert sum(1 for name in items(world) if name.startswith("CANDLE")) == 1


async def test_dry_run_plans_and_writes_nothing(world: World, ctx: StoreContext) -> None:
    before = len(writes(world))
    report = await sync_items(ctx, dry_run=True)
    assert report.count("create") == 7 and "add L, M, S to Item Attribute 'Size'" in report.masters
    assert "create Item Group 'Clothing'" in report.masters
    assert writes(world)[before:] == [] and items(world) == {}
    assert world.db.bindings("main", "product") == [] and world.db.get_cursor("main", "products") is None


async def test_a_refused_item_costs_only_its_product(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    world.woo.catalog.products[cat["mug"]["id"]]["categories"] = []
    ctx.config.catalog.item_groups["Home"] = "No Such Group"  # candle → an Item Group ERPNext lacks
    report = await sync_items(ctx)
    assert [a.item_code for a in report.failed] == ["CANDLE-SET-009"]
    assert "Item Group" in report.failed[0].detail
    assert f"WOO-{cat['mug']['id']}" in items(world) and "GALABEYA-S" in items(world)
    outcome = world.db.outcome("main", "product", cat["candle"]["id"])
    assert outcome.status == NEEDS_REVIEW and outcome.reason == "item_refused"
    ctx.config.catalog.item_groups.pop("Home")
    again = await sync_items(ctx, full=True)
    assert not again.failed and "CANDLE-SET-009" in items(world)
    assert world.db.outcome("main", "product", cat["candle"]["id"]).status == "Succeeded"


async def test_a_variation_with_an_any_option_is_a_plain_item(world: World, ctx: StoreContext) -> None:
    cat = world.catalog  # type: ignore[attr-defined]
    world.woo.catalog.variations[cat["M"]["id"]]["attributes"] = []  # "any Size"
    report = await sync_items(ctx)
    assert not report.failed
    medium = items(world)["GALABEYA-M"]
    assert not medium.get("variant_of") and medium["woo_variation_id"] == str(cat["M"]["id"])
