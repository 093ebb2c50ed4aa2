"""The deterministic store generator: reproducibility, realism of the mix, money, masters."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from datetime import datetime
from decimal import Decimal

import pytest
from tests.fixtures import WOO_SAMPLES

from woonext.sim.erpnext import ErpSim, ErpSimConfig
from woonext.sim.generator import GeneratedStore, generate_store, masters_for_orders
from woonext.sim.generator_masters import tax_map_for_orders
from woonext.sim.woomoney import render_line_taxes

D = Decimal
REF = WOO_SAMPLES


@pytest.fixture(scope="module")
def store() -> GeneratedStore:
    return generate_store(seed=1, orders=1000)


def dump(store: GeneratedStore) -> str:
    return json.dumps(dataclasses.asdict(store), default=str, sort_keys=False)


def test_same_seed_same_bytes_other_seed_other_store() -> None:
    assert dump(generate_store(seed=5, orders=120)) == dump(generate_store(seed=5, orders=120))
    assert dump(generate_store(seed=5, orders=120)) != dump(generate_store(seed=6, orders=120))


def test_status_and_payment_mix(store: GeneratedStore) -> None:
    statuses = Counter(o["status"] for o in store.orders)
    assert set(statuses) == {
        "pending",
        "processing",
        "on-hold",
        "completed",
        "cancelled",
        "refunded",
        "failed",
        "trash",
    }
    assert statuses["completed"] > len(store.orders) / 2
    methods = Counter(o["payment_method"] for o in store.orders)
    assert {"cod", "instapay", "kashier_card", "kashier_wallet"} <= set(methods)
    assert set(methods) - {"cod", "instapay", "kashier_card", "kashier_wallet"}  # an unknown gateway too
    assert Counter(o["currency"] for o in store.orders)["USD"] > 0
    assert {o["prices_include_tax"] for o in store.orders} == {True, False}


def _local_minus_gmt(order: dict, key: str) -> float:
    local = datetime.fromisoformat(order[key])
    gmt = datetime.fromisoformat(order[f"{key}_gmt"])
    return (local - gmt).total_seconds() / 3600


def test_dates_match_status(store: GeneratedStore) -> None:
    previous = ""
    for o in store.orders:
        assert o["date_created_gmt"] >= previous
        previous = o["date_created_gmt"]
        assert _local_minus_gmt(o, "date_created") in (2, 3)  # Africa/Cairo, with summer time
        assert o["date_modified_gmt"] >= o["date_created_gmt"]
        status, method = o["status"], o["payment_method"]
        if status == "completed":
            assert o["date_completed"] and o["date_paid"]
        if status in ("pending", "failed", "on-hold", "cancelled"):
            assert o["date_paid"] is None and o["date_completed"] is None
        if status == "processing" and method == "cod":
            assert o["date_paid"] is None  # cash is paid on delivery
        if status in ("processing", "refunded") and method != "cod":
            assert o["date_paid"]
        if method == "cod" and o["date_paid"]:
            assert o["date_paid"] == o["date_completed"]  # cash changes hands on delivery
        if method.startswith("kashier") and o["date_paid"]:
            assert o["transaction_id"].startswith("KSH-TXN-")
        if o["date_paid"]:
            assert o["date_paid_gmt"] >= o["date_created_gmt"]
        assert o["needs_payment"] == (status in ("pending", "failed") and D(o["total"]) > 0)


def test_every_order_adds_up_and_is_rest_shaped(store: GeneratedStore) -> None:
    real = json.loads((REF / "order_20.json").read_text())
    for stored in store.orders:
        o = render_line_taxes(stored, store.tax_settings.prices_include_tax)
        assert list(o) == list(real)  # same keys, in the order WooCommerce writes them
        for group in ("line_items", "shipping_lines", "fee_lines", "coupon_lines"):
            assert all(list(item) == list(real[group][0]) for item in o[group]), group
        parts = sum((D(x["total"]) for k in ("line_items", "shipping_lines", "fee_lines") for x in o[k]), D(0))
        assert D(o["total"]) == parts + D(o["total_tax"])
        assert D(o["total_tax"]) == sum((D(t["tax_total"]) + D(t["shipping_tax_total"]) for t in o["tax_lines"]), D(0))
        assert "_sim_" not in json.dumps(o)
        for line in o["line_items"]:
            assert isinstance(line["price"], int | float) and line["sku"]


def test_mixed_money_features_present(store: GeneratedStore) -> None:
    orders = store.orders
    assert any(len(o["tax_lines"]) >= 2 for o in orders)  # VAT + the Giza levy
    assert any(D(o["shipping_tax"]) > 0 for o in orders)
    assert any(D(f["total"]) < 0 for o in orders for f in o["fee_lines"])
    assert any(D(f["total"]) > 0 for o in orders for f in o["fee_lines"])
    kinds = {c["discount_type"] for o in orders for c in o["coupon_lines"]}
    assert kinds == {"percent", "fixed_cart", "fixed_product"}
    assert any(c["free_shipping"] for o in orders for c in o["coupon_lines"])
    assert any(li["variation_id"] for o in orders for li in o["line_items"])
    assert any(o["customer_id"] == 0 for o in orders) and any(o["customer_id"] for o in orders)


def test_delivery_meta_sorted_and_well_formed(store: GeneratedStore) -> None:
    with_delivery = 0
    for o in store.orders:
        keys = [m["key"] for m in o["meta_data"]]
        assert keys == sorted(keys)
        meta = {m["key"]: m["value"] for m in o["meta_data"]}
        if "_delivery_date" in meta:
            with_delivery += 1
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["_delivery_date"])
            assert re.fullmatch(r"\d{2}:\d{2}", meta["_delivery_time_from"])
            assert meta["_delivery_duration"].isdigit()
    assert with_delivery > len(store.orders) * 0.8


def test_repeat_guests_write_phone_and_email_differently(store: GeneratedStore) -> None:
    by_person: dict[tuple[str, str, str], list[dict]] = {}
    for o in store.orders:
        if o["customer_id"] == 0:
            b = o["billing"]
            by_person.setdefault((b["first_name"], b["last_name"], b["address_1"]), []).append(b)
    repeats = [bills for bills in by_person.values() if len(bills) > 1]
    assert repeats
    assert any(len({b["phone"] for b in bills}) > 1 for bills in repeats)
    assert any(
        len({b["email"] for b in bills}) > 1 and len({b["email"].lower() for b in bills}) == 1 for bills in repeats
    )
    formats = {re.sub(r"\d", "9", b["phone"]) for bills in repeats for b in bills}
    assert {"99999999999", "+99 99 9999 9999", "9999-9999999999", "(+99) 9999999999"} <= formats
    for bills in repeats:  # one number behind all spellings
        assert len({re.sub(r"\D", "", b["phone"])[-10:] for b in bills}) == 1


def test_refunds_full_and_partial(store: GeneratedStore) -> None:
    assert store.refunds
    partial_kept_status = False
    for oid, refunds in store.refunds.items():
        order = next(o for o in store.orders if o["id"] == oid)
        refunded = sum((D(r["amount"]) for r in refunds), D(0))
        assert [s["total"] for s in order["refunds"]] == [f"-{r['amount']}" for r in reversed(refunds)]
        assert [s["id"] for s in order["refunds"]] == sorted((r["id"] for r in refunds), reverse=True)
        if order["status"] == "refunded":
            assert refunded == D(order["total"])
        else:
            assert refunded < D(order["total"])
            partial_kept_status = True
        for refund in refunds:
            for line in refund["line_items"]:
                assert line["quantity"] < 0 and D(line["total"]) <= 0
    assert partial_kept_status
    assert any(len(r) > 1 for r in store.refunds.values())


def test_masters_cover_the_store(store: GeneratedStore) -> None:
    masters = store.masters()
    accounts = {a.name for a in masters.accounts}
    assert {
        "Debtors - JT",
        "Sales - JT",
        "Shipping Income - JT",
        "Cash - JT",
        "Kashier - JT",
        "Instapay - JT",
        "Woo Clearing - JT",
        "Round Off - JT",
        "Freight and Forwarding Charges - JT",
    } <= accounts
    assert masters.company == "Jarz Test" and masters.abbr == "JT" and masters.currency == "EGP"
    items = {i.item_code for i in masters.items}
    assert {li["sku"] for o in store.orders for li in o["line_items"]} <= items
    assert {"Shipping", "Fee", "Refund"} <= items
    tax_map = store.tax_account_map()
    assert {str(t["rate_id"]) for o in store.orders for t in o["tax_lines"]} <= set(tax_map)
    assert set(tax_map.values()) <= accounts
    assert tax_map["1"] == "VAT 14% - JT"
    assert {m.name for m in masters.modes_of_payment} == {
        "Cash",
        "Instapay",
        "Kashier Card",
        "Kashier Wallet",
        "Mobile Wallet",
    }
    assert all(m.account in accounts for m in masters.modes_of_payment)
    assert masters.exchange_rates[("USD", "EGP")] > 0
    assert all(qty > 0 for qty in masters.stock.values())


def test_masters_seed_the_erpnext_simulator(store: GeneratedStore) -> None:
    erp = ErpSim(ErpSimConfig())
    erp.seed(store.masters())
    assert erp.db.get("Company", "Jarz Test")["abbr"] == "JT"
    assert erp.db.get("Item", store.orders[0]["line_items"][0]["sku"]) is not None
    assert erp.db.get("Account", "VAT 14% - JT")["account_type"] == "Tax"
    assert erp.db.get("Mode of Payment", "Kashier Card") is not None


def test_masters_for_imported_real_orders() -> None:
    orders = [json.loads((REF / f"order_{n}.json").read_text()) for n in range(15, 21)]
    masters = masters_for_orders(orders)
    items = {i.item_code for i in masters.items}
    assert {"TSHIRT-EG-001", "WALLET-LTH-002", "MUG-CER-003"} <= items
    assert tax_map_for_orders(orders) == {}  # these real orders carry no tax lines
    taxed = generate_store(seed=3, orders=40).orders
    mapping = tax_map_for_orders(taxed)
    accounts = {a.name for a in masters_for_orders(taxed).accounts}
    assert mapping and set(mapping.values()) <= accounts


def test_a_shop_in_another_currency() -> None:
    shop = generate_store(seed=8, orders=200, currency="USD")
    currencies = Counter(o["currency"] for o in shop.orders)
    assert currencies.most_common(1)[0][0] == "USD" and currencies["EGP"] > 0
    assert {o["currency_symbol"] for o in shop.orders if o["currency"] == "USD"} == {"$"}
    masters = shop.masters()
    assert masters.currency == "EGP"  # the company books in EGP whatever the shop sells in
    assert masters.exchange_rates[("USD", "EGP")] == D("48.5")
