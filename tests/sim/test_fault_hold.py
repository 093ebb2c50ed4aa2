"""`sim up --fault-hold-s`: a timeout or lost-response fault holds the socket that long, then the
proxy in front answers 504 — after the lost request's change was committed."""

from __future__ import annotations

import asyncio
import socket

import httpx
import uvicorn
from tests.sim.test_faults import Ledger

from woonext.sim.faults import FaultMiddleware, FaultPlan


async def test_a_held_request_ends_in_the_proxys_504_once_the_hold_is_over() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    plan = FaultPlan(server_hold_s=0.3)
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
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            plan.inject_next("lost")
            lost = await client.post("/api/resource/Item", json={"n": 1})
            plan.inject_next("timeout")
            timed_out = await client.post("/api/resource/Item", json={"n": 2})
    finally:
        server.should_exit = True
        await task
    assert lost.status_code == timed_out.status_code == 504
    assert "504 Gateway Time-out" in lost.text and lost.headers["content-type"].startswith("text/html")
    assert ledger.committed == [{"n": 1}]  # the lost one was applied, the timed-out one never reached the app


def test_sim_up_takes_the_hold_from_the_command_line() -> None:
    from woonext.sim.serve import build_pair

    pair = build_pair(seed=1, orders=5, faults="timeout@0.1", server_mode=True, fault_hold_s=2.5)
    assert pair.woo.faults.server_hold_s == pair.erp.faults.server_hold_s == 2.5


async def test_sim_up_lists_queries_and_turns_its_faults_off() -> None:
    from woonext.sim.serve import QueryLog

    plan = FaultPlan.parse("500@1.0:* /api/*")
    ledger = Ledger()
    app = QueryLog(FaultMiddleware(ledger.app, plan, flavor="erpnext"), plan)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim.test") as client:
        failed = await client.post("/api/resource/Item?x=1", json={"n": 1})
        off = (await client.post("/__sim__/faults", json={"enabled": False})).json()
        passed = await client.post("/api/resource/Item?x=2", json={"n": 2})
        queries = (await client.get("/__sim__/queries")).json()
    assert (failed.status_code, passed.status_code) == (500, 200)
    assert off == {"enabled": False, "requests_seen": 1, "injected": {"500": 1}}
    assert [q["query"] for q in queries] == ["x=1", "x=2"]  # the control requests are not listed
    assert ledger.committed == [{"n": 2}]
