"""C2 item 15: Sales Invoice statuses (B4.5), including Overdue as the simulated date passes."""

from __future__ import annotations

from test_accounting_seed import PE, SI, seeded

GET_PE = "erpnext.accounts.doctype.payment_entry.payment_entry.get_payment_entry"


async def test_c2_15_draft_unpaid_partly_paid_paid_cancelled() -> None:
    async with seeded() as erp:
        doc = await erp.invoice(4, 25, disable_rounded_total=1)
        assert doc["status"] == "Draft"
        assert (await erp.submit(SI, doc["name"])).json()["data"]["status"] == "Unpaid"
        pe = (await erp.method(GET_PE, dt=SI, dn=doc["name"], party_amount=40)).json()["message"]
        await erp.ok_insert(PE, dict(pe, docstatus=1))
        invoice = await erp.get(SI, doc["name"])
        assert (invoice["status"], invoice["outstanding_amount"]) == ("Partly Paid", 60.0)
        pe = (await erp.method(GET_PE, dt=SI, dn=doc["name"])).json()["message"]
        await erp.ok_insert(PE, dict(pe, docstatus=1))
        assert (await erp.get(SI, doc["name"]))["status"] == "Paid"
        assert (await erp.cancel(SI, doc["name"])).json()["message"]["status"] == "Cancelled"


async def test_c2_15_unpaid_turns_overdue_when_the_day_passes() -> None:
    async with seeded() as erp:
        doc = await erp.invoice(
            1, 10, docstatus=1, set_posting_time=1, posting_date="2026-11-25", due_date="2026-11-26"
        )
        assert (await erp.get(SI, doc["name"]))["status"] == "Unpaid"
        erp.sim.clock.advance(24 * 3600)
        assert (await erp.get(SI, doc["name"]))["status"] == "Unpaid"  # due today: not yet overdue
        erp.sim.clock.advance(24 * 3600)
        # the site's daily scheduler runs with the first request of the new day
        assert (await erp.get(SI, doc["name"]))["status"] == "Overdue"
        paid = await erp.invoice(
            1,
            10,
            docstatus=1,
            is_pos=1,
            payments=[{"mode_of_payment": "Cash", "amount": 10, "account": "Cash - JT"}],
        )
        erp.sim.run_daily_jobs()
        assert (await erp.get(SI, paid["name"]))["status"] == "Paid"


async def test_c2_15_return_and_credit_note_issued() -> None:
    async with seeded() as erp:
        original = await erp.invoice(
            2,
            24.99,
            docstatus=1,
            is_pos=1,
            disable_rounded_total=1,
            payments=[{"mode_of_payment": "Cash", "amount": 49.98, "account": "Cash - JT"}],
        )
        note = (
            await erp.method(
                "erpnext.accounts.doctype.sales_invoice.sales_invoice.make_sales_return",
                source_name=original["name"],
            )
        ).json()["message"]
        draft = await erp.ok_insert(SI, note)
        assert (await erp.submit(SI, draft["name"])).json()["data"]["status"] == "Return"
        assert (await erp.get(SI, original["name"]))["status"] == "Credit Note Issued"


async def test_c2_15_an_insert_that_submits_answers_draft_but_stores_the_real_status() -> None:
    async with seeded() as erp:
        doc = await erp.invoice(2, 24.99, docstatus=1)
        assert (doc["docstatus"], doc["status"]) == (1, "Draft")  # stale, as the real response (sample 13)
        stored = await erp.get(SI, doc["name"])
        assert (stored["status"], stored["outstanding_amount"], stored["remarks"]) == ("Unpaid", 50.0, "No Remarks")
