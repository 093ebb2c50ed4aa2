"""Find or create the ERPNext Customer of an order: our binding first, then our unique key in
ERPNext (covers a lost response), and only then a new Customer."""

from __future__ import annotations

import asyncio
from typing import Any

from woonext.erpnext.errors import ErpError
from woonext.mapping.customer import customer_doc, identity_key
from woonext.store import Binding
from woonext.sync.context import StoreContext
from woonext.sync.setup import CUSTOMER_KEY_FIELD


async def _find_by_key(ctx: StoreContext, key: str) -> str | None:
    rows = await ctx.erp.get_list("Customer", filters={CUSTOMER_KEY_FIELD: key}, fields=["name"], limit=1)
    return str(rows[0]["name"]) if rows else None


async def resolve_customer(ctx: StoreContext, order: dict[str, Any]) -> str:
    identity = identity_key(order)
    lock = ctx.cache.customer_locks.setdefault(identity, asyncio.Lock())
    async with lock:
        return await _resolve(ctx, order, identity)


async def _resolve(ctx: StoreContext, order: dict[str, Any], identity: str) -> str:
    if identity in ctx.cache.customers:
        return ctx.cache.customers[identity]
    binding = ctx.db.get_binding(ctx.store, "customer", identity)
    if binding is not None and binding.erp_name:
        ctx.cache.customers[identity] = binding.erp_name
        return binding.erp_name
    key = f"{ctx.store}:{identity}"
    name: str | None = None
    if binding is None:
        # Intent first: if the insert's answer is lost, the next attempt looks the key up.
        binding = Binding(store=ctx.store, kind="customer", remote_id=identity, erp_doctype="Customer",
                          state="inserting")
        ctx.db.save_binding(binding)
    else:
        name = await _find_by_key(ctx, key)  # an earlier attempt may have created it
    if name is None:
        try:
            created = await ctx.erp.insert("Customer", customer_doc(order, key))
            name = str(created["name"])
        except ErpError as exc:
            if exc.exc_type != "UniqueValidationError":
                raise
            name = await _find_by_key(ctx, key)
            if name is None:
                raise
    binding.erp_name = name
    binding.state = "done"
    ctx.db.save_binding(binding)
    ctx.cache.customers[identity] = name
    return name
