"""`woonext init`'s whole proposal for one store, from what both systems said. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from woonext.mapping.onboard_accounts import (
    DeliveryKeys,
    TaxPlan,
    choose_price_list,
    choose_warehouse,
    detect_delivery_keys,
    propose_clearing,
    propose_tax_accounts,
)
from woonext.mapping.onboard_payments import (
    KASHIER,
    PaymentPlan,
    Undecided,
    gateways_from,
    propose_payment,
)

Row = Mapping[str, Any]


@dataclass
class Proposal:
    store_name: str
    company: str
    abbr: str
    currency: str
    warehouse: str
    price_list: str
    payments: list[PaymentPlan]
    undecided: list[Undecided]
    taxes: list[TaxPlan]
    clearing: str
    clearing_exists: bool
    delivery: DeliveryKeys
    kashier_account: str = ""
    shipping_methods: list[str] = field(default_factory=list)
    skus: int = 0
    without_sku: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def decide(self, plan: PaymentPlan) -> None:
        """A person's answer for an undecided gateway."""
        self.undecided = [u for u in self.undecided if u.gateway.id != plan.gateway.id]
        self.payments.append(plan)


@dataclass(frozen=True)
class StoreView:
    """What the store said (rows as the REST API gave them)."""

    gateways: Sequence[Row]
    tax_rates: Sequence[Row]
    shipping_methods: Sequence[Row]
    recent_orders: Sequence[Row]
    skus: int
    without_sku: Sequence[str]


@dataclass(frozen=True)
class ErpView:
    """What ERPNext said about the chosen company."""

    company: Row
    accounts: Sequence[Row]
    modes_of_payment: Mapping[str, Row]
    warehouses: Sequence[Row]
    price_lists: Sequence[Row]
    stock_settings: Row


def build_proposal(store_name: str, store: StoreView, erp: ErpView) -> Proposal:
    company, abbr = str(erp.company["name"]), str(erp.company.get("abbr") or "")
    currency = str(erp.company.get("default_currency") or "")
    cash = str(erp.company.get("default_cash_account") or f"Cash - {abbr}")
    payments: list[PaymentPlan] = []
    undecided: list[Undecided] = []
    for gateway in gateways_from(store.gateways, store.recent_orders):
        if not gateway.needs_mapping:
            continue
        plan = propose_payment(
            gateway, company=company, abbr=abbr, cash_account=cash, modes_of_payment=erp.modes_of_payment
        )
        if isinstance(plan, PaymentPlan):
            payments.append(plan)
        else:
            undecided.append(plan)
    clearing, clearing_exists = propose_clearing(erp.accounts, abbr)
    uses_kashier = any(p.prepaid == KASHIER for p in payments)
    return Proposal(
        store_name=store_name,
        company=company,
        abbr=abbr,
        currency=currency,
        warehouse=choose_warehouse(erp.warehouses, str(erp.stock_settings.get("default_warehouse") or ""), company),
        price_list=choose_price_list(erp.price_lists, currency),
        payments=payments,
        undecided=undecided,
        taxes=propose_tax_accounts(store.tax_rates, erp.accounts, abbr),
        clearing=clearing,
        clearing_exists=clearing_exists,
        delivery=detect_delivery_keys(store.recent_orders),
        kashier_account=str(erp.company.get("custom_kashier_account") or f"Kashier - {abbr}") if uses_kashier else "",
        shipping_methods=[str(m.get("id")) for m in store.shipping_methods],
        skus=store.skus,
        without_sku=list(store.without_sku),
    )
