"""`init`'s pure proposals (mapping/onboard_*): gateways, tax accounts, the clearing account, delivery
keys, warehouse and price list."""

from __future__ import annotations

import json
from typing import Any

from tests.fixtures import WOO_SAMPLES
from woonext.mapping.onboard_accounts import (
    choose_price_list,
    choose_warehouse,
    detect_delivery_keys,
    propose_clearing,
    propose_tax_accounts,
)
from woonext.mapping.onboard_payments import (
    KASHIER,
    Gateway,
    PaymentPlan,
    Undecided,
    gateways_from,
    live_history_accounts,
    propose_payment,
)


def real(prefix: str) -> Any:
    return json.loads(next(WOO_SAMPLES.glob(f"{prefix}-*.json")).read_text())["body"]


def order(gateway: str, transaction: str = "", meta: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "payment_method": gateway,
        "payment_method_title": gateway.title(),
        "transaction_id": transaction,
        "meta_data": [{"key": k, "value": v} for k, v in (meta or {}).items()],
    }


def plan(gateway: Gateway, mops: dict[str, Any] | None = None) -> PaymentPlan | Undecided:
    return propose_payment(
        gateway, company="Jarz Test", abbr="JT", cash_account="Cash - JT", modes_of_payment=mops or {}
    )


def test_gateways_from_the_listing_and_the_orders() -> None:
    # Sample 50: bacs, cheque, cod all disabled; the store's orders still use cod.
    found = {g.id: g for g in gateways_from(real("50"), [order("cod"), order("cod"), order("paymob", "TX1")])}
    assert found["cod"].listed and not found["cod"].enabled and found["cod"].orders == 2 and found["cod"].needs_mapping
    assert not found["bacs"].needs_mapping  # off and unused: nothing to map
    assert found["paymob"] == Gateway("paymob", "Paymob", orders=1, with_transaction_id=1)
    assert found["cod"].title == "Cash on delivery"


def test_known_gateways_reuse_what_erpnext_has() -> None:
    cash = plan(
        Gateway("cod", "Cash on delivery", orders=3),
        {"Cash": {"accounts": [{"company": "Jarz Test", "default_account": "Till - JT"}]}},
    )
    assert isinstance(cash, PaymentPlan) and (cash.value, cash.mode_of_payment, cash.account) == (
        "Cash",
        "Cash",
        "Till - JT",
    )
    assert not cash.is_prepaid
    card = plan(Gateway("kashier_card", "Kashier Card", enabled=True))
    assert isinstance(card, PaymentPlan) and card.prepaid == KASHIER and card.account == "Kashier - JT"
    bank = plan(Gateway("bacs", "Direct bank transfer", enabled=True))
    assert isinstance(bank, PaymentPlan) and (bank.mode_of_payment, bank.account) == (
        "Wire Transfer",
        "Bank Transfer - JT",
    )


def test_an_unknown_gateway_is_prepaid_only_with_transaction_ids() -> None:
    online = plan(Gateway("valu", "valU", enabled=True, orders=4, with_transaction_id=2))
    assert isinstance(online, PaymentPlan) and online.prepaid == "valU - JT" == online.account
    assert "2 of its 4 recent orders carry a transaction id" in online.why
    for silent in (Gateway("fawry", "Fawry", enabled=True), Gateway("fawry", "Fawry", orders=5)):
        assert isinstance(plan(silent), Undecided)


def test_tax_accounts_by_name_by_rate_or_new() -> None:
    accounts = [
        {"name": "VAT 14% - JT", "account_name": "VAT 14%", "account_type": "Tax", "tax_rate": 14, "is_group": 0},
        {"name": "Sales Tax - JT", "account_name": "Sales Tax", "account_type": "Tax", "tax_rate": 5, "is_group": 0},
        {"name": "Levy - JT", "account_name": "Levy", "account_type": "Income Account", "is_group": 0},
        {"name": "GST 7% - JT", "account_name": "GST 7%", "account_type": "Tax", "tax_rate": 0, "is_group": 0},
        {"name": "GST 17% - JT", "account_name": "GST 17%", "account_type": "Tax", "tax_rate": 0, "is_group": 0},
    ]
    rates = [
        {"id": 1, "name": "VAT", "rate": "14.0000", "country": "EG", "class": "standard"},
        {"id": 2, "name": "Reduced", "rate": "5.0000"},
        {"id": 3, "name": "Levy", "rate": "1.0000"},
        {"id": 4, "name": "Zero", "rate": "0.0000"},
        {"id": 5, "name": "Zero", "rate": "2.0000"},
        {"id": 6, "name": "Goods and services", "rate": "7.0000"},
    ]
    plans = {p.rate_id: p for p in propose_tax_accounts(rates, accounts, "JT")}
    assert (plans["1"].account, plans["1"].exists) == ("VAT 14% - JT", True)  # "<name> <rate>%"
    assert (plans["2"].account, plans["2"].exists) == ("Sales Tax - JT", True)  # the only Tax account at 5 %
    assert plans["3"].account == "Levy (WooCommerce 3) - JT"  # "Levy - JT" is an income account
    assert (plans["4"].account, plans["5"].account) == ("Zero 0% - JT", "Zero 2% - JT")  # two rates, one name
    assert plans["1"].label == "VAT 14% (EG, standard)"
    assert plans["6"].account == "GST 7% - JT"  # its name says 7 % (not 17 %), though tax_rate was left at 0


def test_real_store_tax_rates_sample_51() -> None:
    plans = propose_tax_accounts(real("51"), [], "JT")
    assert [p.account for p in plans] == ["VAT - JT", "VAT reduced - JT", "VAT zero - JT", "Local levy - JT"]


def test_clearing_account() -> None:
    assert propose_clearing([], "JT") == ("WooCommerce Clearing - JT", False)
    bank = {"name": "Clearing Bank - JT", "account_name": "Clearing Bank", "account_type": "Bank", "is_group": 0}
    assert propose_clearing([bank], "JT") == ("WooCommerce Clearing - JT", False)  # live: never for history
    mine = {"name": "Woo Clearing - JT", "account_name": "Woo Clearing", "account_type": "", "is_group": 0}
    assert propose_clearing([bank, mine], "JT") == ("Woo Clearing - JT", True)


def test_delivery_keys_found_on_orders() -> None:
    slot = {"delivery_date": "2026-07-02", "delivery_time_from": "10:00", "delivery_duration": "3600"}
    orders = [order("cod", meta=slot)] * 3 + [order("cod", meta={"_delivery_date": "soon"})] + [order("cod")]
    keys = detect_delivery_keys(orders)
    assert (keys.date, keys.time_from, keys.duration) == ("delivery_date", "delivery_time_from", "delivery_duration")
    assert keys.found == {"date": 3, "time_from": 3, "duration": 3} and keys.sampled == 5
    none = detect_delivery_keys([order("cod")])
    assert (none.date, none.found["date"]) == ("_delivery_date", 0)


def test_warehouse_price_list_and_live_accounts() -> None:
    warehouses = [
        {"name": "All Warehouses - JT", "company": "Jarz Test", "is_group": 1},
        {"name": "Finished Goods - JT", "company": "Jarz Test", "is_group": 0},
        {"name": "Stores - JT", "company": "Jarz Test", "is_group": 0},
    ]
    assert choose_warehouse(warehouses, "Stores - JT", "Jarz Test") == "Stores - JT"
    assert choose_warehouse(warehouses, "Elsewhere - X", "Jarz Test") == "Stores - JT"
    lists = [
        {"name": "Retail", "currency": "EGP", "selling": 1, "enabled": 1},
        {"name": "Standard Selling", "currency": "USD", "selling": 1},
    ]
    assert choose_price_list(lists, "EGP") == "Retail"
    live = live_history_accounts(
        {"Cash": "Cash - JT", "Card": "Clear - JT"}, {"Cash - JT": "Cash", "Clear - JT": "Temporary"}
    )
    assert live == [("Cash", "Cash - JT", "Cash")]


def test_time_zone_note_compares_the_store_clock_with_erpnext() -> None:
    from woonext.sync.discover import ErpFacts, StoreFacts
    from woonext.sync.onboard import Findings, time_zone_note
    from woonext.sync.online import ErpIdentity, StoreIdentity

    latest = {"date_created": "2026-07-02T10:00:00", "date_created_gmt": "2026-07-02T07:00:00"}  # UTC+3 (summer)

    def findings(zone: str) -> Findings:
        erp = ErpIdentity("http://erp", "Administrator", "15.92.0", "15.92.1", zone)
        store = StoreIdentity("http://woo", "11.0.1", "7.1", "EGP")
        return Findings(erp, store, ErpFacts("http://erp"), StoreFacts("http://woo", recent_orders=[latest]))

    assert time_zone_note(findings("Africa/Cairo")) is None  # Cairo keeps summer time: +03:00 in July
    note = time_zone_note(findings("UTC"))
    assert note == (
        "the store's clock runs at UTC+03:00, ERPNext's time zone UTC at UTC+00:00: invoices are dated at "
        "the store's local time"
    )


def test_versions_woonext_was_not_proven_on() -> None:
    from woonext.sync.discover import ErpFacts, StoreFacts
    from woonext.sync.onboard import Findings, version_notes
    from woonext.sync.online import ErpIdentity, StoreIdentity

    def notes(erpnext: str, woocommerce: str) -> list[str]:
        erp = ErpIdentity("http://erp", "Administrator", "?", erpnext, "UTC")
        store = StoreIdentity("http://woo", woocommerce, "7.1", "EGP")
        return version_notes(Findings(erp, store, ErpFacts("http://erp"), StoreFacts("http://woo")))

    assert notes("15.92.1", "11.0.1") == []
    assert notes("13.52.0", "7.9.0") == [
        "ERPNext 13.52.0: woonext is proven on ERPNext 15 (and speaks 14 and 16)",
        "WooCommerce 7.9.0: woonext is proven on WooCommerce 11; update the shop",
    ]
