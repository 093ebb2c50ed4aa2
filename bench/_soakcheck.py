"""The soak's end-of-run checks: what ERPNext, the state DB and the logs must look like after the
storm. Each check is a count that must be zero; `Checks.failed` names the ones that are not."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from woonext.config import load_config
from woonext.mapping.reconcile_model import Period
from woonext.store import StateDB
from woonext.sync.context import open_store
from woonext.sync.reconcile import reconcile

INVOICED = ("processing", "completed", "refunded")  # statuses whose order must have a submitted invoice


@dataclass
class Checks:
    duplicate_invoices: int = 0
    duplicate_payments: int = 0
    duplicate_credit_notes: int = 0
    orders_missing: int = 0
    reconciliation_mismatches: int = 0
    events_not_final: int = 0
    internal_errors: int = 0  # outcomes woonext itself calls "a woonext bug"
    secrets_in_logs: int = 0
    amendments_beyond_edits: int = 0  # an invoice amended more often than the shop edited its order
    # every soak order is valid: an order or its event parked NeedsReview is a fault woonext did not absorb
    parked: int = 0
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        return [name for name, value in vars(self).items() if name != "notes" and value]


def _dupes(keys: list[str]) -> int:
    return sum(n - 1 for key, n in Counter(keys).items() if key and n > 1)


def documents(erp_url: str) -> dict[str, list[dict[str, Any]]]:
    with httpx.Client(base_url=erp_url, timeout=120) as http:
        return {
            doctype: list(http.get(f"/__sim__/docs/{doctype}").json())
            for doctype in ("Sales Invoice", "Payment Entry", "Customer")
        }


def check_documents(checks: Checks, docs: dict[str, list[dict[str, Any]]], orders: dict[int, dict[str, Any]]) -> None:
    invoices = [d for d in docs["Sales Invoice"] if d["docstatus"] == 1]
    originals = [d for d in invoices if not d.get("is_return")]
    returns = [d for d in invoices if d.get("is_return")]
    checks.duplicate_invoices = _dupes([str(d.get("woo_order_id") or "") for d in originals]) + _dupes(
        [str(d.get("woonext_sync_key") or "") for d in originals]
    )
    checks.duplicate_credit_notes = _dupes([str(d.get("woonext_sync_key") or "") for d in returns])
    checks.duplicate_payments = _dupes(
        [str(d.get("woonext_sync_key") or "") for d in docs["Payment Entry"] if d["docstatus"] == 1]
    )
    invoiced = {str(d.get("woo_order_id")) for d in originals}
    missing = [oid for oid, o in orders.items() if o["status"] in INVOICED and str(oid) not in invoiced]
    checks.orders_missing = len(missing)
    checks.notes.update(
        invoices=len(originals),
        amended=sum(1 for d in originals if d.get("amended_from")),
        credit_notes=len(returns),
        payments=sum(1 for d in docs["Payment Entry"] if d["docstatus"] == 1),
        customers=len(docs["Customer"]),
        missing_ids=missing[:20],
    )


def check_events(checks: Checks, state_url: str) -> None:
    engine = create_engine(state_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT kind, status, count(*) FROM events GROUP BY kind, status")).all()
            outcomes = connection.execute(
                text("SELECT status, reason, count(*) FROM outcomes WHERE kind = 'order' GROUP BY status, reason")
            ).all()
            internal = connection.execute(
                text("SELECT kind, remote_id, detail FROM outcomes WHERE reason = 'internal_error'")
            ).all()
            parked = connection.execute(
                text(
                    "SELECT 'event', remote_id, last_error FROM events WHERE kind = 'order' AND status = 'NeedsReview' "
                    "UNION ALL SELECT 'outcome', remote_id, reason || ': ' || detail FROM outcomes "
                    "WHERE kind = 'order' AND status = 'NeedsReview'"
                )
            ).all()
    finally:
        engine.dispose()
    checks.events_not_final = sum(
        int(n) for kind, status, n in rows if status in ("Pending", "Running") and kind in ("order", "customer")
    )
    checks.internal_errors = len(internal)
    checks.parked = len(parked)
    checks.notes["parked_examples"] = [f"{where} {r}: {(d or '')[:160]}" for where, r, d in parked[:5]]
    checks.notes["internal_error_examples"] = [f"{k} {r}: {d[:160]}" for k, r, d in internal[:5]]
    checks.notes["events"] = {f"{kind}:{status}": int(n) for kind, status, n in rows}
    checks.notes["order_outcomes"] = {f"{status}:{reason}": int(n) for status, reason, n in outcomes}


def check_reconciliation(checks: Checks, cfg: Path, order_ids: set[int], days: tuple[date, date]) -> None:
    """`woonext reconcile` over the soak's days, counting the mismatches of the soak's own orders."""
    config = load_config(cfg)
    db = StateDB.open(config.state_url)

    async def run() -> list[Any]:
        ctx = open_store(config, config.stores[0], db)
        try:
            report = await reconcile(ctx, Period(days[0] - timedelta(days=1), days[1] + timedelta(days=1)))
        finally:
            await ctx.aclose()
        return [f for f in report.mismatches if f.order_id in order_ids]

    try:
        mismatches = asyncio.run(run())
    finally:
        db.close()
    checks.reconciliation_mismatches = len(mismatches)
    checks.notes["mismatch_examples"] = [f"{f.order_id} {f.kind}: {f.detail}" for f in mismatches[:10]]


def check_logs(checks: Checks, logs: list[Path], secrets: list[str]) -> None:
    found = 0
    for path in logs:
        if path.exists():
            content = path.read_text(errors="replace")
            found += sum(content.count(s) for s in secrets if s)
    checks.secrets_in_logs = found
    checks.notes["log_bytes"] = sum(p.stat().st_size for p in logs if p.exists())
