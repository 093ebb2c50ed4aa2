"""C2.5 naming and C2.18 Customer / Address / Contact / Territory / Customer Group."""

from __future__ import annotations

import json

from test_engine_support import Api, sample, server_messages, texts


async def test_c2_05_client_name_ignored_and_naming_series(api: Api) -> None:
    first = await api.invoice(name="MY-OWN-NAME")
    second = await api.invoice()
    assert first["name"] == "ACC-SINV-2026-00001"
    assert second["name"] == "ACC-SINV-2026-00002"
    assert first["naming_series"] == "ACC-SINV-.YYYY.-"
    customer = await api.ok("POST", "/api/resource/Customer", {"customer_name": "Series Co", "name": "X"})
    assert customer["name"] == "Series Co"


async def test_c2_05_series_counter_rolls_back_with_the_request(api: Api) -> None:
    await api.invoice()
    failed = await api.call(
        "POST",
        "/api/resource/Sales Invoice",
        {
            "customer": "Test Customer",
            "company": "Jarz Test",
            "items": [{"item_code": "Test Cake", "qty": 1, "rate": 1}],
            "custom_nope": 1,
            "docstatus": 2,
        },
    )
    assert failed.status_code == 417
    assert (await api.invoice())["name"] == "ACC-SINV-2026-00002"


async def test_c2_05_customer_name_collision_gets_a_number_and_a_note(api: Api) -> None:
    real = sample(18)
    response = await api.call("POST", "/api/resource/Customer", real["request"]["body"])
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["name"] == real["body"]["data"]["name"] == "Test Customer - 1"
    assert server_messages(body) == [json.loads(m) for m in json.loads(real["body"]["_server_messages"])]
    for key in ("naming_series", "customer_type", "language", "default_commission_rate", "is_frozen"):
        assert body["data"][key] == real["body"]["data"][key]
    assert set(body["data"]) == set(real["body"]["data"])  # same keys: nulls omitted, tables present
    again = await api.ok("POST", "/api/resource/Customer", {"customer_name": "test customer"})
    assert again["name"] == "test customer - 2"  # names compare case-insensitively


async def test_c2_05_address_and_contact_names(api: Api) -> None:
    real = sample(33)
    first = await api.ok("POST", "/api/resource/Address", real["request"]["body"])
    second = await api.ok("POST", "/api/resource/Address", real["request"]["body"])
    third = await api.ok("POST", "/api/resource/Address", real["request"]["body"])
    assert [first["name"], second["name"], third["name"]] == ["Sample-Billing", "Sample-Billing-1", "Sample-Billing-2"]
    untitled = dict(real["request"]["body"], address_title=None)
    assert (await api.ok("POST", "/api/resource/Address", untitled))["name"] == "Test Customer-Billing"
    contact = sample(35)
    one = await api.ok("POST", "/api/resource/Contact", contact["request"]["body"])
    two = await api.ok("POST", "/api/resource/Contact", contact["request"]["body"])
    assert one["name"] == contact["body"]["data"]["name"] == "Mona Hassan-Test Customer"
    assert two["name"] == "Mona Hassan-Test Customer-1"


async def test_c2_05_territory_by_name_and_duplicate_is_409(api: Api) -> None:
    created = sample(36)
    ok = await api.ok("POST", "/api/resource/Territory", created["request"]["body"])
    assert ok["name"] == "Giza Sample" and ok["old_parent"] == "All Territories"
    assert ok["lft"] < ok["rgt"] and ok["targets"] == []
    real = sample(37)
    dup = await api.call("POST", "/api/resource/Territory", real["request"]["body"])
    assert dup.status_code == 409
    body = dup.json()
    assert body["exc_type"] == "DuplicateEntryError"
    assert body["exception"] == real["body"]["exception"]
    assert server_messages(body) == [json.loads(m) for m in json.loads(real["body"]["_server_messages"])]


async def test_c2_18_customer_group_name_clash_is_409(api: Api) -> None:
    response = await api.call("POST", "/api/resource/Customer", {"customer_name": "Individual"})
    assert response.status_code == 409
    assert response.json()["exc_type"] == "NameError"
    assert texts(response.json()) == [
        "A Customer Group exists with same name please change the Customer name or rename the Customer Group"
    ]


async def test_c2_18_customer_defaults_stay_empty_without_selling_settings(api: Api) -> None:
    customer = await api.ok("POST", "/api/resource/Customer", {"customer_name": "Plain"})
    assert "customer_group" not in customer and "territory" not in customer
    assert customer["customer_type"] == "Company"  # the Select's default


async def test_c2_18_address_country_is_a_full_name_link(api: Api) -> None:
    real = sample(32)
    response = await api.call("POST", "/api/resource/Address", real["request"]["body"])
    assert response.status_code == 417
    body = response.json()
    assert body["exc_type"] == "LinkValidationError"
    assert body["exception"] == real["body"]["exception"]
    assert texts(body) == ["Could not find Country: EG"]
    ok = sample(33)
    created = await api.ok("POST", "/api/resource/Address", ok["request"]["body"])
    expected = ok["body"]["data"]
    for key in ("name", "address_title", "address_type", "country", "phone", "email_id", "is_your_company_address"):
        assert created[key] == expected[key]
    link = created["links"][0]
    assert (link["link_doctype"], link["link_name"], link["link_title"]) == (
        "Customer",
        "Test Customer",
        "Test Customer",
    )
    assert (link["doctype"], link["parent"], link["parentfield"], link["__unsaved"]) == (
        "Dynamic Link",
        "Sample-Billing",
        "links",
        1,
    )


async def test_c2_18_dynamic_link_target_must_exist(api: Api) -> None:
    body = dict(sample(33)["request"]["body"], links=[{"link_doctype": "Customer", "link_name": "Ghost"}])
    response = await api.call("POST", "/api/resource/Address", body)
    assert response.status_code == 417
    assert texts(response.json()) == ["Could not find Row #1: Link Name: Ghost"]
    no_type = dict(body, links=[{"link_name": "Test Customer"}])
    missing = await api.call("POST", "/api/resource/Address", no_type)
    assert missing.status_code == 417


async def test_c2_18_contact_primary_fields(api: Api) -> None:
    real = sample(35)
    contact = await api.ok("POST", "/api/resource/Contact", real["request"]["body"])
    expected = real["body"]["data"]
    for key in ("full_name", "email_id", "mobile_no", "phone", "status", "image", "is_billing_contact"):
        assert contact[key] == expected[key], key
    assert [r["doctype"] for r in contact["phone_nos"]] == ["Contact Phone"]
    assert contact["phone_nos"][0]["is_primary_phone"] == 0


async def test_c2_18_territory_tree_defaults_and_leaf_rule(api: Api) -> None:
    child = await api.ok("POST", "/api/resource/Territory", {"territory_name": "Nasr City"})
    assert child["parent_territory"] == "All Territories"
    group = await api.ok("POST", "/api/resource/Territory", {"territory_name": "Cairo", "is_group": 1})
    await api.ok("PUT", "/api/resource/Territory/Nasr City", {"parent_territory": "Cairo"})
    refused = await api.call("PUT", "/api/resource/Territory/Cairo", {"is_group": 0})
    assert refused.status_code == 417
    assert texts(refused.json()) == ["Territory Cairo cannot be a leaf node as it has children"]
    root = api.sim.db.get("Territory", "All Territories")
    cairo = api.sim.db.get("Territory", "Cairo")
    nasr = api.sim.db.get("Territory", "Nasr City")
    assert root and cairo and nasr and group
    assert root["lft"] < cairo["lft"] < nasr["lft"] < nasr["rgt"] < cairo["rgt"] < root["rgt"]


async def test_c2_18_error_log_insert(api: Api) -> None:
    real = sample(44)
    created = await api.ok("POST", "/api/resource/Error Log", real["request"]["body"])
    assert len(created["name"]) == 10 and created["name"].isalnum()
    assert {k: created[k] for k in ("seen", "method", "error", "doctype")} == {
        k: real["body"]["data"][k] for k in ("seen", "method", "error", "doctype")
    }


async def test_c2_18_new_customer_with_contact_and_address_fields(api: Api) -> None:
    customer = await api.ok(
        "POST",
        "/api/resource/Customer",
        {
            "customer_name": "Ana Ruiz Lopez",
            "customer_type": "Individual",
            "email_id": "ana@example.com",
            "mobile_no": "+34 600 000 000",
            "address_line1": "Calle 1",
            "city": "Madrid",
            "country": "Spain",
        },
    )
    assert customer["customer_primary_contact"] == "Ana Ruiz Lopez-Ana Ruiz Lopez"
    assert customer["customer_primary_address"] == "Ana Ruiz Lopez-Billing"
    assert customer["email_id"] == "ana@example.com" and customer["mobile_no"] == "+34 600 000 000"
    assert "address_line1" not in customer  # not a Customer column
    contact = await api.ok("GET", "/api/resource/Contact/Ana Ruiz Lopez-Ana Ruiz Lopez")
    assert (contact["first_name"], contact["middle_name"], contact["last_name"]) == ("Ana", "Ruiz", "Lopez")
    assert contact["is_primary_contact"] == 1 and contact["email_id"] == "ana@example.com"
    address = await api.ok("GET", "/api/resource/Address/Ana Ruiz Lopez-Billing")
    assert (address["is_primary_address"], address["is_shipping_address"], address["country"]) == (1, 1, "Spain")
    stored = api.sim.db.get("Customer", "Ana Ruiz Lopez")
    assert stored is not None and stored["customer_primary_address"] == "Ana Ruiz Lopez-Billing"


async def test_c2_18_customer_address_needs_city_and_country(api: Api) -> None:
    response = await api.call("POST", "/api/resource/Customer", {"customer_name": "Half", "address_line1": "X"})
    assert response.status_code == 417
    assert texts(response.json()) == [
        "Following fields are mandatory to create address: <br><br> <ul><li>City</li>\n<li>Country</li></ul>"
    ]
    assert api.sim.db.get("Customer", "Half") is None


async def test_c2_05_amended_documents_are_numbered(api: Api) -> None:
    original = await api.invoice(docstatus=1)
    await api.ok("PUT", f"/api/resource/Sales Invoice/{original['name']}", {"docstatus": 2})
    first = await api.invoice(amended_from=original["name"])
    assert first["name"] == f"{original['name']}-1"
    await api.ok("PUT", f"/api/resource/Sales Invoice/{first['name']}", {"docstatus": 1})
    await api.ok("PUT", f"/api/resource/Sales Invoice/{first['name']}", {"docstatus": 2})
    second = await api.invoice(amended_from=first["name"])
    assert second["name"] == f"{original['name']}-2"


async def test_c2_18_deleting_a_customer_takes_its_own_contacts_and_addresses(api: Api) -> None:
    for name in ("Solo", "Pair"):
        await api.ok("POST", "/api/resource/Customer", {"customer_name": name})
    address = dict(sample(33)["request"]["body"], links=[{"link_doctype": "Customer", "link_name": "Solo"}])
    own = await api.ok("POST", "/api/resource/Address", address)
    shared = await api.ok(
        "POST",
        "/api/resource/Contact",
        {
            "first_name": "Both",
            "links": [
                {"link_doctype": "Customer", "link_name": "Solo"},
                {"link_doctype": "Customer", "link_name": "Pair"},
            ],
        },
    )
    assert (await api.call("DELETE", "/api/resource/Customer/Solo")).status_code == 202
    assert api.sim.db.get("Address", own["name"]) is None
    kept = api.sim.db.get("Contact", shared["name"])
    assert kept is not None and [r["link_name"] for r in kept["links"]] == ["Pair"]
    await api.ok(
        "POST", "/api/resource/Address", dict(address, links=[{"link_doctype": "Customer", "link_name": "Pair"}])
    )
    await api.invoice(customer="Pair")
    blocked = await api.call("DELETE", "/api/resource/Customer/Pair")
    assert blocked.status_code == 417 and blocked.json()["exc_type"] == "LinkExistsError"
    assert api.sim.db.get("Contact", shared["name"]) is not None  # the failed delete rolled back


async def test_c2_05_customer_naming_series_when_selling_settings_say_so(api: Api) -> None:
    settings = "/api/resource/Selling Settings/Selling Settings"
    await api.ok("PUT", settings, {"cust_master_name": "Naming Series", "customer_group": "Individual"})
    first = await api.ok("POST", "/api/resource/Customer", {"customer_name": "Test Customer"})
    second = await api.ok("POST", "/api/resource/Customer", {"customer_name": "Test Customer"})
    assert (first["name"], second["name"]) == ("CUST-2026-00001", "CUST-2026-00002")
    assert first["customer_group"] == "Individual"  # Selling Settings default now applies
    assert "_server_messages" not in (await api.call("POST", "/api/resource/Customer", {"customer_name": "x"})).json()


async def test_c2_18_customer_group_named_like_a_customer_is_refused(api: Api) -> None:
    response = await api.call("POST", "/api/resource/Customer Group", {"customer_group_name": "Test Customer"})
    assert response.status_code == 417
    assert texts(response.json()) == ["A customer with the same name already exists"]
    group = await api.ok("POST", "/api/resource/Customer Group", {"customer_group_name": "Wholesale"})
    assert group["parent_customer_group"] == "All Customer Groups"
