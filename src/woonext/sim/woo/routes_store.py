"""REST handlers for customers, products/variations, shipping zones, taxes and webhooks."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import listing, params
from .errors import WooError
from .request import WooRequest, as_list
from .routing import WRITE, Reply, Router
from .webhooks import STATUSES, TOPIC_HOOKS

if TYPE_CHECKING:
    from .app import WooSim

ID = r"(?P<id>[\d]+)"


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in record.items() if not k.startswith("_sim_")}


def _paged(sim: WooSim, req: WooRequest, route: str, items: list[dict[str, Any]], values: dict[str, Any]) -> Reply:
    page_items, page, per_page = listing.paginate(items, values)
    headers = listing.pagination_headers(sim.home, route, list(req.query.items()), page, per_page, len(items))
    return Reply(200, [_public(x) for x in page_items], headers)


def _collection(extra: dict[str, params.Check] | None = None):  # noqa: ANN202 - returns a validator
    def validator(sim: WooSim, req: WooRequest) -> dict[str, Any]:
        schema = params.base_collection()
        schema["order"] = params.enum(("asc", "desc"))
        schema.update(extra or {})
        return params.validate(schema, req.query)

    return validator


# ---- customers -----------------------------------------------------------------------------
async def list_customers(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    items = list(sim.catalog.customers.values())
    if req.query.get("email"):
        items = [c for c in items if c["email"].lower() == str(req.query["email"]).lower()]
    if values.get("search"):
        needle = values["search"].lower()
        items = [c for c in items if needle in (c["email"] + c["first_name"] + c["last_name"]).lower()]
    if values.get("include"):
        items = [c for c in items if c["id"] in values["include"]]
    items = [c for c in items if c["id"] not in set(values.get("exclude") or [])]
    items.sort(key=lambda c: c["id"], reverse=(values.get("order") or "asc") == "desc")
    return _paged(sim, req, "/wc/v3/customers", items, values)


async def get_customer(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    customer = sim.catalog.customers.get(int(m["id"]))
    if customer is None:
        raise WooError(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")
    return Reply(200, _public(customer))


async def create_customer(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    body = req.params()
    email = str(body.get("email") or "")
    if not email or "@" not in email:
        raise WooError(400, "registration-error-invalid-email", "Please provide a valid email address.")
    if sim.catalog.customer_by_email(email) is not None:
        raise WooError(
            400,
            "registration-error-email-exists",
            f"An account is already registered with {email}. Please log in or use a different email address.",
        )
    customer = sim.add_customer(
        email,
        str(body.get("first_name", "")),
        str(body.get("last_name", "")),
        username=body.get("username"),
        billing=body.get("billing"),
        shipping=body.get("shipping"),
    )
    return Reply(201, _public(customer), {"Location": f"{sim.home}/wp-json/wc/v3/customers/{customer['id']}"})


async def update_customer(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    customer = sim.catalog.customers.get(int(m["id"]))
    if customer is None:
        raise WooError(400, "woocommerce_rest_invalid_id", "Invalid resource ID.")
    body = req.params()
    for key in ("email", "first_name", "last_name"):
        if key in body:
            customer[key] = body[key]
    for key in ("billing", "shipping"):
        if isinstance(body.get(key), dict):
            customer[key].update(body[key])
    customer["date_modified"], customer["date_modified_gmt"] = sim.site_time.pair(sim.clock.now())
    sim.hub.fire("customer.updated", customer["id"])
    return Reply(200, _public(customer))


# ---- products and variations ---------------------------------------------------------------
async def list_products(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    items = list(sim.catalog.products.values())
    skus = [s.strip() for s in as_list(req.query.get("sku"))] if req.query.get("sku") else []
    if skus:
        # The sku filter searches products *and* variations.
        pool = items + list(sim.catalog.variations.values())
        items = [p for p in pool if p.get("sku") in skus]
    if req.query.get("search_sku"):
        part = str(req.query["search_sku"]).lower()
        items = [p for p in items if part in str(p.get("sku", "")).lower()]
    if values.get("search"):
        items = [p for p in items if values["search"].lower() in p.get("name", "").lower()]
    if values.get("include"):
        items = [p for p in items if p["id"] in values["include"]]
    if req.query.get("type"):
        items = [p for p in items if p.get("type") == req.query["type"]]
    items = _modified_after(sim, req, items)
    orderby = {"modified": "date_modified_gmt", "id": "id"}.get(str(req.query.get("orderby") or ""), "date_created_gmt")
    items.sort(key=lambda p: (p.get(orderby) or "", p["id"]), reverse=(values.get("order") or "desc") == "desc")
    return _paged(sim, req, "/wc/v3/products", items, values)


def _modified_after(sim: WooSim, req: WooRequest, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`modified_after` is strict; with `dates_are_gmt` it compares the GMT column, else store time."""
    after = str(req.query.get("modified_after") or "")
    if not after:
        return items
    gmt = str(req.query.get("dates_are_gmt") or "").lower() in ("1", "true")
    column = "date_modified_gmt" if gmt else "date_modified"
    return [p for p in items if str(p.get(column) or "") > after[:19]]


async def get_product(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    # wc_get_product() answers a variation's id too (type "variation", with its parent_id)
    product = sim.catalog.products.get(int(m["id"])) or sim.catalog.variations.get(int(m["id"]))
    if product is None:
        raise WooError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
    return Reply(200, _public(product))


async def list_variations(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    pid = int(m["product_id"])
    wanted = set(values.get("include") or [])
    items = sorted(
        (
            v
            for v in sim.catalog.variations.values()
            if int(v.get("parent_id", 0)) == pid and (not wanted or v["id"] in wanted)
        ),
        key=lambda v: v["id"],
        reverse=(values.get("order") or "desc") == "desc",
    )
    return _paged(sim, req, f"/wc/v3/products/{pid}/variations", items, values)


async def get_variation(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    variation = sim.catalog.variations.get(int(m["id"]))
    if variation is None or int(variation.get("parent_id", 0)) != int(m["product_id"]):
        raise WooError(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
    return Reply(200, _public(variation))


# ---- shipping zones ------------------------------------------------------------------------
def _zone(sim: WooSim, m: dict[str, str]) -> int:
    if not sim.config.shipping_enabled:
        raise WooError(404, "rest_no_route", "Shipping is disabled.")
    zid = int(m.get("zone_id") or m.get("id") or 0)
    if zid not in sim.catalog.zones:
        raise WooError(404, "woocommerce_rest_shipping_zone_invalid", "Resource does not exist.")
    return zid


async def list_zones(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    if not sim.config.shipping_enabled:
        raise WooError(404, "rest_no_route", "Shipping is disabled.")
    zones = sorted(sim.catalog.zones.values(), key=lambda z: (z["order"], z["id"]))
    return Reply(200, [_public(z) for z in zones])


async def get_zone(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    return Reply(200, _public(sim.catalog.zones[_zone(sim, m)]))


async def zone_locations(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    zid = _zone(sim, m)
    if req.method in WRITE:
        if zid == 0:
            raise WooError(
                403,
                "woocommerce_rest_shipping_zone_invalid_zone",
                'The "locations not covered by your other zones" zone cannot be updated.',
            )
        body = req.json()
        sim.catalog.zone_locations[zid] = [
            {"code": str(x["code"]), "type": str(x.get("type", "country"))}
            for x in body or []
            if isinstance(x, dict) and "code" in x
        ]
    return Reply(200, [_public(x) for x in sim.catalog.zone_locations.get(zid, [])])


async def zone_methods(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    zid = _zone(sim, m)
    return Reply(200, [_public(x) for x in sim.catalog.zone_methods.get(zid, [])])


async def zone_method(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    zid = _zone(sim, m)
    for method in sim.catalog.zone_methods.get(zid, []):
        if int(method["instance_id"]) == int(m["id"]):
            return Reply(200, _public(method))
    raise WooError(404, "woocommerce_rest_shipping_zone_method_invalid", "Resource does not exist.")


# ---- taxes ---------------------------------------------------------------------------------
async def list_taxes(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    items = sorted(sim.catalog.tax_rates.values(), key=lambda r: (r.get("order", 0), r["id"]))
    if req.query.get("class"):
        items = [r for r in items if r.get("class") == req.query["class"]]
    return _paged(sim, req, "/wc/v3/taxes", items, values)


async def get_tax(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    rate = sim.catalog.tax_rates.get(int(m["id"]))
    if rate is None:
        raise WooError(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")
    return Reply(200, _public(rate))


async def list_tax_classes(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    return Reply(200, [_public(c) for c in sim.catalog.tax_classes])


# ---- webhooks ------------------------------------------------------------------------------
def _webhook(sim: WooSim, m: dict[str, str]) -> Any:
    webhook = sim.hub.webhooks.get(int(m["id"]))
    if webhook is None:
        raise WooError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
    return webhook


def _check_webhook_fields(body: dict[str, Any], creating: bool) -> None:
    if creating:
        missing = [k for k in ("topic", "delivery_url") if not body.get(k)]
        if missing:
            from .errors import missing_params

            raise missing_params(missing)
    topic = body.get("topic")
    if topic is not None and topic not in TOPIC_HOOKS and not str(topic).startswith("action."):
        raise WooError(400, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is invalid.")
    if "status" in body and body["status"] not in STATUSES:
        raise WooError(
            400,
            "rest_invalid_param",
            "Invalid parameter(s): status",
            {
                "status": 400,
                "params": {"status": "status is not one of active, paused, and disabled."},
                "details": {
                    "status": {
                        "code": "rest_not_in_enum",
                        "message": "status is not one of active, paused, and disabled.",
                        "data": None,
                    }
                },
            },
        )
    url = body.get("delivery_url")
    if url is not None and not str(url).startswith(("http://", "https://")):
        raise WooError(
            400,
            "woocommerce_rest_shop_webhook_invalid_delivery_url",
            "Webhook delivery URL must be a valid URL starting with http:// or https://.",
        )


async def list_webhooks(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    items = sorted(sim.hub.webhooks.values(), key=lambda w: w.id, reverse=(values.get("order") or "desc") == "desc")
    if req.query.get("status") and req.query["status"] != "all":
        items = [w for w in items if w.status == req.query["status"]]
    return _paged(sim, req, "/wc/v3/webhooks", [w.to_json(sim.home) for w in items], values)


async def create_webhook(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    body = req.params()
    _check_webhook_fields(body, creating=True)
    webhook = sim.hub.create(
        str(body.get("name") or ""),
        str(body["topic"]),
        str(body["delivery_url"]),
        body.get("secret"),
        str(body.get("status") or "active"),
    )
    if not webhook.name:
        webhook.name = f"Webhook created on {webhook.date_created[0]}"
    if webhook.status == "active":
        await sim.hub.ping(webhook)  # sent inline; the API ignores the result
    return Reply(201, webhook.to_json(sim.home), {"Location": f"{sim.home}/wp-json/wc/v3/webhooks/{webhook.id}"})


async def get_webhook(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    return Reply(200, _webhook(sim, m).to_json(sim.home))


async def update_webhook(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    webhook = _webhook(sim, m)
    body = req.params()
    _check_webhook_fields(body, creating=False)
    url_changed = "delivery_url" in body and body["delivery_url"] != webhook.delivery_url
    for key in ("name", "topic", "delivery_url", "secret", "status"):
        if body.get(key) is not None:
            setattr(webhook, key, str(body[key]))
    if body.get("status") == "active":
        webhook.failure_count = 0
    webhook.date_modified = sim.site_time.pair(sim.clock.now())
    if webhook.status == "active" and (url_changed or webhook.pending_delivery):
        webhook.pending_delivery = True
        await sim.hub.ping(webhook)
    return Reply(200, webhook.to_json(sim.home))


async def delete_webhook(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    webhook = _webhook(sim, m)
    if not params.to_bool(req.params().get("force", False)):
        raise WooError(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
    del sim.hub.webhooks[webhook.id]
    return Reply(200, webhook.to_json(sim.home))


def register(router: Router) -> None:
    customers = _collection({"email": params.text, "role": params.text})
    router.add("/wc/v3/customers", "GET", "list", list_customers, customers)
    router.add("/wc/v3/customers", "POST", "create", create_customer)
    router.add(f"/wc/v3/customers/{ID}", "GET", "view", get_customer)
    router.add(f"/wc/v3/customers/{ID}", WRITE, "edit", update_customer)
    router.add("/wc/v3/products", "GET", "list", list_products, _collection({"sku": params.text}))
    router.add(f"/wc/v3/products/{ID}", "GET", "view", get_product)
    router.add(r"/wc/v3/products/(?P<product_id>[\d]+)/variations", "GET", "list", list_variations, _collection())
    router.add(rf"/wc/v3/products/(?P<product_id>[\d]+)/variations/{ID}", "GET", "view", get_variation)
    router.add("/wc/v3/shipping/zones", "GET", "list", list_zones)
    router.add(f"/wc/v3/shipping/zones/{ID}", "GET", "view", get_zone)
    zone = r"/wc/v3/shipping/zones/(?P<zone_id>[\d]+)"
    router.add(f"{zone}/locations", "GET", "view", zone_locations)
    router.add(f"{zone}/locations", WRITE, "edit", zone_locations)
    router.add(f"{zone}/methods", "GET", "list", zone_methods)
    router.add(f"{zone}/methods/{ID}", "GET", "view", zone_method)
    router.add("/wc/v3/taxes", "GET", "list", list_taxes, _collection({"class": params.text}))
    router.add(f"/wc/v3/taxes/{ID}", "GET", "view", get_tax)
    router.add("/wc/v3/taxes/classes", "GET", "list", list_tax_classes)
    router.add("/wc/v3/webhooks", "GET", "list", list_webhooks, _collection({"status": params.text}))
    router.add("/wc/v3/webhooks", "POST", "create", create_webhook)
    router.add(f"/wc/v3/webhooks/{ID}", "GET", "view", get_webhook)
    router.add(f"/wc/v3/webhooks/{ID}", WRITE, "edit", update_webhook)
    router.add(f"/wc/v3/webhooks/{ID}", "DELETE", "delete", delete_webhook)
