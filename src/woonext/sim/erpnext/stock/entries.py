"""Stock Entry and Stock Reconciliation, created over REST with or without a posting date
(samples 53, 56, 58, 61).

A Stock Entry moves quantities: Material Receipt into `t_warehouse`, Material Issue out of
`s_warehouse` (refused below zero unless Stock Settings allow negative stock), Material Transfer
both. A Stock Reconciliation sets the counted quantity of each row. Without `set_posting_time` 1 the
posting date and time become now; with it, the given (possibly past) date is kept. Cancelling posts
the reversal and flags the voucher's own ledger rows cancelled.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..accounting.invoice_defaults import item_not_found, set_posting_time
from ..accounting.ledger import negative_stock_error
from ..accounting.lookup import abbr, setting
from ..accounting.money import ZERO, cint, dec
from ..base import Controller, Ctx, Doc, throw
from .ledger import RECONCILED, mark_cancelled, repost

PURPOSES = ("Material Receipt", "Material Issue", "Material Transfer")


def _float(value: Decimal) -> float:
    return float(value)


def _company_defaults(doc: Doc, ctx: Ctx) -> tuple[str, str]:
    short = abbr(ctx, str(doc.get("company") or ""))
    return f"Stock Adjustment - {short}", f"Main - {short}"


def _item(ctx: Ctx, code: Any) -> Doc:
    item = ctx.get("Item", str(code or ""))
    if item is None:
        raise item_not_found(str(code))
    if not cint(item.get("is_stock_item")):
        raise throw(f"Item {code} is not a stock Item")
    return item


def _entry(doc: Doc, row: Doc, item_code: str, warehouse: str, qty: Decimal, rate: Decimal) -> Doc:
    return {
        "item_code": item_code,
        "warehouse": warehouse,
        "actual_qty": qty,
        "posting_date": doc.get("posting_date"),
        "posting_time": doc.get("posting_time"),
        "voucher_type": doc["doctype"],
        "voucher_no": doc["name"],
        "voucher_detail_no": row.get("name"),
        "valuation_rate": rate,
        "company": doc.get("company"),
        "is_cancelled": 0,
    }


def _post(ctx: Ctx, doc: Doc, entries: list[Doc]) -> None:
    """Check every item/warehouse cumulatively (NegativeStockError), then post."""
    allow = cint(setting(ctx, "Stock Settings", "allow_negative_stock"))
    running: dict[tuple[str, str], Decimal] = {}
    for entry in entries:
        key = (entry["item_code"], entry["warehouse"])
        running.setdefault(key, dec(ctx.stock_qty(*key)))
        running[key] += dec(entry["actual_qty"])
        if running[key] < ZERO and not allow and entry.get(RECONCILED) is None:
            raise negative_stock_error(doc, key[0], key[1], -running[key])
    for entry in entries:
        ctx.add_stock_ledger(entry)
    if cint(doc.get("set_posting_time")):  # possibly backdated: the entries after it are reposted
        _repost(ctx, entries)


def _reverse(ctx: Ctx, doc: Doc, entries: list[Doc]) -> None:
    mark_cancelled(ctx, doc["doctype"], doc["name"])  # type: ignore[arg-type]
    for entry in reversed(entries):  # ERPNext posts the reversal last row first (samples 59–60)
        ctx.add_stock_ledger(dict(entry, actual_qty=-dec(entry["actual_qty"]), is_cancelled=1))
    _repost(ctx, entries)


def _repost(ctx: Ctx, entries: list[Doc]) -> None:
    for item_code, warehouse in dict.fromkeys((e["item_code"], e["warehouse"]) for e in entries):
        repost(ctx, item_code, warehouse)  # type: ignore[arg-type]


class StockEntryController(Controller):
    doctype = "Stock Entry"

    def before_validate(self, doc: Doc, ctx: Ctx) -> None:
        for row in doc.get("items") or []:
            item = _item(ctx, row.get("item_code"))
            row.setdefault("uom", item.get("stock_uom") or "Nos")
            row.setdefault("stock_uom", item.get("stock_uom") or "Nos")
            row.setdefault("conversion_factor", 1.0)
            row["transfer_qty"] = _float(dec(row.get("qty")) * dec(row.get("conversion_factor") or 1))

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        doc["purpose"] = doc.get("purpose") or doc.get("stock_entry_type")
        if doc["purpose"] not in PURPOSES:
            raise throw(f"Purpose must be one of {', '.join(PURPOSES)}")
        set_posting_time(doc, ctx.now())
        expense, cost_center = _company_defaults(doc, ctx)
        incoming = outgoing = ZERO
        for row in doc.get("items") or []:
            item = _item(ctx, row.get("item_code"))
            self._check_warehouses(doc["purpose"], row)
            rate = dec(row.get("basic_rate"))
            amount = rate * dec(row["transfer_qty"])
            row.update(
                item_name=item.get("item_name"),
                description=item.get("description"),
                item_group=item.get("item_group"),
                valuation_rate=_float(rate),
                basic_amount=_float(amount),
                amount=_float(amount),
                actual_qty=_float(dec(ctx.stock_qty(row["item_code"], row.get("s_warehouse") or row["t_warehouse"]))),
            )
            row.setdefault("expense_account", expense)
            row.setdefault("cost_center", cost_center)
            incoming += amount if row.get("t_warehouse") else ZERO
            outgoing += amount if row.get("s_warehouse") else ZERO
        doc.update(
            total_incoming_value=_float(incoming),
            total_outgoing_value=_float(outgoing),
            value_difference=_float(incoming - outgoing),
            total_amount=_float(max(incoming, outgoing)),
        )

    @staticmethod
    def _check_warehouses(purpose: str, row: Doc) -> None:
        if purpose in ("Material Receipt", "Material Transfer") and not row.get("t_warehouse"):
            raise throw(f"Row {row.get('idx')}: Target Warehouse is mandatory for {purpose}")
        if purpose in ("Material Issue", "Material Transfer") and not row.get("s_warehouse"):
            raise throw(f"Row {row.get('idx')}: Source Warehouse is mandatory for {purpose}")

    def _entries(self, doc: Doc) -> list[Doc]:
        entries = []
        for row in doc.get("items") or []:
            qty, rate = dec(row.get("transfer_qty")), dec(row.get("valuation_rate"))
            if row.get("s_warehouse"):
                entries.append(_entry(doc, row, row["item_code"], row["s_warehouse"], -qty, rate))
            if row.get("t_warehouse"):
                entries.append(_entry(doc, row, row["item_code"], row["t_warehouse"], qty, rate))
        return entries

    def on_submit(self, doc: Doc, ctx: Ctx) -> None:
        _post(ctx, doc, self._entries(doc))

    def on_cancel(self, doc: Doc, ctx: Ctx) -> None:
        _reverse(ctx, doc, self._entries(doc))


class StockReconciliationController(Controller):
    doctype = "Stock Reconciliation"

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        doc["purpose"] = doc.get("purpose") or "Stock Reconciliation"
        set_posting_time(doc, ctx.now())
        expense, cost_center = _company_defaults(doc, ctx)
        doc.setdefault("expense_account", expense)
        doc.setdefault("cost_center", cost_center)
        difference = ZERO
        for row in doc.get("items") or []:
            item = _item(ctx, row.get("item_code"))
            current = dec(ctx.stock_qty(row["item_code"], row.get("warehouse") or ""))
            qty, rate = dec(row.get("qty")), dec(row.get("valuation_rate"))
            if "current_qty" not in row or cint(doc.get("docstatus")) == 0:
                row.update(current_qty=_float(current), current_amount=0.0, current_valuation_rate=0.0)
            row.update(
                item_name=item.get("item_name"),
                item_group=item.get("item_group"),
                stock_uom=item.get("stock_uom") or "Nos",
                amount=_float(qty * rate),
                quantity_difference=_float(qty - dec(row["current_qty"])),
                amount_difference=_float(qty * rate - dec(row.get("current_amount"))),
            )
            difference += qty * rate - dec(row.get("current_amount"))
        doc["difference_amount"] = _float(difference)

    def _entries(self, doc: Doc) -> list[Doc]:
        entries = []
        for row in doc.get("items") or []:
            qty = dec(row.get("qty"))
            entry = _entry(doc, row, row["item_code"], row["warehouse"], qty - dec(row.get("current_qty")), ZERO)
            entry.update(valuation_rate=dec(row.get("valuation_rate")), **{RECONCILED: qty})
            entries.append(entry)
        return entries

    def on_submit(self, doc: Doc, ctx: Ctx) -> None:
        _post(ctx, doc, self._entries(doc))

    def on_cancel(self, doc: Doc, ctx: Ctx) -> None:
        _reverse(ctx, doc, [{k: v for k, v in e.items() if k != RECONCILED} for e in self._entries(doc)])


CONTROLLERS: list[Controller] = [StockEntryController(), StockReconciliationController()]
