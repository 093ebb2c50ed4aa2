"""The ERPNext simulator's stock documents beyond the replayed samples: posting dates, issues below
zero, transfers, Bins per warehouse, the ledger after a backdated entry, and doc events."""

from __future__ import annotations

from typing import Any

from test_engine_support import Api

RECEIPT = "Material Receipt"


async def _entry(api: Api, purpose: str, rows: list[dict[str, Any]], **extra: Any) -> Any:
    body = {"stock_entry_type": purpose, "company": "Jarz Test", "docstatus": 1, "items": rows, **extra}
    return await api.insert("Stock Entry", body)


async def _item(api: Api, code: str) -> None:
    response = await api.insert("Item", {"item_code": code, "item_group": "Products"})
    assert response.status_code == 200, response.text


async def test_a_backdated_receipt_keeps_its_date_and_the_later_rows_are_reposted(api: Api) -> None:
    await _item(api, "SOAP")
    wh = "Jarz Main - JT"
    today = await _entry(api, RECEIPT, [{"item_code": "SOAP", "t_warehouse": wh, "qty": 5, "basic_rate": 3}])
    assert today.status_code == 200, today.text
    past = await _entry(
        api,
        RECEIPT,
        [{"item_code": "SOAP", "t_warehouse": wh, "qty": 2, "basic_rate": 3}],
        set_posting_time=1,
        posting_date="2026-01-05",
        posting_time="09:00:00",
    )
    assert past.status_code == 200 and past.json()["data"]["posting_date"] == "2026-01-05"
    rows = sorted(
        (r for r in api.sim.db.all("Stock Ledger Entry") if r["item_code"] == "SOAP"), key=lambda r: r["posting_date"]
    )
    assert [(r["actual_qty"], r["qty_after_transaction"]) for r in rows] == [(2.0, 2.0), (5.0, 7.0)]
    [bin_row] = [b for b in api.sim.db.all("Bin") if b["item_code"] == "SOAP"]
    assert bin_row["actual_qty"] == 7.0


async def test_an_issue_below_zero_is_refused_and_a_transfer_moves_between_bins(api: Api) -> None:
    await _item(api, "TEA")
    await _entry(api, RECEIPT, [{"item_code": "TEA", "t_warehouse": "Jarz Main - JT", "qty": 3, "basic_rate": 1}])
    issue = await _entry(api, "Material Issue", [{"item_code": "TEA", "s_warehouse": "Jarz Main - JT", "qty": 4}])
    assert issue.status_code == 417 and issue.json()["exc_type"] == "NegativeStockError"
    await api.ok("POST", "/api/resource/Warehouse", {"warehouse_name": "Finished Goods", "company": "Jarz Test"})
    move = await _entry(
        api,
        "Material Transfer",
        [{"item_code": "TEA", "s_warehouse": "Jarz Main - JT", "t_warehouse": "Finished Goods - JT", "qty": 2}],
    )
    assert move.status_code == 200, move.text
    bins = {b["warehouse"]: b["actual_qty"] for b in api.sim.db.all("Bin") if b["item_code"] == "TEA"}
    assert bins == {"Jarz Main - JT": 1.0, "Finished Goods - JT": 2.0}


async def test_every_ledger_row_raises_after_insert_and_only_after_commit(api: Api) -> None:
    await _item(api, "JAM")
    secret = "s" * 12
    hook = {
        "__newname": "jam-hook",
        "webhook_doctype": "Stock Ledger Entry",
        "webhook_docevent": "after_insert",
        "request_url": "http://listener.test/hook",
        "request_structure": "JSON",
        "webhook_json": '{"name": {{ doc.name | tojson }}, "qty": {{ doc.qty_after_transaction | tojson }}}',
        "enable_security": 1,
        "webhook_secret": secret,
    }
    assert (await api.insert("Webhook", hook)).status_code == 200
    refused = await _entry(api, "Material Issue", [{"item_code": "JAM", "s_warehouse": "Jarz Main - JT", "qty": 1}])
    assert refused.status_code == 417 and api.sim.webhooks.jobs == []  # rolled back: nothing to send
    await _entry(api, RECEIPT, [{"item_code": "JAM", "t_warehouse": "Jarz Main - JT", "qty": 4, "basic_rate": 1}])
    [job] = api.sim.webhooks.jobs
    assert job.webhook == "jam-hook" and job.doc["qty_after_transaction"] == 0.0  # not computed yet at after_insert


async def test_a_cancelled_entry_with_ledger_rows_is_deleted_only_when_accounts_settings_allow(api: Api) -> None:
    """ERPNext refuses to delete a cancelled transaction its Stock Ledger Entries point at, unless Accounts
    Settings' `delete_linked_ledger_entries` is on; then the rows go with it (AccountsController.on_trash)."""
    await _item(api, "SALT")
    made = await _entry(
        api, RECEIPT, [{"item_code": "SALT", "t_warehouse": "Jarz Main - JT", "qty": 4, "basic_rate": 2}]
    )
    name = made.json()["data"]["name"]
    await api.ok("POST", "/api/method/frappe.client.cancel", {"doctype": "Stock Entry", "name": name})
    refused = await api.call("DELETE", f"/api/resource/Stock Entry/{name}")
    assert refused.status_code == 417 and refused.json()["exc_type"] == "LinkExistsError", refused.text
    assert "is linked with Stock Ledger Entry" in refused.text

    await api.ok("PUT", "/api/resource/Accounts Settings/Accounts Settings", {"delete_linked_ledger_entries": 1})
    deleted = await api.call("DELETE", f"/api/resource/Stock Entry/{name}")
    assert deleted.status_code == 202, deleted.text
    assert [r for r in api.sim.db.all("Stock Ledger Entry") if r.get("voucher_no") == name] == []
