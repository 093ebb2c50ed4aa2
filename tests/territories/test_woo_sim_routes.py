"""The WooCommerce simulator answers data/countries, settings/general and shipping-zone writes
like WooCommerce 11 (states from the real store's settings sample)."""

from __future__ import annotations

import httpx
import pytest

from tests.sync.world import jarz_masters
from woonext.sim.woo import WooSim, WooSimConfig
from woonext.woo.client import WooClient
from woonext.woo.errors import WooError


@pytest.fixture
async def woo() -> WooClient:
    sim = WooSim(WooSimConfig(home_url="http://woo.test"))
    sim.catalog.add_shipping_zone("Cairo", [{"code": "EG:EGC", "type": "state"}], order=1)
    key, secret = sim.create_key("read_write")
    return WooClient("http://woo.test", key, secret, transport=httpx.ASGITransport(app=sim.app))


async def test_country_states(woo: WooClient) -> None:
    body, _ = await woo.get("data/countries/eg")
    assert body["code"] == "EG" and body["name"] == "Egypt"
    states = {s["code"]: s["name"] for s in body["states"]}
    assert len(states) == 27
    assert states["EGALX"] == "Alexandria" and states["EGC"] == "Cairo" and states["EGGZ"] == "Giza"
    assert body["_links"]["self"][0]["href"].endswith("/wp-json/wc/v3/data/countries/eg")
    fr, _ = await woo.get("data/countries/FR")
    assert fr["name"] == "France"
    with pytest.raises(WooError) as err:
        await woo.get("data/countries/XX")
    assert err.value.status == 404 and err.value.code == "woocommerce_rest_data_invalid_location"


async def test_general_settings(woo: WooClient) -> None:
    setting, _ = await woo.get("settings/general/woocommerce_default_country")
    assert setting["value"] == "EG:EGC" and setting["options"]["EG:EGGZ"] == "Egypt - Giza"
    changed, _ = await woo.put("settings/general/woocommerce_default_country", {"value": "EG:EGGZ"})
    assert changed["value"] == "EG:EGGZ"
    with pytest.raises(WooError) as err:
        await woo.put("settings/general/woocommerce_default_country", {"value": "ZZ"})
    assert err.value.status == 400 and err.value.code == "rest_setting_value_invalid"
    with pytest.raises(WooError) as err:
        await woo.get("settings/general/woocommerce_nope")
    assert err.value.status == 404 and err.value.code == "rest_setting_setting_invalid"


async def test_zone_writes(woo: WooClient) -> None:
    created, _ = await woo.post("shipping/zones", {"name": "Giza", "order": 2})
    assert created["name"] == "Giza" and created["order"] == 2
    renamed, _ = await woo.put(f"shipping/zones/{created['id']}", {"name": "Giza & 6th October"})
    assert renamed["name"] == "Giza & 6th October"
    with pytest.raises(WooError) as err:
        await woo.put("shipping/zones/0", {"name": "World"})
    assert err.value.status == 403 and err.value.code == "woocommerce_rest_shipping_zone_invalid_zone"
    with pytest.raises(WooError) as err:
        await woo.delete(f"shipping/zones/{created['id']}")
    assert err.value.status == 501 and err.value.code == "rest_trash_not_supported"
    gone, _ = await woo.delete(f"shipping/zones/{created['id']}", {"force": True})
    assert gone["id"] == created["id"]
    assert [z["name"] for z in await woo.list_shipping_zones()] == [
        "Locations not covered by your other zones",
        "Cairo",
    ]
    with pytest.raises(WooError) as err:
        await woo.post("shipping/zones", {"order": 3})
    assert err.value.status == 400 and err.value.code == "rest_missing_callback_param"


async def test_erpnext_sim_territory_rules_b6() -> None:
    """api-contracts B6: duplicate name 409 (case-insensitive), default parent, leaf with children,
    and a parent with children cannot be deleted (frappe/utils/nestedset.py)."""
    from woonext.erpnext.client import ErpClient
    from woonext.erpnext.errors import ErpError
    from woonext.sim.erpnext import ErpSim, ErpSimConfig

    sim = ErpSim(ErpSimConfig())
    sim.seed(jarz_masters(["SKU-1"]))
    key, secret = sim.create_api_user("Administrator")
    erp = ErpClient("http://erp.test", key, secret, transport=httpx.ASGITransport(app=sim.app))
    made = await erp.insert("Territory", {"territory_name": "Giza Sample", "is_group": 0})
    assert made["parent_territory"] == "All Territories" and made["old_parent"] == "All Territories"
    with pytest.raises(ErpError) as err:
        await erp.insert("Territory", {"territory_name": "giza sample"})
    assert err.value.status == 409 and err.value.exc_type == "DuplicateEntryError"
    assert "already exists" in err.value.message
    await erp.insert("Territory", {"territory_name": "Dokki", "parent_territory": "Giza Sample"})  # not checked
    with pytest.raises(ErpError) as err:
        await erp.update("Territory", "Giza Sample", {"is_group": 0})
    assert "Territory Giza Sample cannot be a leaf node as it has children" in err.value.message
    with pytest.raises(ErpError) as err:
        await erp.delete("Territory", "Giza Sample")
    assert err.value.exc_type == "NestedSetChildExistsError"
    assert err.value.message == "Cannot delete Giza Sample as it has child nodes"
    await erp.aclose()
