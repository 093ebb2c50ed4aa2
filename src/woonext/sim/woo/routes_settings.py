"""REST handlers for what a store's set-up looks like: `payment_gateways`, `shipping_methods` and
`system_status` (samples 50, 52 and 53 of the real WooCommerce 11.0.1).

The gateways listed are `WooSimConfig.payment_gateways` (id → enabled), in that order. A disabled
gateway still appears (the real store listed bacs, cheque and cod, all disabled), and orders may
still carry it (`payment_method: "cod"` on orders made while it was enabled, or through the REST API).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import CURRENCY_SYMBOLS
from .errors import WooError
from .request import WooRequest
from .routes_data import general_settings
from .routing import WRITE, Reply, Router

if TYPE_CHECKING:
    from .app import WooSim

STATUS_TEMPLATE = Path(__file__).with_name("system_status.json")

# id → (title shown at checkout, method_title, method_description)
GATEWAY_INFO: dict[str, tuple[str, str, str]] = {
    "bacs": (
        "Direct bank transfer",
        "Direct bank transfer",
        "Take payments in person via BACS. More commonly known as direct bank/wire transfer.",
    ),
    "cheque": (
        "Check payments",
        "Check payments",
        "Take payments in person via checks. This offline gateway can also be useful to test purchases.",
    ),
    "cod": (
        "Cash on delivery",
        "Cash on delivery",
        "Let your shoppers pay upon delivery — by cash or other methods of payment.",
    ),
    "instapay": ("InstaPay", "InstaPay", "Customers transfer the amount with InstaPay and send the reference."),
    "kashier_card": ("Credit / Debit card (Kashier)", "Kashier Card", "Card payments through Kashier."),
    "kashier_wallet": ("Mobile wallet (Kashier)", "Kashier Wallet", "Mobile wallet payments through Kashier."),
    "valu": ("valU installments", "valU", "Buy now, pay later with valU; valU pays the shop."),
    "stripe": ("Credit Card (Stripe)", "Stripe", "Card payments through Stripe."),
    "fawry": ("Fawry", "Fawry", "Pay at any Fawry outlet."),
}
SHIPPING_METHODS = (
    ("flat_rate", "Flat rate", "Lets you charge a fixed rate for shipping."),
    (
        "free_shipping",
        "Free shipping",
        "Free shipping is a special method which can be triggered with coupons and minimum spends.",
    ),
    (
        "local_pickup",
        "Local pickup",
        "Allow customers to pick up orders themselves. By default, when using local pickup store base taxes "
        "will apply regardless of customer address.",
    ),
    ("pickup_location", "Local pickup", "Allow customers to choose a local pickup location during checkout."),
)


def _links(sim: WooSim, path: str, collection: str, allow: list[str]) -> dict[str, Any]:
    return {
        "self": [{"href": f"{sim.home}/wp-json/wc/v3/{path}", "targetHints": {"allow": allow}}],
        "collection": [{"href": f"{sim.home}/wp-json/wc/v3/{collection}"}],
    }


def _gateway(sim: WooSim, gateway_id: str, enabled: bool) -> dict[str, Any]:
    title, method_title, description = GATEWAY_INFO.get(gateway_id, (gateway_id, gateway_id, ""))
    return {
        "id": gateway_id,
        "title": title,
        "description": "",
        "order": "",
        "enabled": enabled,
        "method_title": method_title,
        "method_description": description,
        "method_supports": ["products", "refunds"] if sim.config.gateways.get(gateway_id) else ["products"],
        "settings": {
            "title": {
                "id": "title",
                "label": "Title",
                "description": "This controls the title which the user sees during checkout.",
                "type": "safe_text",
                "value": title,
                "default": title,
                "tip": "This controls the title which the user sees during checkout.",
                "placeholder": "",
            }
        },
        "needs_setup": False,
        "post_install_scripts": [],
        "settings_url": f"{sim.home}/wp-admin/admin.php?page=wc-settings&tab=checkout&section={gateway_id}",
        "connection_url": None,
        "setup_help_text": None,
        "required_settings_keys": [],
        "_links": _links(sim, f"payment_gateways/{gateway_id}", "payment_gateways", ["GET", "POST", "PUT", "PATCH"]),
    }


def _counted(items: list[dict[str, Any]]) -> Reply:
    return Reply(200, items, {"X-WP-Total": str(len(items)), "X-WP-TotalPages": "1"})


async def list_gateways(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    return _counted([_gateway(sim, gid, on) for gid, on in sim.config.payment_gateways.items()])


async def get_gateway(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    if m["id"] not in sim.config.payment_gateways:
        raise WooError(404, "woocommerce_rest_payment_gateway_invalid", "Resource does not exist.")
    return Reply(200, _gateway(sim, m["id"], sim.config.payment_gateways[m["id"]]))


async def update_gateway(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    """WooCommerce → Settings → Payments: switch a gateway on or off (`{"enabled": true}`)."""
    if m["id"] not in sim.config.payment_gateways:
        raise WooError(404, "woocommerce_rest_payment_gateway_invalid", "Resource does not exist.")
    enabled = req.params().get("enabled")
    if enabled is not None:
        sim.config.payment_gateways[m["id"]] = enabled in (True, "true", "1", 1, "yes")
    return Reply(200, _gateway(sim, m["id"], sim.config.payment_gateways[m["id"]]))


def _shipping_method(sim: WooSim, method: tuple[str, str, str]) -> dict[str, Any]:
    method_id, title, description = method
    return {
        "id": method_id,
        "title": title,
        "description": description,
        "_links": _links(sim, f"shipping_methods/{method_id}", "shipping_methods", ["GET"]),
    }


async def list_shipping_methods(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    return _counted([_shipping_method(sim, method) for method in SHIPPING_METHODS])


async def get_shipping_method(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    for method in SHIPPING_METHODS:
        if method[0] == m["id"]:
            return Reply(200, _shipping_method(sim, method))
    raise WooError(404, "woocommerce_rest_shipping_method_invalid", "Resource does not exist.")


@cache
def _status_template() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(STATUS_TEMPLATE.read_text(encoding="utf-8"))
    return data


async def system_status(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    """The real store's report (sample 53) with this store's URLs, versions and currency."""
    status = copy.deepcopy(_status_template())
    status["environment"].update(
        home_url=sim.home, site_url=sim.home, version=sim.config.wc_version, wp_version=sim.config.wp_version
    )
    settings = status["settings"]
    currency = str(general_settings(sim)["woocommerce_currency"]["value"])  # Settings → General
    settings["currency"] = currency
    settings["currency_symbol"] = CURRENCY_SYMBOLS.get(currency, currency)
    settings["force_ssl"] = sim.config.https
    status["security"]["secure_connection"] = sim.config.https
    status["database"]["wc_database_version"] = sim.config.wc_version
    return Reply(200, status)


def register(router: Router) -> None:
    router.add("/wc/v3/payment_gateways", "GET", "list", list_gateways)
    router.add(r"/wc/v3/payment_gateways/(?P<id>[\w-]+)", "GET", "view", get_gateway)
    router.add(r"/wc/v3/payment_gateways/(?P<id>[\w-]+)", WRITE, "edit", update_gateway)
    router.add("/wc/v3/shipping_methods", "GET", "list", list_shipping_methods)
    router.add(r"/wc/v3/shipping_methods/(?P<id>[\w-]+)", "GET", "view", get_shipping_method)
    router.add("/wc/v3/system_status", "GET", "list", system_status)
