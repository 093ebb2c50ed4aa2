"""WooCommerce refund → ERPNext credit note (a return Sales Invoice against the original).

Line refunds become negative-quantity rows linked to the original rows; refunded shipping and fees
become rows of the shipping / fee item; the refunded tax per rate becomes "Actual" rows. Whatever
the refund's amount leaves beyond its lines (an amount-only refund, or a partial manual amount) is
one row of a non-stock refund item with qty 0: ERPNext books −rate for such a return row.

Stock comes back only for what WooCommerce restocked: such a credit note has `update_stock` 1 and
the store's warehouse, its restocked quantities are item rows, and the value of quantities that were
refunded but not restocked goes into the refund item row (a return that updates stock would move
stock for every stock-item row).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from woonext.erpnext.types import CreditNoteDoc, SalesInvoiceItem, SalesInvoicePayment, SalesTaxRow
from woonext.mapping.invoice import MappingError, PaymentRow, posting_datetime
from woonext.mapping.keys import SYNC_KEY_FIELD, woo_order_id, woo_order_number
from woonext.mapping.money import ZERO, as_json_number, money, round2
from woonext.woo.types import WooLineItem, WooOrder, WooRefund


@dataclass(frozen=True)
class RefundSettings:
    company: str
    shipping_item: str = "Shipping"
    fee_item: str = "Fee"
    refund_item: str = "Refund"
    tax_accounts: dict[str, str] = field(default_factory=dict)


@dataclass
class CreditNotePlan:
    doc: CreditNoteDoc
    grand_total: Decimal  # negative: −refund amount


def _original_row(original: Mapping[str, Any], item_code: str, rate: Decimal) -> str | None:
    """An original row for this item whose rate is at least the refund's rate (ERPNext checks it)."""
    best: tuple[Decimal, str] | None = None
    for row in original.get("items") or []:
        if row.get("item_code") != item_code or not row.get("name"):
            continue
        row_rate = money(row.get("rate"), "rate")
        if row_rate >= rate and (best is None or row_rate < best[0]):
            best = (row_rate, str(row["name"]))
    return best[1] if best else None


def _return_rows(
    item_code: str, qty: int, total: Decimal, original: Mapping[str, Any], description: str, warehouse: str = ""
) -> list[SalesInvoiceItem]:
    rate = round2(total / qty)
    parts = [(qty, rate)] if rate * qty == total else [(qty - 1, rate), (1, total - rate * (qty - 1))]
    rows = []
    for part_qty, part_rate in parts:
        if part_qty == 0:
            continue
        row: SalesInvoiceItem = {
            "item_code": item_code,
            "qty": -part_qty,
            "rate": as_json_number(part_rate),
            "description": description[:140],
        }
        if warehouse:
            row["warehouse"] = warehouse
        linked = _original_row(original, item_code, part_rate)
        if linked:
            row["sales_invoice_item"] = linked
        rows.append(row)
    return rows


def refunded_item_id(line: WooLineItem) -> str:
    """The original order line a refund line refunds (its `_refunded_item_id` meta)."""
    for meta in line.get("meta_data") or []:
        if meta.get("key") == "_refunded_item_id" and meta.get("value") not in (None, ""):
            return str(meta["value"])
    return ""


def restocked_per_line(order: WooOrder) -> dict[str, int]:
    """What WooCommerce put back in stock per original line, over all refunds so far: the line's
    `_restock_refunded_items` meta (`wc_restock_refunded_items` keeps this running tally)."""
    tally: dict[str, int] = {}
    for line in order.get("line_items") or []:
        for meta in line.get("meta_data") or []:
            if meta.get("key") == "_restock_refunded_items":
                try:
                    tally[str(line.get("id"))] = int(str(meta.get("value") or "0"))
                except ValueError:
                    continue
    return tally


def restock_allocation(order: WooOrder, refund: WooRefund, credited: Mapping[str, int]) -> dict[str, int]:
    """The quantities this refund restocked, per original line.

    WooCommerce records restocking on the original line, not on the refund. What the line's tally
    holds beyond what earlier credit notes already returned (`credited`) belongs to this refund, up
    to the quantity it refunds. Refunds are taken oldest first, so two refunds read at once share
    the tally in that order."""
    available = {line: qty - credited.get(line, 0) for line, qty in restocked_per_line(order).items()}
    allocation: dict[str, int] = {}
    for line in refund.get("line_items") or []:
        line_id = refunded_item_id(line)
        qty = abs(int(line.get("quantity") or 0))
        take = min(qty, max(available.get(line_id, 0), 0))
        if line_id and take:
            allocation[line_id] = allocation.get(line_id, 0) + take
            available[line_id] -= take
    return allocation


def _refunded_taxes(refund: WooRefund, into: dict[str, Decimal]) -> None:
    taxes = [t for line in refund.get("line_items") or [] for t in line.get("taxes") or []]
    taxes += [t for line in refund.get("shipping_lines") or [] for t in line.get("taxes") or []]
    taxes += [t for line in refund.get("fee_lines") or [] for t in line.get("taxes") or []]
    for tax in taxes:
        rate_id = str(tax.get("id"))
        into[rate_id] = into.get(rate_id, ZERO) + abs(money(tax.get("total"), "refund tax"))


def map_refund(
    refund: WooRefund,
    order: WooOrder,
    original: Mapping[str, Any],
    settings: RefundSettings,
    *,
    sync_key: str,
    payment: PaymentRow | None,
    restocked: Mapping[str, int] | None = None,
    warehouse: str = "",
) -> CreditNotePlan:
    """Build the credit note; `payment` given → refunded through a negative POS row (paid originals);
    `restocked` (original line id → quantity) with a `warehouse` → the stock comes back."""
    amount = money(refund.get("amount"), "refund amount")
    if amount <= ZERO:
        raise MappingError("bad_refund", f"refund {refund.get('id')} has amount {amount}")
    restock = {k: v for k, v in (restocked or {}).items() if v > 0} if warehouse else {}
    rows: list[SalesInvoiceItem] = []
    unstocked: list[tuple[str, Decimal]] = []  # (description, value) refunded without coming back
    lines_total = ZERO
    for line in refund.get("line_items") or []:
        qty = abs(int(line.get("quantity") or 0))
        total = abs(money(line.get("total"), "refund line total"))
        sku = str(line.get("sku") or "").strip()
        if qty == 0 or total == ZERO or not sku:
            continue  # value-only line refunds fall into the refund item row below
        name = str(line.get("name") or sku)
        lines_total += total
        if not restock:
            rows += _return_rows(sku, qty, total, original, name)
            continue
        back = min(qty, restock.get(refunded_item_id(line), 0))
        value_back = round2(total * back / qty)
        if back:
            rows += _return_rows(sku, back, value_back, original, name, warehouse)
        if qty - back:
            unstocked.append((f"{qty - back} × {name} (not restocked)", total - value_back))
    charges = [
        (s.get("total"), s.get("method_title"), settings.shipping_item) for s in refund.get("shipping_lines") or []
    ]
    charges += [(f.get("total"), f.get("name"), settings.fee_item) for f in refund.get("fee_lines") or []]
    for amount_text, title, item in charges:
        total = abs(money(amount_text, "refund charge"))
        if total:
            rows.append(
                {"item_code": item, "qty": -1, "rate": as_json_number(total), "description": (title or item)[:140]}
            )
            lines_total += total

    per_rate: dict[str, Decimal] = {}
    _refunded_taxes(refund, per_rate)
    taxes: list[SalesTaxRow] = []
    for rate_id, tax in sorted(per_rate.items()):
        if tax == ZERO:
            continue
        account = settings.tax_accounts.get(rate_id)
        if not account:
            raise MappingError(
                "unknown_tax_rate",
                f"refunded tax rate {rate_id} has no ERPNext account",
                f'add `"{rate_id}" = "<Account>"` under [stores.tax_accounts]',
            )
        taxes.append(
            {
                "charge_type": "Actual",
                "account_head": account,
                "description": f"Refunded tax {rate_id}",
                "tax_amount": as_json_number(-tax),
            }
        )
    tax_total = sum(per_rate.values(), ZERO)
    residual = amount - lines_total - tax_total
    if residual < ZERO:
        raise MappingError(
            "residual", f"refund {refund.get('id')} lines ({lines_total} + tax {tax_total}) exceed its amount {amount}"
        )
    for description, value in unstocked:
        if value > ZERO:
            rows.append(
                {
                    "item_code": settings.refund_item,
                    "qty": 0,
                    "rate": as_json_number(value),
                    "description": description[:140],
                }
            )
    if residual > ZERO:
        rows.append(
            {
                "item_code": settings.refund_item,
                "qty": 0,
                "rate": as_json_number(residual),
                "description": (str(refund.get("reason") or "") or f"Refund {refund.get('id')}")[:140],
            }
        )

    when = posting_datetime(refund if refund.get("date_created") else order)
    doc: CreditNoteDoc = {
        "customer": original.get("customer"),
        "company": settings.company,
        "currency": original.get("currency"),
        "is_return": 1,
        "return_against": original.get("name"),
        "set_posting_time": 1,
        "posting_date": when.date().isoformat(),
        "posting_time": when.time().strftime("%H:%M:%S"),
        "due_date": when.date().isoformat(),
        "ignore_pricing_rule": 1,
        "disable_rounded_total": 1,
        "update_stock": 1 if restock else 0,
        "custom_payment_method": original.get("custom_payment_method") or "",
        "woo_order_id": woo_order_id(order),
        "woo_order_number": woo_order_number(order),
        SYNC_KEY_FIELD: sync_key,
        "items": rows,
        "taxes": taxes,
    }
    if restock:
        doc["set_warehouse"] = warehouse
    if payment is not None:
        doc["is_pos"] = 1
        row: SalesInvoicePayment = {
            "mode_of_payment": payment.mode_of_payment,
            "account": payment.account,
            "amount": as_json_number(-amount),
        }
        doc["payments"] = [row]
    else:
        # The original is unpaid: the credit note reduces its outstanding instead of keeping its own.
        doc["update_outstanding_for_self"] = 0
    return CreditNotePlan(doc=doc, grand_total=-amount)
