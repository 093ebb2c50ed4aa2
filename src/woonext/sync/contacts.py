"""A Customer's one Contact and its Addresses, kept in step with what orders and WooCommerce say.

What ERPNext holds is mirrored in bindings — kind "contact" (remote id = the Customer's name; data:
the e-mails and phones the Contact has) and kind "address" (remote id = Customer + address
signature; data: the fields we wrote) — so a repeat customer whose details did not
change costs no ERPNext request at all. Every document carries a unique `woonext_sync_key`, so a
retried insert after a lost response finds the first one instead of making a second.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import structlog

from woonext.erpnext.errors import ErpError
from woonext.mapping.address import changes, country_code, customer_places, plan_address
from woonext.mapping.customer import ContactDetails, contact_doc
from woonext.store import Binding
from woonext.sync.context import StoreContext
from woonext.sync.documents import INSERTING, insert_once, mark_done

log = structlog.get_logger(__name__)
DONE = "done"
TERRITORY_FIELD = "territory"  # the Address custom field sync/setup.py adds for territories


def sync_key(ctx: StoreContext, kind: str, remote_id: str) -> str:
    """Unique key of a Contact/Address; hashed because ERPNext's Data fields hold 140 characters."""
    digest = hashlib.sha256(remote_id.encode()).hexdigest()[:24]
    return f"{ctx.store}:{kind}:{digest}"


async def party_binding(ctx: StoreContext, kind: str, remote_id: str, doctype: str) -> Binding:
    """The binding, read from the state DB once per run and then kept in memory (one object per key:
    a concurrent reader that was first wins)."""
    cache_key = f"{kind}:{remote_id}"
    cached = ctx.cache.party.get(cache_key)
    if isinstance(cached, Binding):
        return cached
    binding = await ctx.state.get_binding(ctx.store, kind, remote_id) or Binding(
        store=ctx.store, kind=kind, remote_id=remote_id, erp_doctype=doctype
    )
    cached = ctx.cache.party.setdefault(cache_key, binding)
    assert isinstance(cached, Binding)
    return cached


async def country_name(ctx: StoreContext, code: str) -> str:
    """ERPNext's Country name for an ISO code ("EG" → "Egypt"); "" when ERPNext has none. Cached per run."""
    code = code.upper()
    if not code:
        return ""
    if code not in ctx.cache.countries:
        rows = await ctx.erp.get_list("Country", filters={"code": code.lower()}, fields=["name"], limit=1)
        ctx.cache.countries[code] = str(rows[0]["name"]) if rows else ""
    return ctx.cache.countries[code]


@dataclass
class PartyPlan:
    """What a new Customer's Contact and Addresses will be (for one batched insert)."""

    bindings: list[Binding] = field(default_factory=list)
    docs: list[dict[str, Any]] = field(default_factory=list)
    data: list[dict[str, Any]] = field(default_factory=list)


# -- Contact --------------------------------------------------------------------------------------


async def ensure_contact(ctx: StoreContext, customer: str, order: dict[str, Any], details: ContactDetails) -> bool:
    """One Contact per Customer holding every e-mail and phone; True when ERPNext was written."""
    if not details.emails and not details.phones:
        return False
    binding = await party_binding(ctx, "contact", customer, "Contact")
    if binding.state == DONE:
        known_emails, known_phones = binding.data.get("emails", []), binding.data.get("phones", [])
        if set(details.emails) <= set(known_emails) and set(details.phones) <= set(known_phones):
            return False
        return await _add_to_contact(ctx, binding, details)
    doc = await insert_once(
        ctx, binding, "Contact", contact_doc(customer, order, details, sync_key(ctx, "contact", customer))
    )
    if "email_ids" not in doc:  # found by key after a lost response: read what it holds, add what is missing
        await mark_done(ctx, binding, str(doc["name"]), DONE, emails=[], phones=[])
        await _add_to_contact(ctx, binding, details)
        return True
    await mark_done(ctx, binding, str(doc["name"]), DONE, emails=details.emails, phones=details.phones)
    return True


async def _add_to_contact(ctx: StoreContext, binding: Binding, details: ContactDetails) -> bool:
    # Read first: a person may have added rows in ERPNext, and a PUT replaces the whole child table.
    current = await ctx.erp.get_doc("Contact", binding.erp_name)
    if current is None:  # deleted in ERPNext: make it again
        binding.state = ""
        binding.data = {}
        await ctx.state.save_binding(binding)
        return await ensure_contact(ctx, binding.remote_id, {}, details)
    emails = [dict(r) for r in current.get("email_ids") or []]
    phones = [dict(r) for r in current.get("phone_nos") or []]
    have_emails = {str(r.get("email_id") or "").strip().lower() for r in emails}
    have_phones = {str(r.get("phone") or "").strip() for r in phones}
    new_emails = [e for e in details.emails if e not in have_emails]
    new_phones = [p for p in details.phones if p not in have_phones]
    changes: dict[str, Any] = {}
    if new_emails:
        has_primary = any(r.get("is_primary") for r in emails)
        changes["email_ids"] = emails + [
            {"email_id": e, "is_primary": int(not has_primary and i == 0)} for i, e in enumerate(new_emails)
        ]
    if new_phones:
        has_primary = any(r.get("is_primary_mobile_no") for r in phones)
        changes["phone_nos"] = phones + [
            {"phone": p, "is_primary_mobile_no": int(not has_primary and i == 0), "is_primary_phone": 0}
            for i, p in enumerate(new_phones)
        ]
    if changes:
        await ctx.erp.update("Contact", binding.erp_name, changes)
    await mark_done(
        ctx,
        binding,
        binding.erp_name,
        DONE,
        emails=sorted(have_emails | set(details.emails)),
        phones=sorted(have_phones | set(details.phones)),
    )
    return bool(changes)


# -- Addresses ------------------------------------------------------------------------------------


async def ensure_addresses(
    ctx: StoreContext, customer: str, order: dict[str, Any], region: str, territory: str = ""
) -> tuple[bool, list[str]]:
    """Billing and shipping Addresses of `customer`: new place → new Address, same place written
    differently → updated in place, unchanged → nothing. Returns (ERPNext written, problems)."""
    wrote, problems = False, []
    for sig, address, is_billing, is_shipping in customer_places(
        order.get("billing") or {}, order.get("shipping") or {}, region
    ):
        code = country_code(address, region)
        country = await country_name(ctx, code)
        if not country:
            problems.append(f"no ERPNext Country with code {code!r}: address {address.get('address_1')!r} not stored")
            continue
        remote_id = f"{customer}|{sig}"
        binding = await party_binding(ctx, "address", remote_id, "Address")
        plan = plan_address(
            address,
            customer=customer,
            address_type="Billing" if is_billing else "Shipping",
            is_billing=is_billing,
            is_shipping=is_shipping,
            country_name=country,
            region=region,
            sync_key=sync_key(ctx, "address", remote_id),
            territory=territory,
            territory_field=TERRITORY_FIELD if territory else "",
        )
        if binding.state == DONE:
            update = changes(binding.data.get("fields") or {}, plan.fields)
            if not update:
                continue
            try:
                await ctx.erp.update("Address", binding.erp_name, update)
            except ErpError as exc:
                if exc.status != 404:
                    raise
                binding.state = ""  # deleted in ERPNext: make it again below
        if binding.state != DONE:
            doc = await insert_once(ctx, binding, "Address", plan.doc)
            binding.erp_name = str(doc["name"])
        await mark_done(
            ctx, binding, binding.erp_name, DONE, fields={**(binding.data.get("fields") or {}), **plan.fields}
        )
        wrote = True
    return wrote, problems


async def plan_party(
    ctx: StoreContext,
    customer: str,
    orders: list[dict[str, Any]],
    details: ContactDetails,
    region: str,
    territory: str = "",
) -> PartyPlan:
    """The Contact and Addresses of a Customer just created, for one batched insert (migration)."""
    plan = PartyPlan()
    if details.emails or details.phones:
        binding = await party_binding(ctx, "contact", customer, "Contact")
        if binding.state == "":
            plan.bindings.append(binding)
            plan.docs.append(
                {"doctype": "Contact", **contact_doc(customer, orders[0], details, sync_key(ctx, "contact", customer))}
            )
            plan.data.append({"emails": details.emails, "phones": details.phones})
    seen: set[str] = set()
    for order in orders:
        for sig, address, is_billing, is_shipping in customer_places(
            order.get("billing") or {}, order.get("shipping") or {}, region
        ):
            remote_id = f"{customer}|{sig}"
            country = await country_name(ctx, country_code(address, region))
            if remote_id in seen or not country:
                continue  # the per-order path records the problem
            seen.add(remote_id)
            binding = await party_binding(ctx, "address", remote_id, "Address")
            if binding.state != "":
                continue
            address_plan = plan_address(
                address,
                customer=customer,
                address_type="Billing" if is_billing else "Shipping",
                is_billing=is_billing,
                is_shipping=is_shipping,
                country_name=country,
                region=region,
                sync_key=sync_key(ctx, "address", remote_id),
                territory=territory,
                territory_field=TERRITORY_FIELD if territory else "",
            )
            plan.bindings.append(binding)
            plan.docs.append({"doctype": "Address", **address_plan.doc})
            plan.data.append({"fields": address_plan.fields})
    return plan


async def insert_party_batch(ctx: StoreContext, plan: PartyPlan) -> int:
    """Insert the planned Contacts and Addresses in `insert_many` requests (all or nothing each).

    No intent is recorded first: each document carries its unique key, so after a lost response the
    per-order path's insert meets the unique clash and finds the document by key. On any error the
    per-order path makes what is missing, one by one."""
    created = 0
    for start in range(0, len(plan.docs), 200):
        docs = plan.docs[start : start + 200]
        try:
            names = await ctx.erp.call("frappe.client.insert_many", docs=docs)
        except ErpError as exc:
            log.info("party_batch_fell_back", store=ctx.store, error=exc.message)
            continue
        for binding, data, name in zip(
            plan.bindings[start : start + 200], plan.data[start : start + 200], names, strict=True
        ):
            if binding.state == INSERTING:
                continue
            await mark_done(ctx, binding, str(name), DONE, **data)
            created += 1
    return created
