"""Helpers for the ERPNext simulator's engine tests: a seeded simulator and an HTTP helper.

Everything goes through the ASGI app over in-process HTTP; only the clock is controlled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from tests.fixtures import REAL

from woonext.sim.erpnext import ErpSim, ErpSimConfig
from woonext.sim.masters import AccountSpec, ItemSpec, Masters, ModeOfPaymentSpec

REFERENCE = REAL
SAMPLES_DIR = REFERENCE / "erpnext-real-samples"
if not SAMPLES_DIR.is_dir():
    raise RuntimeError(f"reference samples not found at {SAMPLES_DIR}: the engine tests compare with them")

# 06:22 on 2026-11-25 in Cairo, when the real samples were captured
T0 = datetime(2026, 11, 25, 4, 22, 26, tzinfo=UTC)


def sample(number: int) -> dict[str, Any]:
    """One captured request/response of the real ERPNext 15.92, by its number."""
    matches = sorted(SAMPLES_DIR.glob(f"{number:02d}-*.json"))
    if not matches:
        raise FileNotFoundError(f"no sample {number:02d} in {SAMPLES_DIR}")
    return json.loads(matches[0].read_text(encoding="utf-8"))


def server_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    raw = body.get("_server_messages")
    return [json.loads(m) for m in json.loads(raw)] if raw else []


def texts(body: dict[str, Any]) -> list[str]:
    return [m["message"] for m in server_messages(body)]


def masters() -> Masters:
    return Masters(
        company="Jarz Test",
        abbr="JT",
        currency="EGP",
        country="Egypt",
        accounts=[
            AccountSpec("Debtors - JT", "Receivable", "Asset"),
            AccountSpec("Cash - JT", "Cash", "Asset"),
            AccountSpec("Sales - JT", "Income Account", "Income"),
            AccountSpec("Round Off - JT", "Round Off", "Expense"),
            AccountSpec("Cost of Goods Sold - JT", "Cost of Goods Sold", "Expense"),
            AccountSpec("Stock In Hand - JT", "Stock", "Asset"),
        ],
        default_receivable_account="Debtors - JT",
        default_income_account="Sales - JT",
        default_cash_account="Cash - JT",
        round_off_account="Round Off - JT",
        warehouses=["Jarz Main - JT"],
        default_warehouse="Jarz Main - JT",
        items=[
            ItemSpec("Test Cake", "Test Cake", 1, "Nos", "Products", Decimal("150")),
            ItemSpec("Shipping", "Shipping", 0, "Nos", "Services"),
        ],
        stock={("Test Cake", "Jarz Main - JT"): Decimal("98")},
        modes_of_payment=[ModeOfPaymentSpec("Cash", "Cash", "Cash - JT")],
        customers=["Test Customer"],
        territories=["All Territories", "Egypt"],
    )


@dataclass
class Api:
    sim: ErpSim
    client: httpx.AsyncClient
    headers: dict[str, str]

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        self.sim.clock.advance(0.01)
        return await self.client.request(
            method, path, json=body, params=params, headers=self.headers if headers is None else headers
        )

    async def insert(self, doctype: str, doc: dict[str, Any]) -> httpx.Response:
        return await self.call("POST", f"/api/resource/{doctype}", doc)

    async def ok(self, method: str, path: str, body: Any = None, params: Any = None) -> Any:
        response = await self.call(method, path, body, params)
        assert response.status_code in (200, 202), response.text
        payload = response.json()
        return payload.get("data", payload.get("message"))

    async def invoice(self, **header: Any) -> dict[str, Any]:
        doc = {
            "customer": "Test Customer",
            "company": "Jarz Test",
            "items": [{"item_code": "Test Cake", "qty": 2, "rate": 24.99}],
            **header,
        }
        return await self.ok("POST", "/api/resource/Sales Invoice", doc)  # type: ignore[no-any-return]


async def make_api(config: ErpSimConfig | None = None) -> tuple[ErpSim, str, str]:
    sim = ErpSim(config or ErpSimConfig(timezone="Africa/Cairo"))
    sim.clock.set(T0)
    key, secret = sim.create_api_user("Administrator")
    sim.seed(masters())
    return sim, key, secret


async def custom_field(api: Api, **fields: Any) -> dict[str, Any]:
    return await api.ok("POST", "/api/resource/Custom Field", fields)  # type: ignore[no-any-return]
