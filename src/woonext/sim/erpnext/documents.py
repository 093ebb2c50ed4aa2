"""The document life cycle: insert, save, submit, cancel, delete, as Frappe's `Document` runs them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from . import validation as v
from .base import Controller, Doc, FrappeError
from .context import DocCtx
from .db import clone
from .deletion import check_no_links, drop_ledger_rows, throw_submitted_delete
from .docvalues import apply_defaults, init_numbers, normalised, storable
from .errors import docstatus_transition, duplicate_entry, not_found, raised, timestamp_mismatch
from .naming import default_name, random_name
from .schema import TABLE_TYPES, Meta
from .serialize import cast_doc, format_datetime, to_int
from .trees import update_tree

__all__ = ["DocCtx", "Engine", "apply_defaults"]

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
        apply_defaults(doc, meta, self.now())
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
                apply_defaults(row, child_meta, self.now())
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
        if docstatus == 1 and not meta.is_submittable:
            raise no_permission_to(meta.name, "submit")
        doc["docstatus"] = docstatus
        self._cast_all(ctx, doc, meta)
        self.run(ctx, "before_validate", doc)
        v.validate_links(ctx.txn, doc, meta, ctx.child_meta)
        self.run(ctx, "before_insert", doc)
        doc["name"] = (
            amended_name(ctx, doc) or self.run(ctx, "autoname", doc) or default_name(ctx.txn, doc, meta, self.now())
        )
        modified = self.next_modified(ctx, None)
        self._stamp(ctx, doc, meta, True, modified)
        self.run(ctx, "validate", doc)
        self._stamp(ctx, doc, meta, True, modified)  # rows the controller added
        self._cast_all(ctx, doc, meta)
        v.validate_fields(doc, meta, ctx.child_meta)
        if doc["docstatus"] == 1:
            self.run(ctx, "before_submit", doc)
        self._write(ctx, doc, meta, new=True)
        self.run(ctx, "on_update", doc)  # `__islocal` still tells the hooks this was an insert
        if doc["docstatus"] == 1:
            self.run(ctx, "on_submit", doc)
        doc.pop("__islocal", None)
        # Document.insert: after_insert, then the post-save methods; on_change is not sent during an insert
        self._events(ctx, doc, "after_insert", "on_update", *(("on_submit",) if doc["docstatus"] == 1 else ()))
        return doc

    @staticmethod
    def _events(ctx: DocCtx, doc: Doc, *events: str) -> None:
        for event in events:
            ctx.raise_event(doc["doctype"], event, doc)

    def _write(self, ctx: DocCtx, doc: Doc, meta: Meta, new: bool) -> None:
        if new and ctx.txn.exists(meta.name, doc["name"]):
            raise duplicate_entry(meta.name, doc["name"])
        v.check_unique(ctx.txn, doc, meta)
        if meta.is_tree:
            update_tree(ctx, doc, meta)
        self._cast_all(ctx, doc, meta)
        ctx.txn.put(storable(doc, meta, ctx.child_meta))

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
        doc = clone(before)
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
        if new in (1, 2) and old != new and not meta.is_submittable:
            raise no_permission_to(meta.name, "submit" if new == 1 else "cancel")
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
        self._events(ctx, doc, "on_update", *(("on_submit",) if new == 1 and old == 0 else ()), "on_change")
        return doc

    def _update_after_submit(self, ctx: DocCtx, doc: Doc, before: Doc, meta: Meta, modified: str) -> Doc:
        allowed: set[str] = set()
        for controller in self._hooks(meta.name):
            allowed |= controller.allowed_after_submit()
        v.validate_update_after_submit(doc, before, meta, ctx.child_meta, allowed)
        if normalised(doc) == normalised(before):
            return before  # re-submitting a submitted document changes nothing
        self._stamp(ctx, doc, meta, False, modified)
        v.validate_fields(doc, meta, ctx.child_meta)
        self._write(ctx, doc, meta, new=False)
        self.run(ctx, "on_update_after_submit", doc)
        self._events(ctx, doc, "on_update_after_submit", "on_change")
        return doc

    def _cancel(self, ctx: DocCtx, doc: Doc, before: Doc, meta: Meta) -> Doc:
        # a cancel changes nothing but the docstatus: other body values are dropped, as Frappe's
        # cancel reloads the document
        doc = clone(before)
        doc["docstatus"] = 2
        self.run(ctx, "before_cancel", doc)
        self._stamp(ctx, doc, meta, False, self.next_modified(ctx, before.get("modified")))
        ctx.txn.put(storable(doc, meta, ctx.child_meta))
        self.run(ctx, "on_cancel", doc)
        self._events(ctx, doc, "on_cancel", "on_change")
        return ctx.txn.get(meta.name, doc["name"]) or doc

    def submit(self, ctx: DocCtx, doctype: str, name: str) -> Doc:
        return self.update(ctx, doctype, name, {"docstatus": 1})

    def cancel(self, ctx: DocCtx, doctype: str, name: str) -> Doc:
        meta = self.meta_or_404(ctx, doctype)
        before = self.load_for_update(ctx, doctype, name)
        doc = clone(before)
        doc["docstatus"] = 2
        return self.save(ctx, doc, before, meta)

    def delete(self, ctx: DocCtx, doctype: str, name: str) -> None:
        meta = self.meta_or_404(ctx, doctype)
        doc = self.load_for_update(ctx, doctype, name)
        if to_int(doc.get("docstatus")) == 1:
            raise throw_submitted_delete(doctype, doc["name"])
        self.run(ctx, "on_trash", doc)
        drop_ledger_rows(ctx, doctype, doc["name"])
        check_no_links(ctx, meta, doc)
        ctx.txn.delete(doctype, doc["name"])
        self._events(ctx, doc, "on_trash")


def amended_name(ctx: DocCtx, doc: Doc) -> str | None:
    """`_set_amended_name`: an amendment of X is X-1, of X-1 is X-2 (only the last suffix counts)."""
    source = str(doc.get("amended_from") or "")
    if not source:
        return None
    original = ctx.txn.peek(doc["doctype"], source)
    if original is not None and original.get("amended_from"):
        prefix, _, number = source.rpartition("-")
        return f"{prefix}-{to_int(number) + 1}"
    return f"{source}-1"


def no_permission_to(doctype: str, action: str) -> FrappeError:
    """`raise_no_permission_to`: submitting or cancelling a doctype that cannot be submitted."""
    return FrappeError(
        status=403,
        exc_type="PermissionError",
        error_message=f"Insufficient Permission for {doctype} (<strong>{action}</strong>)",
    )
