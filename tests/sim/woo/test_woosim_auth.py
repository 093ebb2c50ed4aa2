"""C1 items 1–3: routes, authentication as observed on WooCommerce 11.0.1, evaluation order."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import httpx
from woocommerce.oauth import OAuth

from conftest import START, client, make_sim, oauth_url, real
from woonext.sim.woo import WooSim

CANNOT_LIST = {
    "code": "woocommerce_rest_cannot_view",
    "message": "Sorry, you cannot list resources.",
    "data": {"status": 401},
}
NO_ROUTE = {
    "code": "rest_no_route",
    "message": "No route was found matching the URL and request method.",
    "data": {"status": 404},
}


async def test_c1_01_unknown_routes_methods_and_non_numeric_ids(
    sim: WooSim, signed: Callable[..., str], http: httpx.AsyncClient
) -> None:
    sim.import_order(real("order_15.json"))
    for path, method in (
        ("/wp-json/wc/v3/nothing", "GET"),
        ("/wp-json/wc/v3/orders/abc", "GET"),
        ("/wp-json/wc/v3/orders/batch", "GET"),
        ("/wp-json/wc/v3/refunds", "POST"),
    ):
        r = await http.request(method, signed(path, method))
        assert (r.status_code, r.json()) == (404, NO_ROUTE), path
    r = await http.get(signed("/wp-json/wc/v3/orders/15"))
    assert r.status_code == 200 and r.json()["id"] == 15
    for method in ("POST", "PUT", "PATCH"):  # every write verb works on an editable route
        r = await http.request(method, signed("/wp-json/wc/v3/orders/15", method), json={"customer_note": method})
        assert r.status_code == 200 and r.json()["customer_note"] == method
    assert r.headers["content-type"] == "application/json; charset=UTF-8"


async def test_c1_02_http_basic_refused(sim: WooSim, keys: tuple[str, str], http: httpx.AsyncClient) -> None:
    ck, cs = keys
    r = await http.get("/wp-json/wc/v3/orders", auth=(ck, cs))
    assert (r.status_code, r.json()) == (401, CANNOT_LIST)
    r = await http.get("/wp-json/wc/v3/orders", params={"consumer_key": ck, "consumer_secret": cs})
    assert (r.status_code, r.json()) == (401, CANNOT_LIST)
    r = await http.put("/wp-json/wc/v3/orders/1", auth=(ck, cs), json={})
    assert r.status_code == 401 and r.json()["code"] == "woocommerce_rest_cannot_edit"
    assert r.json()["message"] == "Sorry, you are not allowed to edit this resource."
    r = await http.post("/wp-json/wc/v3/orders", auth=(ck, cs), json={})
    assert r.json() == {
        "code": "woocommerce_rest_cannot_create",
        "message": "Sorry, you are not allowed to create resources.",
        "data": {"status": 401},
    }
    r = await http.get("/wp-json/wc/v3/orders/1", auth=(ck, cs))
    assert r.json()["message"] == "Sorry, you cannot view this resource."
    r = await http.delete("/wp-json/wc/v3/orders/1", auth=(ck, cs))
    assert r.json()["code"] == "woocommerce_rest_cannot_delete"
    r = await http.post("/wp-json/wc/v3/orders/batch", auth=(ck, cs), json={})
    assert r.json()["code"] == "woocommerce_rest_cannot_batch"


async def test_c1_02_oauth_hmac_sha256_and_sha1(sim: WooSim, keys: tuple[str, str], http: httpx.AsyncClient) -> None:
    ck, cs = keys
    r = await http.get(oauth_url(sim, "/wp-json/wc/v3/orders?per_page=5&status=processing,completed", ck, cs))
    assert r.status_code == 200 and r.json() == []
    # HMAC-SHA1 signed by hand: the same base string, SHA-1 digest.
    from woonext.sim.woo.auth import sign, signature_base_string

    params = {
        "oauth_consumer_key": ck,
        "oauth_timestamp": str(int(START.timestamp())),
        "oauth_nonce": "n1",
        "oauth_signature_method": "HMAC-SHA1",
        "filter[period]": "week",
    }
    base = signature_base_string(
        "GET",
        f"{sim.home}/wp-json/wc/v3/orders",
        {**{k: v for k, v in params.items() if k != "filter[period]"}, "filter": {"period": "week"}},
    )
    assert "filter%255Bperiod%255D%3Dweek" in base
    params["oauth_signature"] = sign(base, cs, "HMAC-SHA1")
    r = await http.get("/wp-json/wc/v3/orders", params=params)
    assert r.status_code == 200


async def test_c1_02_oauth_errors(sim: WooSim, keys: tuple[str, str], http: httpx.AsyncClient) -> None:
    ck, cs = keys
    r = await http.get(oauth_url(sim, "/wp-json/wc/v3/orders", ck, "cs_wrong"))
    assert (r.status_code, r.json()) == (
        401,
        {
            "code": "woocommerce_rest_authentication_error",
            "message": "Invalid signature - provided signature does not match.",
            "data": {"status": 401},
        },
    )
    r = await http.get(oauth_url(sim, "/wp-json/wc/v3/orders", "ck_unknown", cs))
    assert r.json()["message"] == "Consumer key is invalid."
    r = await http.get("/wp-json/wc/v3/orders", params={"oauth_consumer_key": ck, "oauth_nonce": "x"})
    assert r.status_code == 401
    assert r.json()["code"] == "woocommerce_rest_authentication_missing_parameter"
    assert r.json()["message"] == ("Missing OAuth parameters oauth_timestamp, oauth_signature, oauth_signature_method")
    url = oauth_url(sim, "/wp-json/wc/v3/orders", ck, cs)
    assert (await http.get(url)).status_code == 200
    replay = await http.get(url)
    assert replay.json()["message"] == "Invalid nonce - nonce has already been used."
    stale = OAuth(
        f"{sim.home}/wp-json/wc/v3/orders", ck, cs, version="wc/v3", oauth_timestamp=int(START.timestamp()) - 16 * 60
    ).get_oauth_url()
    assert (await http.get(stale)).json()["message"] == "Invalid timestamp."
    # The base string uses the configured home URL, not the Host the client used.
    other = OAuth(
        "http://10.0.0.5:8080/wp-json/wc/v3/orders", ck, cs, version="wc/v3", oauth_timestamp=int(START.timestamp())
    ).get_oauth_url()
    r = await http.get(other.replace("http://10.0.0.5:8080", ""))
    assert r.json()["message"] == "Invalid signature - provided signature does not match."


async def test_c1_02_oauth_real_clock_default() -> None:
    sim = WooSim()  # default config: real clock, woo.test
    ck, cs = sim.create_key()
    url = OAuth(f"{sim.home}/wp-json/wc/v3/orders", ck, cs, version="wc/v3", oauth_timestamp=int(time.time()))
    async with client(sim) as http:
        assert (await http.get(url.get_oauth_url())).status_code == 200


async def test_c1_02_https_basic_and_query_keys() -> None:
    sim = make_sim(https=True)
    ck, cs = sim.create_key("read_write")
    ro_ck, ro_cs = sim.create_key("read")
    async with client(sim) as http:
        assert (await http.get("/wp-json/wc/v3/orders", auth=(ck, cs))).status_code == 200
        # Query keys win over Basic: a wrong Basic password does not matter then.
        r = await http.get(
            "/wp-json/wc/v3/orders", params={"consumer_key": ck, "consumer_secret": cs}, auth=(ck, "nope")
        )
        assert r.status_code == 200
        r = await http.get("/wp-json/wc/v3/orders", auth=(ck, "cs_wrong"))
        assert (r.status_code, r.json()) == (
            401,
            {
                "code": "woocommerce_rest_authentication_error",
                "message": "Consumer secret is invalid.",
                "data": {"status": 401},
            },
        )
        r = await http.get("/wp-json/wc/v3/orders", auth=("ck_unknown", cs))
        assert (r.status_code, r.json()) == (401, CANNOT_LIST)
        r = await http.post("/wp-json/wc/v3/orders", auth=(ro_ck, ro_cs), json={})
        assert (r.status_code, r.json()["message"]) == (401, "The API key provided does not have write permissions.")
        assert (await http.get("/wp-json/wc/v3/orders", auth=(ro_ck, ro_cs))).status_code == 200
        wo_ck, wo_cs = sim.create_key("write")
        r = await http.get("/wp-json/wc/v3/orders", auth=(wo_ck, wo_cs))
        assert r.json()["message"] == "The API key provided does not have read permissions."


async def test_c1_02_stripped_authorization_header() -> None:
    sim = make_sim(https=True, strip_authorization=True)
    ck, cs = sim.create_key()
    async with client(sim) as http:
        assert (await http.get("/wp-json/wc/v3/orders", auth=(ck, cs))).json() == CANNOT_LIST
        header = "Basic " + base64.b64encode(f"{ck}:{cs}".encode()).decode()
        r = await http.get(
            "/wp-json/wc/v3/orders",
            params={"consumer_key": ck, "consumer_secret": cs},
            headers={"Authorization": header},
        )
        assert r.status_code == 200  # the classic workaround: query-string keys over HTTPS


async def test_c1_03_evaluation_order(sim: WooSim, keys: tuple[str, str], http: httpx.AsyncClient) -> None:
    ck, cs = keys
    # Anonymous with a bad parameter: validation (400) comes before the permission callback (401).
    r = await http.get("/wp-json/wc/v3/orders", params={"per_page": 500})
    assert r.status_code == 400 and r.json()["code"] == "rest_invalid_param"
    # Anonymous on an unknown route: 404 before 401.
    assert (await http.get("/wp-json/wc/v3/nope")).status_code == 404
    # A recorded auth error beats the route: 401 even for an unknown route.
    r = await http.get(oauth_url(sim, "/wp-json/wc/v3/nope", ck, "wrong"))
    assert r.status_code == 401
    # The key permission check runs before route matching.
    ro_ck, ro_cs = sim.create_key("read")
    r = await http.post(oauth_url(sim, "/wp-json/wc/v3/nope", ro_ck, ro_cs, "POST"))
    assert r.json()["message"] == "The API key provided does not have write permissions."


async def test_c1_01_invalid_json_and_allow_header(
    sim: WooSim, signed: Callable[..., str], http: httpx.AsyncClient
) -> None:
    sim.import_order(real("order_15.json"))
    r = await http.put(
        signed("/wp-json/wc/v3/orders/15", "PUT"), content=b'{"status": ', headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["code"] == "rest_invalid_json" and r.json()["message"] == "Invalid JSON body passed."
    r = await http.get(signed("/wp-json/wc/v3/orders/15"))
    assert r.headers["Allow"] == "GET, POST, PUT, PATCH, DELETE"
    assert r.headers["Link"] == '<http://127.0.0.1:8080/wp-json/>; rel="https://api.w.org/"'


async def test_c1_02_customer_key_is_403() -> None:
    sim = make_sim(https=True)
    ck, cs = sim.create_key("read_write", user_id=5, role="customer")
    async with client(sim) as http:
        r = await http.get("/wp-json/wc/v3/orders", auth=(ck, cs))
        assert (r.status_code, r.json()) == (
            403,
            {
                "code": "woocommerce_rest_cannot_view",
                "message": "Sorry, you cannot list resources.",
                "data": {"status": 403},
            },
        )


async def test_c1_02_rest_route_query_form_is_anonymous(sim: WooSim, keys: tuple[str, str]) -> None:
    sim2 = make_sim(https=True)
    ck, cs = sim2.create_key()
    async with client(sim2) as http:
        r = await http.get("/", params={"rest_route": "/wc/v3/orders"}, auth=(ck, cs))
        assert (r.status_code, r.json()) == (401, CANNOT_LIST)
        r = await http.get("/", params={"rest_route": "/wc/v3/orders", "per_page": "0"}, auth=(ck, cs))
        assert r.status_code == 400


async def test_c1_01_unexpected_failure_is_a_critical_error(
    sim: WooSim, signed: Callable[..., str], http: httpx.AsyncClient
) -> None:
    def broken(s: WooSim, values: dict) -> None:
        raise RuntimeError("plugin crashed")

    sim.between_pages = broken  # a hook that fails like a PHP fatal error in a plugin
    r = await http.get(signed("/wp-json/wc/v3/orders"))
    assert r.status_code == 500 and r.json()["code"] == "internal_server_error"
    assert "plugin crashed" in sim.errors[-1]
