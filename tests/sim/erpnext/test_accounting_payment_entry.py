"""C2 item 17: Payment Entry (B5, samples 14-17, 45, 46)."""

from __future__ import annotations

from typing import Any

from test_accounting_seed import PE, SI, Erp, error, messages, seeded

GET_PE = "erpnext.accounts.doctype.payment_entry.payment_entry.get_payment_entry"


async def unpaid(erp: Erp, rate: float = 100) -> dict[str, Any]:
    return await erp.invoice(1, rate, docstatus=1, disable_rounded_total=1)


async def payment_for(erp: Erp, invoice: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    response = await erp.method(GET_PE, dt=SI, dn=invoice["name"], **kwargs)
    assert response.status_code == 200, response.text
    return response.json()["message"]


async def test_c2_17_get_payment_entry_returns_an_unsaved_receipt_of_the_outstanding() -> None:
    async with seeded() as erp:
        invoice = await unpaid(erp, 49.98)
        pe = await payment_for(erp, invoice)
        assert (pe["__islocal"], pe["docstatus"], pe.get("name")) == (1, 0, None)
        assert (pe["payment_type"], pe["party_type"], pe["party"], pe["posting_date"]) == (
            "Receive",
            "Customer",
            "Test Customer",
            "2026-11-25",
        )
        assert (pe["paid_from"], pe["paid_to"], pe["paid_to_account_type"]) == (
            "Debtors - JT",
            "Cash - JT",
            "Cash",
        )
        assert (pe["paid_amount"], pe["received_amount"], pe["total_allocated_amount"]) == (
            49.98,
            49.98,
            49.98,
        )
        ref = pe["references"][0]
        assert (
            ref["reference_name"],
            ref["total_amount"],
            ref["outstanding_amount"],
            ref["allocated_amount"],
        ) == (invoice["name"], 49.98, 49.98, 49.98)


async def test_c2_17_submitting_pays_the_invoice_and_cancelling_reopens_it() -> None:
    async with seeded() as erp:
        invoice = await unpaid(erp, 49.98)
        saved = await erp.ok_insert(PE, dict(await payment_for(erp, invoice), docstatus=1, reference_no="KSH-1"))
        assert (saved["status"], saved["references"][0]["outstanding_amount"]) == ("Submitted", 0.0)
        assert saved["remarks"] == (
            "Amount EGP 49.98 received from Test Customer\nTransaction reference no KSH-1 dated 2026-11-25\n"
            f"Amount EGP 49.98 against Sales Invoice {invoice['name']}"
        )
        paid = await erp.get(SI, invoice["name"])
        assert (paid["status"], paid["outstanding_amount"]) == ("Paid", 0.0)
        gl = {(g["account"], g["debit"], g["credit"]) for g in erp.sim.gl_entries if g["voucher_no"] == saved["name"]}
        assert gl == {("Cash - JT", 49.98, 0.0), ("Debtors - JT", 0.0, 49.98)}
        assert (await erp.cancel(PE, saved["name"])).status_code == 200
        reopened = await erp.get(SI, invoice["name"])
        assert (reopened["status"], reopened["outstanding_amount"]) == ("Unpaid", 49.98)


async def test_c2_17_bank_account_needs_reference_and_allocation_is_capped() -> None:
    async with seeded() as erp:
        invoice = await unpaid(erp)
        pe = dict(await payment_for(erp, invoice, bank_account="Bank Accounts - JT"), docstatus=1)
        assert error(await erp.insert(PE, pe)) == (
            417,
            "ValidationError",
            ["Reference No and Reference Date is mandatory for Bank transaction"],
        )
        pe.update(reference_no="X1", paid_amount=1000, received_amount=1000)
        pe["references"][0]["allocated_amount"] = 1000
        assert error(await erp.insert(PE, pe)) == (
            417,
            "ValidationError",
            ["Row #1: Allocated Amount cannot be greater than outstanding amount."],
        )
        assert await erp.count(PE) == 0


async def test_c2_17_cancelling_a_paid_invoice_unlinks_its_payment() -> None:
    async with seeded() as erp:
        invoice = await unpaid(erp, 49.98)
        saved = await erp.ok_insert(PE, dict(await payment_for(erp, invoice), docstatus=1, reference_no="KSH-1"))
        response = await erp.cancel(SI, invoice["name"])
        assert response.status_code == 200
        assert messages(response) == [f"Payment Entries {saved['name']} are un-linked"]
        pe = await erp.get(PE, saved["name"])
        assert (pe["docstatus"], pe["references"], pe["unallocated_amount"]) == (1, [], 49.98)


async def test_c2_17_with_unlinking_off_the_cancel_is_refused() -> None:
    async with seeded() as erp:
        response = await erp.request(
            "PUT",
            "/api/resource/Accounts Settings/Accounts Settings",
            {"unlink_payment_on_cancellation_of_invoice": 0},
        )
        assert response.status_code == 200, response.text
        invoice = await unpaid(erp, 49.98)
        saved = await erp.ok_insert(PE, dict(await payment_for(erp, invoice), docstatus=1, reference_no="KSH-1"))
        status, exc_type, texts = error(await erp.cancel(SI, invoice["name"]))
        assert (status, exc_type) == (417, "LinkExistsError")
        assert texts[0].startswith("Cannot delete or cancel because Sales Invoice") and saved["name"] in texts[0]
        assert (await erp.get(SI, invoice["name"]))["docstatus"] == 1


async def test_c2_17_paid_and_stale_references_are_refused_with_latest_outstanding() -> None:
    async with seeded() as erp:
        invoice = await unpaid(erp, 100)
        first = await payment_for(erp, invoice, party_amount=40)
        stale = await payment_for(erp, invoice)  # built while 100 was still outstanding
        await erp.ok_insert(PE, dict(first, docstatus=1))
        assert error(await erp.insert(PE, dict(stale, docstatus=1))) == (
            417,
            "ValidationError",
            [
                f"Sales Invoice {invoice['name']} has already been partly paid. "
                "Please use the 'Get Outstanding Invoice' or the 'Get Outstanding Orders' button "
                "to get the latest outstanding amounts."
            ],
        )
        rest = await payment_for(erp, invoice)
        assert (rest["paid_amount"], rest["references"][0]["outstanding_amount"]) == (60.0, 60.0)
        await erp.ok_insert(PE, dict(rest, docstatus=1))
        assert error(await erp.insert(PE, dict(rest, docstatus=1))) == (
            417,
            "ValidationError",
            [f"Sales Invoice {invoice['name']} has already been fully paid."],
        )


async def test_c2_17_mode_of_payment_chooses_the_receiving_account() -> None:
    async with seeded() as erp:
        invoice = await unpaid(erp, 30)
        pe = await payment_for(erp, invoice)
        pe.update(mode_of_payment="Instapay", paid_to=None, reference_no="IP-1", reference_date="2026-11-25")
        saved = await erp.ok_insert(PE, dict(pe, docstatus=1))
        assert (saved["paid_to"], saved["paid_to_account_type"]) == ("Bank Accounts - JT", "Bank")
        assert (await erp.get(SI, invoice["name"]))["status"] == "Paid"


async def test_c2_17_a_credit_note_is_refunded_with_a_pay_entry() -> None:
    async with seeded() as erp:
        original = await unpaid(erp, 49.98)
        row = {"item_code": "Test Cake", "qty": -1, "rate": 49.98, "sales_invoice_item": original["items"][0]["name"]}
        note = await erp.ok_insert(
            SI,
            {
                "customer": "Test Customer",
                "company": "Jarz Test",
                "is_return": 1,
                "return_against": original["name"],
                "disable_rounded_total": 1,
                "docstatus": 1,
                "items": [row],
            },
        )
        pe = await payment_for(erp, note)
        assert (pe["payment_type"], pe["paid_from"], pe["paid_to"], pe["paid_amount"]) == (
            "Pay",
            "Cash - JT",
            "Debtors - JT",
            49.98,
        )
        assert pe["references"][0]["allocated_amount"] == -49.98
        saved = await erp.ok_insert(PE, dict(pe, docstatus=1))
        assert saved["remarks"].startswith("Amount EGP 49.98 to Test Customer")
        refunded = await erp.get(SI, note["name"])
        assert (refunded["outstanding_amount"], refunded["status"]) == (0.0, "Return")
        gl = {(g["account"], g["debit"], g["credit"]) for g in erp.sim.gl_entries if g["voucher_no"] == saved["name"]}
        assert gl == {("Debtors - JT", 49.98, 0.0), ("Cash - JT", 0.0, 49.98)}


async def test_c2_17_a_usd_invoice_on_an_egp_receivable_is_paid_in_egp() -> None:
    async with seeded() as erp:
        invoice = await erp.invoice(
            2, 10.25, currency="USD", conversion_rate=48.5, docstatus=1, disable_rounded_total=1
        )
        assert (await erp.get(SI, invoice["name"]))["outstanding_amount"] == 994.25
        pe = await payment_for(erp, invoice)
        assert (pe["paid_amount"], pe["references"][0]["total_amount"]) == (994.25, 994.25)
        await erp.ok_insert(PE, dict(pe, docstatus=1))
        assert (await erp.get(SI, invoice["name"]))["status"] == "Paid"
