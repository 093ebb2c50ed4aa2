"""Items for the store's products in `setup --apply`: the catalog sync (`woonext items sync`,
sync/items.py, docs/catalog.md) does it — templates, variants, item groups and attributes, bound to the
products by id. Setup lists what that sync would do (its dry run) and then runs it."""

from __future__ import annotations

from dataclasses import dataclass, field

from woonext.mapping.errors import MappingError
from woonext.sync.context import StoreContext
from woonext.sync.discover import Product
from woonext.sync.erp_lists import get_list_in
from woonext.sync.items import ensure_item_fields, sync_items


@dataclass
class ItemsOutcome:
    summary: str = ""
    failed: list[str] = field(default_factory=list)


async def missing_skus(ctx: StoreContext, products: list[Product]) -> list[str]:
    """The SKUs ERPNext has no Item for (asked in request-line-sized parts, sample 103)."""
    skus = sorted({p.sku for p in products})
    found = await get_list_in(ctx, "Item", "name", skus, fields=["name"])
    return sorted(set(skus) - {str(row["name"]) for row in found})


async def items_preview(ctx: StoreContext, products: list[Product]) -> list[str]:
    """What the catalog sync would create or change, one line each; [] when the Items are in step.
    Before `setup` made the Item fields the sync cannot plan in detail: one line says how many SKUs
    have no Item yet."""
    try:
        await ensure_item_fields(ctx)
    except MappingError:
        missing = await missing_skus(ctx, products)
        if not missing:
            return []
        return [
            f"Items for the store's {len(products)} products and variations through the catalog sync (templates, "
            f"variants, groups, attributes; docs/catalog.md): {len(missing)} SKUs have no Item yet"
        ]
    report = await sync_items(ctx, dry_run=True, full=True)
    lines = list(report.masters)
    for action in report.actions:
        if action.action != "unchanged":
            detail = f": {action.detail}" if action.detail else ""
            lines.append(f"{action.action} Item {action.item_code!r} for {action.kind} {action.woo_id}{detail}")
    return lines


async def sync_store_items(ctx: StoreContext) -> ItemsOutcome:
    """Run the catalog sync over every product (after the custom fields exist)."""
    report = await sync_items(ctx, full=True)
    failed = [f"Item {a.item_code!r} ({a.kind} {a.woo_id}): {a.detail}" for a in report.failed]
    return ItemsOutcome(report.summary(), failed)
