"""Custom Field (B7): creating one changes the target doctype's schema in the same transaction."""

from __future__ import annotations

from typing import Any

from .base import Controller, Ctx, Doc, throw
from .serialize import jsonable

UNIQUE_TYPES = {"Data", "Link", "Read Only", "Int"}
# Frappe's reserved words: a fieldname equal to one of them gets "1" appended.
RESERVED = {
    "name",
    "owner",
    "creation",
    "modified",
    "modified_by",
    "parent",
    "parentfield",
    "parenttype",
    "idx",
    "docstatus",
    "doctype",
    "_user_tags",
    "_comments",
    "_assign",
    "_liked_by",
    "_seen",
}


def set_fieldname(doc: Doc) -> None:
    if not doc.get("fieldname"):
        label = str(doc.get("label") or "")
        if not label:
            raise throw("Label is mandatory")
        # Frappe's filter keeps every character (its lambda is always true): only spaces change
        doc["fieldname"] = "custom_" + label.replace(" ", "_")
    doc["fieldname"] = str(doc["fieldname"]).lower()
    if doc["fieldname"] in RESERVED:
        doc["fieldname"] = doc["fieldname"] + "1"


class CustomFieldController(Controller):
    doctype = "Custom Field"

    def autoname(self, doc: Doc, ctx: Ctx) -> str | None:
        set_fieldname(doc)
        return f"{doc.get('dt')}-{doc['fieldname']}"

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        set_fieldname(doc)
        meta_of: Any = getattr(ctx, "meta")  # noqa: B009 - DocCtx gives the transaction's schema
        meta = meta_of(str(doc.get("dt") or ""))
        if meta is None:
            raise throw(f"DocType {doc.get('dt')} not found", "DoesNotExistError", 404)
        is_new = bool(doc.get("__islocal"))  # Frappe's is_new(): this is an insert
        if is_new and meta.get_field(doc["fieldname"]) is not None:
            raise throw(f"A field with the name <strong>{doc['fieldname']}</strong> already exists in {doc['dt']}")
        if doc.get("insert_after") and doc.get("insert_after") == doc["fieldname"]:
            raise throw(f"Insert After cannot be set as {meta.label(str(doc['insert_after']))}")
        if doc.get("insert_after"):
            doc["idx"] = _position(meta, str(doc["insert_after"]))
        if doc.get("unique"):
            self._check_unique(doc, ctx)
        if doc.get("length") is None:
            doc["length"] = 0

    def _check_unique(self, doc: Doc, ctx: Ctx) -> None:
        dt, label, fieldtype = doc["dt"], doc.get("label") or doc["fieldname"], doc.get("fieldtype") or "Data"
        if fieldtype not in UNIQUE_TYPES:
            raise throw(f"{dt}: Fieldtype {fieldtype} for {label} cannot be unique", "NonUniqueError")
        seen: set[str] = set()
        for row in ctx.all(dt):
            value = row.get(doc["fieldname"])
            if value in (None, ""):
                continue
            text = str(jsonable(value)).casefold()
            if text in seen:
                raise throw(f"{dt}: Field '{label}' cannot be set as Unique as it has non-unique values")
            seen.add(text)


def _position(meta: Any, insert_after: str) -> int:
    """Frappe numbers a custom field with the place of the field it follows (layout fields count)."""
    last = 0
    for df in meta.fields:
        last = max(last, int(df.get("position") or 0))
        if df["fieldname"] == insert_after:
            return int(df.get("position") or last)
    return last + 1
