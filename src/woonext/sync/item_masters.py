"""The masters Items hang on: Item Groups (one per WooCommerce category, under a configurable root)
and Item Attributes with the values the variations use. Read once per run, created or extended only
when something is missing (the setup wizard's "Size" and "Colour" already exist: sample 66)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from woonext.erpnext.errors import ErpError
from woonext.mapping.catalog import new_attribute_values
from woonext.mapping.errors import MappingError
from woonext.sync.context import StoreContext
from woonext.sync.erp_lists import get_list_in

DUPLICATE = ("DuplicateEntryError", "UniqueValidationError")


@dataclass
class MastersCache:
    """What this run knows of ERPNext's Item Groups and Item Attributes (name → values)."""

    groups: set[str] = field(default_factory=set)
    attributes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    root_checked: bool = False


def _cache(ctx: StoreContext) -> MastersCache:
    cache = ctx.cache.catalog.get("masters")
    if not isinstance(cache, MastersCache):
        cache = ctx.cache.catalog["masters"] = MastersCache()
    return cache


async def ensure_groups(ctx: StoreContext, names: set[str], *, dry_run: bool) -> list[str]:
    """Create the category Item Groups that do not exist yet; returns the names (to be) created."""
    cache = _cache(ctx)
    unknown = names - cache.groups
    if not unknown:
        return []
    found = {str(r["name"]) for r in await get_list_in(ctx, "Item Group", "name", unknown, fields=["name"])}
    cache.groups |= found
    missing = sorted(unknown - found)
    if missing and not dry_run:
        await _check_root(ctx, cache)
        for name in missing:
            try:
                await ctx.erp.insert(
                    "Item Group", {"item_group_name": name, "parent_item_group": ctx.config.catalog.item_group_root}
                )
            except ErpError as exc:
                if exc.exc_type not in DUPLICATE:
                    raise
            cache.groups.add(name)
    return missing


async def _check_root(ctx: StoreContext, cache: MastersCache) -> None:
    if cache.root_checked:
        return
    root = ctx.config.catalog.item_group_root
    doc = await ctx.erp.get_doc("Item Group", root)
    if doc is None or not doc.get("is_group"):
        raise MappingError(
            "no_item_group_root",
            f"Item Group {root!r} does not exist in ERPNext or is not a group",
            "create it as a group Item Group, or set [stores.catalog] item_group_root to one",
        )
    cache.root_checked = True


async def ensure_attributes(ctx: StoreContext, wanted: dict[str, set[str]], *, dry_run: bool) -> list[str]:
    """Every Item Attribute exists and offers the values wanted; returns what was (to be) done. A dry
    run reads and plans only (the run's cache keeps what ERPNext has, not what was planned)."""
    cache = _cache(ctx)
    done: list[str] = []
    for name in sorted(wanted):
        values = sorted(wanted[name])
        if name not in cache.attributes:
            doc = await ctx.erp.get_doc("Item Attribute", name)
            if doc is not None:
                cache.attributes[name] = list(doc.get("item_attribute_values") or [])
        current = cache.attributes.get(name)
        if current is None:
            rows = new_attribute_values([], values)
            done.append(f"create Item Attribute {name!r} ({', '.join(values)})")
            if not dry_run:
                cache.attributes[name] = await _create_attribute(ctx, name, rows)
            continue
        rows = new_attribute_values(current, values)
        if rows:
            done.append(f"add {', '.join(r['attribute_value'] for r in rows)} to Item Attribute {name!r}")
            if not dry_run:
                saved = await ctx.erp.update("Item Attribute", name, {"item_attribute_values": [*current, *rows]})
                cache.attributes[name] = list(saved.get("item_attribute_values") or [*current, *rows])
    return done


async def _create_attribute(ctx: StoreContext, name: str, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    try:
        doc = await ctx.erp.insert("Item Attribute", {"attribute_name": name, "item_attribute_values": rows})
        return list(doc.get("item_attribute_values") or rows)
    except ErpError as exc:
        if exc.exc_type not in DUPLICATE:
            raise
    # made meanwhile (or by the wizard under another case): extend it instead
    existing = list((await ctx.erp.get_doc("Item Attribute", name) or {}).get("item_attribute_values") or [])
    more = new_attribute_values(existing, [r["attribute_value"] for r in rows])
    if not more:
        return existing
    saved = await ctx.erp.update("Item Attribute", name, {"item_attribute_values": [*existing, *more]})
    return list(saved.get("item_attribute_values") or [*existing, *more])
