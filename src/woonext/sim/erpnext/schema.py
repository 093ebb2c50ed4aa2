"""Doctype metadata: the derived v15 schema (schema.json) plus Custom Fields added at runtime."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("schema.json")

# Columns every document row has (Frappe's `default_fields`) and what child rows add.
STD_FIELDS = ("name", "owner", "creation", "modified", "modified_by", "docstatus", "idx")
CHILD_FIELDS = ("parent", "parentfield", "parenttype")
TABLE_TYPES = {"Table", "Table MultiSelect"}
NUMERIC_TYPES = {"Currency", "Float", "Percent"}
INT_TYPES = {"Int", "Check"}
# Frappe's type_map: field types stored in varchar columns, with their default length.
VARCHAR_TYPES = {
    "Data": 140,
    "Link": 140,
    "Dynamic Link": 140,
    "Select": 140,
    "Read Only": 140,
    "Attach": 140,
    "Attach Image": 140,
    "Password": 140,
    "Color": 140,
    "Barcode": 140,
    "Autocomplete": 140,
    "Phone": 140,
    "Duration": 140,
    "Icon": 140,
    "Rating": 140,
}
SINGLE_ROOT = {
    "Territory": "All Territories",
    "Customer Group": "All Customer Groups",
    "Item Group": "All Item Groups",
}


@dataclass
class Meta:
    """What validation needs to know about one doctype."""

    name: str
    fields: list[dict[str, Any]]
    autoname: str = ""
    is_submittable: bool = False
    istable: bool = False
    issingle: bool = False
    is_tree: bool = False
    nsm_parent_field: str = ""
    title_field: str = ""
    sort_field: str = "modified"
    sort_order: str = "DESC"
    by_name: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_name = {f["fieldname"]: f for f in self.fields}

    def get_field(self, fieldname: str) -> dict[str, Any] | None:
        return self.by_name.get(fieldname)

    def label(self, fieldname: str) -> str:
        df = self.by_name.get(fieldname)
        return (df.get("label") or fieldname) if df else fieldname

    @cached_property
    def table_fields(self) -> list[dict[str, Any]]:
        return [f for f in self.fields if f["fieldtype"] in TABLE_TYPES]

    @cached_property
    def value_fields(self) -> list[dict[str, Any]]:
        return [f for f in self.fields if f["fieldtype"] not in TABLE_TYPES]

    @cached_property
    def _columns(self) -> frozenset[str]:
        cols = set(STD_FIELDS) | {f["fieldname"] for f in self.value_fields if not f.get("is_virtual")}
        if self.istable:
            cols |= set(CHILD_FIELDS)
        return frozenset(cols)

    def valid_columns(self) -> set[str]:
        return set(self._columns)

    def unique_fields(self) -> list[dict[str, Any]]:
        return [f for f in self.value_fields if f.get("unique")]

    def with_fields(self, extra: list[dict[str, Any]]) -> Meta:
        return Meta(
            name=self.name,
            fields=self.fields + extra,
            autoname=self.autoname,
            is_submittable=self.is_submittable,
            istable=self.istable,
            issingle=self.issingle,
            is_tree=self.is_tree,
            nsm_parent_field=self.nsm_parent_field,
            title_field=self.title_field,
            sort_field=self.sort_field,
            sort_order=self.sort_order,
        )


@cache
def base_schema() -> dict[str, Meta]:
    if not SCHEMA_PATH.is_file():
        raise RuntimeError(f"{SCHEMA_PATH} is missing: run tools/derive_erpnext_schema.py")
    raw = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    metas: dict[str, Meta] = {}
    for name, spec in raw["doctypes"].items():
        metas[name] = Meta(
            name=name,
            fields=spec["fields"],
            autoname=spec.get("autoname") or "",
            is_submittable=bool(spec.get("is_submittable")),
            istable=bool(spec.get("istable")),
            issingle=bool(spec.get("issingle")),
            is_tree=bool(spec.get("is_tree")),
            nsm_parent_field=spec.get("nsm_parent_field") or "",
            title_field=spec.get("title_field") or "",
            sort_field=spec.get("sort_field") or "modified",
            sort_order=spec.get("sort_order") or "DESC",
        )
    return metas


def custom_field_def(cf: dict[str, Any]) -> dict[str, Any]:
    """A Custom Field document as a schema field of its target doctype."""
    out: dict[str, Any] = {
        "fieldname": cf["fieldname"],
        "fieldtype": cf.get("fieldtype") or "Data",
        "label": cf.get("label") or "",
        "is_custom_field": 1,
    }
    for key in (
        "reqd",
        "unique",
        "allow_on_submit",
        "set_only_once",
        "non_negative",
        "read_only",
        "no_copy",
        "fetch_from",
        "fetch_if_empty",
        "precision",
    ):
        if cf.get(key):
            out[key] = cf[key]
    if cf.get("options"):
        out["options"] = cf["options"]
    if cf.get("length"):
        out["length"] = cf["length"]
    if cf.get("default") not in (None, ""):
        out["default"] = cf["default"]
    return out


def select_options(df: dict[str, Any]) -> list[str]:
    return str(df.get("options") or "").split("\n")
