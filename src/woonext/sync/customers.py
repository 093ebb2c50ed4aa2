"""Find or create the ERPNext Customer of an order: our binding first, then our unique key in
ERPNext (covers a lost response), and only then a new Customer."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog

from woonext.erpnext.errors import ErpError
from woonext.mapping.customer import customer_doc, identity_keys
from woonext.store import Binding, BindingExists
from woonext.sync.context import StoreContext
from woonext.sync.setup import CUSTOMER_KEY_FIELD

log = structlog.get_logger(__name__)


async def _find_by_key(ctx: StoreContext, key: str) -> str | None:
    rows = await ctx.erp.get_list("Customer", filters={CUSTOMER_KEY_FIELD: key}, fields=["name"], limit=1)
    return str(rows[0]["name"]) if rows else None


async def resolve_customer(ctx: StoreContext, order: dict[str, Any]) -> str:
    """By WooCommerce customer id, then e-mail (then phone for anonymous guests); create only if none match."""
    keys = identity_keys(order)
    # One lock per person (by the weakest shared key, e-mail when there is one) so concurrent orders
    # of a new customer create one Customer.
    lock = ctx.cache.customer_locks.setdefault(keys[-1], asyncio.Lock())
    async with lock:
        cached = next((ctx.cache.customers[k] for k in keys if k in ctx.cache.customers), None)
        if cached:
            return cached
        for other in keys:
            known = _bound_name(ctx, other)
            if known:
                for key in keys:
                    _remember(ctx, key, known)
                return known
        name = await _resolve(ctx, order, keys[0])
        for key in keys[1:]:
            _remember(ctx, key, name)
        return name


def _bound_name(ctx: StoreContext, identity: str) -> str:
    binding = ctx.db.get_binding(ctx.store, "customer", identity)
    return binding.erp_name if binding is not None and binding.state == "done" else ""


def _remember(ctx: StoreContext, identity: str, name: str) -> None:
    ctx.cache.customers[identity] = name
    if ctx.db.get_binding(ctx.store, "customer", identity) is None:
        with contextlib.suppress(BindingExists):  # another worker recorded the same person first
            ctx.db.save_binding(Binding(store=ctx.store, kind="customer", remote_id=identity,
                                        erp_doctype="Customer", erp_name=name, state="done"))


async def _resolve(ctx: StoreContext, order: dict[str, Any], identity: str) -> str:
    binding = ctx.db.get_binding(ctx.store, "customer", identity)
    key = f"{ctx.store}:{identity}"
    name: str | None = None
    if binding is None:
        binding = Binding(store=ctx.store, kind="customer", remote_id=identity, erp_doctype="Customer")
    elif binding.state == "inserting":
        name = await _find_by_key(ctx, key)  # an earlier attempt may have created it
    if name is None:
        # Intent first: if the insert's answer is lost, the next attempt looks the key up.
        binding.state = "inserting"
        ctx.db.save_binding(binding)
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


async def prefetch_customers(ctx: StoreContext, orders: list[dict[str, Any]]) -> int:
    """Create the page's new customers in one `insert_many` request instead of one insert each.

    Atomic on ERPNext's side: on any error nothing was created (or, after an uncertain outcome,
    the intent bindings make each order look its customer up by key), and every order falls back to
    `resolve_customer`. Returns how many Customers were created.
    """
    fresh: dict[str, tuple[list[str], dict[str, Any]]] = {}
    for order in orders:
        keys = identity_keys(order)
        if keys[0] in fresh or any(k in ctx.cache.customers or _bound_name(ctx, k) for k in keys):
            continue
        if ctx.db.get_binding(ctx.store, "customer", keys[0]) is not None:
            continue  # an earlier attempt is in flight or uncertain: the per-order path looks it up
        if any(k in other_keys for other_keys, _ in fresh.values() for k in keys):
            continue  # same person under another key in this page: the per-order path links them
        fresh[keys[0]] = (keys, customer_doc(order, f"{ctx.store}:{keys[0]}"))
    if len(fresh) < 2:
        return 0  # nothing to gain over the per-order path
    batch = list(fresh.items())[:200]
    bindings = []
    for identity, _ in batch:
        binding = Binding(store=ctx.store, kind="customer", remote_id=identity, erp_doctype="Customer",
                          state="inserting")
        ctx.db.save_binding(binding)
        bindings.append(binding)
    try:
        names = await ctx.erp.call("frappe.client.insert_many",
                                   docs=[{"doctype": "Customer", **doc} for _, (_, doc) in batch])
    except ErpError as exc:
        if exc.kind != "uncertain":
            for binding in bindings:  # nothing was created: no look-up needed later
                binding.state = ""
                ctx.db.save_binding(binding)
        log.info("customer_batch_fell_back", store=ctx.store, error=exc.message)
        return 0
    for binding, (_identity, (keys, _)), name in zip(bindings, batch, names, strict=True):
        binding.erp_name = str(name)
        binding.state = "done"
        ctx.db.save_binding(binding)
        for key in keys:
            _remember(ctx, key, str(name))
    return len(batch)
