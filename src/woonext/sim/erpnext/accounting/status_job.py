"""ERPNext's daily `update_invoice_status`: submitted invoices past their due date become Overdue."""

from __future__ import annotations

from ..base import Ctx
from .lookup import use_site_rounding
from .money import cint
from .status import refresh_status


def update_invoice_status(ctx: Ctx) -> None:
    use_site_rounding(ctx)
    for invoice in ctx.all("Sales Invoice", docstatus=1):
        if cint(invoice.get("is_return")):
            continue
        before = invoice.get("status")
        if refresh_status(invoice, ctx) != before:
            ctx.save(invoice)
