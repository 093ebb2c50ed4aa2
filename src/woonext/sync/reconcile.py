"""Reconciliation, the I/O part: read a period of WooCommerce orders and what ERPNext holds for them.

Per page of 100 orders, ERPNext is asked three questions in bulk, not one per order: the Sales
Invoices carrying those order ids; the credit notes returning against those invoices (ERPNext's
own return mapper does not copy `woo_order_id`, and a credit note made by hand has none); and the
Payment Entries allocating to those invoices or carrying the orders' payment sync keys. The next
WooCommerce page is read while ERPNext answers. The comparison itself is `mapping/reconcile.py`.

`reconcile_job` is the scheduled variant: the last days, and each mismatching order recorded in
the state DB as a `reconcile` outcome (NeedsReview), resolved again when a later run finds it clean.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from woonext.mapping.keys import SYNC_KEY_FIELD, payment_key, refund_payment_key
from woonext.mapping.money import ZERO, money
from woonext.mapping.reconcile import (
    Evidence,
    Memory,
    PaymentLink,
    Period,
    Report,
    Rules,
    build_report,
    revision,
)
from woonext.store import NEEDS_REVIEW, SUCCEEDED, StateDB
from woonext.store.tables import bindings, outcomes
from woonext.sync.context import StoreContext
from woonext.sync.edits import ACCEPTED
from woonext.sync.orders import DONE_STATES
from woonext.sync.refund_sweep import sweep_deleted_refunds
from woonext.sync.setup import ensure_ready

INVOICE_FIELDS = [
    "name",
    "docstatus",
    "status",
    "company",
    "customer",
    "currency",
    "party_account_currency",
    "grand_total",
    "base_grand_total",
    "total_taxes_and_charges",
    "outstanding_amount",
    "is_pos",
    "is_return",
    "return_against",
    "amended_from",
    "woo_order_id",
    "woo_order_number",
    SYNC_KEY_FIELD,
    "creation",
    "update_stock",
    "update_outstanding_for_self",
]
PAYMENT_FIELDS = [
    "name",
    "docstatus",
    SYNC_KEY_FIELD,
    "`tabPayment Entry Reference`.reference_doctype",
    "`tabPayment Entry Reference`.reference_name",
    "`tabPayment Entry Reference`.allocated_amount",
]
# A GET request line must fit a proxy's buffer (nginx: 8 KiB); lists of names are split below this.
QUERY_BUDGET = 5000
JOB_DAYS = 2
JOB_KIND = "reconcile"


def rules_for(ctx: StoreContext) -> Rules:
    c = ctx.config
    return Rules(
        store=c.name,
        company=c.company,
        migrate_statuses=frozenset(c.migrate_statuses),
        wait_statuses=frozenset(c.wait_statuses),
        prepaid_methods=frozenset(c.prepaid),
    )


def woo_window(period: Period) -> dict[str, str]:
    """`after`/`before` are exclusive and compare site-local `date_created` (no `dates_are_gmt`),
    so the day before at 23:59:59 and the day after at 00:00:00 make the days inclusive."""
    return {
        "after": f"{(period.start - timedelta(days=1)).isoformat()}T23:59:59",
        "before": f"{(period.end + timedelta(days=1)).isoformat()}T00:00:00",
    }


def _chunks(values: list[str], budget: int = QUERY_BUDGET) -> Iterator[list[str]]:
    """Split a list so that each chunk, URL-encoded as JSON, stays within the budget."""
    chunk: list[str] = []
    size = 0
    for value in values:
        cost = len(quote(json.dumps(value))) + 6
        if chunk and size + cost > budget:
            yield chunk
            chunk, size = [], 0
        chunk.append(value)
        size += cost
    if chunk:
        yield chunk


async def _list(
    ctx: StoreContext, doctype: str, fields: list[str], *, filters: Any = None, or_filters: Any = None
) -> list[dict[str, Any]]:
    """One get_list with every row (limit 0); `or_filters` is not in ErpClient.get_list's signature."""
    params = {"fields": fields, "filters": filters, "or_filters": or_filters, "limit_page_length": 0}
    body = await ctx.erp.request("GET", f"/api/resource/{quote(doctype, safe='')}", params=params)
    return list(body.get("data") or [])


async def _gather_lists(
    ctx: StoreContext, doctype: str, fields: list[str], values: list[str], make: Any
) -> list[dict[str, Any]]:
    """The rows of one query per chunk of `values` (make(chunk) → (filters, or_filters)), concurrently."""
    queries = [make(chunk) for chunk in _chunks(values)]
    results = await asyncio.gather(*(_list(ctx, doctype, fields, filters=f, or_filters=o) for f, o in queries))
    return [row for rows in results for row in rows]


async def _invoices(ctx: StoreContext, order_ids: list[str]) -> list[dict[str, Any]]:
    return await _gather_lists(
        ctx, "Sales Invoice", INVOICE_FIELDS, order_ids, lambda chunk: ([["woo_order_id", "in", chunk]], None)
    )


async def _credit_notes(ctx: StoreContext, names: list[str]) -> list[dict[str, Any]]:
    return await _gather_lists(
        ctx,
        "Sales Invoice",
        INVOICE_FIELDS,
        names,
        lambda chunk: ([["is_return", "=", 1], ["return_against", "in", chunk]], None),
    )


async def _payments(ctx: StoreContext, names: list[str], keys: list[str]) -> list[PaymentLink]:
    """Payment Entries allocating to the invoices, or carrying a payment key (an unlinked one too)."""
    tagged = [("n", n) for n in names] + [("k", k) for k in keys]

    def make(chunk: list[str]) -> tuple[None, list[list[Any]]]:
        by_name = [v[2:] for v in chunk if v.startswith("n:")]
        by_key = [v[2:] for v in chunk if v.startswith("k:")]
        ors: list[list[Any]] = []
        if by_name:
            ors.append(["Payment Entry Reference", "reference_name", "in", by_name])
        if by_key:
            ors.append(["Payment Entry", SYNC_KEY_FIELD, "in", by_key])
        return None, ors

    values = [f"{tag}:{value}" for tag, value in tagged]
    rows = await _gather_lists(ctx, "Payment Entry", PAYMENT_FIELDS, values, make) if values else []
    links: dict[str, PaymentLink] = {}
    for row in rows:
        name = str(row["name"])
        link = links.setdefault(
            name,
            PaymentLink(
                name=name, docstatus=int(row.get("docstatus") or 0), sync_key=str(row.get(SYNC_KEY_FIELD) or "")
            ),
        )
        if row.get("reference_doctype") == "Sales Invoice" and row.get("reference_name"):
            ref = str(row["reference_name"])
            link.allocations[ref] = link.allocations.get(ref, ZERO) + money(row.get("allocated_amount"))
    return list(links.values())


def _memories(db: StateDB, store: str, ids: list[str], cursor: str) -> dict[str, Memory]:
    """What the state DB remembers about these orders, in two queries (not two per order); on a
    thread (`ctx.state.run`)."""
    where_b = (bindings.c.store == store, bindings.c.kind == "order", bindings.c.remote_id.in_(ids))
    where_o = (outcomes.c.store == store, outcomes.c.kind == "order", outcomes.c.remote_id.in_(ids))
    with db.engine.connect() as connection:
        made = {
            row.remote_id: row
            for row in connection.execute(
                select(bindings.c.remote_id, bindings.c.erp_name, bindings.c.state, bindings.c.data).where(*where_b)
            )
        }
        last = {
            row.remote_id: row
            for row in connection.execute(
                select(outcomes.c.remote_id, outcomes.c.status, outcomes.c.reason, outcomes.c.detail).where(*where_o)
            )
        }
    memories = {}
    for oid in ids:
        b, o = made.get(oid), last.get(oid)
        memories[oid] = Memory(
            invoice=b.erp_name if b is not None and b.state in DONE_STATES else "",
            binding_state=b.state if b is not None else "",
            outcome_status=o.status if o is not None else "",
            outcome_reason=o.reason if o is not None else "",
            outcome_detail=o.detail if o is not None else "",
            synced_up_to=cursor,
            accepted_edit=_acceptance(b),
        )
    return memories


def _acceptance(b: Any) -> str:
    """The last edit a person accepted for the binding's invoice (sync/accept.py), for a finding's text."""
    if b is None:
        return ""
    mine = [e for e in (b.data or {}).get(ACCEPTED) or [] if e.get("invoice") == b.erp_name]
    if not mine:
        return ""
    last = mine[-1]
    return f"edit accepted by hand on {last.get('at')}" + (f": {last['note']}" if last.get("note") else "")


async def gather_evidence(ctx: StoreContext, orders: list[dict[str, Any]], cursor: str = "") -> list[Evidence]:
    """What ERPNext and the state DB hold for these orders: about three ERPNext requests in all."""
    if not orders:
        return []
    ids = [str(o["id"]) for o in orders]
    invoices = await _invoices(ctx, ids)
    originals = sorted({str(d["name"]) for d in invoices if not int(d.get("is_return") or 0)})
    prepaid = set(ctx.config.prepaid)
    top: dict[str, int] = {}
    for d in invoices:
        oid = str(d.get("woo_order_id") or "")
        top[oid] = max(top.get(oid, 0), revision(str(d.get(SYNC_KEY_FIELD) or "")))
    keys = [
        payment_key(ctx.store, o["id"], n)
        for o in orders
        if o.get("payment_method") in prepaid
        for n in range(top.get(str(o["id"]), 0) + 1)
    ]
    # a foreign-currency refund is paid out by an entry allocated to its credit note (not read by name here)
    keys += [refund_payment_key(ctx.store, r["id"]) for o in orders for r in o.get("refunds") or [] if r.get("id")]
    notes, payments = await asyncio.gather(
        _credit_notes(ctx, originals) if originals else _nothing(), _payments(ctx, originals, keys)
    )
    by_name = {str(d["name"]): d for d in [*invoices, *notes]}
    order_of = {str(d["name"]): str(d.get("woo_order_id") or "") for d in invoices}
    docs: dict[str, list[dict[str, Any]]] = {}
    for d in by_name.values():
        oid = str(d.get("woo_order_id") or "") or order_of.get(str(d.get("return_against") or ""), "")
        order_of[str(d["name"])] = oid  # a credit note's refund Payment Entry belongs to its order too
        docs.setdefault(oid, []).append(d)
    pays: dict[str, list[PaymentLink]] = {}
    for link in payments:
        owners = {order_of.get(ref, "") for ref in link.allocations} | {_key_order(link.sync_key)}
        for oid in owners - {""}:
            pays.setdefault(oid, []).append(link)
    memories = await ctx.state.run(_memories, ctx.db, ctx.store, ids, cursor)
    return [
        Evidence(
            order=o,
            invoices=docs.get(str(o["id"]), []),
            payments=pays.get(str(o["id"]), []),
            memory=memories[str(o["id"])],
        )
        for o in orders
    ]


async def _nothing() -> list[dict[str, Any]]:
    return []


def _key_order(key: str) -> str:
    """The order id in a payment sync key (`{store}:payment:{id}[:rN]`)."""
    parts = key.split(":")
    return parts[2] if len(parts) >= 3 and parts[1] == "payment" else ""


async def reconcile(ctx: StoreContext, period: Period, per_page: int = 100) -> Report:
    """Every order created in the period (site-local days) against ERPNext."""
    started = time.perf_counter()
    woo_before, erp_before = ctx.woo.requests, ctx.erp.requests
    await ensure_ready(ctx)  # without woonext's custom fields ERPNext would refuse the queries below
    cursor = str((await ctx.state.get_cursor(ctx.store, "orders") or {}).get("modified_gmt") or "")
    query: dict[str, Any] = {
        "status": "any",
        "orderby": "id",
        "order": "asc",
        "per_page": per_page,
        **woo_window(period),
    }
    evidence: list[Evidence] = []
    page_no = 1
    page = await ctx.woo.list_orders({**query, "page": page_no})
    while page.items:
        more = page_no < page.total_pages
        following = asyncio.create_task(ctx.woo.list_orders({**query, "page": page_no + 1})) if more else None
        try:
            evidence += await gather_evidence(ctx, [o for o in page.items if period.contains(o)], cursor)
        except BaseException:
            if following is not None:
                following.cancel()
            raise
        if following is None:
            break
        page = await following
        page_no += 1
    report = build_report(ctx.store, period, evidence, rules_for(ctx))
    report.requests = {"woocommerce": ctx.woo.requests - woo_before, "erpnext": ctx.erp.requests - erp_before}
    report.seconds = time.perf_counter() - started
    return report


def recent_period(today: date, days: int = JOB_DAYS) -> Period:
    """The last `days` days up to tomorrow: a UTC date may be a day behind the shop's own."""
    return Period(today - timedelta(days=days), today + timedelta(days=1))


def record(db: StateDB, store: str, report: Report) -> tuple[int, int]:
    """Mismatches as `reconcile` outcomes (NeedsReview) that `woonext status` lists; orders of the
    period recorded before and clean now are resolved (Succeeded). Returns (recorded, resolved).
    Many writes in a row: on a thread (`ctx.state.run`)."""
    bad: dict[int, list[Any]] = {}
    for finding in report.mismatches:
        bad.setdefault(finding.order_id, []).append(finding)
    for order_id, findings in bad.items():
        detail = "; ".join(f"{f.kind}: {f.detail}" for f in findings)
        db.record_outcome(
            store,
            JOB_KIND,
            order_id,
            NEEDS_REVIEW,
            reason=findings[0].kind,
            detail=detail,
            hint=f"run `woonext reconcile --store {store} --from {report.period.start} "
            f"--to {report.period.end}` for the documents; fix them in ERPNext or replay "
            "the order",
        )
    resolved = 0
    for outcome in db.latest_failures(limit=10_000, store=store):
        if outcome.kind == JOB_KIND and int(outcome.remote_id) not in bad and outcome.remote_id in report.checked:
            db.record_outcome(store, JOB_KIND, outcome.remote_id, SUCCEEDED, reason="reconciled")
            resolved += 1
    db.set_checkpoint(
        store,
        JOB_KIND,
        {
            "at": db.clock.now().isoformat(timespec="seconds"),
            "from": report.period.start.isoformat(),
            "to": report.period.end.isoformat(),
            "orders": report.orders,
            "mismatches": len(report.mismatches),
            "by_kind": {k: report.count(k) for k in sorted({f.kind for f in report.findings})},
        },
    )
    return len(bad), resolved


async def reconcile_job(ctx: StoreContext) -> str:
    """The scheduled reconciliation (hourly by default): the last two days, recorded in the state DB.

    First, orders with recent credit notes whose refund was deleted in WooCommerce are synced again
    (that deletion changes neither the order's `date_modified` nor sends a webhook: sync/refund_sweep.py)."""
    sweep = await sweep_deleted_refunds(ctx)
    report = await reconcile(ctx, recent_period(ctx.now().date()))
    recorded, resolved = await ctx.state.run(record, ctx.db, ctx.store, report)
    kinds = ", ".join(f"{n} {k}" for k, n in _kind_counts(report.mismatches))
    return (
        f"{report.orders} order(s) {report.period.start}..{report.period.end}: "
        + (f"{len(report.mismatches)} mismatch(es) ({kinds}) on {recorded} order(s)" if recorded else "no mismatches")
        + (f", {resolved} earlier one(s) resolved" if resolved else "")
        + (f"; deleted refunds: {sweep.summary()}" if sweep.results else "")
    )


def _kind_counts(findings: Iterable[Any]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    return sorted(counts.items())
