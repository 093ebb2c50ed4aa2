"""`woonext sync customers`: new and changed WooCommerce customers into ERPNext.

WooCommerce's customers endpoint has no "modified since" filter (and a customer's `date_modified`
is not bumped by every way a profile changes), so each run pages through all customers — 100 per
request, ordered by id so a customer registering mid-run only lands on a later page, and with
`_fields` limited to what we sync — and compares a hash of those fields with the one stored in the
customer's binding. Only new or changed customers reach ERPNext, through the same identity rules as
orders (`resolve_person`). An idle run on N customers costs ceil(N/100) WooCommerce requests, one
state-DB read and one ERPNext request (the custom-field check) — no ERPNext write.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import structlog

from woonext.erpnext.errors import ErpError
from woonext.mapping.customer import customer_as_order
from woonext.store import FAILED, SKIPPED, SUCCEEDED
from woonext.sync.context import StoreContext
from woonext.sync.customers import prefetch_customers, resolve_person
from woonext.sync.setup import ensure_ready
from woonext.woo.errors import WooError

log = structlog.get_logger(__name__)
SYNCED_FIELDS = ("id", "email", "first_name", "last_name", "billing", "shipping")
# What the worker records for a customer webhook whose customer is gone (exact text: tests rely on it).
CUSTOMER_GONE = "customer_not_found: WooCommerce has no such customer (deleted)"


def customer_hash(customer: dict[str, Any]) -> str:
    data = {f: customer.get(f) for f in SYNCED_FIELDS}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@dataclass
class CustomerSyncReport:
    seen: int = 0
    new: int = 0  # WooCommerce customers seen for the first time
    changed: int = 0  # seen before, synced fields changed since
    unchanged: int = 0
    created: int = 0  # ERPNext Customers created (a new account may match an existing guest Customer)
    failed: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.seen} customer(s): {self.new} new, {self.changed} changed, {self.unchanged} unchanged, "
            f"{self.created} ERPNext Customer(s) created, {len(self.failed)} failed"
        )


async def sync_customer(ctx: StoreContext, customer: dict[str, Any], digest: str = "") -> bool:
    """One WooCommerce customer → its Customer, Contact and Addresses; True when a Customer was created.

    The content hash is stored only after success, so a failure is retried on the next run."""
    person = await resolve_person(ctx, customer_as_order(customer))
    binding = await ctx.state.get_binding(ctx.store, "customer", f"id:{customer['id']}")
    if binding is not None and binding.erp_name == person.name:
        binding.content_hash = digest or customer_hash(customer)
        await ctx.state.save_binding(binding)
    return person.created


async def sync_customers(ctx: StoreContext) -> CustomerSyncReport:
    await ensure_ready(ctx)
    report = CustomerSyncReport()
    known = {
        b.remote_id: b.content_hash
        for b in await ctx.state.bindings(ctx.store, "customer")
        if b.remote_id.startswith("id:")
    }
    query = {"per_page": 100, "role": "all", "orderby": "id", "order": "asc", "_fields": ",".join(SYNCED_FIELDS)}
    async for page in ctx.woo.iter_pages("customers", query):
        report.seen += len(page.items)
        todo = []
        for customer in page.items:
            digest = customer_hash(customer)
            previous = known.get(f"id:{customer['id']}")
            if previous == digest:
                report.unchanged += 1
                continue
            if previous is None:
                report.new += 1
            else:
                report.changed += 1
            todo.append((customer, digest))
        # The page's new people in two requests (Customers, then Contacts and Addresses).
        report.created += await prefetch_customers(ctx, [customer_as_order(c) for c, _ in todo])
        for customer, digest in todo:
            try:
                report.created += await sync_customer(ctx, customer, digest)
            except ErpError as exc:
                if exc.kind == "permanent":
                    raise
                report.failed.append((int(customer["id"]), exc.message))
                await ctx.state.record_outcome(
                    ctx.store,
                    "customer",
                    f"id:{customer['id']}",
                    FAILED,
                    f"erpnext_{exc.exc_type or exc.status}",
                    exc.message,
                    "retried on the next customer sync",
                )
    log.info(
        "customers_synced",
        store=ctx.store,
        **{k: v for k, v in vars(report).items() if k != "failed"},
        failed=len(report.failed),
    )
    return report


async def customers_job(ctx: StoreContext) -> str:
    """The scheduled job (runtime/jobs.py): a one-line summary."""
    return (await sync_customers(ctx)).summary()


async def sync_customer_event(ctx: StoreContext, customer_id: str | int) -> tuple[str, str]:
    """A `customer.created/updated` webhook: re-read the customer over REST (the body is only a
    trigger) and sync it. Returns (final status, note); WooCommerce/ERPNext errors propagate (retried)."""
    await ensure_ready(ctx)
    try:
        customer, _ = await ctx.woo.get(f"customers/{int(customer_id)}")
    except WooError as exc:  # a deleted customer: 404 "Invalid resource ID."
        if exc.status == 404:
            return SKIPPED, CUSTOMER_GONE
        raise
    await sync_customer(ctx, customer)
    return SUCCEEDED, ""
