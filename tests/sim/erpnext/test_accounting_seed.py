"""A simulator seeded like the real "Jarz Test" site, and an HTTP helper for the accounting tests.

The other `test_accounting_*` modules import `seeded` and `Erp` from here; the tests in this module
check that the seed really looks like the real site where the accounting depends on it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from woonext.sim.erpnext import ErpSim, ErpSimConfig
from woonext.sim.masters import AccountSpec, ItemSpec, Masters, ModeOfPaymentSpec

SI = "Sales Invoice"
PE = "Payment Entry"
# 06:22 on 2026-11-25 in Cairo, when the real samples were captured
T0 = datetime(2026, 11, 25, 4, 22, 26, tzinfo=UTC)


def jarz_masters() -> Masters:
    return Masters(
        company="Jarz Test",
        abbr="JT",
        currency="EGP",
        country="Egypt",
        accounts=[
            AccountSpec("Debtors - JT", "Receivable", "Asset"),
            AccountSpec("Cash - JT", "Cash", "Asset"),
            AccountSpec("Bank Accounts - JT", "Bank", "Asset"),
            AccountSpec("Sales - JT", "Income Account", "Income"),
            AccountSpec("Shipping Income - JT", "Income Account", "Income"),
            AccountSpec("VAT 14% - JT", "Tax", "Liability"),
            AccountSpec("Cost of Goods Sold - JT", "Cost of Goods Sold", "Expense"),
            AccountSpec("Round Off - JT", "Round Off", "Expense"),
            AccountSpec("Stock In Hand - JT", "Stock", "Asset"),
        ],
        default_receivable_account="Debtors - JT",
        default_income_account="Sales - JT",
        default_cash_account="Cash - JT",
        round_off_account="Round Off - JT",
        warehouses=["Jarz Main - JT", "Jarz Second - JT"],
        default_warehouse="Jarz Main - JT",
        items=[
            ItemSpec("Test Cake", "Test Cake", 1, "Nos", "Products", Decimal("150")),
            ItemSpec("Shipping", "Shipping", 0, "Nos", "Services"),
            ItemSpec("Refund", "Refund", 0, "Nos", "Services"),
        ],
        stock={
            ("Test Cake", "Jarz Main - JT"): Decimal("98"),
            ("Test Cake", "Jarz Second - JT"): Decimal("1"),
        },
        modes_of_payment=[
            ModeOfPaymentSpec("Cash", "Cash", "Cash - JT"),
            ModeOfPaymentSpec("Instapay", "Bank", "Bank Accounts - JT"),
            ModeOfPaymentSpec("Voucher", "General", ""),
        ],
        customers=["Test Customer"],
        territories=["All Territories", "Egypt"],
    )


class Erp:
    """Thin HTTP helper: every call goes through the simulator's ASGI app."""

    def __init__(self, erp: ErpSim, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.sim = erp
        self.client = client
        self.headers = headers

    async def request(self, method: str, path: str, body: Any = None, params: Any = None) -> httpx.Response:
        self.sim.clock.advance(0.01)
        return await self.client.request(method, path, json=body, params=params, headers=self.headers)

    async def insert(self, doctype: str, doc: dict[str, Any]) -> httpx.Response:
        return await self.request("POST", f"/api/resource/{doctype}", doc)

    async def ok_insert(self, doctype: str, doc: dict[str, Any]) -> dict[str, Any]:
        response = await self.insert(doctype, doc)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    async def get(self, doctype: str, name: str) -> dict[str, Any]:
        response = await self.request("GET", f"/api/resource/{doctype}/{name}")
        assert response.status_code == 200, response.text
        return response.json()["data"]

    async def submit(self, doctype: str, name: str) -> httpx.Response:
        return await self.request("PUT", f"/api/resource/{doctype}/{name}", {"docstatus": 1})

    async def cancel(self, doctype: str, name: str) -> httpx.Response:
        return await self.request("POST", "/api/method/frappe.client.cancel", {"doctype": doctype, "name": name})

    async def method(self, dotted: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", f"/api/method/{dotted}", kwargs)

    async def invoice(self, qty: float = 2, rate: float = 24.99, **header: Any) -> dict[str, Any]:
        doc = {"customer": "Test Customer", "company": "Jarz Test", **header}
        doc.setdefault("items", [{"item_code": "Test Cake", "qty": qty, "rate": rate}])
        return await self.ok_insert(SI, doc)

    async def count(self, doctype: str, **filters: Any) -> int:
        response = await self.request(
            "GET",
            "/api/method/frappe.client.get_count",
            params={"doctype": doctype, "filters": json.dumps(filters)},
        )
        return int(response.json()["message"])


def error(response: httpx.Response) -> tuple[int, str, list[str]]:
    """(status, exc_type, message texts) of a Frappe error response."""
    body = response.json()
    raw = body.get("_server_messages")
    texts = [json.loads(m)["message"] for m in json.loads(raw)] if raw else []
    return response.status_code, body.get("exc_type", ""), texts


def messages(response: httpx.Response) -> list[str]:
    raw = response.json().get("_server_messages")
    return [json.loads(m)["message"] for m in json.loads(raw)] if raw else []


@asynccontextmanager
async def seeded() -> AsyncIterator[Erp]:
    erp = ErpSim(ErpSimConfig(timezone="Africa/Cairo"))
    erp.clock.set(T0)
    key, secret = erp.create_api_user("Administrator")
    erp.seed(jarz_masters())
    transport = httpx.ASGITransport(app=erp.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://erp.test") as client:
        helper = Erp(erp, client, {"Authorization": f"token {key}:{secret}"})
        # what the real site had that the generic seed does not say
        for doctype, name, changes in (
            ("Item", "Test Cake", {"valuation_rate": 80}),
            ("Customer", "Test Customer", {"customer_group": "Individual", "territory": "Egypt"}),
            # the real EGP has no smallest fraction: 49.98 rounds to 50.0 (samples 05, observed-real)
            ("Currency", "EGP", {"smallest_currency_fraction_value": 0}),
        ):
            response = await helper.request("PUT", f"/api/resource/{doctype}/{name}", changes)
            assert response.status_code == 200, response.text
        if not await helper.count("Item Price", item_code="Test Cake"):
            await helper.ok_insert(
                "Item Price",
                {
                    "item_code": "Test Cake",
                    "price_list": "Standard Selling",
                    "price_list_rate": 150,
                    "uom": "Nos",
                },
            )
        yield helper


async def test_seed_has_the_company_defaults_the_invoices_use() -> None:
    async with seeded() as erp:
        company = await erp.get("Company", "Jarz Test")
        assert company["default_receivable_account"] == "Debtors - JT"
        assert company["default_cash_account"] == "Cash - JT"
        assert company["default_currency"] == "EGP"
        mode = await erp.get("Mode of Payment", "Cash")
        assert [(a["company"], a["default_account"]) for a in mode["accounts"]] == [("Jarz Test", "Cash - JT")]
