"""What may not be deleted: submitted documents, and documents other documents still link to."""

from __future__ import annotations

from .accounting.lookup import setting
from .base import Doc, FrappeError, throw
from .context import DocCtx
from .schema import Meta, base_schema
from .serialize import to_int


def throw_submitted_delete(doctype: str, name: str) -> FrappeError:
    return throw(
        f"{doctype} {name}: Submitted Record cannot be deleted. You must "
        "<a href='https://docs.erpnext.com//docs/user/manual/en/setting-up/articles/"
        "delete-submitted-document' target='_blank'> Cancel </a> it first."
    )


def _links_to(meta: Meta, target: str) -> list[tuple[str, str | None]]:
    """(field, type field) pairs of `meta` that can point at `target`: Links with that option,
    and Dynamic Links (whose type is read from another field of the row)."""
    out: list[tuple[str, str | None]] = []
    for f in meta.value_fields:
        if f["fieldtype"] == "Link" and f.get("options") == target:
            out.append((f["fieldname"], None))
        elif f["fieldtype"] == "Dynamic Link" and f.get("options"):
            out.append((f["fieldname"], str(f["options"])))
    return out


def _points_at(row: Doc, fields: list[tuple[str, str | None]], doctype: str, name: str) -> bool:
    for field, type_field in fields:
        if str(row.get(field) or "").casefold() != name.casefold():
            continue
        if type_field is None or row.get(type_field) == doctype:
            return True
    return False


# Frappe's `ignore_links_on_delete` (hooks.py): logs that never stop a delete (sample 107).
IGNORE_LINKS_ON_DELETE = frozenset({"Webhook Request Log"})
LEDGERS = ("Stock Ledger Entry", "GL Entry", "Payment Ledger Entry")


def drop_ledger_rows(ctx: DocCtx, doctype: str, name: str) -> None:
    """`AccountsController.on_trash`: with Accounts Settings `delete_linked_ledger_entries` on, a deleted
    (cancelled) transaction takes its ledger rows with it. Off — ERPNext's default — they stay, and
    `check_no_links` refuses the delete ("Cannot delete or cancel because … is linked with Stock Ledger
    Entry …"), as the real site does."""
    if not to_int(setting(ctx, "Accounts Settings", "delete_linked_ledger_entries")):
        return
    for ledger in LEDGERS:
        if ctx.meta(ledger) is None:
            continue
        for row in [
            r for r in ctx.txn.iter(ledger) if r.get("voucher_type") == doctype and r.get("voucher_no") == name
        ]:
            ctx.txn.delete(ledger, row["name"])


def check_no_links(ctx: DocCtx, meta: Meta, doc: Doc) -> None:
    """`check_if_doc_is_linked` / `..._dynamically_linked`: a draft or submitted document that links
    here (directly, from a child row, or through a Dynamic Link) blocks the delete."""
    for other_type in base_schema():
        if other_type in IGNORE_LINKS_ON_DELETE:
            continue
        other_meta = ctx.meta(other_type)
        if other_meta is None or other_meta.istable or other_meta.issingle:
            continue
        own_fields = _links_to(other_meta, meta.name)
        table_fields = []
        for tf in other_meta.table_fields:
            child = ctx.meta(str(tf.get("options")))
            fields = _links_to(child, meta.name) if child is not None else []
            if fields:
                table_fields.append((tf["fieldname"], fields))
        if not own_fields and not table_fields:
            continue
        for other in ctx.txn.iter(other_type):
            if (other_type == meta.name and other["name"] == doc["name"]) or to_int(other.get("docstatus")) >= 2:
                continue
            hit = _points_at(other, own_fields, meta.name, doc["name"]) or any(
                _points_at(row, fields, meta.name, doc["name"])
                for table, fields in table_fields
                for row in other.get(table) or []
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
