"""C2 item 16: credit notes (B4.6 and observed mapping rule 10)."""

from __future__ import annotations

from typing import Any

from test_accounting_seed import SI, Erp, error, messages, seeded

MAKE_RETURN = "erpnext.accounts.doctype.sales_invoice.sales_invoice.make_sales_return"
CASH = {"mode_of_payment": "Cash", "account": "Cash - JT"}


async def paid_invoice(erp: Erp, qty: float = 2, rate: float = 24.99) -> dict[str, Any]:
    return await erp.invoice(
        qty, rate, docstatus=1, is_pos=1, disable_rounded_total=1, payments=[dict(CASH, amount=qty * rate)]
    )


def return_of(original: dict[str, Any], rows: list[dict[str, Any]], **header: Any) -> dict[str, Any]:
    return {
        "customer": "Test Customer",
        "company": "Jarz Test",
        "is_return": 1,
        "return_against": original["name"],
        "disable_rounded_total": 1,
        "items": rows,
        **header,
    }


async def test_c2_16_make_sales_return_maps_an_unsaved_negative_copy() -> None:
    async with seeded() as erp:
        original = await paid_invoice(erp)
        response = await erp.method(MAKE_RETURN, source_name=original["name"])
        note = response.json()["message"]
        assert (note["is_return"], note["return_against"], note["docstatus"], note.get("name")) == (
            1,
            original["name"],
            0,
            None,
        )
        row = note["items"][0]
        assert (row["qty"], row["rate"], row["sales_invoice_item"]) == (
            -2.0,
            24.99,
            original["items"][0]["name"],
        )
        assert [p["amount"] for p in note["payments"]] == [-49.98]
        saved = await erp.ok_insert(SI, dict(note, docstatus=1))
        assert (saved["grand_total"], saved["outstanding_amount"]) == (-49.98, 0.0)
        assert (await erp.get(SI, saved["name"]))["status"] == "Draft"  # POS return inserted submitted
        assert (await erp.get(SI, original["name"]))["status"] == "Credit Note Issued"


async def test_c2_16_over_return_and_rate_above_original_are_refused() -> None:
    async with seeded() as erp:
        original = await paid_invoice(erp)
        link = original["items"][0]["name"]
        too_many = return_of(
            original, [{"item_code": "Test Cake", "qty": -3, "rate": 24.99, "sales_invoice_item": link}]
        )
        assert error(await erp.insert(SI, too_many)) == (
            417,
            "StockOverReturnError",
            ["Row # 1: Cannot return more than 2.0 for Item Test Cake"],
        )
        dearer = return_of(original, [{"item_code": "Test Cake", "qty": -1, "rate": 30, "sales_invoice_item": link}])
        assert error(await erp.insert(SI, dearer)) == (
            417,
            "ValidationError",
            [f"Row # 1: Rate cannot be greater than the rate used in Sales Invoice {original['name']}"],
        )
        other = return_of(original, [{"item_code": "Test Cake", "qty": -1, "rate": 10, "sales_invoice_item": "nope"}])
        assert error(await erp.insert(SI, other)) == (
            417,
            "ValidationError",
            [f"Row # 1: Returned Item Test Cake does not exist in Sales Invoice {original['name']}"],
        )
        await erp.ok_insert(
            SI,
            return_of(
                original,
                [{"item_code": "Test Cake", "qty": -2, "rate": 24.99, "sales_invoice_item": link}],
                docstatus=1,
            ),
        )
        again = return_of(original, [{"item_code": "Test Cake", "qty": -1, "rate": 24.99, "sales_invoice_item": link}])
        assert error(await erp.insert(SI, again)) == (
            417,
            "StockOverReturnError",
            ["Item Test Cake has already been returned"],
        )


async def test_c2_16_unlinked_row_only_gets_a_note_and_amount_only_row_books_minus_rate() -> None:
    async with seeded() as erp:
        original = await paid_invoice(erp)
        response = await erp.insert(SI, return_of(original, [{"item_code": "Test Cake", "qty": -5, "rate": 99}]))
        assert response.status_code == 200
        assert messages(response) == [
            f"Row # 1: Returned Item Test Cake does not exist in Sales Invoice {original['name']}"
        ]
        refund = await erp.ok_insert(
            SI, return_of(original, [{"item_code": "Refund", "qty": 0, "rate": 12.5}], docstatus=1)
        )
        assert (refund["items"][0]["amount"], refund["grand_total"], refund["outstanding_amount"]) == (
            -12.5,
            -12.5,
            -12.5,
        )


async def test_c2_16_update_outstanding_for_self_zero_reduces_the_original() -> None:
    async with seeded() as erp:
        unpaid = await erp.invoice(2, 24.99, docstatus=1, disable_rounded_total=1)
        link = unpaid["items"][0]["name"]
        row = {"item_code": "Test Cake", "qty": -1, "rate": 24.99, "sales_invoice_item": link}
        note = await erp.ok_insert(SI, return_of(unpaid, [row], docstatus=1, update_outstanding_for_self=0))
        original = await erp.get(SI, unpaid["name"])
        assert (original["outstanding_amount"], original["status"]) == (24.99, "Partly Paid")
        assert (await erp.get(SI, note["name"]))["outstanding_amount"] == 0.0
        keeps = await erp.ok_insert(SI, return_of(unpaid, [row], docstatus=1))
        assert (await erp.get(SI, keeps["name"]))["outstanding_amount"] == -24.99
        assert (await erp.get(SI, unpaid["name"]))["outstanding_amount"] == 24.99
        assert (await erp.cancel(SI, note["name"])).status_code == 200
        assert (await erp.get(SI, unpaid["name"]))["outstanding_amount"] == 49.98


async def test_c2_16_an_invoice_with_a_submitted_credit_note_cannot_be_cancelled() -> None:
    async with seeded() as erp:
        original = await erp.invoice(2, 24.99, docstatus=1, disable_rounded_total=1)
        row = {"item_code": "Test Cake", "qty": -1, "rate": 24.99, "sales_invoice_item": original["items"][0]["name"]}
        note = await erp.ok_insert(SI, return_of(original, [row], docstatus=1))
        status, exc_type, texts = error(await erp.cancel(SI, original["name"]))
        assert (status, exc_type) == (417, "LinkExistsError")
        assert texts[0].startswith("Cannot delete or cancel because Sales Invoice ")
        assert note["name"] in texts[0]
        assert (await erp.cancel(SI, note["name"])).status_code == 200
        assert (await erp.cancel(SI, original["name"])).status_code == 200


async def test_c2_16_make_sales_return_negates_actual_taxes_and_books_the_mirror_gl() -> None:
    async with seeded() as erp:
        vat = {"charge_type": "Actual", "account_head": "VAT 14% - JT", "description": "VAT", "tax_amount": 7}
        original = await erp.invoice(2, 24.99, docstatus=1, disable_rounded_total=1, taxes=[vat])
        note = (await erp.method(MAKE_RETURN, source_name=original["name"])).json()["message"]
        assert note["taxes"][0]["tax_amount"] == -7.0
        saved = await erp.ok_insert(SI, dict(note, docstatus=1, update_outstanding_for_self=0))
        assert (saved["net_total"], saved["total_taxes_and_charges"], saved["grand_total"]) == (-49.98, -7.0, -56.98)
        gl = {(g["account"], g["debit"], g["credit"]) for g in erp.sim.gl_entries if g["voucher_no"] == saved["name"]}
        assert gl == {("Debtors - JT", 0.0, 56.98), ("Sales - JT", 49.98, 0.0), ("VAT 14% - JT", 7.0, 0.0)}
        credited = await erp.get(SI, original["name"])
        assert (credited["outstanding_amount"], credited["status"]) == (0.0, "Credit Note Issued")


async def test_c2_16_a_credit_note_cannot_be_dated_before_its_invoice() -> None:
    async with seeded() as erp:
        original = await erp.invoice(
            2,
            24.99,
            docstatus=1,
            disable_rounded_total=1,
            set_posting_time=1,
            posting_date="2026-11-20",
            posting_time="10:00:00",
            due_date="2026-11-20",
        )
        note = (await erp.method(MAKE_RETURN, source_name=original["name"])).json()["message"]
        early = dict(
            note, set_posting_time=1, posting_date="2026-11-19", posting_time="09:00:00", due_date="2026-11-19"
        )
        assert error(await erp.insert(SI, early)) == (
            417,
            "ValidationError",
            ["Posting timestamp must be after 20-11-2026 10:00:00"],
        )
        later = dict(
            note, set_posting_time=1, posting_date="2026-11-21", posting_time="09:00:00", due_date="2026-11-21"
        )
        saved = await erp.ok_insert(SI, dict(later, docstatus=1))
        assert (saved["posting_date"], saved["grand_total"]) == ("2026-11-21", -49.98)


async def test_make_sales_return_drops_a_no_copy_custom_field_as_erpnext_does() -> None:
    """Sample 97: the credit note from ERPNext's mapper has no `woo_order_id` (created with no_copy 1)."""
    async with seeded() as erp:
        for fieldname, no_copy in (("woo_order_id", 1), ("custom_kept", 0)):
            await erp.ok_insert(
                "Custom Field",
                {
                    "dt": "Sales Invoice",
                    "fieldname": fieldname,
                    "label": fieldname,
                    "fieldtype": "Data",
                    "no_copy": no_copy,
                },
            )
        original = await erp.invoice(2, 24.99, docstatus=1, woo_order_id="E2E-1", custom_kept="k")
        note = (await erp.method(MAKE_RETURN, source_name=original["name"])).json()["message"]
        assert "woo_order_id" not in note and note["custom_kept"] == "k"
