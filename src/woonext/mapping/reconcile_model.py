"""The reconciliation's vocabulary: the rules, the evidence about one order, findings and the report.

Plain data, no I/O; `mapping/reconcile.py` holds the comparison that fills it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from woonext.mapping.money import ZERO
from woonext.woo.types import WooOrder

# Kinds of findings. The first six are mismatches (exit status 1); the last two are notes.
MISSING = "missing"
DUPLICATE = "duplicate"
TOTAL = "total_mismatch"
TAX = "tax_mismatch"
PAYMENT = "payment_mismatch"
STATUS = "status_mismatch"
PARKED = "parked"
NOT_SYNCED = "not_synced"
MISMATCH_KINDS = (MISSING, DUPLICATE, TOTAL, TAX, PAYMENT, STATUS)
NOTE_KINDS = (PARKED, NOT_SYNCED)
KINDS = MISMATCH_KINDS + NOTE_KINDS


@dataclass(frozen=True)
class Rules:
    """What the store's configuration says an order should become."""

    store: str
    company: str
    migrate_statuses: frozenset[str]
    wait_statuses: frozenset[str]
    prepaid_methods: frozenset[str]


@dataclass(frozen=True)
class Period:
    """Inclusive days in the shop's own time zone (WooCommerce's `date_created`, site-local)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"--to {self.end} is before --from {self.start}")

    def contains(self, order: WooOrder) -> bool:
        day = str(order.get("date_created") or "")[:10]
        return self.start.isoformat() <= day <= self.end.isoformat()


@dataclass(frozen=True)
class PaymentLink:
    """One submitted-or-not Payment Entry and the invoices it allocates to (name → amount)."""

    name: str
    docstatus: int
    sync_key: str
    allocations: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Memory:
    """What woonext's state DB remembers about the order."""

    invoice: str = ""  # the binding's erp_name when an invoice was made
    binding_state: str = ""
    outcome_status: str = ""
    outcome_reason: str = ""
    outcome_detail: str = ""
    synced_up_to: str = ""  # the live cursor (date_modified_gmt) when there is one
    accepted_edit: str = ""  # a person accepted an edit of `invoice` (`woonext orders accept-edit`): when, note
    # refund id → the credit note a person made in ERPNext that woonext recorded as that refund (writeback)
    erp_refunds: dict[str, str] = field(default_factory=dict)


@dataclass
class Evidence:
    order: WooOrder
    invoices: list[dict[str, Any]]  # Sales Invoices for the order (originals and returns, any store)
    payments: list[PaymentLink]
    memory: Memory = field(default_factory=Memory)


@dataclass(frozen=True)
class Finding:
    kind: str
    code: str
    order_id: int
    order_number: str
    order_status: str
    order_total: str
    currency: str
    date_created: str
    documents: tuple[str, ...]
    expected: str
    actual: str
    detail: str

    @property
    def mismatch(self) -> bool:
        return self.kind in MISMATCH_KINDS


@dataclass
class Totals:
    """Per currency, over orders with a submitted current invoice."""

    orders: int = 0
    woocommerce: Decimal = ZERO
    erpnext: Decimal = ZERO
    woocommerce_refunds: Decimal = ZERO
    erpnext_credit_notes: Decimal = ZERO

    @property
    def balanced(self) -> bool:
        return self.woocommerce == self.erpnext and self.woocommerce_refunds == self.erpnext_credit_notes


@dataclass
class Report:
    store: str
    period: Period
    orders: int = 0
    checked: set[str] = field(default_factory=set)  # order ids (as text) this report covers
    states: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    totals: dict[str, Totals] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # documents woonext recorded that ERPNext no longer has (a restored site): marked to be made again
    lost: list[str] = field(default_factory=list)

    @property
    def mismatches(self) -> list[Finding]:
        return [f for f in self.findings if f.mismatch]

    @property
    def ok(self) -> bool:
        return not self.mismatches

    @property
    def all_clear(self) -> bool:
        """Nothing missing, mismatched or parked: the only state a report may call green."""
        return not self.mismatches and not self.count(PARKED)

    def verdict(self) -> str:
        """One line: what is wrong, or that nothing is."""
        if self.all_clear:
            return f"everything matches: {self.orders} orders, nothing missing, mismatched or parked"
        parts = [f"{len(self.mismatches)} mismatch(es)"] if self.mismatches else []
        parts += [f"{self.count(PARKED)} order(s) parked for a person"] if self.count(PARKED) else []
        return " and ".join(parts) + f" in {self.orders} orders"

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)
