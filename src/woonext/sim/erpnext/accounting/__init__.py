"""Accounting controllers of the ERPNext simulator: Sales Invoice, Payment Entry, GL and stock ledger.

`CONTROLLERS` plug into the document engine (see `..base`); `METHODS` are the whitelisted methods
by dotted path; `DAILY_JOBS` are what ERPNext's scheduler runs once a day (the engine runs them when
the simulated clock passes midnight: that is how `Unpaid` turns into `Overdue`).
"""

from __future__ import annotations

from collections.abc import Callable

from ..base import Controller, Ctx, MethodFn
from .payment_entry import PaymentEntry, get_payment_entry
from .returns import make_sales_return
from .sales_invoice import SalesInvoice
from .status_job import update_invoice_status

CONTROLLERS: list[Controller] = [SalesInvoice(), PaymentEntry()]

METHODS: dict[str, MethodFn] = {
    "erpnext.accounts.doctype.payment_entry.payment_entry.get_payment_entry": get_payment_entry,
    "erpnext.accounts.doctype.sales_invoice.sales_invoice.make_sales_return": make_sales_return,
}

DAILY_JOBS: list[Callable[[Ctx], None]] = [update_invoice_status]

__all__ = ["CONTROLLERS", "DAILY_JOBS", "METHODS"]
