"""Write a document to ERPNext exactly once.

The rule (DESIGN invariants): the binding records the intent before the write; after any uncertain
outcome — a timeout, a lost response, a crash before the local commit — the next attempt looks the
document up by its unique sync key before writing again, and a unique-key clash is answered the
same way. So a retried insert can never create a second document.
"""

from __future__ import annotations

from typing import Any

from woonext.erpnext.errors import ErpError, ErpUncertain
from woonext.mapping.keys import SYNC_KEY_FIELD
from woonext.store import Binding, BindingExists
from woonext.sync.context import StoreContext

INSERTING = "inserting"
# Keys of an unsaved document built by a server-side mapper (`get_payment_entry`, `make_sales_return`)
# that must not be sent back on insert.
LOCAL_KEYS = frozenset(
    {
        "name",
        "__islocal",
        "__unsaved",
        "owner",
        "creation",
        "modified",
        "modified_by",
        "docstatus",
        "status",
        "amended_from",
    }
)
LOOKUP_FIELDS = [
    "name",
    "docstatus",
    "status",
    "grand_total",
    "total_taxes_and_charges",
    "outstanding_amount",
    "debit_to",
    "customer",
    "currency",
    "posting_date",
]


async def binding_for(ctx: StoreContext, kind: str, remote_id: str | int, doctype: str) -> Binding:
    found = await ctx.state.get_binding(ctx.store, kind, str(remote_id))
    return found or Binding(store=ctx.store, kind=kind, remote_id=str(remote_id), erp_doctype=doctype)


async def find_by_key(ctx: StoreContext, doctype: str, key: str) -> dict[str, Any] | None:
    fields = LOOKUP_FIELDS if doctype == "Sales Invoice" else ["name", "docstatus"]
    rows = await ctx.erp.get_list(doctype, filters={SYNC_KEY_FIELD: key}, fields=fields, limit=1)
    return rows[0] if rows else None


async def insert_once(ctx: StoreContext, binding: Binding, doctype: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Insert `doc` (which carries its sync key) unless a previous attempt already did."""
    key = str(doc[SYNC_KEY_FIELD])
    if binding.state == INSERTING:
        found = await find_by_key(ctx, doctype, key)
        if found is not None:
            return found
    binding.state = INSERTING
    binding.data = {**binding.data, "key": key}
    try:
        await ctx.state.save_binding(binding)
    except BindingExists:
        # Another flow on the same object (the orders poll and a webhook event) recorded its intent
        # first: continue on its row; the sync key below keeps ERPNext to one document.
        current = await ctx.state.get_binding(binding.store, binding.kind, str(binding.remote_id))
        if current is None:
            raise
        binding.id, binding.created_at = current.id, current.created_at
        found = await find_by_key(ctx, doctype, key)
        if found is not None:
            return found
        await ctx.state.save_binding(binding)
    try:
        return await ctx.erp.insert(doctype, doc)
    except ErpUncertain:
        found = await find_by_key(ctx, doctype, key)
        if found is not None:
            return found
        raise
    except ErpError as exc:
        # Our key already taken, or the name: an amendment is named `<amended_from>-1` whatever its key,
        # so a retried amendment whose first insert committed late collides on the name first.
        if exc.exc_type not in ("UniqueValidationError", "DuplicateEntryError"):
            raise
        found = await find_by_key(ctx, doctype, key)
        if found is None:
            raise
        return found


async def mark_done(ctx: StoreContext, binding: Binding, name: str, state: str, **data: Any) -> None:
    binding.erp_name = name
    binding.state = state
    binding.data = {**binding.data, **data}
    await ctx.state.save_binding(binding)
