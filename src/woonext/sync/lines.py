"""Which ERPNext Item each line of an order is (docs/catalog.md, "Orders").

In order: the product's (or variation's) binding — a line without a SKU, or whose SKU was renamed
in WooCommerce, still finds its Item —; else an Item whose code is the line's SKU (one ERPNext read
per run for all unknown SKUs); else, with `create_missing_items`, the product is synced now and its
new Item used; else the order waits NeedsReview naming the products it lacks.
"""

from __future__ import annotations

from typing import Any

from woonext.mapping.errors import MappingError
from woonext.mapping.lines import line_key, with_item_codes
from woonext.sync.context import StoreContext
from woonext.sync.items import item_for_line
from woonext.sync.items_apply import PRODUCT, VARIATION


async def known_skus(ctx: StoreContext, skus: set[str]) -> set[str]:
    """The SKUs that are codes of ERPNext Items an invoice can use (checked in one request for all
    unknown ones). A template is not one: a variation without its own SKU shows its parent's, which
    may be the template's code."""
    unknown = skus - ctx.cache.items - ctx.cache.missing_items
    if unknown:
        rows = await ctx.erp.get_list(
            "Item", filters=[["name", "in", sorted(unknown)]], fields=["name", "has_variants"], limit=0
        )
        found = {str(r["name"]) for r in rows if not r.get("has_variants")}
        ctx.cache.items |= found
        ctx.cache.missing_items |= unknown - found
    return skus & ctx.cache.items


async def _bound(ctx: StoreContext, line: dict[str, Any]) -> str:
    product_id, variation_id = line_key(line)
    kind, remote = (VARIATION, variation_id) if variation_id else (PRODUCT, product_id)
    if not remote:
        return ""
    binding = await ctx.state.get_binding(ctx.store, kind, remote)
    return binding.erp_name if binding is not None else ""


async def lines_known(ctx: StoreContext, order: dict[str, Any]) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Item codes by line id for the lines bound or named by an existing Item's SKU, and the lines
    that have neither (read-only: nothing is created)."""
    lines = order.get("line_items") or []
    codes = {str(li.get("id")): await _bound(ctx, li) for li in lines}
    skus = {str(li.get("sku") or "").strip() for li in lines if not codes[str(li.get("id"))]} - {""}
    existing = await known_skus(ctx, skus) if skus else set()
    for line in lines:
        sku = str(line.get("sku") or "").strip()
        if not codes[str(line.get("id"))] and sku in existing:
            codes[str(line.get("id"))] = sku
    return {k: v for k, v in codes.items() if v}, [li for li in lines if not codes[str(li.get("id"))]]


async def resolve_lines(ctx: StoreContext, order: dict[str, Any], *, strict: bool = True) -> dict[str, Any]:
    """The order with each line's `sku` set to its Item code. `strict`: a line without an Item gets
    one made (`create_missing_items`) or is a MappingError (unknown_sku / unknown_product); otherwise
    it keeps what it had (an invoiced order being cancelled needs no new Item to succeed)."""
    codes, unknown = await lines_known(ctx, order)
    missing: list[dict[str, Any]] = []
    for line in unknown if strict else []:
        code = await item_for_line(ctx, *line_key(line))
        if code:
            codes[str(line.get("id"))] = code
        else:
            missing.append(line)
    if missing:
        raise _missing(ctx, missing)
    return with_item_codes(order, codes)


def _missing(ctx: StoreContext, lines: list[dict[str, Any]]) -> MappingError:
    with_sku = [str(li.get("sku")) for li in lines if li.get("sku")]
    named = ", ".join(_describe(li) for li in lines)
    creating = ctx.config.catalog.create_missing_items
    hint = (
        "the product is no longer in WooCommerce, so no Item could be made for it: create the Item in ERPNext "
        "and bind it (`woonext items sync`), then replay the order"
        if creating
        else "run `woonext items sync` (or turn on [stores.catalog] create_missing_items), then replay the order"
    )
    if with_sku and len(with_sku) == len(lines):
        return MappingError("unknown_sku", f"no ERPNext Item for SKU {', '.join(sorted(with_sku))}: {named}", hint)
    return MappingError("unknown_product", f"no ERPNext Item for {named}", hint)


def _describe(line: dict[str, Any]) -> str:
    variation = f", variation {line['variation_id']}" if line.get("variation_id") else ""
    return f"{line.get('name')!r} (product {line.get('product_id')}{variation})"
