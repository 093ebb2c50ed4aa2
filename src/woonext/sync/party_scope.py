"""Where a person's bindings live: one scope for every store of an ERPNext, or one per store.

A shop with two WooCommerce stores feeding one ERPNext sells to the same people in both; kept per
store, each store minted its own Customer for them ("Name - 1"). With `customer_scope = "erpnext"`
(the default) the bindings of people — their identity keys, Contacts and Addresses — live in the
shared scope `SHARED`, and the unique key woonext writes on a new Customer is the shared scope's, so
two stores creating the same person at once still make one Customer. `"store"` keeps each store's
people apart, as before.

E-mails and phones mean the same person in every store; a WooCommerce customer id or a guest order id
means something only in its own store, so in the shared scope those keys carry the store's name
(`id:shop2:17`). Bindings an earlier version kept per store — in any store, for an e-mail or a phone
— are adopted into the shared scope the first time they are read (copied, never moved: the stores'
own rows stay as they were; an index on (kind, remote id) keeps the look-up cheap).
"""

from __future__ import annotations

from woonext.store import Binding, BindingExists, StateDB
from woonext.sync.context import StoreContext

SHARED = "@erpnext"  # store names cannot start with "@" (config.py)
_PER_STORE = ("id", "guest-order")  # identity keys that mean something only within one store


def party_scope(ctx: StoreContext) -> str:
    return SHARED if ctx.config.customer_scope == "erpnext" else ctx.store


def scoped_keys(ctx: StoreContext, keys: list[str]) -> list[str]:
    """The order's identity keys as its scope knows them (`id:17` → `id:shop2:17` when shared)."""
    if party_scope(ctx) != SHARED:
        return keys
    scoped = []
    for key in keys:
        kind, _, value = key.partition(":")
        scoped.append(f"{kind}:{ctx.store}:{value}" if kind in _PER_STORE else key)
    return scoped


def unscoped(key: str) -> str:
    """`id:shop2:17` → `id:17`: the key as a store-scoped binding (or an earlier version) holds it."""
    kind, _, rest = key.partition(":")
    return f"{kind}:{rest.rpartition(':')[2]}" if kind in _PER_STORE and ":" in rest else key


async def get_party_binding(ctx: StoreContext, kind: str, remote_id: str) -> Binding | None:
    """The binding of a customer key, Contact or Address in the scope, adopting a store-scoped one."""
    scope = party_scope(ctx)
    found = await ctx.state.get_binding(scope, kind, remote_id)
    if found is not None or scope == ctx.store:
        return found
    legacy = await ctx.state.run(_known_elsewhere, ctx.db, ctx.store, kind, remote_id)
    if legacy is None:
        return None
    adopted = Binding(
        store=scope,
        kind=kind,
        remote_id=remote_id,
        erp_doctype=legacy.erp_doctype,
        erp_name=legacy.erp_name,
        revision=legacy.revision,
        content_hash=legacy.content_hash,
        state=legacy.state,
        data=dict(legacy.data),
    )
    try:
        await ctx.state.save_binding(adopted)
    except BindingExists:  # another worker adopted it a moment ago
        return await ctx.state.get_binding(scope, kind, remote_id)
    return adopted


def _known_elsewhere(db: StateDB, store: str, kind: str, remote_id: str) -> Binding | None:
    """A binding a store kept for itself: for a store's own key (a customer id) that store's, for an
    e-mail, a phone, a Contact or an Address any store's — a finished one first. (In a thread.)"""
    key = unscoped(remote_id)
    if key != remote_id:
        return db.get_binding(store, kind, key)
    found = [b for b in db.bindings_of_remote(kind, key) if not b.store.startswith("@")]  # not shared, archived
    return next((b for b in found if b.state == "done"), found[0] if found else None)


def new_party_binding(ctx: StoreContext, kind: str, remote_id: str, doctype: str) -> Binding:
    return Binding(store=party_scope(ctx), kind=kind, remote_id=remote_id, erp_doctype=doctype)
