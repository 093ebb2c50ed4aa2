"""Replay the real ERPNext 15.92 writeback captures (samples 92–102; INDEX-50.md) against ErpSim, in
the order they were taken: the Webhooks on Delivery Note and Payment Entry `on_submit`, a submitted
invoice carrying `woo_order_id`, `make_delivery_note` and the note submitted (stock out, the invoice
row delivered, status Completed), `make_sales_return`, `get_payment_entry`, the Payment Entry
submitted and the invoice read back Paid — each answer compared with the real one, and the two
Webhook deliveries compared header by header and byte by byte (test_replay_samples_50.py).

The site is seeded like the real one was at that moment: "Test Cake" with 5 in "Stores - JT" at a
valuation of 20 and a list price of 150, customer "Test Customer", the Sales Invoice custom fields the
captures show (`woo_order_id` no_copy, `custom_payment_method`, `custom_delivery_time_from`,
`custom_delivery_duration`).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from test_replay_samples_50 import Replay, compare_rows, delivery_problems, sample

from woonext.sim.masters import AccountSpec, ItemSpec, Masters, ModeOfPaymentSpec

T0 = datetime(2026, 12, 7, 14, 28, 4, tzinfo=UTC)  # 16:28:04 site time, just before sample 95
WAREHOUSE = "Stores - JT"
INVOICE_FIELDS = ["name", "docstatus", "status", "woo_order_id", "grand_total", "outstanding_amount", "update_stock"]
INVOICE_FIELDS += ["is_pos", "customer", "debit_to", "set_posting_time", "disable_rounded_total"]
WEBHOOK_FIELDS = ["name", "webhook_doctype", "webhook_docevent", "enabled", "timeout", "request_structure"]
WEBHOOK_FIELDS += ["webhook_secret", "meets_condition", "enable_security", "webhook_headers", "webhook_data"]
NOTE_FIELDS = ["doctype", "naming_series", "customer", "company", "currency", "total", "net_total", "grand_total"]
NOTE_FIELDS += ["per_billed", "status", "docstatus", "is_return", "selling_price_list", "total_qty", "territory"]
NOTE_ROW = ["item_code", "qty", "stock_qty", "rate", "amount", "warehouse", "against_sales_invoice", "uom"]
NOTE_ROW += ["actual_qty", "doctype", "parentfield", "parenttype"]
RETURN_FIELDS = ["doctype", "is_return", "return_against", "customer", "grand_total", "total_qty", "docstatus"]
RETURN_FIELDS += ["outstanding_amount", "update_outstanding_for_self", "status", "naming_series"]
ENTRY_FIELDS = ["payment_type", "party_type", "party", "paid_from", "paid_to", "paid_amount", "received_amount"]
ENTRY_FIELDS += ["total_allocated_amount", "unallocated_amount", "docstatus", "reference_date"]
STEPS: list[tuple[str, list[str] | None]] = [
    ("95", WEBHOOK_FIELDS),
    ("101", WEBHOOK_FIELDS),
    ("92", INVOICE_FIELDS),
    ("93", NOTE_FIELDS),
    ("94", [*NOTE_FIELDS, "name", "title"]),
    ("97", RETURN_FIELDS),
    ("98", ENTRY_FIELDS),
    ("99", [*ENTRY_FIELDS, "name", "status", "reference_no", "mode_of_payment"]),
    ("100", ["name", "status", "outstanding_amount", "docstatus", "grand_total"]),
]
CUSTOM_FIELDS = [
    {"fieldname": "custom_payment_method", "label": "Payment Method", "fieldtype": "Select"},
    {"fieldname": "woo_order_id", "label": "Woo Order ID", "fieldtype": "Data", "no_copy": 1},
    {"fieldname": "custom_delivery_time_from", "label": "Delivery Time From", "fieldtype": "Time", "default": "Now"},
    {"fieldname": "custom_delivery_duration", "label": "Delivery Duration", "fieldtype": "Int"},
]


def site() -> Masters:
    return Masters(
        company="Jarz Test",
        abbr="JT",
        accounts=[
            AccountSpec("Debtors - JT", "Receivable", "Asset"),
            AccountSpec("Cash - JT", "Cash", "Asset"),
            AccountSpec("Sales - JT", "Income Account", "Income"),
            AccountSpec("Cost of Goods Sold - JT", "Cost of Goods Sold", "Expense"),
            AccountSpec("Round Off - JT", "Round Off", "Expense"),
            AccountSpec("Stock In Hand - JT", "Stock", "Asset"),
            AccountSpec("Stock Adjustment - JT", "Stock Adjustment", "Expense"),
        ],
        default_receivable_account="Debtors - JT",
        default_income_account="Sales - JT",
        default_cash_account="Cash - JT",
        round_off_account="Round Off - JT",
        warehouses=[WAREHOUSE],
        default_warehouse=WAREHOUSE,
        items=[ItemSpec("Test Cake", "Test Cake", 1, "Nos", "Products", Decimal("150"))],
        stock={("Test Cake", WAREHOUSE): Decimal("5")},
        modes_of_payment=[ModeOfPaymentSpec("Cash", "Cash", "Cash - JT")],
        customers=["Test Customer"],
        territories=["All Territories", "Egypt"],
    )


class WritebackReplay(Replay):
    DELIVERIES = {"94": ["96"], "99": ["102"]}

    def __init__(self) -> None:
        super().__init__(T0, site())

    async def run(self) -> None:
        transport = httpx.ASGITransport(app=self.erp.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://erp.test") as client:
            self.client = client
            await self.prepare(client)
            for prefix, fields in STEPS:
                self.results[prefix] = await self.step(prefix, fields)

    async def prepare(self, client: httpx.AsyncClient) -> None:
        headers = {"Authorization": f"token {self.key}:{self.secret}"}
        setup = [
            ("PUT", "/api/resource/Stock Settings/Stock Settings", {"default_warehouse": WAREHOUSE}),
            ("PUT", "/api/resource/Item/Test Cake", {"valuation_rate": 20}),
            ("PUT", "/api/resource/Customer/Test Customer", {"customer_group": "Individual", "territory": "Egypt"}),
            *(("POST", "/api/resource/Custom Field", {"dt": "Sales Invoice", **f}) for f in CUSTOM_FIELDS),
        ]
        for method, path, body in setup:
            response = await client.request(method, path, json=body, headers=headers)
            assert response.status_code == 200, response.text[-400:]

    async def deliveries(self, prefix: str) -> list[str]:
        """As the base replay does, with the real names in the captured bodies turned into the
        simulator's (the signature is over the simulator's own bytes)."""
        before = len(self.listener.received)
        self.erp.clock.advance(0.4)
        await self.erp.run_webhooks(now=False)
        got = self.listener.received[before:]
        wanted = [self.translate(sample(p)["request"]) for p in self.DELIVERIES.get(prefix, [])]
        if len(got) != len(wanted):
            return [f"{len(got)} deliveries != {len(wanted)}"]
        return [
            p
            for (path, headers, body), real in zip(got, wanted, strict=True)
            for p in delivery_problems(path, headers, body, real)
        ]

    # -- what a field list does not say ---------------------------------------------------------------
    async def check_93(self, real: dict[str, Any], sim: dict[str, Any]) -> list[str]:
        note = sim["message"]
        problems = [] if "woo_order_id" not in note else ["the mapped note carries woo_order_id"]
        problems += [] if note.get("__islocal") == 1 and "name" not in note else ["the mapped note is not unsaved"]
        [row] = note["items"]
        invoice = self.names["ACC-SINV-2026-00680"]
        problems += [] if row.get("against_sales_invoice") == invoice else ["the row does not point at the invoice"]
        problems += [] if row.get("si_detail") else ["the row has no si_detail"]
        self.names.setdefault(real["body"]["message"]["items"][0]["si_detail"], str(row.get("si_detail")))
        return problems + compare_rows(real["body"]["message"]["items"], self.translate(note["items"], True), NOTE_ROW)

    async def check_94(self, real: dict[str, Any], sim: dict[str, Any]) -> list[str]:
        note = sim["data"]
        problems = compare_rows(
            real["body"]["data"]["items"], self.translate(note["items"], True), [*NOTE_ROW, "billed_amt"]
        )
        invoice = self.erp.db.get("Sales Invoice", self.names["ACC-SINV-2026-00680"]) or {}
        delivered = [row.get("delivered_qty") for row in invoice.get("items") or []]
        problems += [] if delivered == [1.0] else [f"the invoice row's delivered_qty is {delivered}, not [1.0]"]
        moved = [e for e in self.erp.stock_ledger if e.get("voucher_no") == note["name"]]
        problems += [] if [e["actual_qty"] for e in moved] == [-1.0] else [f"stock moved {moved}"]
        again = await self.call(
            {"method": "POST", "path": "/api/resource/Delivery Note", "body": real["request"]["body"]}
        )
        refused = again.json()
        if again.status_code != 417 or refused.get("exc_type") != "OverAllowanceError":
            problems.append(f"a second note for the same row was not refused: {again.status_code} {refused}")
        return problems

    async def check_97(self, real: dict[str, Any], sim: dict[str, Any]) -> list[str]:
        note = sim["message"]
        problems = [] if "woo_order_id" not in note else ["the credit note carries woo_order_id (no_copy)"]
        rows = [(r.get("item_code"), r.get("qty")) for r in note.get("items") or []]
        return problems + ([] if rows == [("Test Cake", -1.0)] else [f"rows {rows}"])


@pytest.fixture(scope="module")
def replayed() -> dict[str, list[str]]:
    replay = WritebackReplay()
    asyncio.run(replay.run())
    return replay.results


@pytest.mark.parametrize("prefix", [p for p, _ in STEPS])
def test_simulator_answers_like_the_real_erpnext(prefix: str, replayed: dict[str, list[str]]) -> None:
    problems = replayed[prefix]
    assert not problems, f"sample {prefix}:\n  " + "\n  ".join(problems[:40])
