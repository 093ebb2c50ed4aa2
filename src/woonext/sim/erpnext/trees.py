"""Nested-set trees (Territory, Customer Group, Item Group, Account, Warehouse, Company, ...)."""

from __future__ import annotations

from typing import Any

from .base import Doc, throw
from .db import clone
from .schema import SINGLE_ROOT, Meta
from .serialize import to_int


def update_tree(ctx: Any, doc: Doc, meta: Meta) -> None:
    """Default parent, leaf/group rule, `old_parent`, and lft/rgt renumbered for the whole tree."""
    parent_field = meta.nsm_parent_field
    if not parent_field:
        return
    root = SINGLE_ROOT.get(meta.name)
    is_root = root is None or doc["name"].casefold() == root.casefold()
    if not is_root and not doc.get(parent_field) and ctx.txn.exists(meta.name, root):
        doc[parent_field] = root
    if not to_int(doc.get("is_group")):
        has_children = any(
            str(other.get(parent_field) or "").casefold() == doc["name"].casefold() for other in ctx.txn.iter(meta.name)
        )
        if has_children:
            raise throw(f"{meta.name} {doc['name']} cannot be a leaf node as it has children")
    if meta.get_field("old_parent"):
        doc["old_parent"] = doc.get(parent_field) or ""
    rows = {str(r["name"]).casefold(): r for r in ctx.txn.iter(meta.name)}
    rows[doc["name"].casefold()] = doc
    numbers = _number(rows, parent_field)
    for k, (lft, rgt) in numbers.items():
        row = rows[k]
        if row is doc:
            doc["lft"], doc["rgt"] = lft, rgt
        elif (to_int(row.get("lft")), to_int(row.get("rgt"))) != (lft, rgt):
            changed = clone(row)  # never share child lists with the committed row
            changed.update(lft=lft, rgt=rgt)
            ctx.txn.put(changed)


def _number(rows: dict[str, Doc], parent_field: str) -> dict[str, tuple[int, int]]:
    kids: dict[str, list[str]] = {}
    roots: list[str] = []
    for k, row in rows.items():
        parent = str(row.get(parent_field) or "").casefold()
        if parent and parent in rows:
            kids.setdefault(parent, []).append(k)
        else:
            roots.append(k)
    out: dict[str, tuple[int, int]] = {}
    counter = 0

    def walk(k: str) -> None:
        nonlocal counter
        counter += 1
        lft = counter
        for child in sorted(kids.get(k, []), key=lambda c: (to_int(rows[c].get("lft")) or 10**9, c)):
            walk(child)
        counter += 1
        out[k] = (lft, counter)

    for k in sorted(roots, key=lambda c: (to_int(rows[c].get("lft")) or 10**9, c)):
        walk(k)
    return out
