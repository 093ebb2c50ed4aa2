"""REST handlers for `data/countries` (countries and their states) and `settings/general`.

The countries and states are WooCommerce 11's own (`i18n/states.php`, as the real store listed them
in the `woocommerce_default_country` options, see reference/woocommerce-real-samples/
store-settings-general.json). General settings live per simulator; the store defaults to Cairo, Egypt.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from .config import CURRENCY_SYMBOLS
from .errors import WooError
from .request import WooRequest
from .routing import WRITE, Reply, Router

if TYPE_CHECKING:
    from .app import WooSim

COUNTRIES_PATH = Path(__file__).with_name("countries.json")


@cache
def countries() -> dict[str, dict[str, Any]]:
    """ISO code → {"name": …, "states": {code: name}} in WooCommerce's order."""
    data: dict[str, dict[str, Any]] = json.loads(COUNTRIES_PATH.read_text(encoding="utf-8"))
    return data


def _links(sim: WooSim, path: str, collection: str) -> dict[str, Any]:
    return {
        "self": [{"href": f"{sim.home}/wp-json/wc/v3/{path}"}],
        "collection": [{"href": f"{sim.home}/wp-json/wc/v3/{collection}"}],
    }


def _country(sim: WooSim, code: str) -> dict[str, Any]:
    entry = countries()[code]
    return {
        "code": code,
        "name": entry["name"],
        "states": [{"code": c, "name": n} for c, n in entry["states"].items()],
        "_links": _links(sim, f"data/countries/{code.lower()}", "data/countries"),
    }


async def list_countries(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    return Reply(200, [_country(sim, code) for code in countries()])


async def get_country(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    code = m["location"].upper()
    if code not in countries():
        raise WooError(
            404, "woocommerce_rest_data_invalid_location", "There are no locations matching these parameters."
        )
    return Reply(200, _country(sim, code))


# ---- settings/general ----------------------------------------------------------------------
_SETTINGS: WeakKeyDictionary[WooSim, dict[str, dict[str, Any]]] = WeakKeyDictionary()


def _country_options() -> dict[str, str]:
    options: dict[str, str] = {}
    for code, entry in countries().items():
        if entry["states"]:
            options.update({f"{code}:{st}": f"{entry['name']} - {name}" for st, name in entry["states"].items()})
        else:
            options[code] = entry["name"]
    return options


def _defaults(sim: WooSim) -> dict[str, dict[str, Any]]:
    def text(key: str, label: str, value: str, description: str = "") -> dict[str, Any]:
        return {
            "id": f"woocommerce_{key}",
            "label": label,
            "description": description,
            "type": "text",
            "default": "",
            "tip": description,
            "value": value,
        }

    country = {
        "id": "woocommerce_default_country",
        "label": "Country / State",
        "description": "The country and state or province, if any, in which your business is located.",
        "type": "select",
        "default": "US:CA",
        "tip": "The country and state or province, if any, in which your business is located.",
        "value": "EG:EGC",
        "options": _country_options(),
    }
    rows = [
        text("store_address", "Address line 1", "1 Tahrir Square", "The street address for your business location."),
        text(
            "store_address_2", "Address line 2", "", "An additional, optional address line for your business location."
        ),
        text("store_city", "City", "Cairo", "The city in which your business is located."),
        country,
        text(
            "store_postcode", "Postcode / ZIP", "11511", "The postal code, if any, in which your business is located."
        ),
        {
            "id": "woocommerce_currency",
            "label": "Currency",
            "description": "This controls what currency prices "
            "are listed at in the catalog and which currency gateways will take payments in.",
            "type": "select",
            "default": "USD",
            "tip": "",
            "value": sim.config.currency,
            "options": {code: code for code in dict.fromkeys([sim.config.currency, *CURRENCY_SYMBOLS])},
        },
    ]
    return {row["id"]: row for row in rows}


def general_settings(sim: WooSim) -> dict[str, dict[str, Any]]:
    """The simulator's general settings by id (created with the defaults on first use)."""
    if sim not in _SETTINGS:
        _SETTINGS[sim] = _defaults(sim)
    return _SETTINGS[sim]


def set_general(sim: WooSim, setting_id: str, value: str) -> None:
    """Change a general setting the way an admin would (no validation: for tests and the seeder)."""
    general_settings(sim)[setting_id]["value"] = value


def _setting_json(sim: WooSim, row: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(row)
    out["_links"] = _links(sim, f"settings/general/{row['id']}", "settings/general")
    return out


async def list_general(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    return Reply(200, [_setting_json(sim, row) for row in general_settings(sim).values()])


def _setting(sim: WooSim, m: dict[str, str]) -> dict[str, Any]:
    row = general_settings(sim).get(m["setting"])
    if row is None:
        raise WooError(404, "rest_setting_setting_invalid", "Invalid setting.")
    return row


async def get_general(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    return Reply(200, _setting_json(sim, _setting(sim, m)))


async def update_general(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    row = _setting(sim, m)
    value = req.params().get("value")
    if value is not None:
        if row["type"] == "select" and str(value) not in row.get("options", {}):
            raise WooError(400, "rest_setting_value_invalid", "An invalid setting value was passed.")
        row["value"] = str(value)
    return Reply(200, _setting_json(sim, row))


def register(router: Router) -> None:
    router.add("/wc/v3/data/countries", "GET", "list", list_countries)
    router.add(r"/wc/v3/data/countries/(?P<location>[\w-]+)", "GET", "view", get_country)
    router.add("/wc/v3/settings/general", "GET", "list", list_general)
    router.add(r"/wc/v3/settings/general/(?P<setting>[\w-]+)", "GET", "view", get_general)
    router.add(r"/wc/v3/settings/general/(?P<setting>[\w-]+)", WRITE, "edit", update_general)
