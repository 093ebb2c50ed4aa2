"""C2.1–C2.3 and C2.8: routes, authentication, parameters, envelopes and error rendering."""

from __future__ import annotations

import base64
import json

import httpx
from test_engine_support import Api, make_api, sample, server_messages, texts

from woonext.sim.erpnext import ErpSimConfig


async def test_c2_01_routes_v1_alias_and_url_encoded_doctype(api: Api) -> None:
    plain = await api.call("GET", "/api/resource/Sales%20Invoice", params={"limit_page_length": 0})
    aliased = await api.call("GET", "/api/v1/resource/Sales Invoice", params={"limit_page_length": 0})
    assert plain.status_code == aliased.status_code == 200
    assert plain.json() == aliased.json() == {"data": []}
    method = await api.call("GET", "/api/v1/method/frappe.client.get_count", params={"doctype": "Customer"})
    assert method.json() == {"message": 1}
    one = await api.call("GET", "/api/resource/Customer/Test%20Customer")
    assert one.json()["data"]["name"] == "Test Customer"


async def test_c2_02_token_basic_and_session_auth(api: Api) -> None:
    key, secret = api.headers["Authorization"].split(" ")[1].split(":")
    basic = base64.b64encode(f"{key}:{secret}".encode()).decode()
    ok = await api.call("GET", "/api/resource/Company", headers={"Authorization": f"Basic {basic}"})
    assert ok.status_code == 200 and ok.json() == {"data": [{"name": "Jarz Test"}]}

    login = await api.call("POST", "/api/method/login", {"usr": "Administrator", "pwd": "admin"}, headers={})
    assert login.status_code == 200
    assert login.json() == {"message": "Logged In", "home_page": "/app", "full_name": "Administrator"}
    assert api.client.cookies.get("sid") == login.cookies["sid"]  # the client keeps the session cookie
    by_cookie = await api.client.get("/api/resource/Company")
    assert by_cookie.status_code == 200
    await api.client.post("/api/method/logout")
    after = await api.client.get("/api/resource/Company")
    assert after.status_code == 403

    bad_login = await api.call("POST", "/api/method/login", {"usr": "Administrator", "pwd": "nope"}, headers={})
    assert bad_login.status_code == 401
    assert bad_login.json()["message"] == "Invalid login credentials"


async def test_c2_02_wrong_secret_is_401_without_message(api: Api) -> None:
    real = sample(23)
    key = api.headers["Authorization"].split(" ")[1].split(":")[0]
    response = await api.call("GET", "/api/resource/Company", headers={"Authorization": f"token {key}:wrong-secret"})
    assert response.status_code == real["status"] == 401
    body = response.json()
    assert body["exc_type"] == real["body"]["exc_type"] == "AuthenticationError"
    assert body["exception"] == real["body"]["exception"]
    assert "_server_messages" not in body


async def test_c2_02_guest_is_403_with_error_message(api: Api) -> None:
    real = sample(22)
    response = await api.call("GET", "/api/resource/Company", headers={})
    assert response.status_code == real["status"] == 403
    body = response.json()
    assert body["exc_type"] == "PermissionError"
    assert body["_error_message"] == real["body"]["_error_message"]
    assert server_messages(body) == [json.loads(m) for m in json.loads(real["body"]["_server_messages"])]


async def test_c2_02_malformed_headers(api: Api) -> None:
    two_parts_no_colon = await api.call("GET", "/api/resource/Company", headers={"Authorization": "token abc"})
    assert two_parts_no_colon.status_code == 401
    unknown_scheme = await api.call("GET", "/api/resource/Company", headers={"Authorization": "Weird a:b"})
    assert unknown_scheme.status_code == 401
    bad_base64 = await api.call("GET", "/api/resource/Company", headers={"Authorization": "Basic abc"})
    assert bad_base64.status_code == 400
    assert bad_base64.json()["exc_type"] == "InvalidAuthorizationToken"
    assert texts(bad_base64.json()) == ["Failed to decode token, please provide a valid base64-encoded token."]
    one_part = await api.call("GET", "/api/resource/Company", headers={"Authorization": "token"})
    assert one_part.status_code == 403  # not two parts: nobody authenticated, so Guest


async def test_c2_03_json_body_replaces_query_string(api: Api) -> None:
    response = await api.client.post(
        "/api/method/frappe.client.get_count?doctype=Company",
        content=json.dumps({"doctype": "Customer"}),
        headers={**api.headers, "Content-Type": "application/json"},
    )
    assert response.json() == {"message": 1}
    form = await api.client.post(
        "/api/method/frappe.client.get_count?doctype=Country",
        data={"filters": '{"code": "eg"}'},
        headers=api.headers,
    )
    assert form.json() == {"message": 1}


async def test_c2_03_envelopes_nulls_dates_numbers(api: Api) -> None:
    created = await api.call("POST", "/api/resource/Customer", {"customer_name": "Envelope Co"})
    body = created.json()["data"]
    assert created.status_code == 200
    assert body["creation"] == "2026-11-25 06:22:26.010000"  # site time zone (Cairo), microseconds
    assert "customer_group" not in body and "territory" not in body  # nulls omitted on Document responses
    assert body["default_commission_rate"] == 0.0 and isinstance(body["default_commission_rate"], float)
    assert body["docstatus"] == 0 and body["idx"] == 0 and body["doctype"] == "Customer"
    with_nulls = await api.ok("POST", "/api/method/frappe.client.get", {"doctype": "Customer", "name": "Envelope Co"})
    assert "customer_group" in with_nulls and with_nulls["customer_group"] is None  # as_dict keeps nulls
    deleted = await api.call("DELETE", "/api/resource/Customer/Envelope Co")
    assert deleted.status_code == 202 and deleted.json() == {"data": "ok"}
    empty = await api.call("POST", "/api/method/frappe.client.delete", {"doctype": "Customer", "name": "Test Customer"})
    assert empty.status_code == 200 and empty.json() == {}


async def test_c2_08_not_found_has_no_traceback_keys(api: Api) -> None:
    real = sample(21)
    response = await api.call("GET", "/api/resource/Sales Invoice/NOPE-1")
    assert response.status_code == 404
    body = response.json()
    assert set(body) == set(real["body"]) == {"exc_type", "_server_messages"}
    assert texts(body) == ["Sales Invoice NOPE-1 not found"]
    message = server_messages(body)[0]
    assert message["indicator"] == "red" and message["raise_exception"] == 1 and len(message["__frappe_exc_id"]) == 56


async def test_c2_08_tracebacks_can_be_switched_off() -> None:
    sim, key, secret = await make_api(ErpSimConfig(allow_error_traceback=False))
    transport = httpx.ASGITransport(app=sim.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://erp.test") as client:
        response = await client.put(
            "/api/resource/Customer/Test Customer",
            json={"customer_type": "individual"},
            headers={"Authorization": f"token {key}:{secret}"},
        )
    body = response.json()
    assert response.status_code == 417
    assert "exception" not in body and "exc" not in body
    assert body["exc_type"] == "ValidationError"
    assert texts(body) == [
        ' Customer Type cannot be "individual". It should be one of "Company", "Individual", "Partnership"'
    ]


async def test_c2_08_traceback_keys_when_allowed(api: Api) -> None:
    response = await api.call("PUT", "/api/resource/Customer/Test Customer", {"customer_type": "individual"})
    body = response.json()
    assert body["exception"].startswith("frappe.exceptions.ValidationError:  Customer Type cannot be")
    trace = json.loads(body["exc"])
    assert isinstance(trace, list) and trace[0].startswith("Traceback (most recent call last):")


async def test_c2_04_get_on_post_only_method_is_403(api: Api) -> None:
    real = sample(48)
    response = await api.call("GET", "/api/method/frappe.client.insert", params=real["request"]["params"])
    assert response.status_code == 403
    body = response.json()
    assert body["exception"] == real["body"]["exception"] == "frappe.exceptions.PermissionError: Not permitted"
    assert texts(body) == ["Not permitted"]
    assert await api.ok("GET", "/api/method/frappe.client.get_count", params={"doctype": "Territory"}) == 2


async def test_c2_04_guest_and_unknown_methods(api: Api) -> None:
    guest = await api.call("GET", "/api/method/frappe.client.get_count", params={"doctype": "Customer"}, headers={})
    assert guest.status_code == 403
    assert server_messages(guest.json())[0]["title"] == "Method Not Allowed"
    assert (await api.call("GET", "/api/method/frappe.ping", headers={})).json() == {"message": "pong"}
    unknown = await api.call("POST", "/api/method/no.such.module.fn")
    assert unknown.status_code == 417
    assert texts(unknown.json()) == [
        "Failed to get method for command no.such.module.fn with No module named 'no.such.module'"
    ]


async def test_c2_08_version_switch_v14_and_v16() -> None:
    for version, check in ((14, "v14"), (16, "v16")):
        sim, key, secret = await make_api(ErpSimConfig(frappe_version=version))
        headers = {"Authorization": f"token {key}:{secret}"}
        transport = httpx.ASGITransport(app=sim.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://erp.test") as client:
            bad = await client.put("/api/resource/Customer/Test Customer", json={"customer_type": "x"}, headers=headers)
            await client.post("/api/resource/Territory", json={"territory_name": "Gone"}, headers=headers)
            deleted = await client.delete("/api/resource/Territory/Gone", headers=headers)
        raw = json.loads(bad.json()["_server_messages"])[0]
        if check == "v14":
            assert "exc_type" not in bad.json()
            assert deleted.status_code == 202 and deleted.json() == {"message": "ok"}
            assert raw.startswith('{"message": ')
        else:
            assert bad.json()["exc_type"] == "ValidationError"
            assert deleted.json() == {"data": "ok"}
            assert raw.startswith('{"message":"')


async def test_c2_02_disabled_user_is_401(api: Api) -> None:
    api.sim.users.users["Administrator"].enabled = False
    response = await api.call("GET", "/api/resource/Company")
    assert response.status_code == 401 and response.json()["exc_type"] == "AuthenticationError"


async def test_c2_03_form_encoded_documents(api: Api) -> None:
    as_data = await api.client.post(
        "/api/resource/Territory", data={"data": json.dumps({"territory_name": "Form Data"})}, headers=api.headers
    )
    assert as_data.status_code == 200 and as_data.json()["data"]["name"] == "Form Data"
    as_fields = await api.client.post(
        "/api/resource/Territory", data={"territory_name": "Form Fields"}, headers=api.headers
    )
    assert as_fields.status_code == 200 and as_fields.json()["data"]["name"] == "Form Fields"
    broken = await api.client.post(
        "/api/resource/Territory", content=b"{not json", headers={**api.headers, "Content-Type": "application/json"}
    )
    assert broken.status_code == 500 and broken.json()["exc_type"] == "JSONDecodeError"
    assert broken.json()["exception"].startswith("json.decoder.JSONDecodeError: ")
