"""C2.19 rate limiting and C2.20 concurrency faults (through woonext.sim.faults)."""

from __future__ import annotations

import httpx
import pytest
from test_engine_support import Api, make_api, texts

from woonext.sim.erpnext import ErpSimConfig


async def _client(config: ErpSimConfig) -> tuple[object, httpx.AsyncClient, dict[str, str]]:
    sim, key, secret = await make_api(config)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://erp.test")
    return sim, client, {"Authorization": f"token {key}:{secret}"}


async def test_c2_19_site_budget_gives_429_with_headers_until_the_window_ends() -> None:
    # 1 s of processing per 60 s window, each request charged 0.4 s
    sim, client, headers = await _client(ErpSimConfig(rate_limit=(1.0, 60.0), rate_limit_cost_s=0.4))
    async with client:
        statuses = []
        last = None
        for _ in range(5):
            last = await client.get("/api/resource/Company", headers=headers)
            statuses.append(last.status_code)
        assert statuses == [200, 200, 200, 429, 429]
        assert last is not None
        body = last.json()
        assert body["exc_type"] == "TooManyRequestsError" and "_server_messages" not in body
        assert last.headers["X-RateLimit-Limit"] == "1000000"
        assert last.headers["X-RateLimit-Remaining"] == "0"
        retry = int(last.headers["Retry-After"])
        assert 0 < retry <= 60 and last.headers["X-RateLimit-Reset"] == str(retry)
        ok = await client.get("/api/resource/Company", headers=headers)
        assert "X-RateLimit-Remaining" in ok.headers
        sim.clock.advance(retry)  # type: ignore[attr-defined]
        assert (await client.get("/api/resource/Company", headers=headers)).status_code == 200


async def test_c2_19_per_method_limit() -> None:
    config = ErpSimConfig(method_rate_limits={"frappe.client.get_count": (2, 60.0)})
    _, client, headers = await _client(config)
    async with client:
        path = "/api/method/frappe.client.get_count"
        codes = [(await client.get(path, params={"doctype": "Customer"}, headers=headers)) for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert codes[-1].json()["exc_type"] == "RateLimitExceededError"
    assert texts(codes[-1].json()) == [
        "You hit the rate limit because of too many requests. Please try after sometime."
    ]


async def test_c2_20_deadlock_applies_nothing(api: Api) -> None:
    assert api.sim.faults is not None
    api.sim.faults.inject_next("deadlock", "POST /api/resource/*")
    response = await api.call("POST", "/api/resource/Territory", {"territory_name": "Deadlocked"})
    assert response.status_code == 500 and response.json()["exc_type"] == "QueryDeadlockError"
    assert api.sim.db.get("Territory", "Deadlocked") is None


async def test_c2_20_lost_response_is_still_committed(api: Api) -> None:
    api.sim.faults.inject_next("lost", "POST /api/resource/*")
    with pytest.raises(httpx.ReadTimeout):
        await api.call("POST", "/api/resource/Territory", {"territory_name": "Lost"})
    assert api.sim.db.get("Territory", "Lost") is not None


async def test_c2_20_faults_from_config_spec() -> None:
    sim, client, headers = await _client(ErpSimConfig(faults="502@1.0:GET /api/resource/Company"))
    async with client:
        proxied = await client.get("/api/resource/Company", headers=headers)
        fine = await client.get("/api/resource/Customer", headers=headers)
    assert proxied.status_code == 502 and "text/html" in proxied.headers["content-type"]
    assert fine.status_code == 200


async def test_c2_20_lock_wait_timeout_is_query_timeout_error() -> None:
    import asyncio

    sim, client, headers = await _client(ErpSimConfig(write_hold_ms=200, lock_wait_timeout_s=0.05))
    async with client:
        path = "/api/resource/Customer/Test Customer"
        slow, waiting = await asyncio.gather(
            client.put(path, json={"tax_id": "A"}, headers=headers),
            client.put(path, json={"tax_id": "B"}, headers=headers),
        )
    assert slow.status_code == 200
    assert waiting.status_code == 500 and waiting.json()["exc_type"] == "QueryTimeoutError"
    assert waiting.json()["exception"] == (
        "frappe.exceptions.QueryTimeoutError: (1205, 'Lock wait timeout exceeded; try restarting transaction')"
    )
    stored = sim.db.get("Customer", "Test Customer")  # type: ignore[attr-defined]
    assert stored["tax_id"] == "A"


async def test_c2_20_queued_document_is_locked(api: Api) -> None:
    api.sim.queue_document("Customer", "Test Customer")
    response = await api.call("PUT", "/api/resource/Customer/Test Customer", {"tax_id": "1"})
    assert response.status_code == 417 and response.json()["exc_type"] == "DocumentLockedError"
    assert texts(response.json()) == [
        "This document is currently locked and queued for execution. Please try again after some time."
    ]
    assert (await api.call("GET", "/api/resource/Customer/Test Customer")).status_code == 200
    api.sim.queue_document("Customer", "Test Customer", queued=False)
    assert (await api.call("PUT", "/api/resource/Customer/Test Customer", {"tax_id": "1"})).status_code == 200
