"""WooCommerce product / variation → ERPNext Item (docs/catalog.md). Pure: no I/O, no clock.

A simple product is one Item; a variable product is an Item template (`has_variants`) whose
attributes are the product's variation attributes, and each variation a variant Item (`variant_of`,
one value per attribute). The Item code is the SKU when there is one, else a configurable pattern;
once made, an Item keeps its code whatever happens to the SKU (the binding remembers it).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

MAX_NAME = 140
ITEM_CODE_MAX = 140


class WooAttribute(TypedDict, total=False):
    id: int
    name: str
    slug: str
    option: str
    options: list[str]
    variation: bool


@dataclass(frozen=True)
class CatalogSettings:
    """The part of `[stores.catalog]` mapping needs (plain data)."""

    item_code_pattern: str = "WOO-{product_id}"
    variant_code_pattern: str = "WOO-{product_id}-{variation_id}"
    item_groups: Mapping[str, str] = field(default_factory=dict)
    default_item_group: str = "Products"
    attributes: Mapping[str, str] = field(default_factory=dict)
    stock_uom: str = "Nos"


def _text(value: Any) -> str:
    return str(value or "").strip()


def product_code(product: Mapping[str, Any], settings: CatalogSettings) -> str:
    sku = _text(product.get("sku"))
    if sku:
        return sku[:ITEM_CODE_MAX]
    return settings.item_code_pattern.format(product_id=product["id"], sku="", slug=_text(product.get("slug")))


def variation_code(product: Mapping[str, Any], variation: Mapping[str, Any], settings: CatalogSettings) -> str:
    sku = _text(variation.get("sku"))
    parent_sku = _text(product.get("sku"))
    if sku and sku != parent_sku:  # a variation without its own SKU shows its parent's
        return sku[:ITEM_CODE_MAX]
    return settings.variant_code_pattern.format(
        product_id=product["id"], variation_id=variation["id"], sku=sku, parent_sku=parent_sku
    )


def manages_stock(obj: Mapping[str, Any], parent: Mapping[str, Any] | None = None) -> bool:
    """WooCommerce counts this object's stock itself (a variation may leave it to its parent)."""
    if obj.get("manage_stock") is True:
        return True
    return bool(parent is not None and obj.get("manage_stock") == "parent" and parent.get("manage_stock") is True)


def is_stock_item(obj: Mapping[str, Any], parent: Mapping[str, Any] | None = None) -> int:
    """An Item keeps stock when WooCommerce manages its stock and it is neither virtual nor downloadable."""
    if obj.get("virtual") or obj.get("downloadable"):
        return 0
    return int(manages_stock(obj, parent))


def item_group(product: Mapping[str, Any], settings: CatalogSettings) -> tuple[str, bool]:
    """(Item Group, whether it is a category's own group that may need creating)."""
    categories = product.get("categories") or []
    if not categories:
        return settings.default_item_group, False
    first = categories[0]
    for key in (_text(first.get("name")), _text(first.get("slug"))):
        if key and key in settings.item_groups:
            return settings.item_groups[key], False
    name = _text(first.get("name"))[:MAX_NAME]
    return (name, True) if name else (settings.default_item_group, False)


def attribute_name(attribute: Mapping[str, Any], settings: CatalogSettings) -> str:
    for key in (_text(attribute.get("name")), _text(attribute.get("slug"))):
        if key and key in settings.attributes:
            return settings.attributes[key]
    return _text(attribute.get("name"))[:MAX_NAME]


def template_attributes(product: Mapping[str, Any], settings: CatalogSettings) -> dict[str, list[str]]:
    """The variable product's variation attributes: ERPNext attribute → the options it needs."""
    out: dict[str, list[str]] = {}
    for attribute in product.get("attributes") or []:
        if attribute.get("variation") is False:
            continue
        name = attribute_name(attribute, settings)
        if name:
            out[name] = [str(o) for o in attribute.get("options") or []]
    return out


def variation_values(variation: Mapping[str, Any], settings: CatalogSettings) -> dict[str, str]:
    values = {}
    for attribute in variation.get("attributes") or []:
        option = _text(attribute.get("option"))
        if option:
            values[attribute_name(attribute, settings)] = option
    return values


def new_attribute_values(existing: Sequence[Mapping[str, Any]], wanted: Sequence[str]) -> list[dict[str, str]]:
    """Rows to add to an Item Attribute so that it offers every wanted value, each with an abbreviation
    unused within the attribute (ERPNext refuses duplicates)."""
    have = {str(r.get("attribute_value") or "").casefold() for r in existing}
    abbrs = {str(r.get("abbr") or "").casefold() for r in existing}
    rows = []
    for value in wanted:
        if value.casefold() in have:
            continue
        base = re.sub(r"[^A-Za-z0-9]+", "-", value).strip("-").upper()[:20] or "V"
        abbr, n = base, 1
        while abbr.casefold() in abbrs:
            n += 1
            abbr = f"{base}-{n}"
        rows.append({"attribute_value": value, "abbr": abbr})
        have.add(value.casefold())
        abbrs.add(abbr.casefold())
    return rows


def _image(obj: Mapping[str, Any]) -> str:
    images = obj.get("images")
    if isinstance(images, list) and images and isinstance(images[0], Mapping):
        return _text(images[0].get("src"))
    image = obj.get("image")
    return _text(image.get("src")) if isinstance(image, Mapping) else ""


def _description(obj: Mapping[str, Any], fallback: str) -> str:
    return _text(obj.get("short_description")) or _text(obj.get("description")) or fallback


def item_doc(product: Mapping[str, Any], settings: CatalogSettings, *, code: str, group: str) -> dict[str, Any]:
    """A simple product's Item, or a variable product's template."""
    name = _text(product.get("name"))[:MAX_NAME] or code
    variable = product.get("type") == "variable"
    doc: dict[str, Any] = {
        "item_code": code,
        "item_name": name,
        "item_group": group,
        "stock_uom": settings.stock_uom,
        "is_stock_item": is_stock_item(product),
        "include_item_in_manufacturing": 0,
        "description": _description(product, name),
        "image": _image(product) or None,
        "woo_product_id": str(product["id"]),
        "woo_variation_id": "",
    }
    if variable:
        doc["has_variants"] = 1
        doc["attributes"] = [{"attribute": a} for a in template_attributes(product, settings)]
    return doc


def variant_doc(
    product: Mapping[str, Any],
    variation: Mapping[str, Any],
    settings: CatalogSettings,
    *,
    code: str,
    group: str,
    template: str,
    stock_item: int,
) -> dict[str, Any]:
    """A variation's Item: a variant of `template` (its own values), or a standalone Item (`template` "")."""
    values = variation_values(variation, settings)
    options = ", ".join(values.values()) or _text(variation.get("name"))
    name = f"{_text(product.get('name'))} - {options}".strip(" -")[:MAX_NAME] or code
    doc: dict[str, Any] = {
        "item_code": code,
        "item_name": name,
        "item_group": group,
        "stock_uom": settings.stock_uom,
        "is_stock_item": stock_item,
        "include_item_in_manufacturing": 0,
        "description": _text(variation.get("description")) or name,
        "image": _image(variation) or _image(product) or None,
        "woo_product_id": str(product["id"]),
        "woo_variation_id": str(variation["id"]),
    }
    if template:
        doc["variant_of"] = template
        doc["attributes"] = [{"attribute": a, "attribute_value": v} for a, v in values.items()]
    return doc


# What woonext keeps in step on an existing Item (its code, stock UOM and stock flag stay: ERPNext
# refuses to change those once stock has moved).
UPDATABLE = ("item_name", "item_group", "description", "image", "woo_product_id", "woo_variation_id")


def item_hash(doc: Mapping[str, Any]) -> str:
    """The content hash of the fields woonext keeps in step (changes → one update)."""
    picked = {k: doc.get(k) for k in UPDATABLE}
    return hashlib.sha256(json.dumps(picked, sort_keys=True, default=str).encode()).hexdigest()[:32]


def changed_fields(doc: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The updatable fields whose value in ERPNext differs from the mapping."""
    return {k: doc.get(k) for k in UPDATABLE if (doc.get(k) or "") != (current.get(k) or "")}
