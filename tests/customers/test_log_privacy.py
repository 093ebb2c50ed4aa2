"""Personal data never reaches a log line: a real sync of real orders (and of orders with invalid
contact details, which are logged), with the log captured as an operator would have it (INFO, JSON),
holds none of the orders' e-mail addresses or phone numbers, as typed or normalised."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.customers.party_world import order_like, ready_world
from tests.sync.world import real_orders
from woonext.log_privacy import PersonalDataMasker
from woonext.logging import configure_logging, get_logger
from woonext.mapping.identity import erpnext_phone, normalise_email
from woonext.sync.live import sync_orders_once


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging(json=True, level="INFO", stream=stream)
    yield stream
    configure_logging(json=True, stream=io.StringIO())  # detach from the test's stream


def personal_values(orders: list[dict[str, Any]]) -> set[str]:
    values: set[str] = set()
    for order in orders:
        for part in ("billing", "shipping"):
            address = order.get(part) or {}
            for raw in (address.get("email"), address.get("phone")):
                if raw and str(raw).strip():
                    values.add(str(raw).strip())
        email = (order.get("billing") or {}).get("email")
        if email and normalise_email(email):
            values.add(normalise_email(email))
        for part in ("billing", "shipping"):
            phone, _ = erpnext_phone(str((order.get(part) or {}).get("phone") or ""), "EG")
            if phone:
                values.add(phone)
    return values


async def test_a_real_sync_logs_no_email_or_phone_of_its_orders(tmp_path: Path, captured: io.StringIO) -> None:
    orders = [
        *real_orders(),
        order_like(550, email="mona@@example", phone="call me maybe 0101234"),
        order_like(551, email="hany@example.test", phone="0101234567 ext 0123456789 (office)"),
        order_like(552, email="Sara.Adel@Example.TEST", phone="+20 10 1234 5678"),
    ]
    world = await ready_world(tmp_path, orders)
    ctx = world.context()
    report = await sync_orders_once(ctx, now=datetime(2026, 11, 25, 5, 0))
    await ctx.aclose()
    assert report.created >= 4
    log = captured.getvalue()
    lines = [json.loads(line) for line in log.splitlines()]
    leaked = sorted(value for value in personal_values(orders) if value.lower() in log.lower())
    assert leaked == []
    assert any(line["event"] == "customer_details_invalid" for line in lines)  # lines about people were logged
    assert "<email h=" in log and "<phone h=" in log  # … with their details as tags


def test_one_address_has_one_tag_and_numbers_that_are_not_phones_stay() -> None:
    masker = PersonalDataMasker(b"fixed key")
    first = masker.mask_text("identity email:mona@example.test bound to CUST-0001")
    again = masker.mask_text("Duplicate entry 'Mona@Example.test' for key 'email_id'")
    assert first.split("email:")[1].split()[0] in again and "mona" not in (first + again).lower()
    kept = "ACC-SINV-2026-00001 at 2026-11-25T05:00:00.123456Z, total 12345678.90, host 192.168.10.200, order 155"
    assert masker.mask_text(kept) == kept
    assert masker.mask({"order_id": 1234567890, "phones": ["+201001234567"], "billing_email": "a@b.co"}) == {
        "order_id": 1234567890,
        "phones": [masker.tag("phone", "+201001234567")],
        "billing_email": masker.tag("email", "a@b.co"),
    }


def test_the_processor_covers_standard_library_records_and_exceptions(captured: io.StringIO) -> None:
    import logging

    logging.getLogger("some.library").warning("contact %s failed", "+20 100 123 4567")
    try:
        raise ValueError("no Contact for hany@example.test")
    except ValueError:
        get_logger("test").exception("failed")
    log = captured.getvalue()
    assert "123 4567" not in log and "hany@example.test" not in log
    assert "<phone h=" in log and "<email h=" in log and "test_log_privacy.py" in log  # the traceback stays useful
