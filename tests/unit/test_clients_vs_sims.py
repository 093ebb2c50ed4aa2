"""The adapters against the project's simulators (which verify auth the way the real systems do)."""

from __future__ import annotations

import httpx
import pytest

from woonext.erpnext import ErpClient, ErpError, ErpUncertain
from woonext.sim.erpnext import ErpSim, ErpSimConfig
from woonext.sim.woo import WooSim, WooSimConfig
from woonext.woo import WooClient, WooError

from .conftest import SleepRecorder


@pytest.mark.parametrize("https", [False, True], ids=["http-oauth1", "https-basic"])
async def test_woo_client_authenticates_against_the_simulator(https: bool, sleeps: SleepRecorder) -> None:
    home = f"{'https' if https else 'http'}://woo.test"
    sim = WooSim(WooSimConfig(home_url=home, https=https))
    key, secret = sim.create_key(permissions="read_write")
    transport = httpx.ASGITransport(app=sim.app)
    async with WooClient(home, key, secret, transport=transport, sleep=sleeps) as woo:
        # Characters that need careful encoding must still sign correctly.
        page = await woo.list_orders({"status": ["completed", "cancelled"], "search": "a b~c%+&=", "per_page": 5})
        assert page.items == [] and page.total == 0
        assert await woo.get_order(424242) is None
    async with WooClient(home, key, "cs_wrong", transport=transport, sleep=sleeps) as woo:
        with pytest.raises(WooError) as caught:
            await woo.list_orders()
    assert caught.value.status == 401 and not caught.value.retryable


async def test_erp_client_against_the_simulator_with_a_lost_response(sleeps: SleepRecorder) -> None:
    sim = ErpSim(ErpSimConfig(faults="lost:POST /api/resource/Territory"))
    key, secret = sim.create_api_user("Administrator")
    async with ErpClient(
        "http://erp.test", key, secret, transport=httpx.ASGITransport(app=sim.app), sleep=sleeps
    ) as erp:
        assert await erp.get_logged_user() == "Administrator"
        with pytest.raises(ErpUncertain):
            await erp.insert("Territory", {"territory_name": "Giza", "parent_territory": "All Territories"})
        assert erp.requests == 2  # not resent
        # Applied and committed although the answer was lost: found by its key.
        assert await erp.get_value("Territory", {"territory_name": "Giza"}, "name") == "Giza"
    async with ErpClient("http://erp.test", key, "wrong", transport=httpx.ASGITransport(app=sim.app)) as erp:
        with pytest.raises(ErpError) as caught:
            await erp.get_list("Company")
    assert (caught.value.status, caught.value.kind) == (401, "permanent")


async def test_oauth_timestamps_follow_the_given_clock(sleeps: SleepRecorder) -> None:
    sim = WooSim(WooSimConfig(home_url="http://woo.test", https=False))
    key, secret = sim.create_key(permissions="read_write")
    sim.clock.advance(3 * 24 * 3600)  # the simulated shop lives three days ahead
    transport = httpx.ASGITransport(app=sim.app)
    async with WooClient("http://woo.test", key, secret, transport=transport, sleep=sleeps) as woo:
        with pytest.raises(WooError, match="Invalid timestamp"):
            await woo.list_orders()
    shop_clock = lambda: sim.clock.now().timestamp()  # noqa: E731
    async with WooClient("http://woo.test", key, secret, transport=transport, sleep=sleeps, clock=shop_clock) as woo:
        assert (await woo.list_orders()).items == []
