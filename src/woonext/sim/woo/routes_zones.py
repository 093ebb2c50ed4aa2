"""REST writes on shipping zones (`WC_REST_Shipping_Zones_V2_Controller`): create, rename or
re-order, delete (only with `force=true`; zones cannot be trashed). Zone 0 cannot be changed."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .errors import WooError, missing_params
from .request import WooRequest
from .routing import WRITE, Reply, Router

if TYPE_CHECKING:
    from .app import WooSim

ZONE = r"/wc/v3/shipping/zones/(?P<id>[\d]+)"
ZONE_ZERO = 'The "locations not covered by your other zones" zone cannot be updated.'


def _public(zone: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in zone.items() if not k.startswith("_sim_")}


def _zone(sim: WooSim, m: dict[str, str]) -> dict[str, Any]:
    if not sim.config.shipping_enabled:
        raise WooError(404, "rest_no_route", "Shipping is disabled.")
    zone = sim.catalog.zones.get(int(m["id"]))
    if zone is None:
        raise WooError(404, "woocommerce_rest_shipping_zone_invalid", "Resource does not exist.")
    return zone


def _text(value: Any) -> str:
    # sanitize_text_field: tags stripped, whitespace collapsed
    return " ".join(str(value).replace("<", " ").replace(">", " ").split())


async def create_zone(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    if not sim.config.shipping_enabled:
        raise WooError(404, "rest_no_route", "Shipping is disabled.")
    body = req.params()
    if body.get("name") is None:
        raise missing_params(["name"])
    zone = sim.catalog.add_shipping_zone(_text(body["name"]), order=int(body.get("order") or 0))
    return Reply(201, _public(zone), {"Location": f"{sim.home}/wp-json/wc/v3/shipping/zones/{zone['id']}"})


async def update_zone(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    zone = _zone(sim, m)
    if zone["id"] == 0:
        raise WooError(403, "woocommerce_rest_shipping_zone_invalid_zone", ZONE_ZERO)
    body = req.params()
    if body.get("name") is not None:
        zone["name"] = _text(body["name"])
    if body.get("order") is not None:
        zone["order"] = int(body["order"])
    return Reply(200, _public(zone))


async def delete_zone(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    zone = _zone(sim, m)
    if str(req.params().get("force", "")).lower() not in ("1", "true", "yes"):
        raise WooError(501, "rest_trash_not_supported", "Shipping zones do not support trashing.")
    answer = _public(zone)
    if zone["id"] != 0:  # WC_Shipping_Zone::delete() on zone 0 removes nothing
        del sim.catalog.zones[zone["id"]]
        sim.catalog.zone_locations.pop(zone["id"], None)
        sim.catalog.zone_methods.pop(zone["id"], None)
    return Reply(200, answer)


def register(router: Router) -> None:
    router.add("/wc/v3/shipping/zones", "POST", "create", create_zone)
    router.add(ZONE, WRITE, "edit", update_zone)
    router.add(ZONE, "DELETE", "delete", delete_zone)
