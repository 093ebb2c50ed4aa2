"""C2.6 docstatus machine and C2.7 optimistic locking."""

from __future__ import annotations

import asyncio

from test_engine_support import Api, sample, texts

SI = "/api/resource/Sales Invoice"


async def test_c2_06_draft_to_cancel_refused(api: Api) -> None:
    real = sample(6)
    draft = await api.invoice()
    response = await api.call("PUT", f"{SI}/{draft['name']}", real["request"]["body"])
    assert response.status_code == real["status"] == 417
    body = response.json()
    assert body["exc_type"] == "DocstatusTransitionError"
    assert body["exception"] == real["body"]["exception"]
    assert "_server_messages" not in body and "_server_messages" not in real["body"]
    stored = api.sim.db.get("Sales Invoice", draft["name"])
    assert stored is not None and stored["docstatus"] == 0


async def test_c2_06_cancel_of_a_draft_via_client(api: Api) -> None:
    real = sample(47)
    draft = await api.invoice()
    response = await api.call(
        "POST", "/api/method/frappe.client.cancel", {"doctype": "Sales Invoice", "name": draft["name"]}
    )
    assert response.status_code == 417
    assert response.json()["exception"] == real["body"]["exception"]
    assert "_server_messages" not in response.json()


async def test_c2_06_insert_with_docstatus(api: Api) -> None:
    submitted = await api.invoice(docstatus=1)
    assert submitted["docstatus"] == 1
    refused = await api.call(
        "POST",
        SI,
        {
            "customer": "Test Customer",
            "company": "Jarz Test",
            "docstatus": 2,
            "items": [{"item_code": "Test Cake", "qty": 1, "rate": 5}],
        },
    )
    assert refused.status_code == 417
    assert refused.json()["exception"] == (
        "frappe.exceptions.DocstatusTransitionError: Cannot change docstatus from 0 (Draft) to 2 (Cancelled)"
    )


async def test_c2_06_submit_resubmit_cancel_and_read_only(api: Api) -> None:
    draft = await api.invoice()
    submitted = await api.ok("PUT", f"{SI}/{draft['name']}", {"docstatus": 1})
    assert submitted["docstatus"] == 1
    again = await api.ok("PUT", f"{SI}/{draft['name']}", {"docstatus": 1})
    assert again["modified"] == submitted["modified"]  # no change
    back = await api.call("PUT", f"{SI}/{draft['name']}", {"docstatus": 0})
    assert back.json()["exception"].endswith("Cannot change docstatus from 1 (Submitted) to 0 (Draft)")
    cancelled = await api.ok("PUT", f"{SI}/{draft['name']}", {"docstatus": 2})
    assert cancelled["docstatus"] == 2 and cancelled["status"] == "Cancelled"
    edit = await api.call("PUT", f"{SI}/{draft['name']}", {"remarks": "late"})
    assert edit.status_code == 417
    assert edit.json()["exc_type"] == "ValidationError"
    assert edit.json()["exception"] == "frappe.exceptions.ValidationError: Cannot edit cancelled document"
    assert "_server_messages" not in edit.json()


async def test_c2_06_update_after_submit(api: Api) -> None:
    doc = await api.invoice(docstatus=1)
    refused = await api.call("PUT", f"{SI}/{doc['name']}", {"territory": "Egypt"})
    assert refused.status_code == 417
    assert refused.json()["exc_type"] == "UpdateAfterSubmitError"
    assert texts(refused.json()) == [
        " Not allowed to change <strong>Territory</strong> after submission from <strong>None</strong> to "
        "<strong>Egypt</strong>"
    ]
    allowed = await api.ok("PUT", f"{SI}/{doc['name']}", {"po_no": "PO-7"})  # allow_on_submit
    assert allowed["po_no"] == "PO-7" and allowed["modified"] > doc["modified"]


async def test_c2_06_run_method_submit_and_cancel(api: Api) -> None:
    draft = await api.invoice()
    done = await api.ok("POST", f"{SI}/{draft['name']}", {"run_method": "submit"})
    assert done["docstatus"] == 1
    undone = await api.ok("POST", f"{SI}/{draft['name']}", {"run_method": "cancel"})
    assert undone["docstatus"] == 2


async def test_c2_06_delete_rules(api: Api) -> None:
    doc = await api.invoice(docstatus=1)
    refused = await api.call("DELETE", f"{SI}/{doc['name']}")
    assert refused.status_code == 417
    assert "Submitted Record cannot be deleted" in texts(refused.json())[0]
    linked = await api.call("DELETE", "/api/resource/Customer/Test Customer")
    assert linked.status_code == 417 and linked.json()["exc_type"] == "LinkExistsError"
    missing = await api.call("DELETE", f"{SI}/NOPE")
    assert missing.status_code == 404


async def test_c2_07_stale_modified_is_timestamp_mismatch(api: Api) -> None:
    real = sample(43)
    draft = await api.invoice()
    response = await api.call("PUT", f"{SI}/{draft['name']}", real["request"]["body"])
    assert response.status_code == 417
    body = response.json()
    assert body["exc_type"] == "TimestampMismatchError"
    [text] = texts(body)
    assert text.startswith(f"Error: Document has been modified after you have opened it ({draft['modified']}, ")
    assert text.endswith("). Please refresh to get the latest document.")
    assert real["body"]["exception"].split(" (")[0] == body["exception"].split(" (")[0]


async def test_c2_07_no_modified_no_check_and_modified_changes(api: Api) -> None:
    draft = await api.invoice()
    first = await api.ok("PUT", f"{SI}/{draft['name']}", {"remarks": "a"})
    second = await api.ok("PUT", f"{SI}/{draft['name']}", {"remarks": "b"})  # no `modified`: last write wins
    assert draft["modified"] < first["modified"] < second["modified"]
    current = await api.ok("PUT", f"{SI}/{draft['name']}", {"remarks": "c", "modified": second["modified"]})
    assert current["remarks"] == "c"


async def test_c2_07_frozen_clock_still_changes_modified(api: Api) -> None:
    api.sim.clock.set(api.sim.clock.now())
    before = await api.ok("GET", "/api/resource/Customer/Test Customer")
    after = await api.client.put("/api/resource/Customer/Test Customer", json={"tax_id": "1"}, headers=api.headers)
    assert after.json()["data"]["modified"] > before["modified"]


async def test_c2_20_two_simultaneous_puts_serialise() -> None:
    import httpx
    from test_engine_support import make_api

    from woonext.sim.erpnext import ErpSimConfig

    sim, key, secret = await make_api(ErpSimConfig(write_hold_ms=30))
    headers = {"Authorization": f"token {key}:{secret}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://erp.test") as client:
        doc = (await client.get("/api/resource/Customer/Test Customer", headers=headers)).json()["data"]
        sim.clock.advance(1)
        puts = [
            client.put(
                "/api/resource/Customer/Test Customer",
                json={"tax_id": str(i), "modified": doc["modified"]},
                headers=headers,
            )
            for i in range(2)
        ]
        first, second = await asyncio.gather(*puts)
    # the second waited for the first's lock, then saw the first's write: stale
    assert sorted([first.status_code, second.status_code]) == [200, 417]
    loser = first if first.status_code == 417 else second
    assert loser.json()["exc_type"] == "TimestampMismatchError"


async def test_c2_06_submitted_documents_keep_fetched_values(api: Api) -> None:
    draft = await api.invoice()
    await api.ok("PUT", "/api/resource/Customer/Test Customer", {"tax_id": "TX-1"})
    refreshed = await api.ok("PUT", f"{SI}/{draft['name']}", {"remarks": "draft follows its links"})
    assert refreshed["tax_id"] == "TX-1"
    submitted = await api.ok("PUT", f"{SI}/{draft['name']}", {"docstatus": 1})
    await api.ok("PUT", "/api/resource/Customer/Test Customer", {"tax_id": "TX-2"})
    later = await api.ok("PUT", f"{SI}/{draft['name']}", {"po_no": "PO-1"})
    assert later["tax_id"] == submitted["tax_id"] == "TX-1"  # a submitted invoice does not re-fetch


async def test_c2_06_only_submittable_doctypes_submit(api: Api) -> None:
    put = await api.call("PUT", "/api/resource/Customer/Test Customer", {"docstatus": 1})
    assert put.status_code == 403 and put.json()["exc_type"] == "PermissionError"
    assert put.json()["_error_message"] == "Insufficient Permission for Customer (<strong>submit</strong>)"
    insert = await api.call("POST", "/api/resource/Territory", {"territory_name": "Sub", "docstatus": 1})
    assert insert.status_code == 403
    assert api.sim.db.get("Territory", "Sub") is None
