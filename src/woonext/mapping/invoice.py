"""WooCommerce order → ERPNext Sales Invoice, by the mapping proven to the cent on ERPNext 15.92.

The rules (observed-real.md, last section): rows carry WooCommerce's stored ex-tax line totals;
shipping and positive fees are item rows; negative fees are a discount on the net total; every
`tax_lines` entry is one "Actual" tax row. Only order-level stored figures are used — never line
`total_tax`, `price` or coupon strings, which WooCommerce re-renders or leaves unformatted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from typing import TypedDict

from woonext.erpnext.types import SalesInvoiceDoc, SalesInvoiceItem, SalesInvoicePayment, SalesTaxRow
from woonext.mapping.delivery import DeliveryMetaKeys, delivery_fields
from woonext.mapping.errors import MappingError
from woonext.mapping.keys import SYNC_KEY_FIELD, woo_order_id, woo_order_number
from woonext.mapping.money import CENT, ZERO, MoneyError, allocate_cents, as_json_number, money, round2
from woonext.mapping.residual import order_figures, residual_error, sub_cent_figures, tax_rounding_tolerance
from woonext.woo.types import WooOrder, WooTaxLine

__all__ = [
    "InvoicePlan",
    "InvoiceSettings",
    "MappingError",
    "PaymentRow",
    "Purpose",
    "map_order",
    "payment_method_value",
    "posting_datetime",
    "split_rows",
    "tax_rows",
]


class Purpose(StrEnum):
    """What the invoice is for, which decides payment and stock."""

    HISTORICAL_PAID = "historical_paid"  # migrated completed/refunded order: paid (POS row or Payment Entry), no stock
    HISTORICAL_UNPAID = "historical_unpaid"  # migrated cancelled order: submitted then cancelled
    LIVE = "live"  # live order: unpaid, submitted, stock moves from the store's warehouse


@dataclass(frozen=True)
class InvoiceSettings:
    """The part of a store's configuration that mapping needs (plain data, no I/O)."""

    company: str
    warehouse: str
    price_list: str = "Standard Selling"
    shipping_item: str = "Shipping"
    fee_item: str = "Fee"
    payment_methods: dict[str, str] = field(default_factory=dict)
    tax_accounts: dict[str, str] = field(default_factory=dict)
    delivery_meta: DeliveryMetaKeys = DeliveryMetaKeys()


@dataclass(frozen=True)
class PaymentRow:
    """A POS payment row: the mode of payment and the account it posts to (both explicit)."""

    mode_of_payment: str
    account: str


@dataclass
class InvoicePlan:
    doc: SalesInvoiceDoc
    grand_total: Decimal  # what ERPNext must compute; equals the WooCommerce total
    total_taxes: Decimal
    warnings: list[str] = field(default_factory=list)


def payment_method_value(order: WooOrder, methods: dict[str, str]) -> str:
    """WooCommerce gateway id → the Sales Invoice's `custom_payment_method` Select value."""
    gateway = str(order.get("payment_method") or "").strip()
    if not gateway:
        return ""
    if gateway not in methods:
        title = order.get("payment_method_title") or gateway
        raise MappingError(
            "unknown_payment_method",
            f"payment method {gateway!r} ({title}) has no mapping",
            f'add `{gateway} = "<Select value>"` under [stores.payment_methods] in the configuration',
        )
    return methods[gateway]


class Dated(TypedDict, total=False):
    """What has a creation time: an order, a refund."""

    id: int
    date_created: str
    date_created_gmt: str


def posting_datetime(order: Dated) -> datetime:
    """The order's (or refund's) creation time in the site's time zone (WooCommerce's `date_created`)."""
    raw = order.get("date_created") or order.get("date_created_gmt")
    if not raw:
        raise MappingError("no_date", f"order {order.get('id')} has no date_created")
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError as exc:
        raise MappingError("no_date", f"order {order.get('id')} has an unreadable date_created {raw!r}") from exc


def split_rows(item_code: str, qty: int, total: Decimal, extra: SalesInvoiceItem) -> list[SalesInvoiceItem]:
    """Rows whose amounts add up to `total` exactly, given ERPNext's 2-dp rate and amount = rate × qty.

    r = round2(total / qty); if r × qty ≠ total: (qty − 1) × r and 1 × the rest. When rounding up
    would leave the rest negative (a few cents over many units: 0.04 for 7), r is rounded down
    instead; a row whose rate is 0 goes as 100 % discounted."""
    if qty <= 0:
        raise MappingError("bad_quantity", f"line for {item_code} has quantity {qty}")
    rate = round2(total / qty)
    if rate * qty == total or qty == 1:
        return [_row(item_code, qty, total if qty == 1 else rate, extra)]
    if total - rate * (qty - 1) < ZERO:
        rate = (total / qty).quantize(CENT, rounding=ROUND_DOWN)
    rest = total - rate * (qty - 1)
    return [_row(item_code, qty - 1, rate, extra), _row(item_code, 1, rest, extra)]


def _row(item_code: str, qty: int, rate: Decimal, extra: SalesInvoiceItem) -> SalesInvoiceItem:
    if rate == ZERO:
        # ERPNext replaces a zero rate by the price-list rate unless the row is 100 % discounted.
        return {"item_code": item_code, "qty": qty, "rate": 0, "discount_percentage": 100, **extra}
    return {"item_code": item_code, "qty": qty, "rate": as_json_number(rate), **extra}


def _item_rows(order: WooOrder) -> tuple[list[SalesInvoiceItem], Decimal]:
    rows: list[SalesInvoiceItem] = []
    net = ZERO
    for line in order.get("line_items") or []:
        sku = str(line.get("sku") or "").strip()
        if not sku:
            raise MappingError(
                "missing_sku",
                f"line {line.get('id')} ({line.get('name')}) has no SKU",
                "give the product a SKU in WooCommerce that matches an ERPNext Item code",
            )
        total = money(line.get("total"), "line total")
        qty = int(line.get("quantity") or 0)
        rows += split_rows(sku, qty, total, {"description": str(line.get("name") or sku)[:140]})
        net += total
    if not rows:
        raise MappingError("no_lines", f"order {order.get('id')} has no line items")
    return rows, net


def _charge_row(item_code: str, amount: Decimal, description: str) -> SalesInvoiceItem:
    return {"item_code": item_code, "qty": 1, "rate": as_json_number(amount), "description": description}


def _charge_rows(order: WooOrder, settings: InvoiceSettings) -> tuple[list[SalesInvoiceItem], Decimal, Decimal]:
    """Shipping and positive fees as item rows; negative fees summed as a net-total discount."""
    rows: list[SalesInvoiceItem] = []
    net = ZERO
    discount = ZERO
    for ship in order.get("shipping_lines") or []:
        amount = money(ship.get("total"), "shipping total")
        if amount == ZERO:
            continue
        title = str(ship.get("method_title") or "Shipping")[:140]
        rows.append(_charge_row(settings.shipping_item, amount, title))
        net += amount
    for fee in order.get("fee_lines") or []:
        amount = money(fee.get("total"), "fee total")
        if amount > ZERO:
            title = str(fee.get("name") or "Fee")[:140]
            rows.append(_charge_row(settings.fee_item, amount, title))
            net += amount
        elif amount < ZERO:
            discount -= amount
    return rows, net, discount


def tax_rows(
    tax_lines: list[WooTaxLine], tax_accounts: dict[str, str], total_tax: Decimal | None = None
) -> tuple[list[SalesTaxRow], Decimal]:
    """One "Actual" row per WooCommerce tax line (items + shipping tax), account by rate id.

    Given the order's `total_tax`, a rounding gap between it and Σ tax lines (at most a cent per
    tax line) is spread over the rows by the rounding policy; a larger gap is left for the
    residual check. No `item_wise_tax_detail` is sent: ERPNext rebuilds it for "Actual" rows by
    spreading each row over all item rows, whatever we send (see docs/money.md)."""
    amounts = [
        money(line.get("tax_total"), "tax_total") + money(line.get("shipping_tax_total"), "shipping_tax_total")
        for line in tax_lines
    ]
    if (
        total_tax is not None
        and amounts
        and abs(total_tax - sum(amounts, ZERO)) <= tax_rounding_tolerance(len(amounts))
    ):
        amounts = allocate_cents(amounts, total_tax)
    rows: list[SalesTaxRow] = []
    total = ZERO
    for line, amount in zip(tax_lines, amounts, strict=True):
        if amount == ZERO:
            continue
        rate_id = str(line.get("rate_id"))
        account = tax_accounts.get(rate_id)
        if not account:
            raise MappingError(
                "unknown_tax_rate",
                f"tax rate {rate_id} ({line.get('label') or line.get('rate_code')}) has no ERPNext account",
                f'add `"{rate_id}" = "<Account>"` under [stores.tax_accounts] in the configuration',
            )
        rows.append(
            {
                "charge_type": "Actual",
                "account_head": account,
                "description": str(line.get("label") or line.get("rate_code") or f"Tax {rate_id}")[:140],
                "tax_amount": as_json_number(amount),
            }
        )
        total += amount
    return rows, total


def map_order(
    order: WooOrder,
    settings: InvoiceSettings,
    *,
    customer: str,
    purpose: Purpose,
    sync_key: str,
    payment: PaymentRow | None = None,
    pay_by_entry: bool = False,
) -> InvoicePlan:
    """Build the Sales Invoice for an order; raise MappingError when it cannot reconcile to the cent.

    A paid historical invoice is paid by its POS row, or — `pay_by_entry`, for an order in a currency
    other than the company's — left open for a Payment Entry in company currency (docs/money.md)."""
    try:
        figures = order_figures(order)
        if figures.total < ZERO:
            raise MappingError(
                "negative_total",
                f"order {order.get('id')} has a negative total {figures.total}",
                "WooCommerce lets a negative fee take an order with nothing else to discount "
                "below zero; ERPNext cannot invoice that: correct the order in WooCommerce",
            )
        items, items_net = _item_rows(order)
        charges, charges_net, discount = _charge_rows(order, settings)
        taxes, tax_total = tax_rows(order.get("tax_lines") or [], settings.tax_accounts, figures.total_tax)
    except MoneyError as exc:
        raise MappingError("bad_money", str(exc)) from exc

    grand_total = items_net + charges_net - discount + tax_total
    if grand_total != figures.total or tax_total != figures.total_tax or sub_cent_figures(order):
        raise residual_error(order, figures, grand_total, tax_total)
    order_total = figures.total

    when = posting_datetime(order)
    doc: SalesInvoiceDoc = {
        "customer": customer,
        "company": settings.company,
        "currency": order.get("currency") or None,
        "selling_price_list": settings.price_list,
        "set_posting_time": 1,
        "posting_date": when.date().isoformat(),
        "posting_time": when.time().strftime("%H:%M:%S"),
        "due_date": when.date().isoformat(),
        "ignore_pricing_rule": 1,
        "disable_rounded_total": 1,
        "custom_payment_method": payment_method_value(order, settings.payment_methods),
        "woo_order_id": woo_order_id(order),
        "woo_order_number": woo_order_number(order),
        SYNC_KEY_FIELD: sync_key,
        "items": items + charges,
        "taxes": taxes,
        "docstatus": 1,
    }
    if discount > ZERO:
        doc["apply_discount_on"] = "Net Total"
        doc["discount_amount"] = as_json_number(discount)
    warnings = delivery_fields(order, settings.delivery_meta, doc)

    if purpose is Purpose.LIVE:
        doc["update_stock"] = 1
        doc["set_warehouse"] = settings.warehouse
    else:
        doc["update_stock"] = 0
    if purpose is Purpose.HISTORICAL_PAID:
        if payment is None:
            raise MappingError("no_payment_account", "a paid historical invoice needs a mode of payment and account")
        if pay_by_entry:
            return InvoicePlan(doc=doc, grand_total=grand_total, total_taxes=tax_total, warnings=warnings)
        doc["is_pos"] = 1
        row: SalesInvoicePayment = {
            "mode_of_payment": payment.mode_of_payment,
            "account": payment.account,
            "amount": as_json_number(order_total),
        }
        doc["payments"] = [row] if order_total > ZERO else []
    return InvoicePlan(doc=doc, grand_total=grand_total, total_taxes=tax_total, warnings=warnings)
