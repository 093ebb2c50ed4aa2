"""The official `woocommerce` PyPI client against the simulator on a real loopback port.

That client speaks OAuth 1.0a by itself over http:// and uses `requests`, so the simulator runs
under uvicorn in a background thread.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from woocommerce import API

from conftest import real
from woonext.sim.woo import WooSim, WooSimConfig


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served() -> Iterator[WooSim]:
    port = _free_port()
    # Real clock: the client stamps its OAuth timestamp with time.time().
    sim = WooSim(WooSimConfig(home_url=f"http://127.0.0.1:{port}"))
    server = uvicorn.Server(uvicorn.Config(sim.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield sim
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive()


def test_official_client_lists_gets_and_updates(served: WooSim) -> None:
    for number in range(15, 21):
        served.import_order(real(f"order_{number}.json"))
    ck, cs = served.create_key("read_write")
    wcapi = API(url=served.home, consumer_key=ck, consumer_secret=cs, version="wc/v3", timeout=10)
    seen: list[int] = []
    page = 1
    while True:
        r = wcapi.get("orders", params={"per_page": 4, "page": page, "orderby": "id", "order": "asc"})
        assert r.status_code == 200, r.text
        seen += [o["id"] for o in r.json()]
        if page >= int(r.headers["X-WP-TotalPages"]):
            break
        assert 'rel="next"' in r.headers["Link"]
        page += 1
    assert seen == [15, 16, 17, 18, 19, 20] and page == 2
    r = wcapi.get("orders/17")
    assert r.status_code == 200 and r.json()["status"] == "on-hold"
    r = wcapi.put("orders/17", {"status": "completed"})
    assert r.status_code == 200 and r.json()["status"] == "completed"
    assert served.orders[17]["status"] == "completed"
    # The same key over Basic auth on plain HTTP is ignored: anonymous → 401.
    basic = API(
        url=served.home, consumer_key=ck, consumer_secret=cs, version="wc/v3", timeout=10, query_string_auth=True
    )
    basic.is_ssl = True  # force the key-in-query branch over http://
    r = basic.get("orders")
    assert (r.status_code, r.json()["code"]) == (401, "woocommerce_rest_cannot_view")
