"""The document life cycle: insert, save, submit, cancel, delete, as Frappe's `Document` runs them.

A `DocCtx` is one request's handle on the database (its `Txn`), the clock and the message log; it
implements the `Ctx` protocol controllers see, so everything a controller does happens inside the
request's transaction.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from . import validation as v
from .base import Controller, Doc, FrappeError
from .db import Txn
from .errors import docstatus_transition, duplicate_entry, not_found, raised, timestamp_mismatch
from .naming import default_name, random_name
from .schema import TABLE_TYPES, Meta, select_options
from .serialize import cast_doc, format_datetime, to_int
from .trees import update_tree

# Frappe-core doctypes: a Python crash in their controllers is not attributed to ERPNext.
FRAPPE_DOCTYPES = {
    "Address",
    "Contact",
    "Custom Field",
    "Error Log",
    "User",
    "Country",
    "Currency",
    "Language",
    "Dynamic Link",
    "Contact Email",
    "Contact Phone",
    "System Settings",
}
# Keys a client may not set on a document it sends.
PROTECTED = {"owner", "creation", "modified_by", "doctype", "parent", "parentfield", "parenttype"}


class DocCtx:
    """Implements `base.Ctx` over one transaction."""

    def __init__(self, engine: Engine, txn: Txn, user: str = "Administrator") -> None:
        self.engine = engine
        self.txn = txn
        self.user = user
        self.messages: list[dict[str, Any]] = []
        # timestamps this request gave documents: a later db_set-style save in the same request keeps
        # them (Frappe stamps both with the same moment), so the response and the row agree
        self.stamped: dict[tuple[str, str], str] = {}

    # -- Ctx protocol ----------------------------------------------------------------------------
    def get(self, doctype: str, name: str) -> Doc | None:
        return self.txn.get(doctype, name)

    def all(self, doctype: str, **filters: Any) -> list[Doc]:
        out = []
        for doc in self.txn.iter(doctype):
            if all(_eq(doc.get(k), want) for k, want in filters.items()):
                out.append(copy.deepcopy(doc))
        return out

    def exists(self, doctype: str, name: str) -> bool:
        return self.txn.exists(doctype, name)

    def insert(self, doctype: str, doc: Doc) -> Doc:
        return self.engine.insert(self, doctype, doc)

    def save(self, doc: Doc) -> None:
        """Store a changed existing document as it is (a `db_set`/`db_update`), bumping `modified`."""
        stored = self.txn.peek(doc["doctype"], doc["name"])
        if stored is None:
            raise not_found(doc["doctype"], doc["name"])
        stamp_key = (doc["doctype"], str(doc["name"]).casefold())
        previous = stored.get("modified")
        if self.stamped.get(stamp_key) != previous:
            self.stamped[stamp_key] = self.engine.next_modified(self, previous)
        doc["modified"] = self.stamped[stamp_key]
        doc["modified_by"] = self.user
        meta = self.meta(doc["doctype"])
        if meta is not None:
            cast_doc(doc, meta)
            for row in v.children(doc, meta):
                row_meta = self.meta(row.get("doctype") or "")
                if row_meta is not None:
                    cast_doc(row, row_meta)
        self.txn.put(copy.deepcopy(doc))

    def now(self) -> datetime:
        return self.engine.now()

    def msgprint(self, message: str, title: str = "Message", indicator: str = "") -> None:
        entry: dict[str, Any] = {"message": message, "title": title}
        if indicator:
            entry["indicator"] = indicator
        self.messages.append(entry)

    def add_gl(self, entry: Doc) -> None:
        self.txn.add_gl(entry)

    def add_stock_ledger(self, entry: Doc) -> None:
        self.txn.add_stock_ledger(entry)

    def stock_qty(self, item_code: str, warehouse: str) -> Decimal:
        return self.txn.stock_qty(item_code, warehouse)

    # -- helpers ---------------------------------------------------------------------------------
    def meta(self, doctype: str) -> Meta | None:
        return self.txn.meta(doctype)

    def child_meta(self, doctype: Any) -> Meta | None:
        return self.txn.meta(str(doctype)) if doctype else None


def _eq(value: Any, want: Any) -> bool:
    if isinstance(want, (int, float, Decimal)) and not isinstance(want, bool):
        try:
            return Decimal(str(value if value is not None else 0)) == Decimal(str(want))
        except ArithmeticError:
            return False
    return (value if value is not None else "") == (want if want is not None else "")


class Engine:
    """Runs document operations; knows the controllers and the site's clock and time zone."""

    def __init__(self, now_utc: Callable[[], datetime], timezone: str) -> None:
        self._now_utc = now_utc
        self.tz = ZoneInfo(timezone)
        self.controllers: dict[str, list[Controller]] = {}

    def register(self, controller: Controller) -> None:
        self.controllers.setdefault(controller.doctype, []).append(controller)

    def now(self) -> datetime:
        return self._now_utc().astimezone(self.tz).replace(tzinfo=None)

    def next_modified(self, ctx: DocCtx, previous: Any) -> str:
        """Site-local timestamp, strictly later than the previous one (a frozen test clock must still
        change `modified` on every save, or the optimistic lock could not notice anything)."""
        now = self.now()
        if previous:
            try:
                prev = datetime.strptime(str(previous)[:26], "%Y-%m-%d %H:%M:%S.%f")
            except ValueError:
                prev = None
            if prev is not None and now <= prev:
                now = prev + timedelta(microseconds=1)
        return format_datetime(now)

    def meta_or_404(self, ctx: DocCtx, doctype: str) -> Meta:
        meta = ctx.meta(doctype)
        if meta is None:
            raise FrappeError(
                status=404,
                exc_type="DoesNotExistError",
                messages=[
                    {
                        "message": f"DocType {doctype} not found",
                        "title": "Message",
                        "indicator": "red",
                        "raise_exception": 1,
                    }
                ],
            )
        return meta

    def _hooks(self, doctype: str) -> list[Controller]:
        return self.controllers.get(doctype, [])

    def run(self, ctx: DocCtx, hook: str, doc: Doc, *args: Any) -> Any:
        result = None
        for controller in self._hooks(doc["doctype"]):
            try:
                out = getattr(controller, hook)(doc, ctx, *args)
            except FrappeError as err:
                if not err.exc_source and doc["doctype"] not in FRAPPE_DOCTYPES and err.status == 500:
                    err.exc_source = "erpnext (app)"
                raise
            result = out if out is not None else result
        return result

    # -- building documents --------------------------------------------------------------------
    def new_doc(self, ctx: DocCtx, doctype: str, data: Doc) -> Doc:
        """`frappe.new_doc(doctype, **data)`: defaults, then the client's values."""
        meta = self.meta_or_404(ctx, doctype)
        doc: Doc = {"doctype": doctype, "__islocal": 1}
        for k, value in data.items():
            if k in PROTECTED or k in ("name", "modified", "__islocal", "__unsaved"):
                continue
            doc[k] = value
        apply_defaults(doc, meta)
        for df in meta.table_fields:
            doc[df["fieldname"]] = self.make_rows(ctx, doc, df, doc.get(df["fieldname"]) or [])
        return doc

    def make_rows(self, ctx: DocCtx, parent: Doc, df: dict[str, Any], rows: Any) -> list[Doc]:
        if not isinstance(rows, list):
            raise raised("ValueError", f"{df['fieldname']} must be a list", 500)
        child_type = str(df.get("options") or "")
        child_meta = ctx.meta(child_type)
        out: list[Doc] = []
        for idx, raw in enumerate(rows, start=1):
            if not isinstance(raw, dict):
                raise raised("AttributeError", f"'{type(raw).__name__}' object has no attribute 'get'", 500)
            row: Doc = {}
            for k, value in raw.items():
                if k not in (
                    "parent",
                    "parenttype",
                    "parentfield",
                    "doctype",
                    "__islocal",
                    "__unsaved",
                    "__new",
                ):
                    row[k] = value
            if child_meta is not None:
                apply_defaults(row, child_meta)
            row["doctype"] = child_type
            row["parentfield"] = df["fieldname"]
            row["parenttype"] = parent["doctype"]
            row["idx"] = idx
            row["__unsaved"] = 1  # sent by the client in this request; shown in the response only
            if child_meta is not None:
                for sub in child_meta.table_fields:
                    row[sub["fieldname"]] = row.get(sub["fieldname"]) or []
            out.append(row)
        return out

    def _stamp(self, ctx: DocCtx, doc: Doc, meta: Meta, new: bool, modified: str) -> None:
        ctx.stamped[(meta.name, str(doc["name"]).casefold())] = modified
        if new:
            doc["owner"] = ctx.user
            doc["creation"] = modified
        doc["modified"] = modified
        doc["modified_by"] = ctx.user
        doc.setdefault("idx", 0)
        for df in meta.table_fields:
            for idx, row in enumerate(doc.get(df["fieldname"]) or [], start=1):
                row.setdefault("doctype", str(df.get("options") or ""))
                row["parentfield"] = df["fieldname"]
                row["parenttype"] = doc["doctype"]
                row["idx"] = idx
                if not row.get("name"):
                    row["name"] = random_name()
                row["parent"] = doc["name"]
                row["owner"] = row.get("owner") or doc.get("owner") or ctx.user
                row["creation"] = row.get("creation") or doc.get("creation") or modified
                row["modified"] = modified
                row["modified_by"] = ctx.user
                row["docstatus"] = doc.get("docstatus", 0)

    def _cast_all(self, ctx: DocCtx, doc: Doc, meta: Meta) -> None:
        init_numbers(doc, meta)
        cast_doc(doc, meta)
        for row in v.children(doc, meta):
            row_meta = ctx.child_meta(row.get("doctype"))
            if row_meta is not None:
                init_numbers(row, row_meta)
                cast_doc(row, row_meta)

    # -- insert ---------------------------------------------------------------------------------
    def insert(self, ctx: DocCtx, doctype: str, data: Doc) -> Doc:
        meta = self.meta_or_404(ctx, doctype)
        doc = self.new_doc(ctx, doctype, data)
        docstatus = to_int(doc.get("docstatus"))
        if docstatus == 2:
            raise docstatus_transition(0, 2)
        doc["docstatus"] = 1 if docstatus == 1 and meta.is_submittable else 0
        self._cast_all(ctx, doc, meta)
        self.run(ctx, "before_validate", doc)
        v.validate_links(ctx.txn, doc, meta, ctx.child_meta)
        self.run(ctx, "before_insert", doc)
        doc["name"] = self.run(ctx, "autoname", doc) or default_name(ctx.txn, doc, meta, self.now())
        modified = self.next_modified(ctx, None)
        self._stamp(ctx, doc, meta, True, modified)
        self.run(ctx, "validate", doc)
        self._stamp(ctx, doc, meta, True, modified)  # rows the controller added
        self._cast_all(ctx, doc, meta)
        v.validate_fields(doc, meta, ctx.child_meta)
        if doc["docstatus"] == 1:
            self.run(ctx, "before_submit", doc)
        self._write(ctx, doc, meta, new=True)
        doc.pop("__islocal", None)
        self.run(ctx, "on_update", doc)
        if doc["docstatus"] == 1:
            self.run(ctx, "on_submit", doc)
        self._after_hooks(ctx, doc, meta)
        return doc

    def _write(self, ctx: DocCtx, doc: Doc, meta: Meta, new: bool) -> None:
        if new and ctx.txn.exists(meta.name, doc["name"]):
            raise duplicate_entry(meta.name, doc["name"])
        v.check_unique(ctx.txn, doc, meta)
        if meta.is_tree:
            update_tree(ctx, doc, meta)
        self._cast_all(ctx, doc, meta)
        ctx.txn.put(_storable(doc))

    def _after_hooks(self, ctx: DocCtx, doc: Doc, meta: Meta) -> None:
        """Controllers may have changed the stored row after the write (db_set); keep the response
        document as the controller left it, but make sure the stored copy has the write's keys."""
        stored = ctx.txn.peek(meta.name, doc["name"])
        if stored is None:
            ctx.txn.put(_storable(doc))

    # -- save / submit / cancel -------------------------------------------------------------------
    def load_for_update(self, ctx: DocCtx, doctype: str, name: str) -> Doc:
        self.meta_or_404(ctx, doctype)
        doc = ctx.txn.get(doctype, name)
        if doc is None:
            raise not_found(doctype, name)
        return doc

    def update(self, ctx: DocCtx, doctype: str, name: str, changes: Doc) -> Doc:
        """PUT /api/resource: merge the body into the stored document and save it."""
        meta = self.meta_or_404(ctx, doctype)
        before = self.load_for_update(ctx, doctype, name)
        doc = copy.deepcopy(before)
        for k, value in changes.items():
            if k in PROTECTED or k in ("name", "flags", "__islocal", "__unsaved"):
                continue
            df = meta.get_field(k)
            if df is not None and df["fieldtype"] in TABLE_TYPES:
                doc[k] = self.make_rows(ctx, doc, df, value if value is not None else [])
            else:
                doc[k] = value
        return self.save(ctx, doc, before, meta)

    def save(self, ctx: DocCtx, doc: Doc, before: Doc, meta: Meta) -> Doc:
        """Frappe's `Document.save()`: latest check, docstatus transition, validation, hooks."""
        if str(doc.get("modified")) != str(before.get("modified")):
            # Frappe prints the timestamp it had already stamped on the document, not the client's
            raise timestamp_mismatch(str(before.get("modified")), self.next_modified(ctx, before.get("modified")))
        old, new = to_int(before.get("docstatus")), to_int(doc.get("docstatus"))
        doc["docstatus"] = new
        if old == 2:
            raise raised("ValidationError", "Cannot edit cancelled document")
        if old == 0 and new == 2 or old == 1 and new == 0 or new not in (0, 1, 2):
            raise docstatus_transition(old, new if new in (0, 1, 2) else 0)
        if old == 1 and new == 2:
            return self._cancel(ctx, doc, before, meta)
        self._cast_all(ctx, doc, meta)
        self.run(ctx, "before_validate", doc)
        v.validate_links(ctx.txn, doc, meta, ctx.child_meta)
        modified = self.next_modified(ctx, before.get("modified"))
        if old == 1:
            return self._update_after_submit(ctx, doc, before, meta, modified)
        v.validate_set_only_once(doc, before, meta)
        self._stamp(ctx, doc, meta, False, modified)
        self.run(ctx, "validate", doc)
        self._stamp(ctx, doc, meta, False, modified)
        self._cast_all(ctx, doc, meta)
        v.validate_fields(doc, meta, ctx.child_meta)
        if new == 1:
            self.run(ctx, "before_submit", doc)
        self._write(ctx, doc, meta, new=False)
        self.run(ctx, "on_update", doc)
        if new == 1:
            self.run(ctx, "on_submit", doc)
        self._after_hooks(ctx, doc, meta)
        return doc

    def _update_after_submit(self, ctx: DocCtx, doc: Doc, before: Doc, meta: Meta, modified: str) -> Doc:
        allowed: set[str] = set()
        for controller in self._hooks(meta.name):
            allowed |= controller.allowed_after_submit()
        v.validate_update_after_submit(doc, before, meta, ctx.child_meta, allowed)
        if _normalised(doc) == _normalised(before):
            return before  # re-submitting a submitted document changes nothing
        self._stamp(ctx, doc, meta, False, modified)
        v.validate_fields(doc, meta, ctx.child_meta)
        self._write(ctx, doc, meta, new=False)
        self.run(ctx, "on_update_after_submit", doc)
        return doc

    def _cancel(self, ctx: DocCtx, doc: Doc, before: Doc, meta: Meta) -> Doc:
        # a cancel changes nothing but the docstatus: other body values are dropped, as Frappe's
        # cancel reloads the document
        doc = copy.deepcopy(before)
        doc["docstatus"] = 2
        self.run(ctx, "before_cancel", doc)
        self._stamp(ctx, doc, meta, False, self.next_modified(ctx, before.get("modified")))
        ctx.txn.put(_storable(doc))
        self.run(ctx, "on_cancel", doc)
        self._after_hooks(ctx, doc, meta)
        return ctx.txn.get(meta.name, doc["name"]) or doc

    def submit(self, ctx: DocCtx, doctype: str, name: str) -> Doc:
        return self.update(ctx, doctype, name, {"docstatus": 1})

    def cancel(self, ctx: DocCtx, doctype: str, name: str) -> Doc:
        meta = self.meta_or_404(ctx, doctype)
        before = self.load_for_update(ctx, doctype, name)
        doc = copy.deepcopy(before)
        doc["docstatus"] = 2
        return self.save(ctx, doc, before, meta)

    def delete(self, ctx: DocCtx, doctype: str, name: str) -> None:
        meta = self.meta_or_404(ctx, doctype)
        doc = self.load_for_update(ctx, doctype, name)
        if to_int(doc.get("docstatus")) == 1:
            raise throw_submitted_delete(doctype, doc["name"])
        self.run(ctx, "on_trash", doc)
        check_no_links(ctx, meta, doc)
        ctx.txn.delete(doctype, doc["name"])


def throw_submitted_delete(doctype: str, name: str) -> FrappeError:
    from .base import throw

    return throw(
        f"{doctype} {name}: Submitted Record cannot be deleted. You must "
        "<a href='https://docs.erpnext.com//docs/user/manual/en/setting-up/articles/"
        "delete-submitted-document' target='_blank'> Cancel </a> it first."
    )


def check_no_links(ctx: DocCtx, meta: Meta, doc: Doc) -> None:
    """`check_if_doc_is_linked`: a draft or submitted document linking here blocks the delete."""
    from .base import throw
    from .schema import base_schema

    for other_type in base_schema():
        other_meta = ctx.meta(other_type)
        if other_meta is None or other_meta.istable or other_meta.issingle:
            continue
        link_fields = [
            f["fieldname"]
            for f in other_meta.value_fields
            if f["fieldtype"] == "Link" and f.get("options") == meta.name
        ]
        table_links = []
        for tf in other_meta.table_fields:
            cm = ctx.meta(str(tf.get("options")))
            if cm is not None:
                fields = [
                    f["fieldname"]
                    for f in cm.value_fields
                    if f["fieldtype"] == "Link" and f.get("options") == meta.name
                ]
                if fields:
                    table_links.append((tf["fieldname"], fields))
        if not link_fields and not table_links:
            continue
        for other in ctx.txn.iter(other_type):
            if other_type == meta.name and other["name"] == doc["name"]:
                continue
            if to_int(other.get("docstatus")) >= 2:
                continue
            hit = any(str(other.get(f) or "").casefold() == doc["name"].casefold() for f in link_fields)
            hit = hit or any(
                str(row.get(f) or "").casefold() == doc["name"].casefold()
                for table, fields in table_links
                for row in other.get(table) or []
                for f in fields
            )
            if hit:
                slug = other_type.lower().replace(" ", "-")
                own = meta.name.lower().replace(" ", "-")
                raise throw(
                    f'Cannot delete or cancel because {meta.name} <a href="/app/{own}/{doc["name"]}">'
                    f'{doc["name"]}</a> is linked with {other_type} <a href="/app/{slug}/{other["name"]}">'
                    f"{other['name']}</a>",
                    "LinkExistsError",
                )


def apply_defaults(doc: Doc, meta: Meta) -> None:
    """`frappe.new_doc` defaults for values still missing: schema defaults, the first Select
    option, 0 for numbers, [] for tables."""
    for df in meta.fields:
        fn, ft = df["fieldname"], df["fieldtype"]
        if doc.get(fn) is not None:
            continue
        if ft in TABLE_TYPES:
            doc[fn] = []
            continue
        default = df.get("default")
        if default not in (None, "") and not str(default).startswith((":", "__")):
            if str(default).lower() != "today":
                doc[fn] = default
        elif ft == "Select" and df.get("options") and not str(df["options"]).startswith(":"):
            doc[fn] = select_options(df)[0]
    init_numbers(doc, meta)
    if doc.get("docstatus") is None:
        doc["docstatus"] = 0


def init_numbers(doc: Doc, meta: Meta) -> None:
    """`init_valid_columns`: numeric columns are never NULL, even on rows a controller appends."""
    for df in meta.fields:
        if doc.get(df["fieldname"]) is None:
            if df["fieldtype"] in ("Check", "Int"):
                doc[df["fieldname"]] = 0
            elif df["fieldtype"] in ("Float", "Currency", "Percent"):
                doc[df["fieldname"]] = Decimal("0")


def _storable(doc: Doc) -> Doc:
    stored = copy.deepcopy(doc)
    for key in [k for k in stored if k.startswith("__")]:
        stored.pop(key)
    for value in stored.values():
        if isinstance(value, list):
            for row in value:
                if isinstance(row, dict):
                    for marker in [k for k in row if k.startswith("__")]:
                        row.pop(marker)
    return stored


def _normalised(doc: Doc) -> Doc:
    from .serialize import jsonable

    clean = _storable(doc)
    for k in ("modified", "modified_by"):
        clean.pop(k, None)
    for value in clean.values():
        if isinstance(value, list):
            for row in value:
                if isinstance(row, dict):
                    row.pop("modified", None)
                    row.pop("modified_by", None)
    out = jsonable(clean)
    return {k: (float(val) if isinstance(val, int) and not isinstance(val, bool) else val) for k, val in out.items()}
