"""`frappe.client.rename_doc` (B2.4): rename a document, or merge it into an existing one.

As `frappe/model/rename_doc.py` (v15) does it: load the old document (404 if missing), the
controller's `before_rename` (trees: a merge joins two groups or two leaves only), `validate_rename`
(exact messages below), then every Link field whose options name the doctype and every Dynamic Link
whose type column holds it — in any doctype, in child rows, in Custom Fields — is pointed at the new
name *without* touching `modified` (Frappe writes them with `update_modified=False`), submitted and
cancelled documents included. `after_rename` runs (ERPNext's Customer takes the new name as its
`customer_name` when customers are named by name), and with `merge` the old document is deleted
through the normal delete path. The answer's `message` is the new name, with the green alert
"Document renamed from … to …" in `_server_messages`.

The link fields are read from the schema (doctype JSONs + Custom Fields), not listed by hand.
"""

from __future__ import annotations

from typing import Any

from .base import Doc, FrappeError, throw
from .context import DocCtx
from .db import clone
from .errors import duplicate_entry
from .schema import Meta, base_schema
from .serialize import to_int
from .trees import update_tree

# `allow_rename: 1` in the v15 doctype JSONs (reference/erpnext-v15-doctypes); schema.json does not
# carry the flag. Doctypes of the simulator's schema without a reference JSON are treated as not
# renamable rather than guessed.
RENAMABLE = frozenset(
    {
        "Address",
        "Company",
        "Contact",
        "Customer",
        "Customer Group",
        "Item",
        "Item Attribute",
        "Item Group",
        "Mode of Payment",
        "Price List",
        "Territory",
        "UOM",
    }
)
NAME_SPECIAL_CHARACTERS = "<>"


def rename_doc(
    ctx: DocCtx, doctype: str = "", old_name: Any = None, new_name: Any = None, merge: Any = False, **_: Any
) -> str:
    meta = ctx.engine.meta_or_404(ctx, doctype)
    old_doc = ctx.engine.load_for_update(ctx, doctype, str(old_name or ""))
    old = str(old_name)
    new = str(new_name if new_name is not None else "")
    merging = _sbool(merge)
    _before_rename(ctx, meta, old_doc, new, merging)
    new = _validate_rename(ctx, meta, old, new, merging)
    if not merging:
        _rename_parent_and_child(ctx, meta, old_doc, new)
    _update_links(ctx, doctype, old, new)
    _update_ledgers(ctx, doctype, old, new)
    _after_rename(ctx, meta, new)
    if merging:
        ctx.engine.delete(ctx, doctype, old_doc["name"])
        _rebuild_tree(ctx, meta, new)
    ctx.messages.append(
        {
            "message": f"Document renamed from <strong>{old}</strong> to <strong>{new}</strong>",
            "title": "Message",
            "indicator": "green",
            "alert": 1,
        }
    )
    return new


def _sbool(value: Any) -> bool:
    """`frappe.utils.data.sbool`: "0", "false", "" and friends are False."""
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no", "off", "none", "null")
    return bool(value)


def _before_rename(ctx: DocCtx, meta: Meta, old_doc: Doc, new: str, merging: bool) -> None:
    """NestedSet.before_rename: the group flags of both nodes must agree (checked before the target
    is even known to exist, as Frappe does)."""
    if not (merging and meta.is_tree and meta.get_field("is_group")):
        return
    target = ctx.txn.peek(meta.name, new)
    target_group = to_int(target.get("is_group")) if target is not None else None
    if to_int(old_doc.get("is_group")) != target_group:
        raise FrappeError(
            status=417,
            exc_type="NestedSetInvalidMergeError",
            exc_module="frappe.utils.nestedset",
            messages=[
                {
                    "message": "Merging is only possible between Group-to-Group or Leaf Node-to-Leaf Node",
                    "title": "Message",
                    "indicator": "red",
                    "raise_exception": 1,
                }
            ],
            exception="Merging is only possible between Group-to-Group or Leaf Node-to-Leaf Node",
        )


def _validate_rename(ctx: DocCtx, meta: Meta, old: str, new: str, merging: bool) -> str:
    doctype = meta.name
    stored = ctx.txn.peek(doctype, new)
    # the row is found case-insensitively, but only an exact match counts ("for fixing case, accents")
    exists = stored["name"] if stored is not None and stored["name"] == new else None
    if old == new:
        raise throw("No changes made because old and new name are the same.")
    if merging and not exists:
        raise throw(f"{doctype} {new} does not exist, select a new target to merge")
    if not merging and exists:
        raise throw(f"Another {doctype} with name {new} exists, select another name")
    if doctype not in RENAMABLE:
        raise throw(f"{doctype} not allowed to be renamed")
    return _validate_name(meta, new)


def _validate_name(meta: Meta, name: str) -> str:
    """`frappe.model.naming.validate_name`."""
    if not name:
        raise throw(f"No Name Specified for {meta.name}")
    name = name.strip()
    if not meta.issingle and name == meta.name:
        raise throw(f"Name of {meta.name} cannot be {name}", "NameError", 409)
    if any(c in name for c in NAME_SPECIAL_CHARACTERS):
        listed = ", ".join(f"'{c}'" for c in NAME_SPECIAL_CHARACTERS)
        raise throw(f"Name cannot contain special characters like {listed}", "NameError", 409)
    return name


def _rename_parent_and_child(ctx: DocCtx, meta: Meta, old_doc: Doc, new: str) -> None:
    """The row itself, its `field:` autoname column, and the `parent` of its child rows."""
    stored = ctx.txn.peek(meta.name, new)
    if stored is not None and stored["name"].casefold() != old_doc["name"].casefold():
        # another row differs only in case: the primary key refuses it
        raise duplicate_entry(meta.name, new)
    doc = clone(old_doc)
    doc["name"] = new
    rule = meta.autoname or ""
    if rule.startswith("field:"):
        doc[rule.split(":", 1)[1]] = new
    for df in meta.table_fields:
        for row in doc.get(df["fieldname"]) or []:
            row["parent"] = new
    ctx.txn.delete(meta.name, old_doc["name"])
    ctx.txn.put(doc)


def link_fields(meta: Meta, target: str) -> list[tuple[str, str | None]]:
    """(field, type field) of `meta` that can hold a `target` name: its Links to `target`, and its
    Dynamic Links (whose type column must then say `target`)."""
    out: list[tuple[str, str | None]] = []
    for f in meta.value_fields:
        if f["fieldtype"] == "Link" and f.get("options") == target:
            out.append((f["fieldname"], None))
        elif f["fieldtype"] == "Dynamic Link" and f.get("options"):
            out.append((f["fieldname"], str(f["options"])))
    return out


def _repoint(row: Doc, fields: list[tuple[str, str | None]], target: str, old: str, new: str) -> bool:
    changed = False
    for field, type_field in fields:
        # MariaDB compares names case-insensitively
        if str(row.get(field) or "").casefold() != old.casefold():
            continue
        if type_field is not None and row.get(type_field) != target:
            continue
        row[field] = new
        changed = True
    return changed


def _holds(row: Doc, fields: list[tuple[str, str | None]], target: str, old: str) -> bool:
    return any(
        str(row.get(field) or "").casefold() == old.casefold() and (type_field is None or row.get(type_field) == target)
        for field, type_field in fields
    )


def _points_at(
    doc: Doc, own: list[tuple[str, str | None]], tables: list[tuple[str, Any]], target: str, old: str
) -> bool:
    return _holds(doc, own, target, old) or any(
        _holds(row, fields, target, old) for table, fields in tables for row in doc.get(table) or []
    )


def _update_links(ctx: DocCtx, target: str, old: str, new: str) -> None:
    """`update_link_field_values` + `rename_dynamic_links`, over every stored document."""
    for doctype in base_schema():
        meta = ctx.meta(doctype)
        if meta is None or meta.istable:
            continue
        own = link_fields(meta, target)
        tables = []
        for tf in meta.table_fields:
            child = ctx.meta(str(tf.get("options") or ""))
            fields = link_fields(child, target) if child is not None else []
            if fields:
                tables.append((tf["fieldname"], fields))
        if not own and not tables:
            continue
        changed: list[Doc] = []
        for stored in ctx.txn.iter(doctype):
            if doctype == target and str(stored["name"]).casefold() == old.casefold():
                continue  # the renamed row itself was handled (or is about to be deleted)
            if not _points_at(stored, own, tables, target, old):
                continue  # look before copying: most documents do not link here
            doc = clone(stored)
            _repoint(doc, own, target, old, new)
            for table, fields in tables:
                for row in doc.get(table) or []:
                    _repoint(row, fields, target, old, new)
            changed.append(doc)
        for doc in changed:
            ctx.txn.put(doc)  # no new `modified`: Frappe updates these columns with update_modified=False


def _update_ledgers(ctx: DocCtx, target: str, old: str, new: str) -> None:
    """GL Entry's `party` is a Dynamic Link on `party_type`. The simulator keeps ledger rows outside
    the document tables, as append-only lists; the committed ones are rewritten in place, which is
    safe because nothing after this step can fail the request."""
    for entry in [*ctx.txn.db.gl_entries, *ctx.txn.gl_entries]:
        if entry.get("party_type") == target and str(entry.get("party") or "").casefold() == old.casefold():
            entry["party"] = new


def _after_rename(ctx: DocCtx, meta: Meta, new: str) -> None:
    if meta.name == "Customer":
        # ERPNext Customer.after_rename: with "Customer Name" naming the name is the customer name
        settings = ctx.get("Selling Settings", "Selling Settings") or {}
        if (settings.get("cust_master_name") or "Customer Name") == "Customer Name":
            doc = ctx.get("Customer", new)
            if doc is not None:
                doc["customer_name"] = new
                ctx.save(doc)  # db_set: bumps `modified`
    if meta.is_tree and meta.nsm_parent_field:
        # NestedSet.after_rename: the children's old_parent follows the new name
        parent_field = meta.nsm_parent_field
        for row in list(ctx.txn.iter(meta.name)):
            if str(row.get(parent_field) or "").casefold() == new.casefold() and meta.get_field("old_parent"):
                changed = clone(row)
                changed["old_parent"] = new
                ctx.txn.put(changed)


def _rebuild_tree(ctx: DocCtx, meta: Meta, new: str) -> None:
    """NestedSet.after_rename with merge: `rebuild_tree` renumbers lft/rgt without the merged node."""
    if not (meta.is_tree and meta.nsm_parent_field):
        return
    survivor = ctx.txn.get(meta.name, new)
    if survivor is not None:
        update_tree(ctx, survivor, meta)
        ctx.txn.put(survivor)
