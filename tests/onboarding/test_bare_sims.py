"""The simulators as onboarding meets them (`sim up --erpnext-state bare`), held to the real samples:
ERPNext right after its setup wizard (samples 83–91) refusing what the real one refuses, and a store's
gateways, tax rates, shipping methods and status report (WooCommerce samples 50–53)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.fixtures import ERPNEXT_SAMPLES, WOO_SAMPLES
from woonext.erpnext.client import ErpClient
from woonext.erpnext.errors import ErpError
from woonext.sim.erpnext.seed import put
from woonext.sim.serve import SimPair, build_pair
from woonext.woo.client import WooClient


def sample(folder: Any, prefix: str) -> dict[str, Any]:
    path = next(folder.glob(f"{prefix}-*.json"))
    return dict(json.loads(path.read_text()))


@pytest.fixture(scope="module")
def pair() -> SimPair:
    pair = build_pair(3, 30, erpnext_state="bare")
    put(pair.erp, "Company", "Other Co", company_name="Other Co", abbr="OC", default_currency="EGP", country="Egypt")
    return pair


@pytest.fixture
async def erp(pair: SimPair) -> AsyncIterator[ErpClient]:
    transport = httpx.ASGITransport(app=pair.erp.app)
    async with ErpClient("http://erp.test", pair.erp_key, pair.erp_secret, transport=transport) as client:
        yield client


@pytest.fixture
async def woo(pair: SimPair) -> AsyncIterator[WooClient]:
    transport = httpx.ASGITransport(app=pair.woo.app)
    async with WooClient("http://woo.test", pair.woo_key, pair.woo_secret, transport=transport) as client:
        yield client


async def refused(call: Any) -> ErpError:
    with pytest.raises(ErpError) as caught:
        await call
    return caught.value


def account(name: str, parent: str, **fields: Any) -> dict[str, Any]:
    return {"account_name": name, "parent_account": parent, "company": "Jarz Test", "is_group": 0, **fields}


def test_the_wizard_state() -> None:
    db = build_pair(3, 5, erpnext_state="bare").erp.db  # its own: the other tests add accounts
    vat = db.get("Account", "VAT 14% - JT")
    assert vat and vat["parent_account"] == "Duties and Taxes - JT" and vat["account_type"] == "Tax"
    temporary = [a["name"] for a in db.all("Account") if a.get("account_type") == "Temporary"]
    assert temporary == ["Temporary Opening - JT"]  # sample 91: no clearing account
    assert not [a for a in db.all("Account") if a.get("account_type") == "Bank" and not a.get("is_group")]
    assert [a["name"] for a in db.all("Account") if a.get("account_type") == "Tax" and not a.get("is_group")] == [
        "VAT 14% - JT"
    ]
    cash = db.get("Mode of Payment", "Cash")
    assert cash and [r["default_account"] for r in cash["accounts"]] == ["Cash - JT"]
    assert db.all("Item") == [] and db.bins == {}
    company = db.get("Company", "Jarz Test")
    assert company and not company.get("custom_kashier_account")
    assert db.get("Item Attribute", "Size") is not None or db.meta("Item Attribute") is None  # sample 66
    settings = db.get("Stock Settings", "Stock Settings")
    assert settings and settings["auto_insert_price_list_rate_if_missing"] == 1
    assert settings["default_warehouse"] == "Stores - JT"  # sample 83


async def test_duplicate_account_is_409_as_sample_86(erp: ErpClient) -> None:
    real = sample(ERPNEXT_SAMPLES, "86")
    error = await refused(erp.insert("Account", real["request"]["body"]))
    assert (error.status, error.exc_type) == (409, "DuplicateEntryError") == (real["status"], real["body"]["exc_type"])
    assert error.message == "Account VAT 14% - JT already exists"


@pytest.mark.parametrize("number", ["87", "88", "89"])
async def test_account_inserts_as_samples_87_to_89(erp: ErpClient, number: str) -> None:
    real = sample(ERPNEXT_SAMPLES, number)
    body = {**real["request"]["body"], "account_name": f"T{number} " + real["request"]["body"]["account_name"]}
    doc = await erp.insert("Account", body)
    expected = real["body"]["data"]
    for key in ("root_type", "report_type", "account_currency", "parent_account", "account_type", "is_group"):
        assert doc[key] == expected[key], key
    assert doc["name"] == f"{body['account_name']} - JT"


async def test_account_refusals(erp: ErpClient) -> None:
    ledger = await refused(erp.insert("Account", account("Under Cash", "Cash - JT")))
    assert ledger.exc_type == "InvalidAccountError" and "can not be a ledger" in ledger.message
    missing = await refused(erp.insert("Account", account("Orphan", "No Such Group - JT")))
    assert missing.message == "Could not find Parent Account: No Such Group - JT"
    other = await refused(erp.insert("Account", {**account("Theirs", "Current Assets - JT"), "company": "Other Co"}))
    assert (
        other.message == "Account Theirs - OC: Parent account Current Assets - JT does not belong to company: Other Co"
    )


async def test_mode_of_payment_as_sample_90_and_its_refusals(erp: ErpClient) -> None:
    real = sample(ERPNEXT_SAMPLES, "90")
    await erp.insert("Account", account("Instapay Test Bank", "Bank Accounts - JT", account_type="Bank"))
    body = {
        **real["request"]["body"],
        "accounts": [{"company": "Jarz Test", "default_account": "Instapay Test Bank - JT"}],
    }
    doc = await erp.insert("Mode of Payment", body)
    assert doc["type"] == "Bank" and doc["accounts"][0]["default_account"] == "Instapay Test Bank - JT"
    twice = {**body, "mode_of_payment": "Twice", "accounts": body["accounts"] * 2}
    assert (await refused(erp.insert("Mode of Payment", twice))).message == "Same Company is entered more than once"
    row = {"company": "Other Co", "default_account": "Cash - JT"}
    error = await refused(erp.insert("Mode of Payment", {**body, "mode_of_payment": "Other", "accounts": [row]}))
    assert error.message == "Account Cash - JT does not match with Company Other Co in Mode of Account: Other"


async def test_stock_settings_put_as_samples_84_85(erp: ErpClient) -> None:
    doc = await erp.update("Stock Settings", "Stock Settings", {"allow_negative_stock": 1})
    assert doc["allow_negative_stock"] == 1
    doc = await erp.update("Stock Settings", "Stock Settings", {"allow_negative_stock": 0})
    assert doc["allow_negative_stock"] == 0


async def test_versions_and_stock_balance(pair: SimPair, erp: ErpClient) -> None:
    versions = await erp.call_get("frappe.utils.change_log.get_versions")
    assert versions["erpnext"]["version"] == "15.92.1" and versions["frappe"]["version"] == "15.92.0"
    pair.erp.db.bins[("SKU-X", "Stores - JT")] = __import__("decimal").Decimal(5)
    pair.erp.db.stock_ledger.append(
        {"item_code": "SKU-X", "warehouse": "Stores - JT", "actual_qty": 3, "posting_date": "2026-08-01",
         "posting_time": "9:5:7.5"}
    )  # fmt: skip
    call = "erpnext.stock.utils.get_stock_balance"
    before = await erp.call_get(call, item_code="SKU-X", warehouse="Stores - JT", posting_date="2026-08-01",
                                posting_time="09:05:00")  # fmt: skip
    after = await erp.call_get(call, item_code="SKU-X", warehouse="Stores - JT", posting_date="2026-08-01",
                               posting_time="09:05:08")  # fmt: skip
    assert (before, after) == (2.0, 5.0)
    assert await erp.call_get(call, item_code="NEVER", warehouse="Stores - JT") == 0.0


async def test_payment_gateways_as_sample_50(woo: WooClient) -> None:
    real = sample(WOO_SAMPLES, "50")["body"]
    listed = await woo.list_payment_gateways()
    assert set(listed[0]) == set(real[0])
    core = {g["id"]: g["enabled"] for g in listed if g["id"] in ("bacs", "cheque", "cod")}
    assert core == {g["id"]: g["enabled"] for g in real} == {"bacs": False, "cheque": False, "cod": False}
    assert [g["id"] for g in listed if g["enabled"]] == ["instapay", "kashier_card", "kashier_wallet", "valu"]


async def test_taxes_shipping_methods_and_status_as_samples_51_to_53(woo: WooClient) -> None:
    assert [r["id"] for r in await woo.list_tax_rates()] == [r["id"] for r in sample(WOO_SAMPLES, "51")["body"]]
    methods = await woo.list_shipping_methods()
    assert [m["id"] for m in methods] == [m["id"] for m in sample(WOO_SAMPLES, "52")["body"]]
    status = await woo.system_status()
    real = sample(WOO_SAMPLES, "53")["body"]
    assert set(status) == set(real) and status["settings"]["currency"] == "EGP"
    assert status["environment"]["home_url"] == "http://woo.test" and status["environment"]["version"] == "11.0.1"


def test_the_store_keeps_delivery_slots_under_its_own_keys(pair: SimPair) -> None:
    keys = {m["key"] for order in pair.woo.orders.values() for m in order["meta_data"]}
    assert {"delivery_date", "delivery_time_from", "delivery_duration"} <= keys
    assert not keys & {"_delivery_date", "_delivery_time_from", "_delivery_duration"}
    assert "cod" in {order["payment_method"] for order in pair.woo.orders.values()}  # though cod is disabled


def test_sim_up_refuses_a_config_for_a_bare_erpnext(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from woonext.sim.cli import sim_app

    base = ["up", "--woo-port", "1", "--erpnext-port", "2", "--erpnext-state", "bare"]
    bare = CliRunner().invoke(sim_app, [*base, "--write-config", str(tmp_path / "c.toml")])
    assert bare.exit_code == 2 and "use --write-env PATH, then `woonext init`" in " ".join(bare.output.split())
    nothing = CliRunner().invoke(sim_app, base)
    assert nothing.exit_code == 2 and "--write-env" in nothing.output
    assert not (tmp_path / "c.toml").exists()


async def test_the_wizard_made_size_and_colour_as_sample_66(pair: SimPair, erp: ErpClient) -> None:
    real = sample(ERPNEXT_SAMPLES, "66")
    error = await refused(erp.insert("Item Attribute", real["request"]["body"]))
    assert (error.status, error.exc_type) == (409, "DuplicateEntryError")
