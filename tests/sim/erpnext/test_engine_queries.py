"""C2.4: list queries and the frappe.client methods."""

from __future__ import annotations

import json

from test_engine_support import Api, sample, texts


async def _customers(api: Api, *names: str) -> None:
    for name in names:
        await api.ok("POST", "/api/resource/Customer", {"customer_name": name, "customer_type": "Individual"})


async def test_c2_04_list_fields_filters_order_paging(api: Api) -> None:
    await _customers(api, "Alpha", "Bravo", "Charlie", "Delta")
    default = await api.ok("GET", "/api/resource/Customer")
    # default order: modified desc; default fields: name
    assert default == [{"name": n} for n in ("Delta", "Charlie", "Bravo", "Alpha", "Test Customer")]
    page = await api.ok(
        "GET",
        "/api/resource/Customer",
        params={
            "fields": json.dumps(["name", "customer_type"]),
            "filters": json.dumps([["customer_type", "=", "Individual"], ["name", "like", "%a%"]]),
            "order_by": "name asc",
            "limit_start": 1,
            "limit_page_length": 2,
        },
    )
    assert page == [
        {"name": "Bravo", "customer_type": "Individual"},
        {"name": "Charlie", "customer_type": "Individual"},
    ]
    as_lists = await api.ok(
        "GET",
        "/api/resource/Customer",
        params={"fields": '["name"]', "filters": '{"name": ["in", ["Alpha", "Delta"]]}', "as_dict": 0},
    )
    assert sorted(as_lists) == [["Alpha"], ["Delta"]]
    either = await api.ok(
        "GET",
        "/api/resource/Customer",
        params={"or_filters": '[["name", "=", "Alpha"], ["name", "=", "Bravo"]]', "order_by": "name desc"},
    )
    assert either == [{"name": "Bravo"}, {"name": "Alpha"}]


async def test_c2_04_limit_defaults_to_20_and_zero_means_all(api: Api) -> None:
    await _customers(api, *[f"Bulk {i:02d}" for i in range(25)])
    assert len(await api.ok("GET", "/api/resource/Customer")) == 20
    assert len(await api.ok("GET", "/api/resource/Customer", params={"limit_page_length": 0})) == 26
    assert len(await api.ok("GET", "/api/resource/Customer", params={"limit": 5})) == 5


async def test_c2_04_filters_on_numbers_sets_and_dates(api: Api) -> None:
    await api.ok(
        "POST",
        "/api/resource/Currency Exchange",
        {
            "date": "2026-11-20",
            "from_currency": "USD",
            "to_currency": "EGP",
            "exchange_rate": 48.5,
        },
    )
    await api.ok(
        "POST",
        "/api/resource/Currency Exchange",
        {
            "date": "2026-11-24",
            "from_currency": "EUR",
            "to_currency": "EGP",
            "exchange_rate": 52.25,
        },
    )
    above = await api.ok(
        "GET",
        "/api/resource/Currency Exchange",
        params={
            "fields": '["from_currency", "exchange_rate"]',
            "filters": '{"exchange_rate": [">", 50]}',
        },
    )
    assert above == [{"from_currency": "EUR", "exchange_rate": 52.25}]
    between = await api.ok(
        "GET",
        "/api/resource/Currency Exchange",
        params={
            "fields": '["name"]',
            "filters": '[["date", "between", ["2026-11-19", "2026-11-21"]]]',
        },
    )
    assert between == [{"name": "2026-11-20-USD-EGP"}]
    unset = await api.ok("GET", "/api/resource/Customer", params={"filters": '[["territory", "is", "not set"]]'})
    assert unset == [{"name": "Test Customer"}]


async def test_c2_04_unknown_field_is_417_data_error(api: Api) -> None:
    real = sample(39)
    response = await api.call("GET", "/api/resource/Sales Invoice", params=real["request"]["params"])
    assert response.status_code == real["status"] == 417
    body = response.json()
    assert body["exc_type"] == "DataError"
    assert body["exception"] == real["body"]["exception"]
    assert texts(body) == ["Field not permitted in query: no_such_field"]
    in_filter = await api.call("GET", "/api/resource/Customer", params={"filters": '{"nope": 1}'})
    assert texts(in_filter.json()) == ["Field not permitted in query: nope"]


async def test_c2_04_get_count_and_get_value(api: Api) -> None:
    await _customers(api, "Counted")
    count = await api.call(
        "GET",
        "/api/method/frappe.client.get_count",
        params={
            "doctype": "Customer",
            "filters": json.dumps({"customer_type": "Individual"}),
        },
    )
    assert count.json() == {"message": 2}
    real = sample(41)
    value = await api.call("GET", "/api/method/frappe.client.get_value", params=real["request"]["params"])
    assert value.json() == real["body"]
    missing = sample(42)
    nothing = await api.call("GET", "/api/method/frappe.client.get_value", params=missing["request"]["params"])
    assert nothing.status_code == 200 and nothing.json() == missing["body"] == {"message": {}}
    scalar = await api.call(
        "GET",
        "/api/method/frappe.client.get_value",
        params={
            "doctype": "Company",
            "filters": "Jarz Test",
            "fieldname": "abbr",
            "as_dict": 0,
        },
    )
    assert scalar.json() == {"message": "JT"}


async def test_c2_04_get_set_value_insert_many(api: Api) -> None:
    doc = await api.ok("GET", "/api/method/frappe.client.get", params={"doctype": "Customer", "name": "Test Customer"})
    assert doc["customer_name"] == "Test Customer" and doc["territory"] is None
    saved = await api.ok(
        "POST",
        "/api/method/frappe.client.set_value",
        {
            "doctype": "Customer",
            "name": "Test Customer",
            "fieldname": "territory",
            "value": "Egypt",
        },
    )
    assert saved["territory"] == "Egypt" and saved["modified"] > doc["modified"]
    names = await api.ok(
        "POST",
        "/api/method/frappe.client.insert_many",
        {
            "docs": [
                {"doctype": "Territory", "territory_name": "Cairo"},
                {"doctype": "Territory", "territory_name": "Giza"},
            ]
        },
    )
    assert names == ["Cairo", "Giza"]
    too_many = await api.call(
        "POST",
        "/api/method/frappe.client.insert_many",
        {
            "docs": [{"doctype": "Territory", "territory_name": f"T{i}"} for i in range(201)],
        },
    )
    assert too_many.status_code == 417
    assert texts(too_many.json()) == ["Only 200 inserts allowed in one request"]


async def test_c2_04_insert_many_is_all_or_nothing(api: Api) -> None:
    response = await api.call(
        "POST",
        "/api/method/frappe.client.insert_many",
        {
            "docs": [
                {"doctype": "Territory", "territory_name": "Alexandria"},
                {"doctype": "Territory", "territory_name": "Egypt"},  # exists: 409
            ]
        },
    )
    assert response.status_code == 409 and response.json()["exc_type"] == "DuplicateEntryError"
    assert api.sim.db.get("Territory", "Alexandria") is None


async def test_c2_04_submit_needs_the_full_current_document(api: Api) -> None:
    draft = await api.invoice()
    stale = dict(draft, modified="2020-01-01 00:00:00.000000")
    refused = await api.call("POST", "/api/method/frappe.client.submit", {"doc": stale})
    assert refused.status_code == 417 and refused.json()["exc_type"] == "TimestampMismatchError"
    without = {k: v for k, v in draft.items() if k != "modified"}
    assert (await api.call("POST", "/api/method/frappe.client.submit", {"doc": without})).status_code == 417
    submitted = await api.ok("POST", "/api/method/frappe.client.submit", {"doc": draft})
    assert submitted["docstatus"] == 1


async def test_c2_04_run_doc_method_and_run_method(api: Api) -> None:
    one = await api.invoice()
    response = await api.call(
        "POST",
        "/api/method/run_doc_method",
        {
            "dt": "Sales Invoice",
            "dn": one["name"],
            "method": "submit",
        },
    )
    assert response.status_code == 200
    assert response.json()["docs"][0]["docstatus"] == 1 and "message" not in response.json()
    two = await api.invoice()
    via_resource = await api.ok("POST", f"/api/resource/Sales Invoice/{two['name']}", {"run_method": "submit"})
    assert via_resource["docstatus"] == 1
    cancelled = await api.ok(
        "POST", "/api/method/frappe.client.cancel", {"doctype": "Sales Invoice", "name": two["name"]}
    )
    assert cancelled["docstatus"] == 2


async def test_c2_04_child_fields_and_child_doctype_lists(api: Api) -> None:
    one = await api.invoice()
    two = await api.invoice(
        items=[{"item_code": "Shipping", "qty": 1, "rate": 30}, {"item_code": "Test Cake", "qty": 1, "rate": 5}]
    )
    joined = await api.ok(
        "GET",
        "/api/resource/Sales Invoice",
        params={
            "fields": json.dumps(["name", "`tabSales Invoice Item`.item_code"]),
            "filters": json.dumps([["Sales Invoice Item", "item_code", "=", "Shipping"]]),
        },
    )
    assert sorted((r["name"], r["item_code"]) for r in joined) == [
        (two["name"], "Shipping"),
        (two["name"], "Test Cake"),
    ]
    rows = await api.ok(
        "GET",
        "/api/method/frappe.client.get_list",
        params={
            "doctype": "Sales Invoice Item",
            "parent": "Sales Invoice",
            "fields": '["parent", "item_code", "qty"]',
            "filters": json.dumps({"item_code": "Test Cake"}),
            "order_by": "qty desc",
        },
    )
    assert sorted((r["parent"], r["qty"]) for r in rows) == [(one["name"], 2.0), (two["name"], 1.0)]
    no_parent = await api.call("GET", "/api/method/frappe.client.get_list", params={"doctype": "Sales Invoice Item"})
    assert no_parent.status_code == 417


async def test_c2_04_sample_list_and_count_requests(api: Api) -> None:
    big = await api.invoice(
        items=[{"item_code": "Shipping", "qty": 1, "rate": 300}], docstatus=1, disable_rounded_total=1
    )
    await api.invoice(items=[{"item_code": "Shipping", "qty": 1, "rate": 50}], docstatus=1)
    draft = await api.invoice(items=[{"item_code": "Shipping", "qty": 1, "rate": 500}])
    second_big = await api.invoice(items=[{"item_code": "Shipping", "qty": 1, "rate": 150}], docstatus=1)
    await api.invoice(items=[{"item_code": "Shipping", "qty": 1, "rate": 400}], docstatus=1)
    real = sample(38)
    listed = await api.call("GET", "/api/resource/Sales Invoice", params=real["request"]["params"])
    rows = listed.json()["data"]
    assert [list(r) for r in rows] == [list(r) for r in real["body"]["data"]]  # same keys, same order
    assert [(r["name"], r["grand_total"]) for r in rows] == [(big["name"], 300.0), (second_big["name"], 150.0)]
    assert draft["name"] not in {r["name"] for r in rows}
    counted = await api.call("GET", "/api/method/frappe.client.get_count", params=sample(40)["request"]["params"])
    assert counted.json() == {"message": 4}


async def test_c2_04_group_by_with_counts_and_star_fields(api: Api) -> None:
    await _customers(api, "G1", "G2")
    await api.ok("POST", "/api/resource/Customer", {"customer_name": "G3", "customer_type": "Company"})
    grouped = await api.ok(
        "GET",
        "/api/resource/Customer",
        params={
            "fields": '["customer_type", "count(name) as total"]',
            "group_by": "customer_type",
            "order_by": "customer_type asc",
        },
    )
    assert grouped == [{"customer_type": "Company", "total": 1}, {"customer_type": "Individual", "total": 3}]
    total = await api.ok("GET", "/api/resource/Customer", params={"fields": '["count(name) as n"]'})
    assert total == [{"n": 4}]
    star = await api.ok("GET", "/api/resource/Territory", params={"fields": '["*"]', "filters": '{"name": "Egypt"}'})
    assert list(star[0])[:7] == ["name", "owner", "creation", "modified", "modified_by", "docstatus", "idx"]
    assert star[0]["parent_territory"] == "All Territories"


async def test_c2_04_tree_operators_and_unknown_operators(api: Api) -> None:
    await api.ok("POST", "/api/resource/Territory", {"territory_name": "Cairo", "parent_territory": "Egypt"})
    await api.ok("PUT", "/api/resource/Territory/Egypt", {"is_group": 1})
    await api.ok("PUT", "/api/resource/Customer/Test Customer", {"territory": "Cairo"})
    await _customers(api, "Elsewhere")
    inside = await api.ok(
        "GET", "/api/resource/Customer", params={"filters": '[["territory", "descendants of", "Egypt"]]'}
    )
    assert inside == [{"name": "Test Customer"}]
    above = await api.ok(
        "GET",
        "/api/resource/Territory",
        params={"filters": '[["name", "ancestors of", "Cairo"]]', "order_by": "lft asc"},
    )
    assert above == [{"name": "All Territories"}, {"name": "Egypt"}]
    bad = await api.call("GET", "/api/resource/Customer", params={"filters": '[["name", "~", "x"]]'})
    assert bad.status_code == 417
