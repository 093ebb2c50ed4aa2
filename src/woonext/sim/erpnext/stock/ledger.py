"""The stock ledger as ERPNext 15.92 keeps it: one Stock Ledger Entry document per row and movement,
and one Bin per item and warehouse holding the running quantity (samples 53–64, 74).

Every movement goes through `record`: the Bin's `actual_qty` moves and its `modified` with it (sample
64 — woonext's stock sweep follows that clock), the entry is inserted, and its `after_insert` doc event
is raised for the Webhook doctype. What the webhook sees is the entry as ERPNext holds it in memory at
`after_insert`: `qty_after_transaction` is still 0.0 there (it is filled by the repost that follows,
sample 57), except on a Stock Reconciliation row, which carries the counted quantity (samples 54–55);
a Stock Reconciliation row itself moves nothing (`actual_qty` 0.0, sample 74).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..base import Doc
from ..naming import random_name
from ..serialize import format_datetime

if TYPE_CHECKING:
    from ..context import DocCtx

SLE = "Stock Ledger Entry"
RECONCILED = "reconciled_qty"  # key of an entry that sets the quantity (Stock Reconciliation)


def _float(value: Any) -> float:
    return float(Decimal(str(value if value is not None else 0)))


def record(ctx: DocCtx, entry: Doc) -> Doc:
    """Post one movement: Bin, ledger document, `after_insert` event. Returns the stored entry."""
    item_code, warehouse = str(entry.get("item_code") or ""), str(entry.get("warehouse") or "")
    ctx.txn.add_stock_ledger({k: v for k, v in entry.items() if k != RECONCILED})
    after = ctx.txn.stock_qty(item_code, warehouse)
    now = ctx.engine.next_modified(ctx, None)
    cancelled = int(entry.get("is_cancelled") or 0)
    reconciled = entry.get(RECONCILED) is not None and not cancelled
    sle: Doc = {
        "doctype": SLE,
        "name": random_name(),
        "owner": ctx.user,
        "creation": now,
        "modified": now,
        "modified_by": ctx.user,
        "docstatus": 1,
        "idx": 0,
        "item_code": item_code,
        "warehouse": warehouse,
        "posting_date": str(entry.get("posting_date") or ""),
        "posting_time": str(entry.get("posting_time") or ""),
        "posting_datetime": f"{entry.get('posting_date')} {entry.get('posting_time')}",
        "voucher_type": entry.get("voucher_type"),
        "voucher_no": entry.get("voucher_no"),
        "voucher_detail_no": entry.get("voucher_detail_no"),
        "actual_qty": 0.0 if reconciled else _float(entry.get("actual_qty")),
        "qty_after_transaction": 0.0 if cancelled else _float(after),  # a reversal reads 0.0 (sample 74)
        "incoming_rate": _float(entry.get("valuation_rate")) if _float(entry.get("actual_qty")) > 0 else 0.0,
        "valuation_rate": _float(entry.get("valuation_rate")),
        "company": entry.get("company"),
        "is_cancelled": cancelled,
    }
    ctx.txn.put(sle)
    _touch_bin(ctx, item_code, warehouse, after, now)
    seen = dict(sle, qty_after_transaction=_float(entry[RECONCILED]) if reconciled else 0.0)
    ctx.raise_event(SLE, "after_insert", seen)
    return sle


def _touch_bin(ctx: DocCtx, item_code: str, warehouse: str, qty: Decimal, now: str) -> None:
    name = ctx.txn.bin_name(item_code, warehouse)
    stored = ctx.txn.get("Bin", name) if name else None
    if stored is None:
        name = random_name()
        ctx.txn.bin_names[(item_code, warehouse)] = name
        item = ctx.txn.peek("Item", item_code) or {}
        stored = new_bin(name, item_code, warehouse, str(item.get("stock_uom") or "Nos"), now, ctx.user)
    stored.update(actual_qty=float(qty), projected_qty=float(qty), modified=now, modified_by=ctx.user)
    ctx.txn.put(stored)


def new_bin(name: str, item_code: str, warehouse: str, stock_uom: str, now: str, user: str = "Administrator") -> Doc:
    return {
        "doctype": "Bin",
        "name": name,
        "owner": user,
        "creation": now,
        "modified": now,
        "modified_by": user,
        "docstatus": 0,
        "idx": 0,
        "item_code": item_code,
        "warehouse": warehouse,
        "actual_qty": 0.0,
        "planned_qty": 0.0,
        "projected_qty": 0.0,
        "reserved_qty": 0.0,
        "ordered_qty": 0.0,
        "indented_qty": 0.0,
        "reserved_qty_for_production": 0.0,
        "reserved_qty_for_sub_contract": 0.0,
        "reserved_qty_for_production_plan": 0.0,
        "reserved_stock": 0.0,
        "stock_uom": stock_uom,
        "valuation_rate": 0.0,
        "stock_value": 0.0,
    }


def mark_cancelled(ctx: DocCtx, voucher_type: str, voucher_no: str) -> None:
    """On cancel ERPNext flags the voucher's own entries `is_cancelled` before posting the reversal
    (sample 74: the Stock Reconciliation's rows read back with is_cancelled 1)."""
    now = format_datetime(ctx.now())
    for row in list(ctx.txn.iter(SLE)):
        if row.get("voucher_type") == voucher_type and row.get("voucher_no") == voucher_no and not row["is_cancelled"]:
            ctx.txn.put(dict(row, is_cancelled=1, modified=now))


def seed_bin(ctx: DocCtx, item_code: str, warehouse: str, qty: Decimal) -> None:
    """Opening stock written by the seed (no ledger entry, as a fixture would)."""
    ctx.txn.bins[(item_code, warehouse)] = Decimal(qty)
    _touch_bin(ctx, item_code, warehouse, Decimal(qty), ctx.engine.next_modified(ctx, None))


def repost(ctx: DocCtx, item_code: str, warehouse: str) -> None:
    """What ERPNext's background repost does after a cancel or a backdated entry: the live entries of
    the item and warehouse get their `qty_after_transaction` again, in posting order, ending at the
    Bin's quantity (sample 74: the Stock Entry's row reads 5 once the reconciliation before it is
    cancelled). The Bin's `modified` moves, which the stock sweep notices."""
    rows = [r for r in ctx.txn.iter(SLE) if r["item_code"] == item_code and r["warehouse"] == warehouse]
    live = sorted((r for r in rows if not r["is_cancelled"]), key=lambda r: (r["posting_date"], r["posting_time"]))
    qty = Decimal(ctx.txn.stock_qty(item_code, warehouse))
    for row in reversed(live):
        if row.get("voucher_type") == "Stock Reconciliation":
            break  # a count sets the quantity: what came before it does not change what follows
        if row["qty_after_transaction"] != float(qty):
            ctx.txn.put(dict(row, qty_after_transaction=float(qty)))
        qty -= Decimal(str(row["actual_qty"]))
    _touch_bin(ctx, item_code, warehouse, Decimal(ctx.txn.stock_qty(item_code, warehouse)), format_datetime(ctx.now()))
