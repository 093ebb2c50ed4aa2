"""Whitelisted `frappe.client.*` methods (B2.4) with the HTTP methods each one accepts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .base import Doc, throw
from .db import clone
from .documents import DocCtx
from .errors import not_found
from .query import Query, parse_json
from .rename import rename_doc
from .serialize import out_doc, to_int

ANY = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH"})
WRITE = frozenset({"POST", "PUT"})


@dataclass(frozen=True)
class Method:
    fn: Callable[..., Any]
    methods: frozenset[str] = ANY
    allow_guest: bool = False


def as_dict(ctx: DocCtx, doc: Doc) -> Doc:
    """`doc.as_dict()`: every column, nulls included (what frappe.client.* return)."""
    return out_doc(doc, ctx.meta(doc["doctype"]), ctx.child_meta, no_nulls=False)


def _query(ctx: DocCtx, doctype: str, parent: Any = None) -> Query:
    return Query(ctx.txn, doctype, ctx.engine.meta_or_404(ctx, doctype), str(parent) if parent else None)


def get_list(
    ctx: DocCtx,
    doctype: str = "",
    fields: Any = None,
    filters: Any = None,
    order_by: Any = None,
    limit_start: Any = 0,
    limit_page_length: Any = None,
    parent: Any = None,
    debug: Any = False,
    as_dict: Any = True,
    or_filters: Any = None,
    limit: Any = None,
    group_by: Any = None,
    start: Any = None,
    page_length: Any = None,
    **_: Any,
) -> list[Any]:
    length = limit_page_length if limit_page_length is not None else limit if limit is not None else page_length
    return _query(ctx, doctype, parent).run(
        fields=fields,
        filters=filters,
        or_filters=or_filters,
        order_by=order_by,
        limit_start=limit_start or start or 0,
        limit_page_length=20 if length is None else length,
        as_dict=_truthy(as_dict, True),
        group_by=group_by,
    )


def get_count(
    ctx: DocCtx, doctype: str = "", filters: Any = None, debug: Any = False, cache: Any = False, **_: Any
) -> int:
    return _query(ctx, doctype, _.get("parent")).count(filters=filters)


def get(ctx: DocCtx, doctype: str = "", name: Any = None, filters: Any = None, parent: Any = None, **_: Any) -> Doc:
    ctx.engine.meta_or_404(ctx, doctype)
    if not name and filters:
        rows = _query(ctx, doctype).run(fields=["name"], filters=filters, limit_page_length=1)
        if not rows:
            raise throw(f"{doctype} not found", "DoesNotExistError", 404)
        name = rows[0]["name"]
    doc = ctx.txn.get(doctype, str(name or ""))
    if doc is None:
        raise not_found(doctype, str(name))
    return as_dict(ctx, doc)


def get_value(
    ctx: DocCtx,
    doctype: str = "",
    fieldname: Any = "name",
    filters: Any = None,
    as_dict: Any = True,
    debug: Any = False,
    parent: Any = None,
    **_: Any,
) -> Any:
    fields = parse_json(fieldname, "fieldname")
    single = isinstance(fields, str)
    field_list = [fields] if single else list(fields or ["name"])
    parsed = parse_json(filters, "filters")
    if isinstance(parsed, str):
        parsed = {"name": parsed}
    rows = _query(ctx, doctype, parent).run(fields=field_list, filters=parsed, limit_page_length=1)
    if not rows:
        return {} if _truthy(as_dict, True) else None
    row = rows[0]
    if not _truthy(as_dict, True):
        values = list(row.values())
        return values[0] if single else values
    return row


def insert(ctx: DocCtx, doc: Any = None, **_: Any) -> Doc:
    data = parse_json(doc, "doc")
    if not isinstance(data, dict) or not data.get("doctype"):
        raise throw("Invalid document")
    if data.get("parenttype") and data.get("parent"):
        return _insert_child(ctx, data)
    return as_dict(ctx, ctx.engine.insert(ctx, data["doctype"], data))


def _insert_child(ctx: DocCtx, data: Doc) -> Doc:
    parent = ctx.engine.load_for_update(ctx, data["parenttype"], data["parent"])
    rows = list(parent.get(data["parentfield"]) or [])
    rows.append({k: v for k, v in data.items() if k not in ("parent", "parenttype", "parentfield")})
    saved = ctx.engine.update(ctx, parent["doctype"], parent["name"], {data["parentfield"]: rows})
    return as_dict(ctx, saved)


def insert_many(ctx: DocCtx, docs: Any = None, **_: Any) -> list[str]:
    items = parse_json(docs, "docs") or []
    if len(items) > 200:
        raise throw("Only 200 inserts allowed in one request")
    names = []
    for item in items:
        if item.get("parenttype") and item.get("parent"):
            names.append(_insert_child(ctx, item)["name"])
        else:
            names.append(ctx.engine.insert(ctx, item["doctype"], item)["name"])
    return names


def save(ctx: DocCtx, doc: Any = None, **_: Any) -> Doc:
    data = parse_json(doc, "doc")
    return as_dict(ctx, _save_full(ctx, data))


def _save_full(ctx: DocCtx, data: Doc) -> Doc:
    """Full-document semantics: the doc is rebuilt from the dict (omitted tables are emptied), and
    `modified` must match the stored one."""
    doctype = data.get("doctype") or ""
    meta = ctx.engine.meta_or_404(ctx, doctype)
    before = ctx.engine.load_for_update(ctx, doctype, str(data.get("name") or ""))
    doc = clone(before)
    for df in meta.fields:
        fn = df["fieldname"]
        if df["fieldtype"] in ("Table", "Table MultiSelect"):
            doc[fn] = ctx.engine.make_rows(ctx, doc, df, data.get(fn) or [])
        elif fn in data:
            doc[fn] = data[fn]
    doc["modified"] = data.get("modified")
    doc["docstatus"] = to_int(data.get("docstatus"))
    return ctx.engine.save(ctx, doc, before, meta)


def submit(ctx: DocCtx, doc: Any = None, **_: Any) -> Doc:
    data = dict(parse_json(doc, "doc") or {})
    data["docstatus"] = 1
    return as_dict(ctx, _save_full(ctx, data))


def cancel(ctx: DocCtx, doctype: str = "", name: str = "", **_: Any) -> Doc:
    return as_dict(ctx, ctx.engine.cancel(ctx, doctype, name))


def delete(ctx: DocCtx, doctype: str = "", name: str = "", **_: Any) -> None:
    ctx.engine.delete(ctx, doctype, name)


def set_value(
    ctx: DocCtx, doctype: str = "", name: str = "", fieldname: Any = None, value: Any = None, **_: Any
) -> Doc:
    fields = parse_json(fieldname, "fieldname")
    changes = fields if isinstance(fields, dict) else {str(fields): value}
    return as_dict(ctx, ctx.engine.update(ctx, doctype, name, changes))


def run_doc_method(
    ctx: DocCtx, method: str = "", docs: Any = None, dt: str = "", dn: str = "", args: Any = None, **_: Any
) -> tuple[Any, Doc]:
    """Only the document methods a sync client uses: submit, cancel, save."""
    if docs:
        data = parse_json(docs, "docs")
        before = ctx.engine.load_for_update(ctx, data.get("doctype"), data.get("name"))
        if str(data.get("modified")) != str(before.get("modified")):
            from .errors import timestamp_mismatch

            raise timestamp_mismatch(str(before.get("modified")), ctx.engine.next_modified(ctx, before["modified"]))
        dt, dn = data["doctype"], data["name"]
    doc = run_named_method(ctx, dt, dn, method)
    return None, as_dict(ctx, doc)


def run_named_method(ctx: DocCtx, doctype: str, name: str, method: str) -> Doc:
    if method == "submit":
        return ctx.engine.submit(ctx, doctype, name)
    if method == "cancel":
        return ctx.engine.cancel(ctx, doctype, name)
    if method == "save":
        return ctx.engine.update(ctx, doctype, name, {})
    raise throw(f"Method {method} not found", "PermissionError", 403)


def ping(ctx: DocCtx, **_: Any) -> str:
    return "pong"


def get_logged_user(ctx: DocCtx, **_: Any) -> str:
    return ctx.user


def _truthy(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "")
    return bool(value)


FRAPPE_METHODS: dict[str, Method] = {
    "frappe.client.get_list": Method(get_list),
    "frappe.client.get_count": Method(get_count),
    "frappe.client.get": Method(get),
    "frappe.client.get_value": Method(get_value),
    "frappe.client.insert": Method(insert, WRITE),
    "frappe.client.insert_many": Method(insert_many, WRITE),
    "frappe.client.save": Method(save, WRITE),
    "frappe.client.submit": Method(submit, WRITE),
    "frappe.client.cancel": Method(cancel, WRITE),
    "frappe.client.delete": Method(delete, frozenset({"POST", "DELETE"})),
    "frappe.client.set_value": Method(set_value, WRITE),
    "frappe.client.rename_doc": Method(rename_doc, WRITE),
    "frappe.ping": Method(ping, allow_guest=True),
    "frappe.auth.get_logged_user": Method(get_logged_user),
}
