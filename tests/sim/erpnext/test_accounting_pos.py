"""C2 item 13: POS invoices paid on submit (B4.3, samples 12 and 13)."""

from __future__ import annotations

from test_accounting_seed import SI, error, seeded

CASH = {"mode_of_payment": "Cash", "amount": 49.98, "account": "Cash - JT"}


async def test_c2_13_pos_insert_submitted_is_paid_but_the_response_says_draft() -> None:
    async with seeded() as erp:
        doc = await erp.invoice(2, 24.99, is_pos=1, docstatus=1, disable_rounded_total=1, payments=[CASH])
        assert (doc["docstatus"], doc["status"], doc["paid_amount"], doc["outstanding_amount"]) == (
            1,
            "Draft",
            49.98,
            0.0,
        )
        assert (doc["payments"][0]["type"], doc["payments"][0]["base_amount"]) == ("Cash", 49.98)
        assert doc["payment_schedule"] == [] and doc["account_for_change_amount"] == "Cash - JT"
        stored = await erp.get(SI, doc["name"])
        assert (stored["status"], stored["outstanding_amount"]) == ("Paid", 0.0)
        gl = {(g["account"], g["debit"], g["credit"]) for g in erp.sim.gl_entries if g["voucher_no"] == doc["name"]}
        # ERPNext merges the invoice's and the payment's receivable rows into one with both sides
        assert gl == {("Debtors - JT", 49.98, 49.98), ("Sales - JT", 0.0, 49.98), ("Cash - JT", 49.98, 0.0)}


async def test_c2_13_payment_row_without_account_fails_a_one_request_submit() -> None:
    async with seeded() as erp:
        response = await erp.insert(
            SI,
            {
                "customer": "Test Customer",
                "company": "Jarz Test",
                "is_pos": 1,
                "docstatus": 1,
                "items": [{"item_code": "Test Cake", "qty": 2, "rate": 24.99}],
                "payments": [{"mode_of_payment": "Cash", "amount": 49.98}],
            },
        )
        assert error(response) == (417, "ValidationError", ["Account is required"])
        assert await erp.count(SI) == 0 and not erp.sim.gl_entries


async def test_c2_13_a_draft_fills_the_account_and_submits_to_paid() -> None:
    async with seeded() as erp:
        draft = await erp.invoice(
            2,
            24.99,
            is_pos=1,
            disable_rounded_total=1,
            payments=[{"mode_of_payment": "Cash", "amount": 49.98}],
        )
        assert draft["payments"][0]["account"] == "Cash - JT"
        response = await erp.submit(SI, draft["name"])
        assert (response.status_code, response.json()["data"]["status"]) == (200, "Paid")


async def test_c2_13_mode_of_payment_without_account_and_missing_payments() -> None:
    async with seeded() as erp:
        response = await erp.insert(
            SI,
            {
                "customer": "Test Customer",
                "company": "Jarz Test",
                "is_pos": 1,
                "items": [{"item_code": "Test Cake", "qty": 1, "rate": 10}],
                "payments": [{"mode_of_payment": "Voucher", "amount": 10}],
            },
        )
        assert error(response) == (
            417,
            "ValidationError",
            ["Please set default Cash or Bank account in Mode of Payment Voucher"],
        )
        draft = await erp.invoice(1, 10, is_pos=1, payments=[{"mode_of_payment": "Cash", "amount": 0}])
        response = await erp.submit(SI, draft["name"])
        assert error(response) == (
            417,
            "ValidationError",
            ["At least one mode of payment is required for POS invoice."],
        )


async def test_c2_13_a_cent_over_is_change_and_outstanding_stays_zero() -> None:
    async with seeded() as erp:
        doc = await erp.invoice(
            2, 24.99, is_pos=1, docstatus=1, disable_rounded_total=1, payments=[dict(CASH, amount=49.99)]
        )
        assert (doc["paid_amount"], doc["change_amount"], doc["outstanding_amount"]) == (49.99, 0.01, 0.0)
        assert (await erp.get(SI, doc["name"]))["status"] == "Paid"


async def test_c2_13_non_pos_invoice_drops_its_payments() -> None:
    async with seeded() as erp:
        doc = await erp.invoice(2, 24.99, disable_rounded_total=1, payments=[CASH])
        assert (doc["payments"], doc["paid_amount"], doc["outstanding_amount"]) == ([], 0.0, 49.98)
