"""Whitelisted methods of ERPNext 15.92 that onboarding reads: the installed versions and an item's
stock in a warehouse at a moment in time."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .client_methods import Method
from .documents import DocCtx

FRAPPE_VERSION = "15.92.0"
ERPNEXT_VERSION = "15.92.1"


def get_versions(ctx: DocCtx, **_: Any) -> dict[str, Any]:
    """`frappe.utils.change_log.get_versions`: one entry per installed app (the About dialog)."""
    return {
        "frappe": {
            "title": "Frappe Framework",
            "description": "Full stack web framework with Python, Javascript, MariaDB, Redis, Node",
            "branch": "version-15",
            "version": FRAPPE_VERSION,
        },
        "erpnext": {
            "title": "ERPNext",
            "description": "ERP made simple",
            "branch": "version-15",
            "version": ERPNEXT_VERSION,
        },
    }


def _moment(date: Any, time: Any) -> tuple[str, str]:
    return str(date or "9999-12-31")[:10], _padded(str(time or "23:59:59.999999"))


def _padded(time: str) -> str:
    """ "9:5:7.5" → "09:05:07.5": ERPNext's posting times are not always zero-padded (sample 94)."""
    head, _, fraction = time.partition(".")
    parts = [p.zfill(2) for p in head.split(":")] + ["00"] * (3 - len(head.split(":")))
    return ":".join(parts[:3]) + (f".{fraction}" if fraction else "")


def get_stock_balance(
    ctx: DocCtx,
    item_code: str = "",
    warehouse: str = "",
    posting_date: Any = None,
    posting_time: Any = None,
    **_: Any,
) -> float:
    """`erpnext.stock.utils.get_stock_balance`: the quantity after the last ledger entry on or before
    the moment (now when no date is given); 0.0 for an item that never moved. Stock seeded without a
    ledger entry counts as there from the start."""
    current = ctx.txn.stock_qty(item_code, warehouse)
    moment = _moment(posting_date, posting_time)
    later = sum(
        (
            Decimal(str(entry.get("actual_qty") or 0))
            for entry in ctx.txn.db.stock_ledger
            if entry.get("item_code") == item_code
            and entry.get("warehouse") == warehouse
            and _moment(entry.get("posting_date"), entry.get("posting_time")) > moment
        ),
        Decimal(0),
    )
    return float(current - later)


SITE_METHODS: dict[str, Method] = {
    "frappe.utils.change_log.get_versions": Method(get_versions),
    "erpnext.stock.utils.get_stock_balance": Method(get_stock_balance),
}
