"""Bring the Items of a page of products in step: each WooCommerce product and variation is bound to
one Item by its id (kinds "product" and "variation"); an Item is created once (templates and simple
Items first, then variants, up to 100 a request), an existing Item with the same code is linked, never
duplicated, and only fields that changed are written. The binding also remembers what WooCommerce
said of the object's stock and prices, which the stock and price pushes compare against.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from woonext.erpnext.errors import ErpError, ErpUncertain
from woonext.mapping import catalog as m
from woonext.store import Binding
from woonext.sync.context import StoreContext
from woonext.sync.erp_lists import get_list_in

PRODUCT, VARIATION = "product", "variation"
SYNCED = "synced"
INSERT_CHUNK = 100  # Items per insert_many request (Frappe allows 200; smaller keeps each request short)
ITEM_FIELDS = ["name", "has_variants", "variant_of", "is_stock_item", "woo_product_id", "woo_variation_id"]


@dataclass
class Target:
    """One WooCommerce object and the Item it should be."""

    kind: str
    woo_id: int
    doc: dict[str, Any]
    cache: dict[str, Any]
    binding: Binding
    parent: int = 0


@dataclass
class ItemAction:
    action: str  # created, linked, updated, unchanged, failed (or "create", "link", "update" planned)
    kind: str
    woo_id: int
    item_code: str
    detail: str = ""


@dataclass
class PageResult:
    actions: list[ItemAction] = field(default_factory=list)
    masters: list[str] = field(default_factory=list)


def woo_cache(obj: Mapping[str, Any], parent: Mapping[str, Any] | None, doc: Mapping[str, Any]) -> dict[str, Any]:
    """What the stock and price pushes need to know of the WooCommerce object, as last seen."""
    managed = obj.get("manage_stock") is True  # a variation left to its parent's stock is not pushed
    return {
        "sku": str(obj.get("sku") or ""),
        "type": str(obj.get("type") or ""),
        "parent": int(parent["id"]) if parent is not None else 0,
        "manage_stock": managed,
        "stock": obj.get("stock_quantity") if managed else None,
        "regular_price": str(obj.get("regular_price") or ""),
        "sale_price": str(obj.get("sale_price") or ""),
        "modified": str(obj.get("date_modified_gmt") or ""),
        "stock_item": int(doc.get("is_stock_item") or 0),
    }


def _binding(ctx: StoreContext, known: Mapping[tuple[str, str], Binding], kind: str, woo_id: int) -> Binding:
    found = known.get((kind, str(woo_id)))
    return found or Binding(store=ctx.store, kind=kind, remote_id=str(woo_id), erp_doctype="Item")


def plan_targets(
    ctx: StoreContext,
    products: list[dict[str, Any]],
    variations: Mapping[int, list[dict[str, Any]]],
    known: Mapping[tuple[str, str], Binding],
) -> list[Target]:
    """The mapped Item of every product and variation on the page (no I/O)."""
    settings = ctx.catalog_settings()
    targets: list[Target] = []
    for product in products:
        group, _ = m.item_group(product, settings)
        pb = _binding(ctx, known, PRODUCT, int(product["id"]))
        code = pb.erp_name or m.product_code(product, settings)
        doc = m.item_doc(product, settings, code=code, group=group)
        children = variations.get(int(product["id"]), []) if product.get("type") == "variable" else []
        if children:  # the template keeps stock when its variants do (ERPNext copies it to them)
            doc["is_stock_item"] = max(m.is_stock_item(v, product) for v in children)
        targets.append(Target(PRODUCT, int(product["id"]), doc, woo_cache(product, None, doc), pb))
        wanted = set(m.template_attributes(product, settings))
        for variation in children:
            vb = _binding(ctx, known, VARIATION, int(variation["id"]))
            vcode = vb.erp_name or m.variation_code(product, variation, settings)
            values = m.variation_values(variation, settings)
            # a variation with an "any" option, or of a product bound to a plain Item, is a plain Item
            usable = set(values) == wanted and wanted and pb.data.get("template", 1)
            template = code if usable else ""
            vdoc = m.variant_doc(
                product,
                variation,
                settings,
                code=vcode,
                group=group,
                template=template,
                stock_item=doc["is_stock_item"],
            )
            cache = woo_cache(variation, product, vdoc)
            targets.append(Target(VARIATION, int(variation["id"]), vdoc, cache, vb, parent=int(product["id"])))
    return targets


async def existing_items(ctx: StoreContext, codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    rows = await get_list_in(ctx, "Item", "name", codes, fields=ITEM_FIELDS)
    return {str(r["name"]).casefold(): r for r in rows}


async def apply_targets(ctx: StoreContext, targets: list[Target], *, dry_run: bool) -> list[ItemAction]:
    new = [t for t in targets if not t.binding.erp_name]
    found = await existing_items(ctx, [t.doc["item_code"] for t in new]) if new else {}
    actions: list[ItemAction] = []
    creates: list[Target] = []
    for target in targets:
        current = found.get(target.doc["item_code"].casefold())
        template = found.get(str(target.doc.get("variant_of") or "").casefold())
        if template is not None and not template.get("has_variants"):  # linked to an Item that is no template
            target.doc.pop("variant_of")
            target.doc.pop("attributes")
        if target.binding.erp_name:
            actions.append(await _follow(ctx, target, dry_run))
        elif current is not None:
            actions.append(await _link(ctx, target, current, dry_run))
        else:
            creates.append(target)
    templates = {t.doc["item_code"] for t in creates if t.doc.get("has_variants")}
    first = [t for t in creates if t.kind == PRODUCT]
    later = [t for t in creates if t.kind == VARIATION]
    actions += await _create(ctx, first, dry_run)
    failed_templates = {a.item_code for a in actions if a.action == "failed"} & templates
    for target in later:  # a variant of a template that could not be made waits for the next run
        if target.doc.get("variant_of") in failed_templates:
            actions.append(
                ItemAction("failed", VARIATION, target.woo_id, target.doc["item_code"], "its template failed")
            )
    actions += await _create(ctx, [t for t in later if t.doc.get("variant_of") not in failed_templates], dry_run)
    return actions


async def _follow(ctx: StoreContext, target: Target, dry_run: bool) -> ItemAction:
    """A bound Item: write the fields whose mapping changed since the last sync."""
    code = target.binding.erp_name
    digest = m.item_hash(target.doc)
    if digest == target.binding.content_hash:
        await _remember(ctx, target, code, digest, dry_run)
        return ItemAction("unchanged", target.kind, target.woo_id, code)
    previous = dict(target.binding.data.get("fields") or {})
    changes = m.changed_fields(target.doc, previous) or {k: target.doc.get(k) for k in m.UPDATABLE}
    if not dry_run:
        await ctx.erp.update("Item", code, changes)
        await _remember(ctx, target, code, digest, dry_run)
    return ItemAction("updated" if not dry_run else "update", target.kind, target.woo_id, code, ", ".join(changes))


async def _link(ctx: StoreContext, target: Target, current: dict[str, Any], dry_run: bool) -> ItemAction:
    """An Item with this code exists (made by hand, or by an earlier run that lost its answer)."""
    code = str(current["name"])
    ids = {k: target.doc[k] for k in ("woo_product_id", "woo_variation_id") if (current.get(k) or "") != target.doc[k]}
    if not dry_run:
        if ids:
            await ctx.erp.update("Item", code, ids)
        target.cache["stock_item"] = int(current.get("is_stock_item") or 0)
        target.cache["template"] = int(current.get("has_variants") or 0)
        await _remember(ctx, target, code, m.item_hash(target.doc), dry_run)
    return ItemAction("linked" if not dry_run else "link", target.kind, target.woo_id, code)


async def _create(ctx: StoreContext, targets: list[Target], dry_run: bool) -> list[ItemAction]:
    if dry_run:
        return [ItemAction("create", t.kind, t.woo_id, t.doc["item_code"], _what(t)) for t in targets]
    actions: list[ItemAction] = []
    for start in range(0, len(targets), INSERT_CHUNK):
        chunk = targets[start : start + INSERT_CHUNK]
        docs = [{"doctype": "Item", **t.doc} for t in chunk]
        try:
            await ctx.erp.insert_many(docs)
        except ErpUncertain:
            pass  # some or all may be in: the one-by-one pass below links those and makes the rest
        except ErpError as exc:
            if exc.kind == "permanent":
                raise
        else:
            for target in chunk:
                await _remember(ctx, target, target.doc["item_code"], m.item_hash(target.doc), False)
            actions += [ItemAction("created", t.kind, t.woo_id, t.doc["item_code"], _what(t)) for t in chunk]
            continue
        actions += await _one_by_one(ctx, chunk)
    return actions


async def _one_by_one(ctx: StoreContext, chunk: list[Target]) -> list[ItemAction]:
    """A chunk ERPNext refused (one bad Item rolls back the whole request): each on its own, so one
    bad product costs only itself."""
    found = await existing_items(ctx, [t.doc["item_code"] for t in chunk])
    actions = []
    for target in chunk:
        current = found.get(target.doc["item_code"].casefold())
        if current is not None:
            actions.append(await _link(ctx, target, current, False))
            continue
        try:
            await ctx.erp.insert("Item", target.doc)
        except ErpError as exc:
            if exc.kind == "permanent":
                raise
            actions.append(ItemAction("failed", target.kind, target.woo_id, target.doc["item_code"], exc.message))
            continue
        await _remember(ctx, target, target.doc["item_code"], m.item_hash(target.doc), False)
        actions.append(ItemAction("created", target.kind, target.woo_id, target.doc["item_code"], _what(target)))
    return actions


def _what(target: Target) -> str:
    if target.doc.get("has_variants"):
        return "template (" + ", ".join(a["attribute"] for a in target.doc.get("attributes") or []) + ")"
    if target.doc.get("variant_of"):
        values = ", ".join(a["attribute_value"] for a in target.doc.get("attributes") or [])
        return f"variant of {target.doc['variant_of']} ({values})"
    return "variation without values for every attribute: a plain Item" if target.kind == VARIATION else ""


async def _remember(ctx: StoreContext, target: Target, code: str, digest: str, dry_run: bool) -> None:
    """Record the binding (Item code, content hash, the WooCommerce side's stock and prices)."""
    if dry_run:
        return
    b = target.binding
    fields = {k: target.doc.get(k) for k in m.UPDATABLE}
    data = {**b.data, **target.cache, "fields": fields}
    data.setdefault("template", int(target.doc.get("has_variants") or 0))
    if (b.erp_name, b.content_hash, b.state, b.data) == (code, digest, SYNCED, data):
        return
    b.erp_name, b.content_hash, b.state, b.data = code, digest, SYNCED, data
    await ctx.state.save_binding(b)
