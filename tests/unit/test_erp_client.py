from __future__ import annotations

import httpx
import pytest
from starlette.responses import JSONResponse, Response

from woonext.erpnext import ErpClient, ErpError, ErpUncertain

from .conftest import SleepRecorder
from .erp_server import FakeErp, LoseResponse, frappe_error

KEY, SECRET = "erp-key-abc", "erp-secret-xyz-123"
URL = "http://erp.test"


@pytest.fixture
def fake() -> FakeErp:
    return FakeErp(KEY, SECRET)


def client(fake: FakeErp, sleeps: SleepRecorder, transport: httpx.AsyncBaseTransport | None = None) -> ErpClient:
    return ErpClient(URL, KEY, SECRET, transport=transport or httpx.ASGITransport(app=fake.app), sleep=sleeps)


async def test_document_round_trip(fake: FakeErp, sleeps: SleepRecorder) -> None:
    async with client(fake, sleeps) as erp:
        doc = await erp.insert("Sales Invoice", {"customer": "Mona", "woo_order_id": "main-1"})
        assert doc["name"] == "SINV-00001"
        assert (await erp.get_doc("Sales Invoice", "SINV-00001"))["customer"] == "Mona"  # type: ignore[index]
        assert await erp.get_doc("Sales Invoice", "NOPE") is None
        rows = await erp.get_list("Sales Invoice", filters={"woo_order_id": "main-1"}, fields=["name", "customer"])
        assert rows == [{"name": "SINV-00001", "customer": "Mona"}]
        assert await erp.get_value("Sales Invoice", {"woo_order_id": "main-1"}, "name") == "SINV-00001"
        assert await erp.get_value("Sales Invoice", {"woo_order_id": "nope"}, "name") is None
        assert await erp.get_count("Sales Invoice") == 1
        submitted = await erp.submit("Sales Invoice", "SINV-00001")
        assert submitted["docstatus"] == 1
        cancelled = await erp.cancel("Sales Invoice", "SINV-00001")
        assert cancelled["docstatus"] == 2
        assert await erp.get_logged_user() == "sync@example.com"
        assert await erp.delete("Sales Invoice", "SINV-00001") is True
        assert await erp.delete("Sales Invoice", "SINV-00001") is False
        assert erp.requests == len(fake.log)
    assert ("POST", "/api/resource/Sales Invoice") in fake.log
    assert ("POST", "/api/method/frappe.client.cancel") in fake.log


async def test_cancel_of_a_draft_is_decoded(fake: FakeErp, sleeps: SleepRecorder) -> None:
    async with client(fake, sleeps) as erp:
        await erp.insert("Sales Invoice", {"customer": "Mona"})
        with pytest.raises(ErpError) as caught:
            await erp.cancel("Sales Invoice", "SINV-00001")
    error = caught.value
    assert (error.status, error.exc_type, error.kind) == (417, "DocstatusTransitionError", "needs_review")
    assert error.message == "Cannot change docstatus from 0 (Draft) to 2 (Cancelled)"


async def test_timeout_on_post_is_uncertain_and_not_resent(fake: FakeErp, sleeps: SleepRecorder) -> None:
    transport = LoseResponse(httpx.ASGITransport(app=fake.app), "POST")
    async with client(fake, sleeps, transport) as erp:
        with pytest.raises(ErpUncertain, match="look the document up by its key"):
            await erp.insert("Sales Invoice", {"customer": "Mona", "woo_order_id": "main-7"})
        assert erp.requests == 1
        # The write did happen: the caller finds it by its key instead of inserting again.
        assert await erp.get_value("Sales Invoice", {"woo_order_id": "main-7"}, "name") == "SINV-00001"
    assert len(fake.docs) == 1 and sleeps.delays == []


async def test_dropped_connection_on_put_is_uncertain(fake: FakeErp, sleeps: SleepRecorder) -> None:
    transport = LoseResponse(httpx.ASGITransport(app=fake.app), "PUT", error=httpx.RemoteProtocolError)
    async with client(fake, sleeps, transport) as erp:
        await erp.insert("Sales Invoice", {"customer": "Mona"})
        with pytest.raises(ErpUncertain):
            await erp.submit("Sales Invoice", "SINV-00001")
    assert fake.docs["SINV-00001"]["docstatus"] == 1


async def test_gateway_timeout_on_post_is_uncertain(fake: FakeErp, sleeps: SleepRecorder) -> None:
    fake.fail_next(Response("<html>504 Gateway Time-out</html>", 504, media_type="text/html"))
    async with client(fake, sleeps) as erp:
        with pytest.raises(ErpUncertain) as caught:
            await erp.insert("Sales Invoice", {"customer": "Mona"})
        assert erp.requests == 1
    assert caught.value.status == 504


async def test_timeouts_on_get_are_retried(fake: FakeErp, sleeps: SleepRecorder) -> None:
    fake.docs["SINV-1"] = {"name": "SINV-1", "docstatus": 1}
    transport = LoseResponse(httpx.ASGITransport(app=fake.app), "GET", count=2)
    async with client(fake, sleeps, transport) as erp:
        assert (await erp.get_doc("Sales Invoice", "SINV-1")) == {"name": "SINV-1", "docstatus": 1}
        assert erp.requests == 3
    assert len(sleeps.delays) == 2


async def test_429_retry_after_is_honoured_even_for_writes(fake: FakeErp, sleeps: SleepRecorder) -> None:
    throttled = JSONResponse({"exc_type": "TooManyRequestsError"}, 429, headers={"Retry-After": "3"})
    fake.fail_next(throttled)
    async with client(fake, sleeps) as erp:
        doc = await erp.insert("Sales Invoice", {"customer": "Mona"})
    assert doc["name"] == "SINV-00001" and sleeps.delays == [3.0]


async def test_deadlock_on_insert_is_retried(fake: FakeErp, sleeps: SleepRecorder) -> None:
    fake.fail_next(frappe_error(500, "QueryDeadlockError"), frappe_error(500, "QueryDeadlockError"))
    async with client(fake, sleeps) as erp:
        doc = await erp.insert("Sales Invoice", {"customer": "Mona"})
        assert erp.requests == 3
    assert doc["name"] == "SINV-00001" and len(sleeps.delays) == 2


async def test_html_page_on_get_is_retried(fake: FakeErp, sleeps: SleepRecorder) -> None:
    fake.docs["X"] = {"name": "X"}
    fake.fail_next(Response("<html>maintenance</html>", 200, media_type="text/html"))
    async with client(fake, sleeps) as erp:
        assert await erp.get_doc("Sales Invoice", "X") == {"name": "X"}
    assert len(sleeps.delays) == 1


async def test_retries_stop_after_max(fake: FakeErp, sleeps: SleepRecorder) -> None:
    fake.fail_next(*[frappe_error(503, "InReadOnlyMode") for _ in range(10)])
    async with ErpClient(
        URL, KEY, SECRET, transport=httpx.ASGITransport(app=fake.app), sleep=sleeps, max_retries=2
    ) as erp:
        with pytest.raises(ErpError) as caught:
            await erp.get_list("Sales Invoice")
        assert erp.requests == 3
    assert caught.value.kind == "retryable"


async def test_validation_errors_are_not_retried(fake: FakeErp, sleeps: SleepRecorder) -> None:
    async with client(fake, sleeps) as erp:
        await erp.insert("Sales Invoice", {"woo_order_id": "main-1"})
        with pytest.raises(ErpError) as caught:
            await erp.insert("Sales Invoice", {"woo_order_id": "main-1"})
        assert erp.requests == 2
    assert (caught.value.exc_type, caught.value.kind) == ("UniqueValidationError", "needs_review")
    assert sleeps.delays == []


async def test_timestamp_mismatch_on_put_is_not_resent(fake: FakeErp, sleeps: SleepRecorder) -> None:
    fake.docs["X"] = {"name": "X"}
    fake.fail_next(frappe_error(417, "TimestampMismatchError", "Error: Document has been modified"))
    async with client(fake, sleeps) as erp:
        with pytest.raises(ErpError) as caught:
            await erp.update("Sales Invoice", "X", {"remarks": "r", "modified": "2020-01-01"})
        assert erp.requests == 1
    assert caught.value.kind == "retryable"  # re-read, then re-apply: the caller's job


async def test_wrong_secret_is_permanent_and_says_what_to_check(fake: FakeErp, sleeps: SleepRecorder) -> None:
    async with ErpClient(URL, KEY, "wrong", transport=httpx.ASGITransport(app=fake.app), sleep=sleeps) as erp:
        with pytest.raises(ErpError) as caught:
            await erp.get_list("Company")
    assert caught.value.kind == "permanent" and "api_secret" in caught.value.message
    assert sleeps.delays == []


def test_repr_hides_credentials() -> None:
    erp = ErpClient(URL, KEY, SECRET)
    assert KEY not in repr(erp) and SECRET not in repr(erp)


async def test_money_is_sent_as_json_numbers_and_get_all_pages(fake: FakeErp, sleeps: SleepRecorder) -> None:
    from decimal import Decimal

    async with client(fake, sleeps) as erp:
        for n in range(5):
            await erp.insert("Sales Invoice", {"grand_total": Decimal("24.99") + n, "posting_date": "2026-01-01"})
        assert fake.docs["SINV-00001"]["grand_total"] == 24.99
        assert isinstance(fake.docs["SINV-00005"]["grand_total"], float)
        rows = await erp.get_all("Sales Invoice", fields=["name"], page_size=2)
    assert [r["name"] for r in rows] == [f"SINV-{n:05d}" for n in range(1, 6)]


async def test_concurrency_budget_limits_requests_in_flight(fake: FakeErp, sleeps: SleepRecorder) -> None:
    import asyncio

    in_flight = 0
    peak = 0
    inner = httpx.ASGITransport(app=fake.app)

    class Counting(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            try:
                return await inner.handle_async_request(request)
            finally:
                in_flight -= 1

    async with ErpClient(URL, KEY, SECRET, transport=Counting(), sleep=sleeps, max_concurrency=2) as erp:
        await asyncio.gather(*(erp.get_count("Sales Invoice") for _ in range(8)))
    assert peak == 2


async def test_lost_database_connection_is_retried_on_get_but_not_resent_on_post(
    fake: FakeErp, sleeps: SleepRecorder
) -> None:
    fake.fail_next(frappe_error(500, "OperationalError"))
    async with client(fake, sleeps) as erp:
        assert await erp.get_count("Sales Invoice") == 0
        fake.fail_next(frappe_error(500, "OperationalError"))
        with pytest.raises(ErpError) as caught:
            await erp.insert("Sales Invoice", {"customer": "Mona"})
        assert erp.requests == 3
    assert caught.value.kind == "retryable"  # the flow looks the document up by key, then writes


async def test_an_html_404_is_a_wrong_url_not_a_missing_document(fake: FakeErp, sleeps: SleepRecorder) -> None:
    fake.fail_next(Response("<html>Not Found</html>", 404, media_type="text/html"))
    async with client(fake, sleeps) as erp:
        with pytest.raises(ErpError) as caught:
            await erp.get_doc("Sales Invoice", "SINV-1")
    assert caught.value.kind == "permanent" and "check [erpnext] url" in caught.value.message
