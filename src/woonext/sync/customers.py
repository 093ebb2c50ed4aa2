"""One ERPNext Customer per person, whatever the order says about them.

A person is known by several keys (mapping/customer.py: WooCommerce id, e-mail, E.164 phone). The
first key with a binding names the Customer; every other key of the order is then bound to the same
Customer, so a later order carrying any one of them matches. A Customer is created only when no key
matches, under our unique `woonext_customer_key` (never found by its name, which ERPNext changes on
collisions), with the intent recorded under every key first: after a lost response any later
attempt — even one that knows the person by another key — looks the Customer up by that key.

Concurrent orders of one new person: each order holds the in-process locks of all its keys (taken
in sorted order, so two orders sharing any key run one after the other and never deadlock).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import structlog

from woonext.erpnext.errors import ErpError, ErpUncertain
from woonext.mapping.customer import ContactDetails, contact_details, customer_doc, identity_keys, phone_region
from woonext.store import NEEDS_REVIEW, Binding, BindingExists
from woonext.sync.contacts import ensure_addresses, ensure_contact, insert_party_batch, plan_party
from woonext.sync.context import StoreContext
from woonext.sync.documents import INSERTING
from woonext.sync.setup import CUSTOMER_KEY_FIELD
from woonext.sync.territories import territory_for
from woonext.woo.errors import WooError

log = structlog.get_logger(__name__)
DONE = "done"


async def store_region(ctx: StoreContext) -> str:
    """The ISO country for phones written without a country code: the configured `country`, else the
    store's own (WooCommerce General settings, "EG:C" → "EG"); read once per run."""
    if ctx.cache.region is None:
        region = ctx.config.country.upper()
        if not region:
            try:
                setting, _ = await ctx.woo.get("settings/general/woocommerce_default_country")
                region = str((setting or {}).get("value") or "").partition(":")[0].upper()
            except WooError as exc:
                log.warning(
                    "store_country_unknown",
                    store=ctx.store,
                    error=str(exc),
                    hint="set `country` in the store's configuration",
                )
        ctx.cache.region = region
    return ctx.cache.region


@contextlib.asynccontextmanager
async def person_lock(ctx: StoreContext, keys: list[str]) -> AsyncIterator[None]:
    """Hold the locks of every key (sorted: a fixed order, so no two holders wait on each other)."""
    async with contextlib.AsyncExitStack() as stack:
        for key in sorted(set(keys)):
            await stack.enter_async_context(ctx.cache.customer_locks.setdefault(key, asyncio.Lock()))
        yield


async def _territory(ctx: StoreContext, order: dict[str, Any]) -> str:
    """The territory of the shipping (else billing) address ("" when none applies): set on a new
    Customer and on its Addresses; an existing Customer's territory is left as ERPNext has it."""
    return await territory_for(ctx, order)


async def _find_by_key(ctx: StoreContext, key: str) -> str | None:
    rows = await ctx.erp.get_list("Customer", filters={CUSTOMER_KEY_FIELD: key}, fields=["name"], limit=1)
    return str(rows[0]["name"]) if rows else None


def _store_key(ctx: StoreContext, identity: str) -> str:
    return f"{ctx.store}:{identity}"[:140]


async def record_problems(ctx: StoreContext, subject: str, problems: list[str], order: dict[str, Any]) -> None:
    """Bad e-mails/phones never block an order: they are logged and left as a NeedsReview record."""
    if not problems:
        return
    log.warning("customer_details_invalid", store=ctx.store, order_id=order.get("id"), problems=problems)
    await ctx.state.record_outcome(
        ctx.store,
        "customer",
        subject,
        NEEDS_REVIEW,
        "invalid_contact_details",
        f"order {order.get('id')}: " + "; ".join(problems),
        "the order was synced; correct the detail in WooCommerce or on the ERPNext Contact",
    )


@dataclass
class Person:
    """The Customer an order or WooCommerce customer resolved to."""

    name: str
    created: bool = False
    problems: list[str] = field(default_factory=list)


async def resolve_customer(ctx: StoreContext, order: dict[str, Any]) -> str:
    """The Customer of `order` (found or created), with its Contact and Addresses brought up to date."""
    return (await resolve_person(ctx, order)).name


async def resolve_person(ctx: StoreContext, order: dict[str, Any]) -> Person:
    region = phone_region(order, await store_region(ctx))
    keys = identity_keys(order, region)
    details = contact_details(order, region)
    async with person_lock(ctx, keys):
        person = await _find_or_create(ctx, order, keys)
        person.problems = details.problems + await ensure_party(ctx, person.name, order, details, region)
    await record_problems(ctx, keys[0], person.problems, order)
    return person


async def ensure_party(
    ctx: StoreContext, customer: str, order: dict[str, Any], details: ContactDetails, region: str
) -> list[str]:
    """Contact and Addresses; an ERPNext refusal here is recorded, never fails the order."""
    try:
        await ensure_contact(ctx, customer, order, details)
        _, problems = await ensure_addresses(ctx, customer, order, region, await _territory(ctx, order))
    except ErpError as exc:
        if exc.kind == "permanent":
            raise
        return [f"Contact/Address of {customer} not updated: {exc.message}"]
    return problems


async def _find_or_create(ctx: StoreContext, order: dict[str, Any], keys: list[str]) -> Person:
    cache = ctx.cache.customers
    if all(k in cache for k in keys):
        return Person(cache[keys[0]])
    found = {k: await ctx.state.get_binding(ctx.store, "customer", k) for k in keys if k not in cache}
    name = ""
    for key in keys:  # strongest key first: the WooCommerce id beats the e-mail, the e-mail the phone
        name = cache.get(key) or _done_name(found.get(key))
        if name:
            break
    if not name:
        for binding in found.values():
            if binding is not None and binding.state == INSERTING:  # an earlier attempt may have created it
                name = await _find_by_key(ctx, _intent_key(ctx, binding)) or ""
                if name:
                    break
    created = not name
    if created:
        name = await _create(ctx, order, keys, found)
    elif keys[0].startswith("id:") and not _done_name(found.get(keys[0])) and keys[0] not in cache:
        await _note_account(ctx, name, keys[0])
    await _link(ctx, keys, name, found)
    return Person(name, created)


async def _note_account(ctx: StoreContext, name: str, key: str) -> None:
    """A guest Customer who has now registered: record the WooCommerce id on it (never renamed)."""
    try:
        await ctx.erp.update("Customer", name, {"woo_customer_id": key.partition(":")[2]})
    except ErpError as exc:
        if exc.kind == "permanent":
            raise
        log.warning("woo_customer_id_not_set", store=ctx.store, customer=name, error=exc.message)


def _done_name(binding: Binding | None) -> str:
    return binding.erp_name if binding is not None and binding.state == DONE else ""


def _intent_key(ctx: StoreContext, binding: Binding) -> str:
    return str(binding.data.get("key") or _store_key(ctx, binding.remote_id))


async def _link(ctx: StoreContext, keys: list[str], name: str, found: dict[str, Binding | None]) -> None:
    """Bind every key of the person to `name`; a key already bound to another Customer stays there
    (two Customers for one person is a case for `customers dedupe`, not for silent re-pointing)."""
    for key in keys:
        if key in ctx.cache.customers:
            continue
        binding = found.get(key) or await ctx.state.get_binding(ctx.store, "customer", key)
        if binding is None:
            binding = Binding(store=ctx.store, kind="customer", remote_id=key, erp_doctype="Customer")
        if binding.state == DONE and binding.erp_name != name:
            log.info("identity_bound_elsewhere", store=ctx.store, key=key, customer=binding.erp_name, matched=name)
            ctx.cache.customers[key] = binding.erp_name
            continue
        if binding.state != DONE:
            binding.erp_name, binding.state = name, DONE
            try:
                await ctx.state.save_binding(binding)
            except BindingExists:  # another worker bound it a moment ago
                other = await ctx.state.get_binding(ctx.store, "customer", key)
                name_there = _done_name(other) or name
                ctx.cache.customers[key] = name_there
                continue
        ctx.cache.customers[key] = binding.erp_name


async def _create(ctx: StoreContext, order: dict[str, Any], keys: list[str], found: dict[str, Binding | None]) -> str:
    pending = [b for b in found.values() if b is not None and b.state == INSERTING]
    key = _intent_key(ctx, pending[0]) if pending else _store_key(ctx, keys[0])
    for identity in keys:  # intent under every key, all with the one key the Customer will carry
        binding = found.get(identity) or Binding(
            store=ctx.store, kind="customer", remote_id=identity, erp_doctype="Customer"
        )
        binding.state, binding.data = INSERTING, {**binding.data, "key": key}
        try:
            await ctx.state.save_binding(binding)
        except BindingExists:  # another worker is creating (or just created) this person
            other = await ctx.state.get_binding(ctx.store, "customer", identity)
            if other is not None and other.state == DONE:
                return other.erp_name
            if other is not None:
                key = _intent_key(ctx, other)  # same key as theirs: the unique index makes it one Customer
            binding = other or binding
        found[identity] = binding
    doc = customer_doc(order, key, customer_group=ctx.config.customer_group, territory=await _territory(ctx, order))
    return await insert_customer(ctx, doc, key, keys[0])


async def insert_customer(ctx: StoreContext, doc: dict[str, Any], key: str, identity: str) -> str:
    """Insert under our unique key; a lost response or a unique clash is answered by a look-up, a
    Customer Group with the same name (NameError 409) by a disambiguated customer name."""
    base = str(doc["customer_name"])
    for attempt, customer_name in enumerate((base, f"{base} ({identity.partition(':')[2] or identity})"[:140])):
        try:
            created = await ctx.erp.insert("Customer", {**doc, "customer_name": customer_name})
            return str(created["name"])
        except ErpUncertain:
            name = await _find_by_key(ctx, key)
            if name is None:
                raise
            return name
        except ErpError as exc:
            if exc.exc_type == "UniqueValidationError":
                name = await _find_by_key(ctx, key)
                if name is None:
                    raise
                return name
            if exc.exc_type != "NameError" or attempt:
                raise
            log.info("customer_name_clashes_with_group", store=ctx.store, customer_name=base)
    raise AssertionError("unreachable")


# -- migration: a page's new customers in a few requests ------------------------------------------


def _people(orders: list[dict[str, Any]], region: str) -> list[tuple[list[str], list[dict[str, Any]]]]:
    """The page's orders grouped by person: orders sharing any key are one person (union of keys)."""
    groups: list[tuple[list[str], list[dict[str, Any]]]] = []
    for order in orders:
        keys = identity_keys(order, phone_region(order, region))
        joined = [g for g in groups if set(g[0]) & set(keys)]
        merged_keys, merged_orders = list(keys), [order]
        for group in joined:
            groups.remove(group)
            merged_keys = [*group[0], *[k for k in merged_keys if k not in group[0]]]
            merged_orders = [*group[1], *merged_orders]
        groups.append((merged_keys, merged_orders))
    return [(sorted(keys, key=_strength), group) for keys, group in groups]


def _strength(key: str) -> int:
    return {"id": 0, "email": 1, "phone": 2}.get(key.partition(":")[0], 3)


def _merged_details(orders: list[dict[str, Any]], region: str) -> ContactDetails:
    merged = ContactDetails()
    for order in orders:
        details = contact_details(order, region)
        merged.emails += [e for e in details.emails if e not in merged.emails]
        merged.phones += [p for p in details.phones if p not in merged.phones]
    return merged


Fresh = tuple[list[str], list[dict[str, Any]], dict[str, Any]]  # a person's keys, orders, Customer document


async def prefetch_customers(ctx: StoreContext, orders: list[dict[str, Any]]) -> int:
    """Create the page's new customers in one `insert_many` request, then their Contacts and Addresses
    in another, instead of several requests per customer.

    Atomic on ERPNext's side: on any error nothing was created (or, after an uncertain outcome, the
    intent bindings make each order look its customer up by key), and every order falls back to
    `resolve_customer`. Returns how many Customers were created.
    """
    if len(orders) < 2:
        return 0  # nothing to gain over the per-order path
    store_country = await store_region(ctx)
    fresh: list[Fresh] = []
    for keys, group in _people(orders, store_country):
        if any(k in ctx.cache.customers for k in keys):
            continue
        bound = [await ctx.state.get_binding(ctx.store, "customer", k) for k in keys]
        if any(b is not None for b in bound):
            continue  # known, or an attempt in flight / uncertain: the per-order path handles it
        fresh.append(
            (
                keys,
                group,
                customer_doc(
                    group[0],
                    _store_key(ctx, keys[0]),
                    customer_group=ctx.config.customer_group,
                    territory=await _territory(ctx, group[0]),
                ),
            )
        )
    if len(fresh) < 2:
        return 0  # nothing to gain over the per-order path
    batch = fresh[:200]
    all_keys = [k for keys, _, _ in batch for k in keys]
    async with person_lock(ctx, all_keys):
        batch, bindings = await _record_intents(ctx, batch)
        if not batch:
            return 0
        try:
            names = await _insert_batch(ctx, [doc for _, _, doc in batch])
        except ErpError as exc:
            if exc.kind != "uncertain":
                for binding in (b for person in bindings for b in person):  # nothing was created
                    binding.state = ""
                    await ctx.state.save_binding(binding)
            log.info("customer_batch_fell_back", store=ctx.store, error=exc.message)
            return 0
        for person, name in zip(bindings, names, strict=True):
            for binding in person:
                binding.erp_name, binding.state = str(name), DONE
                await ctx.state.save_binding(binding)
                ctx.cache.customers[binding.remote_id] = str(name)
        party = None
        for (_, group, _), name in zip(batch, names, strict=True):
            region = phone_region(group[0], store_country)
            plan = await plan_party(
                ctx, str(name), group, _merged_details(group, region), region, await _territory(ctx, group[0])
            )
            if party is None:
                party = plan
            else:
                party.bindings += plan.bindings
                party.docs += plan.docs
                party.data += plan.data
        if party is not None:
            await insert_party_batch(ctx, party)
    return len(batch)


async def _record_intents(ctx: StoreContext, batch: list[Fresh]) -> tuple[list[Fresh], list[list[Binding]]]:
    """The intent bindings of each person of the batch. A person whose key another flow bound since the
    check (an order of theirs in this process, or another process) is left to the per-order path."""
    kept: list[Fresh] = []
    bindings: list[list[Binding]] = []
    for keys, group, doc in batch:
        person = [
            Binding(
                store=ctx.store,
                kind="customer",
                remote_id=k,
                erp_doctype="Customer",
                state=INSERTING,
                data={"key": doc[CUSTOMER_KEY_FIELD]},
            )
            for k in keys
        ]
        try:
            for binding in person:
                await ctx.state.save_binding(binding)
        except BindingExists:
            for binding in (b for b in person if b.id is not None):  # nothing was sent for them
                binding.state = ""
                await ctx.state.save_binding(binding)
            continue
        kept.append((keys, group, doc))
        bindings.append(person)
    return kept, bindings


async def _insert_batch(ctx: StoreContext, docs: list[dict[str, Any]]) -> list[str]:
    """`insert_many` of Customers; after an uncertain answer one look-up by our keys tells whether the
    (all-or-nothing) batch landed, so its people get their Contacts and Addresses in this run too."""
    try:
        return [
            str(n)
            for n in await ctx.erp.call(
                "frappe.client.insert_many", docs=[{"doctype": "Customer", **doc} for doc in docs]
            )
        ]
    except ErpUncertain:
        keys = [str(doc[CUSTOMER_KEY_FIELD]) for doc in docs]
        rows = await ctx.erp.get_list(
            "Customer", filters=[[CUSTOMER_KEY_FIELD, "in", keys]], fields=["name", CUSTOMER_KEY_FIELD], limit=0
        )
        found = {str(r[CUSTOMER_KEY_FIELD]): str(r["name"]) for r in rows}
        if len(found) != len(keys):
            raise
        return [found[key] for key in keys]
