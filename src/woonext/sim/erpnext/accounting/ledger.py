"""General-ledger and stock-ledger postings, and their reversal on cancel.

Entries are built from the document itself (amounts in company currency), merged per account /
party / against-voucher / cost center as ERPNext's `merge_similar_entries` does, and negative sides
are swapped like `toggle_debit_credit_if_negative`. A cancel posts the mirror image with
`is_cancelled` 1, which leaves every account's balance as before the submit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from ..base import Ctx, Doc, throw
from .money import ZERO, cint, dec, money

GL_KEYS = ("account", "party_type", "party", "against_voucher_type", "against_voucher", "cost_center")


def gl_entry(doc: Doc, account: str, debit: Decimal = ZERO, credit: Decimal = ZERO, **extra: Any) -> Doc:
    return {
        "posting_date": doc.get("posting_date"),
        "account": account or "",
        "debit": debit,
        "credit": credit,
        "voucher_type": doc.get("doctype"),
        "voucher_no": doc.get("name"),
        "company": doc.get("company"),
        "is_cancelled": 0,
        "party_type": extra.pop("party_type", ""),
        "party": extra.pop("party", ""),
        "against_voucher_type": extra.pop("against_voucher_type", ""),
        "against_voucher": extra.pop("against_voucher", ""),
        "cost_center": extra.pop("cost_center", ""),
        **extra,
    }


def merge_entries(entries: list[Doc]) -> list[Doc]:
    """ERPNext `merge_similar_entries` + `toggle_debit_credit_if_negative` (same account, party,
    against-voucher and cost center; rows with nothing on either side dropped)."""
    merged: dict[tuple[Any, ...], Doc] = {}
    for entry in entries:
        key = tuple(entry.get(k) or "" for k in GL_KEYS)
        if key in merged:
            merged[key]["debit"] += entry["debit"]
            merged[key]["credit"] += entry["credit"]
        else:
            merged[key] = dict(entry)
    result = []
    for entry in merged.values():
        # both sides are kept (a POS receivable shows debit and credit on one row), then a negative
        # side moves to the other one
        debit, credit = money(entry["debit"]), money(entry["credit"])
        if not debit and not credit:
            continue
        if debit < 0:
            debit, credit = ZERO, credit - debit
        if credit < 0:
            debit, credit = debit - credit, ZERO
        entry["debit"], entry["credit"] = debit, credit
        _with_account_currency(entry)
        result.append(entry)
    return result


def merge_and_post(ctx: Ctx, entries: list[Doc]) -> list[Doc]:
    """Validate, merge and post; raises the 417 "Account is required" a real GL Entry raises."""
    for entry in entries:
        if not entry.get("account"):
            raise throw("Account is required")
    posted = merge_entries(entries)
    for entry in posted:
        ctx.add_gl(_floats(entry))
    return posted


def reverse(ctx: Ctx, entries: list[Doc]) -> None:
    for entry in entries:
        mirror = dict(entry, debit=entry["credit"], credit=entry["debit"], is_cancelled=1)
        _with_account_currency(mirror)
        ctx.add_gl(_floats(mirror))


def _with_account_currency(entry: Doc) -> None:
    entry["debit_in_account_currency"] = entry["debit"]
    entry["credit_in_account_currency"] = entry["credit"]


def _floats(entry: Doc) -> Doc:
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in entry.items()}


def negative_stock_error(doc: Doc, item_code: str, warehouse: str, shortage: Decimal) -> Exception:
    """NegativeStockError exactly as sample 11 shows it (HTML links, time without zero padding)."""
    posting_time = _unpadded_time(str(doc.get("posting_time") or "00:00:00"))
    item_link = f'<a href="/app/Form/Item/{quote(item_code)}" style="font-weight: bold;">Item {item_code}</a>'
    wh_href = f"/app/Form/Warehouse/{quote(warehouse)}"
    wh_link = f'<a href="{wh_href}" style="font-weight: bold;">Warehouse {warehouse}</a>'
    doc_link = (
        f'<a href="/app/Form/{doc.get("doctype")}/{doc.get("name")}" style="font-weight: bold;">'
        f"{doc.get('doctype')} {doc.get('title') or doc.get('name')}</a>"
    )
    message = (
        f"<strong>{float(shortage)}</strong> units of {item_link} needed in {wh_link} on "
        f"{doc.get('posting_date')} {posting_time} for {doc_link} to complete this transaction."
    )
    return throw(message, "NegativeStockError", 417, title="Insufficient Stock")


def _unpadded_time(value: str) -> str:
    hours, _, rest = value.partition(":")
    return f"{int(hours)}:{rest}" if hours.isdigit() else value


def stock_entries(doc: Doc, items_by_code: dict[str, Doc]) -> list[Doc]:
    """One stock ledger entry per stock row: out for a sale, in for a return (negative qty)."""
    entries = []
    for row in doc.get("items") or []:
        item = items_by_code.get(row.get("item_code") or "")
        if not item or not cint(item.get("is_stock_item")):
            continue
        qty = dec(row.get("stock_qty") if row.get("stock_qty") is not None else row.get("qty"))
        entries.append(
            {
                "item_code": row["item_code"],
                "warehouse": row.get("warehouse") or "",
                "actual_qty": -qty,
                "posting_date": doc.get("posting_date"),
                "posting_time": doc.get("posting_time"),
                "voucher_type": doc.get("doctype"),
                "voucher_no": doc.get("name"),
                "voucher_detail_no": row.get("name"),
                "valuation_rate": dec(row.get("incoming_rate")),
                "company": doc.get("company"),
                "is_cancelled": 0,
            }
        )
    return entries


def post_stock(ctx: Ctx, doc: Doc, entries: list[Doc], allow_negative: bool) -> None:
    """Check every item/warehouse pair cumulatively over the rows, then post."""
    running: dict[tuple[str, str], Decimal] = {}
    for entry in entries:
        key = (entry["item_code"], entry["warehouse"])
        if key not in running:
            running[key] = dec(ctx.stock_qty(*key))
        running[key] += entry["actual_qty"]
        if running[key] < 0 and not allow_negative:
            raise negative_stock_error(doc, key[0], key[1], -running[key])
    for entry in entries:
        ctx.add_stock_ledger(_floats(entry))


def reverse_stock(ctx: Ctx, entries: list[Doc]) -> None:
    from ..stock.ledger import mark_cancelled

    if entries:
        mark_cancelled(ctx, str(entries[0]["voucher_type"]), str(entries[0]["voucher_no"]))  # type: ignore[arg-type]
    for entry in entries:
        ctx.add_stock_ledger(_floats(dict(entry, actual_qty=-entry["actual_qty"], is_cancelled=1)))
