"""Fault plan parsing and every fault kind, through real in-process HTTP (httpx.ASGITransport)."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from woonext.sim.faults import FaultMiddleware, FaultPlan


class Ledger:
    """A tiny app that commits every POST, so tests can tell applied from not applied."""

    def __init__(self) -> None:
        self.committed: list[dict] = []

        async def create(request: Request) -> JSONResponse:
            body = await request.json()
            self.committed.append(body)
            return JSONResponse({"data": {"name": f"DOC-{len(self.committed)}", **body}})

        async def listing(request: Request) -> JSONResponse:
            return JSONResponse({"data": [{"name": f"DOC-{i}", "n": i} for i in range(20)]})

        self.app = Starlette(
            routes=[
                Route("/api/resource/{doctype}", create, methods=["POST"]),
                Route("/api/resource/{doctype}", listing, methods=["GET"]),
            ]
        )


def client_for(plan: FaultPlan, flavor: str = "erpnext", **kw) -> tuple[httpx.AsyncClient, Ledger]:
    ledger = Ledger()
    app = FaultMiddleware(ledger.app, plan, flavor=flavor, **kw)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim.test"), ledger


def test_parse_grammar_and_targets() -> None:
    spec = "429@0.05,500@0.02,lost@0.02:POST /api/resource/Sales Invoice,html200@0.01,woo:503,erpnext:deadlock@0.5"
    plan = FaultPlan.parse(spec, seed=3)
    kinds = [(r.kind, r.probability, r.method, r.path) for r in plan.rules]
    assert kinds == [
        ("429", 0.05, "*", "*"),
        ("500", 0.02, "*", "*"),
        ("lost", 0.02, "POST", "/api/resource/Sales Invoice"),
        ("html200", 0.01, "*", "*"),
        ("503", 1.0, "*", "*"),
        ("deadlock", 0.5, "*", "*"),
    ]
    erp = FaultPlan.parse(spec, seed=3, target="erpnext")
    assert [r.kind for r in erp.rules] == ["429", "500", "lost", "html200", "deadlock"]
    woo = FaultPlan.parse(spec, target="woo")
    assert [r.kind for r in woo.rules] == ["429", "500", "lost", "html200", "503"]
    assert FaultPlan.parse("timeout:GET").rules[0].method == "GET"
    assert FaultPlan.parse("").rules == []


@pytest.mark.parametrize("spec", ["boom", "500@2", "500@x", "slow@-0.1"])
def test_parse_rejects_bad_items(spec: str) -> None:
    with pytest.raises(ValueError):
        FaultPlan.parse(spec)


def test_same_seed_same_faults_and_route_filter() -> None:
    def run(seed: int) -> list[str | None]:
        plan = FaultPlan.parse("500@0.3,429@0.3:GET /api/*", seed=seed)
        return [plan.choose("GET" if i % 2 else "POST", "/api/resource/Item") for i in range(200)]

    first, again, other = run(7), run(7), run(8)
    assert first == again
    assert first != other
    posts = first[0::2]
    assert "429" not in posts  # the 429 rule only matches GET
    assert 30 < sum(k is not None for k in first) < 130


async def test_disabled_plan_and_scripted_faults() -> None:
    plan = FaultPlan.parse("500@1")
    plan.enabled = False
    client, ledger = client_for(plan)
    async with client:
        assert (await client.post("/api/resource/Item", json={"a": 1})).status_code == 200
        plan.enabled = True
        plan.clear()
        plan.inject_next("503", "POST /api/resource/Sales Invoice", count=2)
        assert (await client.post("/api/resource/Item", json={})).status_code == 200
        assert (await client.post("/api/resource/Sales Invoice", json={})).status_code == 503
        assert (await client.post("/api/resource/Sales Invoice", json={})).status_code == 503
        assert (await client.post("/api/resource/Sales Invoice", json={})).status_code == 200
    assert plan.injected["503"] == 2
    assert plan.pending_scripted == 0
    assert len(ledger.committed) == 3  # the two 503s never reached the app


@pytest.mark.parametrize("flavor", ["woo", "erpnext"])
async def test_429_has_retry_after_and_flavoured_body(flavor: str) -> None:
    plan = FaultPlan(retry_after_s=7)
    plan.inject_next("429")
    client, ledger = client_for(plan, flavor)
    async with client:
        r = await client.get("/api/resource/Item")
    assert r.status_code == 429
    assert r.headers["retry-after"] == "7"
    if flavor == "erpnext":
        assert r.json()["exc_type"] == "TooManyRequestsError"
        assert r.headers["x-ratelimit-remaining"] == "0"
        assert "x-ratelimit-limit" in r.headers and "x-ratelimit-reset" in r.headers
    else:
        assert r.headers["content-type"].startswith("text/html")
        assert "<title>429 Too Many Requests</title>" in r.text


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_proxy_pages_do_not_reach_the_app(status: int) -> None:
    plan = FaultPlan()
    plan.inject_next(str(status), "POST")
    client, ledger = client_for(plan)
    async with client:
        r = await client.post("/api/resource/Item", json={"x": 1})
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert f"<h1>{status} " in r.text and "nginx" in r.text
    assert ledger.committed == []


async def test_500_woo_is_wordpress_critical_error_and_erpnext_is_frappe_envelope() -> None:
    plan = FaultPlan()
    plan.inject_next("500")
    woo, _ = client_for(plan, "woo")
    async with woo:
        r = await woo.get("/api/resource/Item")
    assert r.status_code == 500 and r.json()["code"] == "internal_server_error"
    plan.inject_next("500")
    erp, _ = client_for(plan, "erpnext")
    async with erp:
        r = await erp.get("/api/resource/Item")
    assert r.status_code == 500 and r.json()["exc_type"] == "OperationalError"


async def test_html200_is_a_200_that_is_not_json() -> None:
    plan = FaultPlan()
    plan.inject_next("html200")
    client, _ = client_for(plan, "woo")
    async with client:
        r = await client.get("/api/resource/Item")
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        r.json()


async def test_slow_and_latency_delay_but_answer() -> None:
    plan = FaultPlan(slow_s=0.2)
    plan.inject_next("slow")
    client, _ = client_for(plan, latency_ms=30, jitter_ms=20)
    async with client:
        t0 = time.monotonic()
        assert (await client.get("/api/resource/Item")).status_code == 200
        slow = time.monotonic() - t0
        t0 = time.monotonic()
        assert (await client.get("/api/resource/Item")).status_code == 200
        normal = time.monotonic() - t0
    assert slow >= 0.23
    assert 0.03 <= normal < 0.2


async def test_timeout_raises_read_timeout_without_applying() -> None:
    plan = FaultPlan(timeout_delay_s=0.02)
    plan.inject_next("timeout", "POST")
    client, ledger = client_for(plan)
    async with client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/api/resource/Item", json={"n": 1})
    assert ledger.committed == []


async def test_reset_raises_protocol_error_without_applying() -> None:
    plan = FaultPlan()
    plan.inject_next("reset")
    client, ledger = client_for(plan)
    async with client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post("/api/resource/Item", json={"n": 1})
    assert ledger.committed == []


async def test_lost_commits_then_times_out() -> None:
    plan = FaultPlan()
    plan.inject_next("lost", "POST /api/resource/Sales Invoice")
    client, ledger = client_for(plan)
    async with client:
        with pytest.raises(httpx.ReadTimeout, match="lost response"):
            await client.post("/api/resource/Sales Invoice", json={"woo_order_id": "42"})
        # The retry after the "timeout" finds the document already there.
        r = await client.post("/api/resource/Sales Invoice", json={"woo_order_id": "42"})
    assert r.status_code == 200
    assert ledger.committed == [{"woo_order_id": "42"}, {"woo_order_id": "42"}]
    assert plan.injected["lost"] == 1


async def test_deadlock_is_500_query_deadlock_and_nothing_applied() -> None:
    plan = FaultPlan()
    plan.inject_next("deadlock")
    client, ledger = client_for(plan)
    async with client:
        r = await client.post("/api/resource/Sales Invoice", json={"n": 1})
    assert r.status_code == 500
    assert r.json()["exc_type"] == "QueryDeadlockError"
    assert ledger.committed == []


async def test_timestamp_mismatch_has_real_text() -> None:
    plan = FaultPlan()
    plan.inject_next("timestamp")
    client, ledger = client_for(plan)
    async with client:
        r = await client.put("/api/resource/Sales Invoice", json={"modified": "2020-01-01 00:00:00"})
    assert r.status_code == 417
    body = r.json()
    assert body["exc_type"] == "TimestampMismatchError"
    messages = [json.loads(m) for m in json.loads(body["_server_messages"])]
    text = messages[0]["message"]
    assert text.startswith("Error: Document has been modified after you have opened it (")
    assert text.endswith("). Please refresh to get the latest document.")
    assert messages[0]["indicator"] == "red" and messages[0]["raise_exception"] == 1
    assert body["exception"] == f"frappe.exceptions.TimestampMismatchError: {text}"
    assert ledger.committed == []


async def test_truncated_applies_and_cuts_json_in_half() -> None:
    plan = FaultPlan()
    client, ledger = client_for(plan)
    async with client:
        full = await client.get("/api/resource/Item")
        plan.inject_next("truncated")
        cut = await client.get("/api/resource/Item")
        plan.inject_next("truncated", "POST")
        posted = await client.post("/api/resource/Item", json={"n": 1})
    assert cut.status_code == 200 and posted.status_code == 200
    assert cut.content == full.content[: len(full.content) // 2]
    with pytest.raises(json.JSONDecodeError):
        cut.json()
    assert ledger.committed == [{"n": 1}]


async def test_server_mode_faults_over_a_real_socket() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    plan = FaultPlan(server_hold_s=5)
    ledger = Ledger()
    app = FaultMiddleware(ledger.app, plan, flavor="erpnext", server_mode=True)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="critical", lifespan="off", timeout_graceful_shutdown=1
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=0.5) as client:
            plan.inject_next("reset")
            with pytest.raises(httpx.RemoteProtocolError):
                await client.post("/api/resource/Item", json={"n": 1})
            plan.inject_next("timeout")
            with pytest.raises(httpx.ReadTimeout):
                await client.post("/api/resource/Item", json={"n": 2})
            plan.inject_next("lost")
            with pytest.raises(httpx.ReadTimeout):
                await client.post("/api/resource/Item", json={"n": 3})
            assert (await client.post("/api/resource/Item", json={"n": 4})).status_code == 200
    finally:
        server.should_exit = True
        await task
    assert ledger.committed == [{"n": 3}, {"n": 4}]  # only the lost one and the clean one were applied
