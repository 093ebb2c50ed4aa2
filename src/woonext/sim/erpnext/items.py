"""Items, templates and variants, Item Attributes and Item Prices as ERPNext 15.92 treats them
(samples 65–73, 76–78).

An Item needs an Item Group (417 MandatoryError, sample 71); its stock UOM falls back to Stock
Settings' (Nos); the first save adds the UOM conversion row and a defaults row for the company with
the default warehouse (sample 72). A template (`has_variants`) needs its attributes; a variant
(`variant_of`) needs a valid value for each of the template's attributes, and one combination makes
one variant. `create_variant` returns the unsaved variant, which can be posted as it is (69–70).
"""

from __future__ import annotations

import json
from typing import Any

from .base import Controller, Ctx, Doc, throw
from .context import DocCtx
from .db import clone
from .serialize import to_int

ITEM_LOCAL = {"name", "creation", "modified", "modified_by", "item_code", "has_variants", "attributes", "description"}


def _default_company(ctx: Ctx) -> str:
    settings = ctx.get("Global Defaults", "Global Defaults") or {}
    if settings.get("default_company"):
        return str(settings["default_company"])
    companies = ctx.names("Company")
    return companies[0] if len(companies) == 1 else ""


class ItemController(Controller):
    doctype = "Item"

    def before_validate(self, doc: Doc, ctx: Ctx) -> None:
        if not doc.get("stock_uom"):
            settings = ctx.get("Stock Settings", "Stock Settings") or {}
            doc["stock_uom"] = settings.get("stock_uom") or "Nos"

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        # ERPNext's Item.validate: names and description fall back to the code
        if not doc.get("item_name"):
            doc["item_name"] = doc.get("item_code")
        if not doc.get("description"):
            doc["description"] = doc.get("item_name")
        if not doc.get("uoms"):
            doc["uoms"] = [{"doctype": "UOM Conversion Detail", "uom": doc["stock_uom"], "conversion_factor": 1.0}]
        company = _default_company(ctx)
        if not doc.get("item_defaults") and company:
            settings = ctx.get("Stock Settings", "Stock Settings") or {}
            warehouse = settings.get("default_warehouse") or None
            doc["item_defaults"] = [{"doctype": "Item Default", "company": company, "default_warehouse": warehouse}]
        if to_int(doc.get("has_variants")) and not doc.get("attributes"):
            raise throw("Attribute table is mandatory")
        if doc.get("variant_of"):
            _validate_variant(doc, ctx)


def _validate_variant(doc: Doc, ctx: Ctx) -> None:
    template = ctx.get("Item", str(doc["variant_of"]))
    if template is None or not to_int(template.get("has_variants")):
        raise throw(f"Item {doc['variant_of']} is not a template Item", "InvalidItemAttributeValueError")
    values: dict[str, str] = {}
    for row in doc.get("attributes") or []:
        row["variant_of"] = doc["variant_of"]
        attribute = ctx.get("Item Attribute", str(row.get("attribute") or "")) or {}
        allowed = {str(v.get("attribute_value")) for v in attribute.get("item_attribute_values") or []}
        value = str(row.get("attribute_value") or "")
        if not to_int(attribute.get("numeric_values")) and value not in allowed:
            raise throw(
                f"Value {value} for Attribute {row.get('attribute')} does not exist in the list of valid Item "
                f"Attribute Values for Item {doc.get('item_code')}",
                "InvalidItemAttributeValueError",
                title="Invalid Attribute",
            )
        values[str(row.get("attribute"))] = value
    for wanted in template.get("attributes") or []:
        if str(wanted.get("attribute")) not in values:
            raise throw(f"Please specify Attribute Value for attribute {wanted.get('attribute')}")
    for other in ctx.all("Item", variant_of=doc["variant_of"]):
        mine = {str(r.get("attribute")): str(r.get("attribute_value")) for r in other.get("attributes") or []}
        if other["name"] != doc.get("name") and mine == values:
            raise throw(f"Item variant {other['name']} exists with same attributes", "ItemVariantExistsError")


class ItemAttributeController(Controller):
    doctype = "Item Attribute"

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        seen: set[str] = set()
        abbrs: set[str] = set()
        for row in doc.get("item_attribute_values") or []:
            value, abbr = str(row.get("attribute_value") or ""), str(row.get("abbr") or "")
            if value.casefold() in seen:
                raise throw(f"{value} is entered twice in Item Attribute Values")
            if abbr and abbr.casefold() in abbrs:
                raise throw(f"{abbr} is entered twice in Item Attribute Values")
            seen.add(value.casefold())
            abbrs.add(abbr.casefold())


class ItemPriceController(Controller):
    doctype = "Item Price"

    def before_validate(self, doc: Doc, ctx: Ctx) -> None:
        price_list = ctx.get("Price List", str(doc.get("price_list") or "")) or {}
        if not doc.get("currency") and price_list.get("currency"):
            doc["currency"] = price_list["currency"]
        item = ctx.get("Item", str(doc.get("item_code") or "")) or {}
        if not doc.get("uom"):
            doc["uom"] = item.get("stock_uom")
        doc.setdefault("item_name", item.get("item_name"))
        doc.setdefault("item_description", item.get("description"))
        if not doc.get("valid_from"):
            doc["valid_from"] = ctx.now().date().isoformat()  # sample 77: today
        for flag in ("selling", "buying"):
            if price_list.get(flag) is not None and not doc.get(flag):
                doc[flag] = price_list[flag]

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        for other in ctx.all("Item Price", item_code=doc.get("item_code"), price_list=doc.get("price_list")):
            same_uom = (other.get("uom") or "") == (doc.get("uom") or "")
            same_party = (other.get("customer") or "") == (doc.get("customer") or "")
            if other["name"] != doc["name"] and same_uom and same_party:
                raise throw(
                    "Item Price appears multiple times based on Price List, Supplier/Customer, Currency, "
                    "Item, Batch, UOM, Qty, and Dates.",
                    "ItemPriceDuplicateItem",
                )


def create_variant(ctx: DocCtx, item: str = "", args: Any = None, **_: Any) -> Doc:
    """`erpnext.controllers.item_variant.create_variant`: the unsaved variant of `item` for `args`."""
    values = json.loads(args) if isinstance(args, str) else dict(args or {})
    template = ctx.engine.load_for_update(ctx, "Item", item)
    variant: Doc = {k: clone(v) for k, v in template.items() if k not in ITEM_LOCAL}
    abbrs: list[str] = []
    rows = []
    for row in template.get("attributes") or []:
        attribute = ctx.get("Item Attribute", str(row.get("attribute"))) or {}
        value = str(values.get(str(row.get("attribute")), ""))
        abbr = next(
            (
                str(v.get("abbr"))
                for v in attribute.get("item_attribute_values") or []
                if v.get("attribute_value") == value
            ),
            value,
        )
        abbrs.append(abbr)
        rows.append({"doctype": "Item Variant Attribute", "attribute": row.get("attribute"), "attribute_value": value})
    variant.update(
        item_code="-".join([str(template["item_code"]), *abbrs]),
        item_name="-".join([str(template.get("item_name") or template["item_code"]), *values.values()]),
        variant_of=template["name"],
        has_variants=0,
        description="",
        attributes=rows,
        __islocal=1,
        __unsaved=1,
    )
    for table in ("uoms", "item_defaults"):
        variant[table] = [{k: v for k, v in r.items() if k not in ("name", "parent")} for r in variant.get(table) or []]
    return variant


CONTROLLERS: list[Controller] = [ItemController(), ItemAttributeController(), ItemPriceController()]
METHODS = {"erpnext.controllers.item_variant.create_variant": create_variant}
