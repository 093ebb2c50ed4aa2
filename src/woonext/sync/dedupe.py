"""`woonext customers dedupe`: find Customers in ERPNext that are one person and merge the provable
ones through ERPNext's own rename-with-merge, which moves every invoice, payment, contact, address
and ledger row to the survivor.

The flow: read every Customer and every contact e-mail/phone linked to one (a handful of paged list
requests, whatever the number of customers) → plan (pure, `mapping.dedupe`) → with `apply`, merge
each provable duplicate into its survivor, then point woonext's own customer bindings at the
survivor so future orders of that person land there. Each merge is written down before it is sent
(a checkpoint) and recorded after (an outcome row, kind `customer_merge`), so an interrupted run is
finished by the next one, and a second run finds nothing left to do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import update

from woonext.erpnext.errors import ErpError, ErpUncertain
from woonext.mapping.dedupe import CustomerFacts, DedupePlan, Merge, Review, plan_dedupe
from woonext.store import FAILED, NEEDS_REVIEW, SKIPPED, SUCCEEDED, StateDB
from woonext.store.tables import bindings
from woonext.sync.context import StoreContext
from woonext.woo.errors import WooError

log = structlog.get_logger(__name__)

RENAME = "frappe.client.rename_doc"
MERGE_KIND = "customer_merge"
REVIEW_KIND = "customer_duplicate"
CHECKPOINT = "customers_dedupe"
PAGE = 500
CUSTOMER_FIELDS = [
    "name",
    "customer_name",
    "customer_type",
    "disabled",
    "creation",
    "email_id",
    "mobile_no",
    "default_currency",
    "is_internal_customer",
]
OUR_FIELDS = ["woo_customer_id", "woonext_customer_key"]  # there once `woonext setup` ran
REVIEW_HINT = (
    "decide in ERPNext: merge them (Customer → Rename, tick Merge with existing) or tell them apart "
    "(different e-mail or phone), then run `woonext customers dedupe` again"
)


@dataclass
class MergeResult:
    old: str
    survivor: str
    ok: bool
    bindings_moved: int = 0
    error: str = ""


@dataclass
class DedupeReport:
    plan: DedupePlan
    applied: bool
    region: str
    results: list[MergeResult] = field(default_factory=list)
    resumed: list[MergeResult] = field(default_factory=list)  # merges an interrupted run had sent

    @property
    def failed(self) -> list[MergeResult]:
        return [r for r in self.results if not r.ok]

    @property
    def left_over(self) -> bool:
        """Duplicates remain: for a person, failed merges, or (dry run) merges not yet applied."""
        return bool(self.plan.review or self.failed or (self.plan.merges and not self.applied))


# -- reading ERPNext ---------------------------------------------------------------------------------


async def store_region(ctx: StoreContext) -> str:
    """ISO country for phones written without a country code: the store's `country` setting, else
    WooCommerce's own store address ("EG:C" → "EG"); "" when neither is known — then only numbers
    written with their country code are compared (never a guessed country)."""
    if ctx.config.country:
        return ctx.config.country.upper()
    try:
        setting, _ = await ctx.woo.get("settings/general/woocommerce_default_country")
    except WooError as exc:
        log.warning(
            "dedupe_region_unknown", store=ctx.store, error=str(exc), hint="set `country` in the store's configuration"
        )
        return ""
    return str((setting or {}).get("value") or "").partition(":")[0].upper()


async def _child_rows(
    ctx: StoreContext, doctype: str, fields: list[str], filters: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Rows of a Contact child table, paged by the rows' own unique names (stable pages)."""
    rows: list[dict[str, Any]] = []
    while True:
        page = await ctx.erp.call_get(
            "frappe.client.get_list",
            doctype=doctype,
            parent="Contact",
            fields=fields,
            filters=filters or {},
            order_by="name asc",
            limit_page_length=PAGE,
            limit_start=len(rows),
        )
        rows.extend(page or [])
        if len(page or []) != PAGE:
            return rows


async def read_customers(ctx: StoreContext, regions: dict[str, str], region: str) -> list[CustomerFacts]:
    """Every Customer with the e-mails and phones of its contacts (and its own primary ones)."""
    present = await ctx.erp.get_all(
        "Custom Field", filters={"dt": "Customer", "fieldname": ["in", OUR_FIELDS]}, fields=["fieldname"]
    )
    ours = [f for f in OUR_FIELDS if f in {str(r["fieldname"]) for r in present}]
    customers = await ctx.erp.get_all("Customer", fields=CUSTOMER_FIELDS + ours, page_size=PAGE)
    links = await _child_rows(
        ctx, "Dynamic Link", ["parent", "link_name"], {"link_doctype": "Customer", "parenttype": "Contact"}
    )
    emails = await _child_rows(ctx, "Contact Email", ["parent", "email_id"])
    phones = await _child_rows(ctx, "Contact Phone", ["parent", "phone"])
    contact_emails: dict[str, list[str]] = {}
    contact_phones: dict[str, list[str]] = {}
    for row in emails:
        contact_emails.setdefault(str(row["parent"]), []).append(str(row.get("email_id") or ""))
    for row in phones:
        contact_phones.setdefault(str(row["parent"]), []).append(str(row.get("phone") or ""))
    of_customer: dict[str, set[str]] = {}
    for row in links:
        of_customer.setdefault(str(row["link_name"]).casefold(), set()).add(str(row["parent"]))
    out = []
    for c in customers:
        name = str(c["name"])
        contacts = sorted(of_customer.get(name.casefold(), ()))
        key = str(c.get("woonext_customer_key") or "")
        store = key.split(":", 1)[0] if ":" in key else ""
        out.append(
            CustomerFacts(
                name=name,
                customer_name=str(c.get("customer_name") or ""),
                customer_type=str(c.get("customer_type") or ""),
                disabled=bool(c.get("disabled")),
                creation=str(c.get("creation") or ""),
                woo_customer_id=str(c.get("woo_customer_id") or ""),
                customer_key=key,
                emails=tuple([str(c.get("email_id") or "")] + [e for n in contacts for e in contact_emails.get(n, [])]),
                phones=tuple(
                    [str(c.get("mobile_no") or "")] + [p for n in contacts for p in contact_phones.get(n, [])]
                ),
                region=regions.get(store) or region,
                default_currency=str(c.get("default_currency") or ""),
                internal=bool(c.get("is_internal_customer")),
            )
        )
    return out


async def _with_party_accounts(ctx: StoreContext, facts: list[CustomerFacts]) -> DedupePlan:
    """Plan; receivable accounts (a child table `get_list` cannot reach) are read only for the
    customers a merge would touch, then the plan is made again with them."""
    plan = plan_dedupe(facts)
    touched = {n for m in plan.merges for n in (m.survivor, *m.merged)}
    if not touched:
        return plan
    completed = []
    for c in facts:
        if c.name in touched:
            doc = await ctx.erp.get_doc("Customer", c.name) or {}
            accounts = tuple(
                (str(r.get("company") or ""), str(r.get("account") or ""))
                for r in doc.get("accounts") or []
                if r.get("account")
            )
            c = CustomerFacts(**{**c.__dict__, "party_accounts": accounts})
        completed.append(c)
    return plan_dedupe(completed)


# -- applying ----------------------------------------------------------------------------------------


def _short_id(text: str) -> str:
    """Outcome ids hold 100 characters; customer names may have 140."""
    if len(text) <= 100:
        return text
    return f"{text[:87]}~{hashlib.sha1(text.encode()).hexdigest()[:12]}"


async def _pending(ctx: StoreContext) -> dict[str, Any]:
    return await ctx.state.get_checkpoint(ctx.store, CHECKPOINT) or {"pending": {}, "review": []}


async def _save(ctx: StoreContext, state: dict[str, Any]) -> None:
    await ctx.state.set_checkpoint(ctx.store, CHECKPOINT, state)


def _move_binding_rows(db: StateDB, old: str, survivor: str) -> int:
    query = (
        update(bindings)
        .where(bindings.c.kind == "customer", bindings.c.erp_doctype == "Customer", bindings.c.erp_name == old)
        .values(erp_name=survivor, updated_at=db.clock.now())
    )
    with db.begin() as connection:
        return int(connection.execute(query).rowcount or 0)


async def move_bindings(ctx: StoreContext, old: str, survivor: str) -> int:
    """Every store's customer bindings that lead to the merged Customer now lead to the survivor."""
    moved = await ctx.state.run(_move_binding_rows, ctx.db, old, survivor)
    for identity, name in list(ctx.cache.customers.items()):
        if name == old:
            ctx.cache.customers[identity] = survivor
    return moved


async def _exists(ctx: StoreContext, name: str) -> bool:
    return bool(await ctx.erp.get_value("Customer", {"name": name}, "name"))


async def _merged(ctx: StoreContext, old: str, survivor: str, evidence: str) -> MergeResult:
    moved = await move_bindings(ctx, old, survivor)
    await ctx.state.record_outcome(
        ctx.store,
        MERGE_KIND,
        _short_id(old),
        SUCCEEDED,
        reason="merged",
        detail=f"merged into {survivor}; {evidence}; {moved} binding(s) now point at {survivor}",
    )
    log.info("customer_merged", store=ctx.store, old=old, survivor=survivor, bindings=moved)
    return MergeResult(old, survivor, True, moved)


async def finish_interrupted(ctx: StoreContext) -> list[MergeResult]:
    """Merges a previous run sent without seeing the answer: done in ERPNext → finish our side;
    not done → forget them (the new plan proposes them again)."""
    state = await _pending(ctx)
    done = []
    for old, entry in dict(state["pending"]).items():
        survivor = str(entry["survivor"])
        if not await _exists(ctx, old) and await _exists(ctx, survivor):
            done.append(await _merged(ctx, old, survivor, str(entry.get("evidence") or "")))
        state["pending"].pop(old)
        await _save(ctx, state)
    return done


async def merge_one(ctx: StoreContext, old: str, merge: Merge) -> MergeResult:
    evidence = "; ".join(e.describe() for e in merge.evidence)
    state = await _pending(ctx)
    state["pending"][old] = {"survivor": merge.survivor, "evidence": evidence}
    await _save(ctx, state)  # written down before it is sent: a crash mid-request is finished next run
    try:
        await ctx.erp.call(RENAME, doctype="Customer", old_name=old, new_name=merge.survivor, merge=1)
    except ErpError as exc:
        unsure = isinstance(exc, ErpUncertain)
        if not (unsure or exc.kind == "retryable") or await _exists(ctx, old):
            if not unsure:
                state["pending"].pop(old, None)  # refused: nothing happened, nothing to finish later
                await _save(ctx, state)
            await ctx.state.record_outcome(
                ctx.store,
                MERGE_KIND,
                _short_id(old),
                FAILED,
                reason=exc.exc_type,
                detail=f"merging {old} into {merge.survivor}: {exc.message}",
                hint="fix the cause in ERPNext, then run `woonext customers dedupe --apply` again",
            )
            log.warning("customer_merge_failed", store=ctx.store, old=old, survivor=merge.survivor, error=str(exc))
            return MergeResult(old, merge.survivor, False, error=f"{exc.exc_type}: {exc.message}")
        # the answer was lost but the merged Customer is gone: the merge happened
    result = await _merged(ctx, old, merge.survivor, evidence)
    state["pending"].pop(old, None)
    await _save(ctx, state)
    return result


async def keep_customer_name(ctx: StoreContext, survivor: str, customer_name: str) -> None:
    """ERPNext's Customer.after_rename sets `customer_name` to the document name when customers are
    named by name, so a survivor called "Mona Hassan - 1" would be renamed so on screen: put it back.
    (A survivor whose name is its customer name has nothing to lose: no request.)"""
    if not customer_name or customer_name == survivor:
        return
    if await ctx.erp.get_value("Customer", {"name": survivor}, "customer_name") != customer_name:
        await ctx.erp.update("Customer", survivor, {"customer_name": customer_name})


async def record_review(ctx: StoreContext, review: tuple[Review, ...]) -> None:
    """Each group for a person is a NeedsReview outcome (listed by `woonext status`); a group of an
    earlier run that is gone now (a person dealt with it) is closed as Skipped."""
    state = await _pending(ctx)
    current = {_short_id(r.key): r for r in review}
    for key, r in current.items():
        detail = f"{', '.join(r.customers)}: {r.detail}; evidence: " + "; ".join(e.describe() for e in r.evidence)
        await ctx.state.record_outcome(
            ctx.store, REVIEW_KIND, key, NEEDS_REVIEW, reason=r.reason, detail=detail, hint=REVIEW_HINT
        )
    for key in state.get("review", []):
        if key not in current:
            await ctx.state.record_outcome(
                ctx.store, REVIEW_KIND, key, SKIPPED, reason="resolved", detail="no longer found as duplicates"
            )
    state["review"] = sorted(current)
    await _save(ctx, state)


async def run_dedupe(ctx: StoreContext, *, apply: bool, regions: dict[str, str] | None = None) -> DedupeReport:
    """The plan, and with `apply` the provable merges (each into its survivor) and the review records."""
    region = await store_region(ctx)
    resumed = await finish_interrupted(ctx) if apply else []
    facts = await read_customers(ctx, regions or {}, region)
    plan = await _with_party_accounts(ctx, facts)
    report = DedupeReport(plan=plan, applied=apply, region=region, resumed=resumed)
    if not apply:
        return report
    names = {c.name: c.customer_name for c in facts}
    for merge in plan.merges:
        results = [await merge_one(ctx, old, merge) for old in merge.merged]
        report.results.extend(results)
        if any(r.ok for r in results):
            await keep_customer_name(ctx, merge.survivor, names.get(merge.survivor, ""))
    await record_review(ctx, plan.review)
    return report
