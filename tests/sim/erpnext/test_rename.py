"""`frappe.client.rename_doc` with and without merge (B2.4; frappe/model/rename_doc.py v15)."""

from __future__ import annotations

import json
from typing import Any

import httpx
from test_engine_support import REFERENCE, Api, server_messages, texts

from woonext.sim.erpnext.rename import RENAMABLE
from woonext.sim.erpnext.schema import base_schema

RENAME = "/api/method/frappe.client.rename_doc"
GET_PE = "/api/method/erpnext.accounts.doctype.payment_entry.payment_entry.get_payment_entry"


async def customer(api: Api, name: str, **extra: Any) -> dict[str, Any]:
    return await api.ok(
        "POST", "/api/resource/Customer", {"customer_name": name, "customer_type": "Individual", **extra}
    )  # type: ignore[no-any-return]


async def paid_invoice(api: Api, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    invoice = await api.invoice(customer=name, docstatus=1, disable_rounded_total=1)
    entry = await api.ok("POST", GET_PE, {"dt": "Sales Invoice", "dn": invoice["name"]})
    payment = await api.ok("POST", "/api/resource/Payment Entry", dict(entry, docstatus=1, reference_no="R-1"))
    return invoice, payment


async def rename(api: Api, old: str, new: str, merge: Any = 0) -> httpx.Response:
    return await api.call("POST", RENAME, {"doctype": "Customer", "old_name": old, "new_name": new, "merge": merge})


def error_text(response: httpx.Response) -> str:
    body = response.json()
    assert body["exc_type"] and body["exception"].startswith("frappe.")
    return " | ".join(texts(body))


async def test_merge_moves_invoices_payments_contacts_addresses_and_ledger_then_deletes_the_old(api: Api) -> None:
    await customer(api, "Mona Hassan")
    dup = await customer(api, "Mona Hassan", email_id="mona@example.com", mobile_no="01012345678")
    assert dup["name"] == "Mona Hassan - 1" and dup["customer_primary_contact"]
    invoice, payment = await paid_invoice(api, "Mona Hassan - 1")
    address = await api.ok(
        "POST",
        "/api/resource/Address",
        {
            "address_title": "Mona",
            "address_type": "Billing",
            "address_line1": "1 Nile St",
            "city": "Cairo",
            "country": "Egypt",
            "links": [{"link_doctype": "Customer", "link_name": "Mona Hassan - 1"}],
        },
    )
    gl_before = [dict(e) for e in api.sim.gl_entries]
    invoice = await api.ok("GET", f"/api/resource/Sales Invoice/{invoice['name']}")

    response = await rename(api, "Mona Hassan - 1", "Mona Hassan", merge=1)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"] == "Mona Hassan"
    assert server_messages(body) == [
        {
            "message": "Document renamed from <strong>Mona Hassan - 1</strong> to <strong>Mona Hassan</strong>",
            "title": "Message",
            "indicator": "green",
            "alert": 1,
        }
    ]

    gone = await api.call("GET", "/api/resource/Customer/Mona Hassan - 1")
    assert gone.status_code == 404
    moved = await api.ok("GET", f"/api/resource/Sales Invoice/{invoice['name']}")
    assert moved["customer"] == "Mona Hassan" and moved["docstatus"] == 1
    assert moved["modified"] == invoice["modified"]  # links are repointed without a new `modified`
    pe = await api.ok("GET", f"/api/resource/Payment Entry/{payment['name']}")
    assert (pe["party_type"], pe["party"], pe["modified"]) == ("Customer", "Mona Hassan", payment["modified"])
    contact = await api.ok("GET", f"/api/resource/Contact/{dup['customer_primary_contact']}")
    assert [(r["link_doctype"], r["link_name"]) for r in contact["links"]] == [("Customer", "Mona Hassan")]
    linked = await api.ok("GET", f"/api/resource/Address/{address['name']}")
    assert linked["links"][0]["link_name"] == "Mona Hassan"
    parties = {e["party"] for e in api.sim.gl_entries if e.get("party_type") == "Customer"}
    assert parties == {"Mona Hassan"} and len(api.sim.gl_entries) == len(gl_before)
    survivor = await api.ok("GET", "/api/resource/Customer/Mona Hassan")
    assert survivor["customer_name"] == "Mona Hassan"


async def test_merge_into_a_missing_target_is_refused_and_changes_nothing(api: Api) -> None:
    await customer(api, "Ali")
    invoice = await api.invoice(customer="Ali", docstatus=1)
    response = await rename(api, "Ali", "Nobody", merge=1)
    assert response.status_code == 417
    assert response.json()["exc_type"] == "ValidationError"
    assert error_text(response) == "Customer Nobody does not exist, select a new target to merge"
    # the target must match exactly: a case variant does not count as existing
    await customer(api, "Omar")
    response = await rename(api, "Ali", "OMAR", merge="1")
    assert error_text(response) == "Customer OMAR does not exist, select a new target to merge"
    assert (await api.ok("GET", f"/api/resource/Sales Invoice/{invoice['name']}"))["customer"] == "Ali"
    assert (await api.call("GET", "/api/resource/Customer/Ali")).status_code == 200


async def test_rename_onto_an_existing_name_without_merge_is_refused(api: Api) -> None:
    await customer(api, "Ali")
    await customer(api, "Omar")
    response = await rename(api, "Ali", "Omar", merge=0)
    assert response.status_code == 417
    assert error_text(response) == "Another Customer with name Omar exists, select another name"
    response = await rename(api, "Ali", "Omar", merge="false")
    assert error_text(response) == "Another Customer with name Omar exists, select another name"


async def test_plain_rename_moves_the_row_and_every_link(api: Api) -> None:
    await customer(api, "Ali", email_id="ali@example.com")
    invoice = await api.invoice(customer="Ali", docstatus=1)
    response = await rename(api, "Ali", "Ali Farouk")
    assert response.status_code == 200 and response.json()["message"] == "Ali Farouk"
    assert (await api.call("GET", "/api/resource/Customer/Ali")).status_code == 404
    renamed = await api.ok("GET", "/api/resource/Customer/Ali Farouk")
    assert renamed["customer_name"] == "Ali Farouk"
    assert (await api.ok("GET", f"/api/resource/Sales Invoice/{invoice['name']}"))["customer"] == "Ali Farouk"
    contact = await api.ok("GET", f"/api/resource/Contact/{renamed['customer_primary_contact']}")
    assert contact["links"][0]["link_name"] == "Ali Farouk"


async def test_refusals_missing_old_same_name_not_renamable_and_get(api: Api) -> None:
    ghost = await rename(api, "Ghost", "Test Customer", merge=1)
    assert ghost.status_code == 404
    assert ghost.json()["exc_type"] == "DoesNotExistError" and texts(ghost.json()) == ["Customer Ghost not found"]
    same = await rename(api, "Test Customer", "Test Customer")
    assert error_text(same) == "No changes made because old and new name are the same."
    invoice = await api.invoice()
    refused = await api.call(
        "POST", RENAME, {"doctype": "Sales Invoice", "old_name": invoice["name"], "new_name": "SINV-X"}
    )
    assert error_text(refused) == "Sales Invoice not allowed to be renamed"
    bad = await rename(api, "Test Customer", "A <b>")
    assert bad.status_code == 409 and bad.json()["exc_type"] == "NameError"
    got = await api.call(
        "GET", RENAME, params={"doctype": "Customer", "old_name": "Test Customer", "new_name": "X", "merge": 0}
    )
    assert got.status_code == 403 and texts(got.json()) == ["Not permitted"]


async def test_tree_merge_needs_the_same_group_flag_and_repoints_customers(api: Api) -> None:
    await api.ok("POST", "/api/resource/Territory", {"territory_name": "Giza", "parent_territory": "Egypt"})
    await api.ok("POST", "/api/resource/Territory", {"territory_name": "Gizah", "parent_territory": "Egypt"})
    await customer(api, "Ali", territory="Gizah")
    mismatch = await api.call(
        "POST", RENAME, {"doctype": "Territory", "old_name": "Gizah", "new_name": "All Territories", "merge": 1}
    )
    assert mismatch.status_code == 417
    body = mismatch.json()
    assert body["exc_type"] == "NestedSetInvalidMergeError"
    assert body["exception"].startswith("frappe.utils.nestedset.NestedSetInvalidMergeError: Merging is only")
    merged = await api.call(
        "POST", RENAME, {"doctype": "Territory", "old_name": "Gizah", "new_name": "Giza", "merge": 1}
    )
    assert merged.status_code == 200, merged.text
    assert (await api.ok("GET", "/api/resource/Customer/Ali"))["territory"] == "Giza"
    tree = {t["name"]: (t["lft"], t["rgt"]) for t in api.sim.db.all("Territory")}
    assert "Gizah" not in tree
    bounds = sorted(n for pair in tree.values() for n in pair)
    assert bounds == list(range(1, 2 * len(tree) + 1))  # renumbered without the merged node


def test_renamable_doctypes_are_the_reference_allow_rename_ones() -> None:
    folder = REFERENCE / "erpnext-v15-doctypes"
    flagged = set()
    for path in folder.glob("*.json"):
        spec = json.loads(path.read_text(encoding="utf-8"))
        if spec.get("allow_rename") and spec.get("name") in base_schema():
            flagged.add(spec["name"])
    assert flagged == set(RENAMABLE)
