"""The reconciliation as plain data: the stable JSON schema every other format is derived from.

Schema `woonext-reconcile/1` (fields are only ever added, never renamed or removed):

    {"schema", "ok", "mismatches", "stores": [
        {"store", "from", "to", "ok", "orders", "mismatches",
         "counts": {kind: n for every kind}, "states": {state: n},
         "totals": [{"currency", "orders", "woocommerce_total", "erpnext_total", "woocommerce_refunds",
                     "erpnext_credit_notes", "balanced"}],
         "requests": {"woocommerce", "erpnext"}, "seconds",
         "findings": [{"kind", "code", "mismatch", "order": {"id", "number", "status", "total", "currency",
                       "date_created"}, "documents": [...], "expected", "actual", "detail"}]}]}

Money is a string with two decimals (never a float).
"""

from __future__ import annotations

from typing import Any

from woonext.mapping.reconcile import KINDS, PARKED, Finding, Report

SCHEMA = "woonext-reconcile/1"


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "code": f.code,
        "mismatch": f.mismatch,
        "order": {
            "id": f.order_id,
            "number": f.order_number,
            "status": f.order_status,
            "total": f.order_total,
            "currency": f.currency,
            "date_created": f.date_created,
        },
        "documents": list(f.documents),
        "expected": f.expected,
        "actual": f.actual,
        "detail": f.detail,
    }


def store_dict(report: Report) -> dict[str, Any]:
    return {
        "store": report.store,
        "from": report.period.start.isoformat(),
        "to": report.period.end.isoformat(),
        "ok": report.ok,
        "orders": report.orders,
        "mismatches": len(report.mismatches),
        "counts": {kind: report.count(kind) for kind in KINDS},
        "states": dict(sorted(report.states.items())),
        "totals": [
            {
                "currency": currency,
                "orders": t.orders,
                "woocommerce_total": f"{t.woocommerce:.2f}",
                "erpnext_total": f"{t.erpnext:.2f}",
                "woocommerce_refunds": f"{t.woocommerce_refunds:.2f}",
                "erpnext_credit_notes": f"{t.erpnext_credit_notes:.2f}",
                "balanced": t.balanced,
            }
            for currency, t in sorted(report.totals.items())
        ],
        "requests": dict(report.requests),
        "seconds": round(report.seconds, 3),
        "lost": list(report.lost),  # documents woonext made that ERPNext no longer has (made again next sync)
        "findings": [finding_dict(f) for f in report.findings],
    }


def as_data(reports: list[Report]) -> dict[str, Any]:
    mismatches = sum(len(r.mismatches) for r in reports)
    return {
        "schema": SCHEMA,
        "ok": mismatches == 0,
        "mismatches": mismatches,
        "parked": sum(r.count(PARKED) for r in reports),
        "all_clear": all(r.all_clear for r in reports),  # nothing missing, mismatched or parked
        "stores": [store_dict(r) for r in reports],
    }
