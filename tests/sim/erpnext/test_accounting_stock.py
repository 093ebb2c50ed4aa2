"""C2 item 14: `update_stock` moves stock per item and warehouse (B4.4, sample 11)."""

from __future__ import annotations

from datetime import datetime

from test_accounting_seed import SI, error, seeded

MAIN, SECOND = "Jarz Main - JT", "Jarz Second - JT"


async def test_c2_14_submit_writes_the_stock_ledger_and_cancel_reverses_it() -> None:
    async with seeded() as erp:
        doc = await erp.invoice(2, 24.99, docstatus=1, update_stock=1, set_warehouse=MAIN)
        moves = [
            (e["item_code"], e["warehouse"], e["actual_qty"])
            for e in erp.sim.stock_ledger
            if e["voucher_no"] == doc["name"]
        ]
        assert moves == [("Test Cake", MAIN, -2.0)]
        again = await erp.invoice(1, 10, update_stock=1)
        assert again["items"][0]["actual_qty"] == 96.0
        assert (await erp.cancel(SI, doc["name"])).status_code == 200
        third = await erp.invoice(1, 10, update_stock=1)
        assert third["items"][0]["actual_qty"] == 98.0


async def test_c2_14_short_stock_is_a_negative_stock_error() -> None:
    async with seeded() as erp:
        response = await erp.insert(
            SI,
            {
                "customer": "Test Customer",
                "company": "Jarz Test",
                "docstatus": 1,
                "update_stock": 1,
                "set_warehouse": MAIN,
                "items": [{"item_code": "Test Cake", "qty": 100000, "rate": 1}],
            },
        )
        status, exc_type, texts = error(response)
        assert (status, exc_type) == (417, "NegativeStockError")
        assert texts[0].startswith(
            "<strong>99902.0</strong> units of "
            '<a href="/app/Form/Item/Test%20Cake" style="font-weight: bold;">'
            'Item Test Cake</a> needed in <a href="/app/Form/Warehouse/Jarz%20Main%20-%20JT" '
            'style="font-weight: bold;">Warehouse Jarz Main - JT</a> on 2026-11-25 6:22:'
        )
        assert texts[0].endswith(
            'style="font-weight: bold;">Sales Invoice Test Customer</a> to complete this transaction.'
        )
        assert await erp.count(SI) == 0 and not erp.sim.stock_ledger


async def test_c2_14_stock_is_checked_per_item_per_warehouse_across_rows() -> None:
    async with seeded() as erp:
        rows = [
            {"item_code": "Test Cake", "qty": 1, "rate": 10, "warehouse": SECOND},
            {"item_code": "Test Cake", "qty": 1, "rate": 10, "warehouse": SECOND},
        ]
        response = await erp.insert(
            SI,
            {
                "customer": "Test Customer",
                "company": "Jarz Test",
                "docstatus": 1,
                "update_stock": 1,
                "items": rows,
            },
        )
        status, exc_type, texts = error(response)
        assert (status, exc_type) == (417, "NegativeStockError")
        assert texts[0].startswith("<strong>1.0</strong> units of") and "Warehouse Jarz Second - JT" in texts[0]
        rows[1]["warehouse"] = MAIN
        doc = await erp.invoice(docstatus=1, update_stock=1, items=rows)
        assert doc["docstatus"] == 1


async def test_c2_14_warehouse_required_and_no_stock_move_without_update_stock() -> None:
    async with seeded() as erp:
        await erp.invoice(2, 24.99, docstatus=1)
        assert not erp.sim.stock_ledger
        response = await erp.insert(
            SI,
            {
                "customer": "Test Customer",
                "company": "Jarz Test",
                "update_stock": 1,
                "items": [{"item_code": "Test Cake", "qty": 1, "rate": 10, "warehouse": ""}],
            },
        )
        # the item's default warehouse fills an empty row, as in ERPNext
        assert response.status_code == 200 and response.json()["data"]["items"][0]["warehouse"] == MAIN


async def test_c2_14_perpetual_inventory_books_stock_at_valuation() -> None:
    async with seeded() as erp:
        response = await erp.request(
            "PUT", "/api/resource/Company/Jarz Test", {"default_inventory_account": "Stock In Hand - JT"}
        )
        assert response.status_code == 200, response.text
        doc = await erp.invoice(2, 24.99, docstatus=1, update_stock=1, disable_rounded_total=1)
        gl = {(g["account"], g["debit"], g["credit"]) for g in erp.sim.gl_entries if g["voucher_no"] == doc["name"]}
        assert gl == {
            ("Debtors - JT", 49.98, 0.0),
            ("Sales - JT", 0.0, 49.98),
            ("Stock In Hand - JT", 0.0, 160.0),
            ("Cost of Goods Sold - JT", 160.0, 0.0),
        }


async def test_c2_14_non_stock_rows_need_no_warehouse_and_move_no_stock() -> None:
    async with seeded() as erp:
        rows = [
            {"item_code": "Test Cake", "qty": 1, "rate": 10},
            {"item_code": "Shipping", "qty": 1, "rate": 30, "warehouse": ""},
        ]
        doc = await erp.invoice(docstatus=1, update_stock=1, items=rows)
        moves = [(e["item_code"], e["actual_qty"]) for e in erp.sim.stock_ledger if e["voucher_no"] == doc["name"]]
        assert moves == [("Test Cake", -1.0)]


async def test_bin_holds_each_item_and_warehouse_stock_and_moves_with_it() -> None:
    """Samples 63/64: `Bin` read with get_list by item and warehouse; `modified` moves with stock."""
    async with seeded() as erp:
        query = {
            "fields": '["item_code", "warehouse", "actual_qty", "modified"]',
            "filters": '[["item_code", "=", "Test Cake"], ["warehouse", "=", "Jarz Main - JT"]]',
        }
        [before] = (await erp.request("GET", "/api/resource/Bin", params=query)).json()["data"]
        erp.sim.clock.advance(5)
        await erp.invoice(2, 24.99, docstatus=1, update_stock=1, set_warehouse=MAIN)
        [after] = (await erp.request("GET", "/api/resource/Bin", params=query)).json()["data"]
        assert (before["actual_qty"], after["actual_qty"]) == (98.0, 96.0)
        assert after["modified"] > before["modified"]


async def test_stock_posted_after_the_invoice_does_not_count() -> None:
    """observed-real.md: an invoice posted at an older date needs stock on or before that moment;
    stock received "now" does not help it."""
    async with seeded() as erp:
        sim = erp.sim
        sim.add_stock("Test Cake", MAIN, -98, datetime(2026, 11, 1))  # the warehouse has been empty since
        older = {
            "customer": "Test Customer",
            "company": "Jarz Test",
            "docstatus": 1,
            "update_stock": 1,
            "set_warehouse": MAIN,
            "set_posting_time": 1,
            "posting_date": "2026-11-24",
            "posting_time": "10:00:00",
            "due_date": "2026-11-24",
            "items": [{"item_code": "Test Cake", "qty": 1, "rate": 1}],
        }
        sim.add_stock("Test Cake", MAIN, 10)  # received today
        status, exc_type, texts = error(await erp.insert(SI, older))
        assert (status, exc_type) == (417, "NegativeStockError") and "on 2026-11-24 10:00:00" in texts[0]
        sim.add_stock("Test Cake", MAIN, 5, datetime(2026, 11, 24, 9, 0))  # dated before the invoice
        assert (await erp.insert(SI, older)).status_code == 200
