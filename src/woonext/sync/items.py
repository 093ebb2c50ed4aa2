"""`woonext items sync`: WooCommerce products and variations → ERPNext Items, bound by id (docs/catalog.md).

Called by the command, the hourly `items` job, the product webhooks (one product), an order whose
line has no Item yet (`item_for_line`, when `create_missing_items` is on) and onboarding
(`setup --apply`, with `dry_run` for its plan). Products are read page by page in the order of their
own modification clock from a cursor with an overlap (a variation's save moves its parent's clock);
`full` reads them all. Each page costs one product list, one variation list per variable product,
one ERPNext read of the Items not bound yet, and the writes that are needed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from woonext.mapping import catalog as m
from woonext.mapping.errors import MappingError
from woonext.store import NEEDS_REVIEW, SUCCEEDED, Binding
from woonext.sync.context import StoreContext
from woonext.sync.item_masters import ensure_attributes, ensure_groups
from woonext.sync.items_apply import PRODUCT, VARIATION, ItemAction, apply_targets, plan_targets

CURSOR = "products"
OVERLAP = timedelta(minutes=5)
ITEM_FIELDS = ("Item-woo_product_id", "Item-woo_variation_id")


@dataclass
class ItemsReport:
    dry_run: bool = False
    actions: list[ItemAction] = field(default_factory=list)
    masters: list[str] = field(default_factory=list)  # Item Groups and Attributes created (or to create)
    products: int = 0

    def count(self, *actions: str) -> int:
        return sum(1 for a in self.actions if a.action in actions)

    @property
    def failed(self) -> list[ItemAction]:
        return [a for a in self.actions if a.action == "failed"]

    @property
    def writes(self) -> int:
        """Items created, linked or updated (planned ones on a dry run)."""
        return sum(1 for a in self.actions if a.action not in ("unchanged", "failed"))

    def summary(self) -> str:
        verbs = ("create", "link", "update") if self.dry_run else ("created", "linked", "updated")
        done = ", ".join(f"{self.count(v)} {v}" for v in verbs)
        return f"{self.products} product(s): {done}, {self.count('unchanged')} unchanged, {len(self.failed)} failed"


async def ensure_item_fields(ctx: StoreContext) -> None:
    """The Item custom fields `woo_product_id` / `woo_variation_id` exist (made by `woonext setup`)."""
    if ctx.cache.catalog.get("fields_ready"):
        return
    rows = await ctx.erp.get_list("Custom Field", filters=[["name", "in", list(ITEM_FIELDS)]], fields=["name"], limit=0)
    missing = sorted(set(ITEM_FIELDS) - {str(r["name"]) for r in rows})
    if missing:
        raise MappingError(
            "not_set_up", f"ERPNext lacks the custom fields {', '.join(missing)}", "run `woonext setup` first"
        )
    ctx.cache.catalog["fields_ready"] = True


async def sync_items(
    ctx: StoreContext, *, dry_run: bool = False, product_ids: list[int] | None = None, full: bool = False
) -> ItemsReport:
    """Bring the Items of the store's products in step; `product_ids` limits it to those products."""
    report = ItemsReport(dry_run=dry_run)
    await ensure_item_fields(ctx)
    async for products in _pages(ctx, product_ids, full):
        report.products += len(products)
        await sync_products(ctx, products, report)
        if not dry_run and product_ids is None:
            await _advance(ctx, products)
    await _record_failures(ctx, report)
    return report


async def sync_products(ctx: StoreContext, products: list[dict[str, Any]], report: ItemsReport) -> None:
    variations = {int(p["id"]): await ctx.woo.all_variations(p["id"]) for p in products if p.get("type") == "variable"}
    settings = ctx.catalog_settings()
    groups = {g for g, new in (m.item_group(p, settings) for p in products) if new}
    report.masters += [f"create Item Group {g!r}" for g in await ensure_groups(ctx, groups, dry_run=report.dry_run)]
    wanted: dict[str, set[str]] = {}
    for product in products:
        for variation in variations.get(int(product["id"]), []):
            for attribute, value in m.variation_values(variation, settings).items():
                wanted.setdefault(attribute, set()).add(value)
    report.masters += await ensure_attributes(ctx, wanted, dry_run=report.dry_run)
    known = await _known_bindings(ctx, products, variations)
    targets = plan_targets(ctx, products, variations, known)
    report.actions += await apply_targets(ctx, targets, dry_run=report.dry_run)


async def _known_bindings(
    ctx: StoreContext, products: list[dict[str, Any]], variations: dict[int, list[dict[str, Any]]]
) -> dict[tuple[str, str], Binding]:
    wanted = {(PRODUCT, str(p["id"])) for p in products}
    wanted |= {(VARIATION, str(v["id"])) for vs in variations.values() for v in vs}
    if len(wanted) > 50:  # one read of the store's catalog bindings beats one per object
        every = await ctx.state.bindings(ctx.store, PRODUCT) + await ctx.state.bindings(ctx.store, VARIATION)
        return {(b.kind, b.remote_id): b for b in every if (b.kind, b.remote_id) in wanted}
    found = [await ctx.state.get_binding(ctx.store, kind, rid) for kind, rid in wanted]
    return {(b.kind, b.remote_id): b for b in found if b is not None}


async def _pages(ctx: StoreContext, product_ids: list[int] | None, full: bool) -> AsyncIterator[list[dict[str, Any]]]:
    if product_ids is not None:
        products: list[dict[str, Any]] = []
        for pid in dict.fromkeys(product_ids):
            product = await ctx.woo.get_product(pid)
            if product is not None and product.get("type") == "variation":
                product = await ctx.woo.get_product(product["parent_id"])
            if product is not None and all(p["id"] != product["id"] for p in products):
                products.append(product)
        if products:
            yield products
        return
    params: dict[str, Any] = {"orderby": "modified", "order": "asc"}
    cursor = None if full else await ctx.state.get_cursor(ctx.store, CURSOR)
    if cursor:
        since = datetime.fromisoformat(cursor["modified_gmt"]) - OVERLAP
        params.update(modified_after=since.strftime("%Y-%m-%dT%H:%M:%S"), dates_are_gmt=True)
    async for page in ctx.woo.iter_pages("products", params, per_page=100):
        yield page.items


async def _advance(ctx: StoreContext, products: list[dict[str, Any]]) -> None:
    cursor = await ctx.state.get_cursor(ctx.store, CURSOR)
    best = (cursor["modified_gmt"], int(cursor["id"])) if cursor else None
    for product in products:
        mark = (str(product.get("date_modified_gmt") or ""), int(product["id"]))
        if mark[0] and (best is None or mark > best):
            best = mark
    if best is not None and (cursor is None or best != (cursor["modified_gmt"], int(cursor["id"]))):
        await ctx.state.set_cursor(ctx.store, CURSOR, {"modified_gmt": best[0], "id": best[1]})


async def _record_failures(ctx: StoreContext, report: ItemsReport) -> None:
    """A product that failed leaves a NeedsReview record; one that failed before and is now in step is
    cleared (earlier failures read once per run)."""
    if report.dry_run:
        return
    earlier = {
        (o.kind, o.remote_id)
        for o in await ctx.state.latest_failures(limit=1000, store=ctx.store)
        if o.kind in (PRODUCT, VARIATION)
    }
    for action in report.actions:
        key = (action.kind, str(action.woo_id))
        if action.action == "failed":
            await ctx.state.record_outcome(
                ctx.store,
                action.kind,
                action.woo_id,
                NEEDS_REVIEW,
                "item_refused",
                f"ERPNext refused Item {action.item_code}: {action.detail}",
                "fix the product in WooCommerce or the masters in ERPNext; the next items sync tries again",
            )
        elif key in earlier:
            await ctx.state.record_outcome(ctx.store, action.kind, action.woo_id, SUCCEEDED, f"item_{action.action}")


async def item_for_line(ctx: StoreContext, product_id: int, variation_id: int) -> str | None:
    """The Item an order line maps to: its binding, else (`create_missing_items`) the product synced now."""
    kind, remote = (VARIATION, variation_id) if variation_id else (PRODUCT, product_id)
    binding = await ctx.state.get_binding(ctx.store, kind, remote)
    if binding is not None and binding.erp_name:
        return binding.erp_name
    if not ctx.config.catalog.create_missing_items or not product_id:
        return None
    await sync_items(ctx, product_ids=[product_id])
    binding = await ctx.state.get_binding(ctx.store, kind, remote)
    return binding.erp_name if binding is not None and binding.erp_name else None


async def items_job(ctx: StoreContext) -> str:
    """The scheduled job (hourly by default); a site not set up for it says so instead of failing."""
    try:
        return (await sync_items(ctx)).summary()
    except MappingError as exc:
        return f"items sync skipped: {exc.message}; {exc.hint}"
