"""Why an order does not add up: the residual and its likely cause, for a person to act on.

WooCommerce's stored order figures always add up (observed-real.md, money §1): `total` = Σ line
`total` + Σ shipping `total` + Σ fee `total` + `total_tax`, and `total_tax` = Σ `tax_lines`. An
order that breaks one of these was changed by something other than WooCommerce's own arithmetic,
and the invoice would be wrong whichever figure we trusted — so it is parked, never posted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from woonext.mapping.errors import MappingError
from woonext.mapping.money import CENT, ZERO, MoneyValue, has_sub_cents, money
from woonext.woo.types import WooOrder

REVIEW_HINT = "check the order in WooCommerce (its notes and plugins), correct it there, then replay the order"
CAUSE_PRECISION = (
    "currency precision: WooCommerce stores this order with more than 2 decimals "
    "(price_num_decimals > 2), ERPNext keeps 2"
)
CAUSE_TAX_LINES = (
    "tax_lines ≠ total_tax: a tax line was added, removed or edited by hand or by a plugin "
    "without recalculating the order"
)
CAUSE_TOTAL = (
    "line totals + shipping + fees + tax ≠ total: a plugin edited the total "
    "(or charged something outside the order's lines)"
)
CAUSE_ERPNEXT = (
    "ERPNext computed a different total: a pricing rule, a price-list rate or a rounding setting "
    "in ERPNext changed a row"
)


@dataclass(frozen=True)
class OrderFigures:
    """The stored order-level figures the mapping may use."""

    lines: Decimal
    shipping: Decimal
    fees: Decimal
    tax_lines: Decimal
    total_tax: Decimal
    total: Decimal

    @property
    def charges(self) -> Decimal:
        return self.lines + self.shipping + self.fees


def _sum(values: Iterable[MoneyValue], what: str) -> Decimal:
    return sum((money(v, what) for v in values), ZERO)


def order_figures(order: WooOrder) -> OrderFigures:
    tax_lines = order.get("tax_lines") or []
    return OrderFigures(
        lines=_sum((r.get("total") for r in order.get("line_items") or []), "line_items total"),
        shipping=_sum((r.get("total") for r in order.get("shipping_lines") or []), "shipping_lines total"),
        fees=_sum((r.get("total") for r in order.get("fee_lines") or []), "fee_lines total"),
        tax_lines=_sum((r.get("tax_total") for r in tax_lines), "tax_lines tax_total")
        + _sum((r.get("shipping_tax_total") for r in tax_lines), "tax_lines shipping_tax_total"),
        total_tax=money(order.get("total_tax"), "total_tax"),
        total=money(order.get("total"), "total"),
    )


def tax_rounding_tolerance(tax_line_count: int) -> Decimal:
    """How far Σ tax_lines may miss total_tax from rounding alone: a tax line's `tax_total` and
    `shipping_tax_total` are each rounded (2n figures), the cart and shipping tax totals too (2 more),
    each by less than half a cent: under (n + 1) cents, so at most a cent per tax line (at least one)."""
    return CENT * max(1, tax_line_count)


def sub_cent_figures(order: WooOrder) -> bool:
    values: list[MoneyValue] = [order.get("total"), order.get("total_tax")]
    values += [row.get("total") for row in order.get("line_items") or []]
    values += [row.get("total") for row in order.get("shipping_lines") or []]
    values += [row.get("total") for row in order.get("fee_lines") or []]
    for tax in order.get("tax_lines") or []:
        values += [tax.get("tax_total"), tax.get("shipping_tax_total")]
    return any(has_sub_cents(money(v)) for v in values)


def likely_cause(order: WooOrder, figures: OrderFigures) -> str:
    if sub_cent_figures(order):
        return CAUSE_PRECISION
    if abs(figures.tax_lines - figures.total_tax) > tax_rounding_tolerance(len(order.get("tax_lines") or [])):
        return CAUSE_TAX_LINES
    if figures.charges + figures.total_tax != figures.total:
        return CAUSE_TOTAL
    return CAUSE_TAX_LINES


def residual_error(order: WooOrder, figures: OrderFigures, grand_total: Decimal, taxes: Decimal) -> MappingError:
    """The NeedsReview error for an order whose invoice would not equal it to the cent."""
    residual = figures.total - grand_total
    return MappingError(
        "residual",
        f"order {order.get('id')} does not add up: the invoice would total {grand_total} (tax {taxes}), "
        f"WooCommerce says {figures.total} (tax {figures.total_tax}); residual {residual}, "
        f"tax residual {figures.total_tax - taxes}. Likely cause: {likely_cause(order, figures)}",
        REVIEW_HINT,
    )


def erpnext_residual(invoice: dict[str, Any], expected: Decimal) -> MappingError:
    """ERPNext totalled the invoice differently from the plan (the invoice has been cancelled)."""
    got = money(invoice.get("grand_total"), "grand_total")
    return MappingError(
        "residual",
        f"ERPNext computed {got} for invoice {invoice.get('name')}, the order says {expected}; residual "
        f"{expected - got}; the invoice was cancelled. Likely cause: {CAUSE_ERPNEXT}",
        "compare the cancelled invoice with the order (a pricing rule? a price-list rate? rounding settings?), "
        "fix the cause in ERPNext, then replay the order",
    )
