"""ERPNext error decoding against the responses a real ERPNext 15.92 gave (reference samples)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fixtures import ERPNEXT_SAMPLES
from woonext.erpnext import ErpError, ErpUncertain, decode_error, is_retryable, server_messages, strip_html

SAMPLES = ERPNEXT_SAMPLES

# file prefix → (exc_type, human message (exact or prefix…), kind)
EXPECTED: dict[str, tuple[str, str, str]] = {
    "06": (
        "DocstatusTransitionError",
        "Cannot change docstatus from 0 (Draft) to 2 (Cancelled)",
        "needs_review",
    ),
    "07": (
        "ValidationError",
        'Payment Method cannot be "cash". It should be one of "", "Cash", "Instapay", "Kashier Card", "Kashier Wallet"',
        "needs_review",
    ),
    "08": ("DoesNotExistError", "Item NO-SUCH-SKU not found", "needs_review"),
    "09": ("AttributeError", "'NoneType' object has no attribute 'payment_terms'", "needs_review"),
    "10": ("UniqueValidationError", "Probe Unique Key must be unique", "needs_review"),
    "11": (
        "NegativeStockError",
        "99902.0 units of Item Test Cake needed in Warehouse Jarz Main - JT on …",
        "needs_review",
    ),
    "12": ("ValidationError", "Account is required", "needs_review"),
    "19": ("ValidationError", "Due Date cannot be before Posting / Supplier Invoice Date", "needs_review"),
    "20": (
        "ValidationError",
        "A field with the name custom_payment_method already exists in Sales Invoice",
        "needs_review",
    ),
    "21": ("DoesNotExistError", "Sales Invoice NOPE-1 not found", "needs_review"),
    "22": (
        "PermissionError",
        "User Guest does not have doctype access via role permission for document Company…",
        "permanent",
    ),
    "23": (
        "AuthenticationError",
        "ERPNext rejected the API key/secret; check [erpnext] api_key and api_secret…",
        "permanent",
    ),
    "32": ("LinkValidationError", "Could not find Country: EG", "needs_review"),
    "34": ("InvalidPhoneNumberError", "call me maybe 0101234 is not a valid Phone Number", "needs_review"),
    "37": ("DuplicateEntryError", "Territory Giza Sample already exists", "needs_review"),
    "39": ("DataError", "Field not permitted in query: no_such_field", "needs_review"),
    "43": (
        "TimestampMismatchError",
        "Error: Document has been modified after you have opened it…",
        "retryable",
    ),
    "45": (
        "ValidationError",
        "Reference No and Reference Date is mandatory for Bank transaction",
        "needs_review",
    ),
    "46": (
        "ValidationError",
        "Row #1: Allocated Amount cannot be greater than outstanding amount.",
        "needs_review",
    ),
    "47": (
        "DocstatusTransitionError",
        "Cannot change docstatus from 0 (Draft) to 2 (Cancelled)",
        "needs_review",
    ),
    "48": ("PermissionError", "Not permitted…", "permanent"),
    "50": ("ValidationError", "Please set the document name", "needs_review"),
    "51": ("ValidationError", "DocType must be Submittable for the selected Doc Event", "needs_review"),
    "66": ("DuplicateEntryError", "Item Attribute Size already exists", "needs_review"),
    "71": ("MandatoryError", "Error: Value missing for Item: Item Group", "needs_review"),
    "73": ("DuplicateEntryError", "Item Test Cake already exists", "needs_review"),
    "76": ("ItemPriceDuplicateItem", "Item Price appears multiple times based on Price List…", "needs_review"),
    "86": ("DuplicateEntryError", "Account VAT 14% - JT already exists", "needs_review"),
    # gunicorn's HTML page, not Frappe: a query woonext should have split (issue: long request lines)
    "103": ("RequestLineTooLarge", "ERPNext's web server refused a request line of 4215 bytes…", "permanent"),
}


def _sample(prefix: str) -> dict[str, Any]:
    (path,) = SAMPLES.glob(f"{prefix}-*.json")
    return dict(json.loads(path.read_text()))


def _error_samples() -> list[str]:
    prefixes = []
    for path in sorted(SAMPLES.glob("*.json")):
        sample = json.loads(path.read_text())
        if "status" in sample and int(sample["status"]) >= 400:  # webhook deliveries have no status
            prefixes.append(path.name.split("-", 1)[0])
    return prefixes


def test_every_error_sample_has_an_expectation() -> None:
    assert sorted(_error_samples()) == sorted(EXPECTED)


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_real_error_samples_decode(prefix: str) -> None:
    sample = _sample(prefix)
    exc_type, message, kind = EXPECTED[prefix]
    error = decode_error(int(sample["status"]), sample["body"])
    assert error.status == int(sample["status"])
    assert error.exc_type == exc_type
    assert error.kind == kind
    if message.endswith("…"):
        assert error.message.startswith(message[:-1]), error.message
    else:
        assert error.message == message
    assert "<" not in error.message  # HTML stripped for humans
    assert is_retryable(error) == (kind == "retryable")


def test_raw_messages_keep_html_and_leading_space() -> None:
    negative = decode_error(417, _sample("11")["body"])
    assert negative.messages[0].startswith("<strong>99902.0</strong> units of <a href=")
    select = decode_error(417, _sample("07")["body"])
    assert select.messages == [
        ' Payment Method cannot be "cash". It should be one of "", "Cash", "Instapay", "Kashier Card", "Kashier Wallet"'
    ]


def test_messages_from_exception_when_no_server_messages() -> None:
    body = _sample("06")["body"]
    assert "_server_messages" not in body
    assert decode_error(417, body).messages == []


def test_several_server_messages_are_joined() -> None:
    inner = [
        json.dumps({"message": "Error: Value missing for Sales Invoice: Customer"}),
        json.dumps({"message": "Error: Data missing in table: <strong>Items</strong>"}),
    ]
    body = {"exc_type": "MandatoryError", "_server_messages": json.dumps(inner)}
    error = decode_error(417, body)
    assert error.messages[1] == "Error: Data missing in table: <strong>Items</strong>"
    assert error.message == ("Error: Value missing for Sales Invoice: Customer; Error: Data missing in table: Items")
    assert error.kind == "needs_review"


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (500, {"exc_type": "QueryDeadlockError"}, "retryable"),
        (500, {"exc_type": "QueryTimeoutError"}, "retryable"),
        (417, {"exc_type": "DocumentLockedError"}, "retryable"),
        (429, {"exc_type": "TooManyRequestsError"}, "retryable"),
        (502, {}, "retryable"),
        (503, {"exc_type": "InReadOnlyMode"}, "retryable"),
        (504, {}, "retryable"),
        (500, {"exc_type": "OperationalError", "exception": "(2013, 'Lost connection to MySQL server')"}, "retryable"),
        (500, {"exc_type": "KeyError"}, "needs_review"),
        (417, {"exc_type": "MandatoryError"}, "needs_review"),
        (417, {"exc_type": "LinkValidationError"}, "needs_review"),
        (400, {"exc_type": "InvalidAuthorizationToken"}, "permanent"),
        (401, {}, "permanent"),
    ],
)
def test_classification(status: int, body: dict[str, Any], kind: str) -> None:
    error = decode_error(status, body)
    assert error.kind == kind
    assert error.message  # never empty


def test_helpers() -> None:
    assert strip_html("<strong>a</strong>&amp; <a href='x'>b</a>\n c") == "a& b c"
    assert server_messages({"_server_messages": "not json"}) == ["not json"]
    assert server_messages({}) == []
    uncertain = ErpUncertain(0, "lost")
    assert uncertain.kind == "uncertain" and is_retryable(uncertain)
    assert not is_retryable(ValueError("x"))
    assert isinstance(uncertain, ErpError)


@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=4))
def test_double_encoded_messages_round_trip(messages: list[str]) -> None:
    # Exactly how Frappe builds `_server_messages`: a JSON list of JSON-encoded message objects.
    body = {
        "exc_type": "ValidationError",
        "_server_messages": json.dumps([json.dumps({"message": m, "title": "Message"}) for m in messages]),
    }
    error = decode_error(417, body)
    assert error.messages == messages
    assert error.kind == "needs_review"
