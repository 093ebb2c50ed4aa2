"""What may not be deleted: submitted documents, and documents other documents still link to."""

from __future__ import annotations

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


def check_no_links(ctx: DocCtx, meta: Meta, doc: Doc) -> None:
    """`check_if_doc_is_linked`: a draft or submitted document linking here blocks the delete."""
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
