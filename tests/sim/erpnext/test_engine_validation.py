"""C2.9: validation driven by the v15 schema, with Frappe's exact messages."""

from __future__ import annotations

import json

from test_engine_support import Api, custom_field, sample, server_messages, texts

PAYMENT_METHODS = "\nCash\nInstapay\nKashier Card\nKashier Wallet"


async def test_c2_09_select_message_has_leading_space_and_quoted_options(api: Api) -> None:
    await custom_field(
        api,
        dt="Sales Invoice",
        fieldname="custom_payment_method",
        label="Payment Method",
        fieldtype="Select",
        options=PAYMENT_METHODS,
    )
    real = sample(7)
    response = await api.call("POST", "/api/resource/Sales Invoice", real["request"]["body"])
    assert response.status_code == 417
    body = response.json()
    assert body["exc_type"] == "ValidationError"
    assert body["exception"] == real["body"]["exception"]
    expected = [json.loads(m) for m in json.loads(real["body"]["_server_messages"])]
    got = server_messages(body)
    assert [{k: v for k, v in m.items() if k != "__frappe_exc_id"} for m in got] == [
        {k: v for k, v in m.items() if k != "__frappe_exc_id"} for m in expected
    ]
    ok = await api.invoice(custom_payment_method=" Cash ")
    assert ok["custom_payment_method"] == "Cash"  # stripped, compared case-sensitively


async def test_c2_09_select_in_child_rows_has_row_prefix(api: Api) -> None:
    body = dict(sample(33)["request"]["body"], address_type="Home")
    response = await api.call("POST", "/api/resource/Address", body)
    assert texts(response.json())[0].startswith(' Address Type cannot be "Home". It should be one of "Billing", ')
    contact = {
        "first_name": "Row",
        "phone_nos": [{"phone": "1", "is_primary_phone": 1}],
        "links": [{"link_doctype": "Customer", "link_name": "Test Customer"}],
        "status": "Gone",
    }
    refused = await api.call("POST", "/api/resource/Contact", contact)
    assert texts(refused.json())[0].startswith(' Status cannot be "Gone"')


async def test_c2_09_mandatory_one_message_per_field(api: Api) -> None:
    response = await api.call("POST", "/api/resource/Address", {"address_title": "Nowhere", "address_type": "Billing"})
    assert response.status_code == 417
    body = response.json()
    assert body["exc_type"] == "MandatoryError"
    assert server_messages(body) == [
        {"message": "Error: Value missing for Address: Address Line 1", "title": "Message"},
        {"message": "Error: Value missing for Address: City/Town", "title": "Message"},
        {"message": "Error: Value missing for Address: Country", "title": "Message"},
    ]
    assert body["exception"] == (
        "frappe.exceptions.MandatoryError: [Address, Nowhere-Billing]: address_line1, city, country"
    )


async def test_c2_09_mandatory_in_child_rows(api: Api) -> None:
    response = await api.call(
        "POST",
        "/api/resource/Contact",
        {
            "first_name": "Rowless",
            "phone_nos": [{"is_primary_phone": 1}],
        },
    )
    assert response.status_code == 417
    assert texts(response.json()) == ["Error: <strong>Contact Phone</strong> Row #1: Value missing for: Number"]


async def test_c2_09_link_existence_header_and_rows(api: Api) -> None:
    header = await api.call("POST", "/api/resource/Customer", {"customer_name": "L", "territory": "Atlantis"})
    assert header.status_code == 417
    assert header.json()["exc_type"] == "LinkValidationError"
    assert texts(header.json()) == ["Could not find Territory: Atlantis"]
    rows = await api.call(
        "POST",
        "/api/resource/Mode of Payment",
        {
            "mode_of_payment": "Wallet",
            "type": "Cash",
            "accounts": [
                {"company": "Jarz Test", "default_account": "Nope - JT"},
                {"company": "Other Co", "default_account": "Cash - JT"},
            ],
        },
    )
    assert texts(rows.json()) == ["Could not find Row #1: Default Account: Nope - JT, Row #2: Company: Other Co"]


async def test_c2_09_link_keeps_the_stored_spelling(api: Api) -> None:
    customer = await api.ok("POST", "/api/resource/Customer", {"customer_name": "Case", "territory": "egypt"})
    assert customer["territory"] == "Egypt"


async def test_c2_09_data_length_140(api: Api) -> None:
    long_name = "x" * 141
    response = await api.call("POST", "/api/resource/Customer", {"customer_name": "Short", "tax_id": long_name})
    assert response.status_code == 417
    assert response.json()["exc_type"] == "CharacterLengthExceededError"
    [message] = server_messages(response.json())
    assert message["title"] == "Value too big"
    assert message["message"] == (
        f"Customer Short: '<strong>Tax ID</strong>' ({long_name}) will get truncated, as max characters allowed is 140"
    )
    assert (await api.call("POST", "/api/resource/Customer", {"customer_name": "Ok", "tax_id": "x" * 140})).is_success


async def test_c2_09_phone_and_email(api: Api) -> None:
    real = sample(34)
    response = await api.call("POST", "/api/resource/Address", real["request"]["body"])
    assert response.status_code == 417
    body = response.json()
    assert body["exc_type"] == "InvalidPhoneNumberError"
    assert body["exception"] == real["body"]["exception"]
    assert texts(body) == ["call me maybe 0101234 is not a valid Phone Number"]
    too_long = dict(real["request"]["body"], phone="+20 10 1234 5678 9012")  # 21 characters
    assert texts((await api.call("POST", "/api/resource/Address", too_long)).json()) == [
        "+20 10 1234 5678 9012 is not a valid Phone Number"
    ]
    bad_mail = dict(real["request"]["body"], phone="0101234", email_id="not-an-email")
    mail = await api.call("POST", "/api/resource/Address", bad_mail)
    assert mail.json()["exc_type"] == "InvalidEmailAddressError"
    assert texts(mail.json()) == ["not-an-email is not a valid Email Address"]


async def test_c2_09_non_negative(api: Api) -> None:
    response = await api.call(
        "POST",
        "/api/resource/Item",
        {
            "item_code": "Neg",
            "item_group": "Products",
            "stock_uom": "Nos",
            "safety_stock": -1,
        },
    )
    assert response.status_code == 417
    assert response.json()["exc_type"] == "NonNegativeError"
    assert texts(response.json()) == ["Value cannot be negative for Item: <strong>Safety Stock</strong>"]


async def test_c2_09_set_only_once(api: Api) -> None:
    response = await api.call("PUT", "/api/resource/Customer/Test Customer", {"naming_series": "X-.####"})
    assert response.status_code == 417
    assert response.json()["exc_type"] == "CannotChangeConstantError"
    assert texts(response.json()) == ["Value cannot be changed for <strong>Series</strong>"]
