"""C1 items 19–20: fault injection (woonext.sim.faults) and the host-style rate limiter."""

from __future__ import annotations

from conftest import client, make_sim, oauth_url, real


async def test_c1_19_fault_injection_from_config() -> None:
    sim = make_sim(faults="503@1.0:GET /wp-json/wc/v3/orders")
    ck, cs = sim.create_key()
    sim.import_order(real("order_15.json"))
    async with client(sim) as http:
        r = await http.get(oauth_url(sim, "/wp-json/wc/v3/orders", ck, cs))
        assert r.status_code == 503 and r.headers["content-type"].startswith("text/html")
        # Other routes are untouched.
        r = await http.get(oauth_url(sim, "/wp-json/wc/v3/orders/15", ck, cs))
        assert r.status_code == 200


async def test_c1_19_scripted_faults() -> None:
    sim = make_sim()
    ck, cs = sim.create_key()
    sim.import_order(real("order_15.json"))
    sim.faults.inject_next("429", "GET *")
    sim.faults.inject_next("truncated", "GET *")
    sim.faults.inject_next("500", "GET *")
    async with client(sim) as http:
        r = await http.get(oauth_url(sim, "/wp-json/wc/v3/orders/15", ck, cs))
        assert r.status_code == 429 and "retry-after" in r.headers
        r = await http.get(oauth_url(sim, "/wp-json/wc/v3/orders/15", ck, cs))
        assert r.status_code == 200 and r.content.startswith(b'{"id":15') and not r.content.endswith(b"}")
        r = await http.get(oauth_url(sim, "/wp-json/wc/v3/orders/15", ck, cs))
        assert r.status_code == 500
        r = await http.get(oauth_url(sim, "/wp-json/wc/v3/orders/15", ck, cs))
        assert r.status_code == 200 and r.json()["id"] == 15


async def test_c1_20_no_limit_by_default_and_host_limiter() -> None:
    sim = make_sim()
    ck, cs = sim.create_key()
    async with client(sim) as http:
        for _ in range(60):
            assert (await http.get(oauth_url(sim, "/wp-json/wc/v3/orders", ck, cs))).status_code == 200
    limited = make_sim(rate_limit=3, rate_limit_window=60, rate_limit_retry_after=7)
    ck, cs = limited.create_key()
    async with client(limited) as http:
        codes = [(await http.get(oauth_url(limited, "/wp-json/wc/v3/orders", ck, cs))).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        r = await http.get(oauth_url(limited, "/wp-json/wc/v3/orders", ck, cs))
        assert r.headers["retry-after"] == "7" and r.headers["content-type"].startswith("text/html")
