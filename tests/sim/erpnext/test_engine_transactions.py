"""C2.10 transactions and C2.11 Custom Fields (schema changes, unique enforcement)."""

from __future__ import annotations

import asyncio
import json

from test_engine_support import Api, custom_field, sample, server_messages, texts

SI = "/api/resource/Sales Invoice"


async def test_c2_11_custom_field_create_like_the_real_one(api: Api) -> None:
    for number in (30, 31):
        real = sample(number)
        created = await api.ok("POST", "/api/resource/Custom Field", real["request"]["body"])
        expected = real["body"]["data"]
        volatile = {"creation", "modified"}
        assert {k: v for k, v in created.items() if k not in volatile} == {
            k: v for k, v in expected.items() if k not in volatile
        }


async def test_c2_11_field_exists_immediately_and_duplicate_is_refused(api: Api) -> None:
    await custom_field(
        api,
        dt="Sales Invoice",
        fieldname="custom_payment_method",
        label="Payment Method",
        fieldtype="Select",
        options="\nCash",
    )
    listed = await api.call("GET", SI, params={"fields": '["name", "custom_payment_method"]'})
    assert listed.status_code == 200  # the new column is queryable at once
    real = sample(20)
    again = await api.call("POST", "/api/resource/Custom Field", real["request"]["body"])
    assert again.status_code == 417
    assert again.json()["exception"] == real["body"]["exception"]
    assert texts(again.json()) == [
        "A field with the name <strong>custom_payment_method</strong> already exists in Sales Invoice"
    ]
    clash = await api.call(
        "POST",
        "/api/resource/Custom Field",
        {"dt": "Customer", "fieldname": "territory", "label": "T", "fieldtype": "Data"},
    )
    assert texts(clash.json()) == ["A field with the name <strong>territory</strong> already exists in Customer"]


async def test_c2_11_fieldname_from_label_gets_custom_prefix(api: Api) -> None:
    created = await custom_field(api, dt="Company", label="Kashier Account", fieldtype="Link", options="Account")
    assert created["fieldname"] == "custom_kashier_account"
    assert created["name"] == "Company-custom_kashier_account"
    company = await api.ok("PUT", "/api/resource/Company/Jarz Test", {"custom_kashier_account": "Cash - JT"})
    assert company["custom_kashier_account"] == "Cash - JT"
    bad = await api.call("PUT", "/api/resource/Company/Jarz Test", {"custom_kashier_account": "Nope"})
    assert texts(bad.json()) == ["Could not find Kashier Account: Nope"]


async def test_c2_11_unique_only_for_some_types_and_only_on_clean_data(api: Api) -> None:
    refused = await api.call(
        "POST",
        "/api/resource/Custom Field",
        {
            "dt": "Sales Invoice",
            "fieldname": "notes_key",
            "label": "Notes Key",
            "fieldtype": "Small Text",
            "unique": 1,
        },
    )
    assert refused.status_code == 417
    assert texts(refused.json()) == ["Sales Invoice: Fieldtype Small Text for Notes Key cannot be unique"]
    await custom_field(api, dt="Customer", fieldname="woo_id", label="Woo ID", fieldtype="Data")
    for name in ("A", "B"):
        await api.ok("POST", "/api/resource/Customer", {"customer_name": name, "woo_id": "7"})
    dirty = await api.call(
        "POST",
        "/api/resource/Custom Field",
        {
            "dt": "Customer",
            "fieldname": "woo_key",
            "label": "Woo Key",
            "fieldtype": "Data",
            "unique": 1,
        },
    )
    assert dirty.status_code == 200  # a new, empty column has no duplicates
    dup_values = await api.call("PUT", "/api/resource/Custom Field/Customer-woo_id", {"unique": 1})
    assert dup_values.status_code == 417
    assert texts(dup_values.json()) == ["Customer: Field 'Woo ID' cannot be set as Unique as it has non-unique values"]


async def test_c2_11_unique_enforced_at_write_with_rollback(api: Api) -> None:
    await custom_field(
        api, dt="Sales Invoice", fieldname="probe_unique_key", label="Probe Unique Key", fieldtype="Data", unique=1
    )
    first = await api.invoice(probe_unique_key="CAPDUP")
    prices_before = api.sim.db.all("Item Price")
    gl_before = len(api.sim.gl_entries)
    real = sample(10)
    response = await api.call("POST", SI, dict(real["request"]["body"], docstatus=1))
    assert response.status_code == 417
    body = response.json()
    assert body["exc_type"] == "UniqueValidationError"
    assert server_messages(body) == [json.loads(m) for m in json.loads(real["body"]["_server_messages"])]
    assert body["exception"].endswith("IntegrityError(1062, \"Duplicate entry 'CAPDUP' for key 'probe_unique_key'\"))")
    # nothing of the failed request survives: no invoice, no GL, no auto-inserted price, same series
    assert [d["name"] for d in api.sim.db.all("Sales Invoice")] == [first["name"]]
    assert len(api.sim.gl_entries) == gl_before and api.sim.db.all("Item Price") == prices_before
    assert (await api.invoice())["name"] == "ACC-SINV-2026-00002"
    case = await api.call("POST", SI, dict(real["request"]["body"], probe_unique_key="capdup"))
    assert case.status_code == 417  # MariaDB's unique index ignores case


async def test_c2_11_blanks_exempt_and_cancelled_still_occupy(api: Api) -> None:
    await custom_field(
        api, dt="Sales Invoice", fieldname="woo_order_id", label="Woo Order ID", fieldtype="Data", unique=1
    )
    await api.invoice()
    await api.invoice(woo_order_id="")
    doc = await api.invoice(woo_order_id="1001", docstatus=1)
    await api.ok("POST", "/api/method/frappe.client.cancel", {"doctype": "Sales Invoice", "name": doc["name"]})
    again = await api.call(
        "POST",
        SI,
        {
            "customer": "Test Customer",
            "company": "Jarz Test",
            "woo_order_id": "1001",
            "items": [{"item_code": "Test Cake", "qty": 1, "rate": 10}],
        },
    )
    assert again.status_code == 417 and texts(again.json()) == ["Woo Order ID must be unique"]


async def test_c2_11_concurrent_inserts_of_one_value_one_wins(api: Api) -> None:
    await custom_field(
        api, dt="Sales Invoice", fieldname="woo_order_id", label="Woo Order ID", fieldtype="Data", unique=1
    )
    body = {
        "customer": "Test Customer",
        "company": "Jarz Test",
        "woo_order_id": "42",
        "items": [{"item_code": "Test Cake", "qty": 1, "rate": 10}],
    }
    results = await asyncio.gather(*[api.client.post(SI, json=body, headers=api.headers) for _ in range(5)])
    assert sorted(r.status_code for r in results) == [200, 417, 417, 417, 417]
    assert len(api.sim.db.all("Sales Invoice")) == 1


async def test_c2_11_custom_field_rolls_back_with_its_request(api: Api) -> None:
    response = await api.call(
        "POST",
        "/api/method/frappe.client.insert_many",
        {
            "docs": [
                {
                    "doctype": "Custom Field",
                    "dt": "Customer",
                    "fieldname": "woo_tmp",
                    "label": "Tmp",
                    "fieldtype": "Data",
                },
                {"doctype": "Customer", "customer_name": "Bad", "customer_type": "Nope"},
            ]
        },
    )
    assert response.status_code == 417
    later = await api.call("GET", "/api/resource/Customer", params={"fields": '["woo_tmp"]'})
    assert later.status_code == 417 and texts(later.json()) == ["Field not permitted in query: woo_tmp"]


async def test_c2_10_error_rolls_back_partial_child_rows(api: Api) -> None:
    before = await api.ok("GET", "/api/resource/Mode of Payment/Cash")
    response = await api.call(
        "PUT",
        "/api/resource/Mode of Payment/Cash",
        {
            "accounts": [
                {"company": "Jarz Test", "default_account": "Cash - JT"},
                {"company": "Jarz Test", "default_account": "Missing - JT"},
            ]
        },
    )
    assert response.status_code == 417
    after = await api.ok("GET", "/api/resource/Mode of Payment/Cash")
    assert after == before


async def test_c2_10_get_never_persists(api: Api) -> None:
    draft = await api.invoice()
    response = await api.call(
        "GET", "/api/method/run_doc_method", params={"dt": "Sales Invoice", "dn": draft["name"], "method": "submit"}
    )
    assert response.status_code == 200 and response.json()["docs"][0]["docstatus"] == 1
    stored = api.sim.db.get("Sales Invoice", draft["name"])
    assert stored is not None and stored["docstatus"] == 0
    assert api.sim.gl_entries == []


async def test_c2_11_value_for_a_field_not_created_yet_is_silently_dropped(api: Api) -> None:
    doc = await api.invoice(woo_order_id="9")
    assert "woo_order_id" not in doc
    stored = api.sim.db.get("Sales Invoice", doc["name"])
    assert stored is not None and "woo_order_id" not in stored
    await custom_field(api, dt="Sales Invoice", fieldname="woo_order_id", label="Woo Order ID", fieldtype="Data")
    found = await api.ok("GET", SI, params={"filters": '{"woo_order_id": "9"}'})
    assert found == []  # the earlier value never reached the database
