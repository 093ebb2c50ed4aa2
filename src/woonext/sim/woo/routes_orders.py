"""REST handlers for /orders, /orders/batch, notes and refunds."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import listing, params
from .book import LIST_STATUSES
from .errors import ParamErrors, WooError, missing_params
from .refunds import create_refund, delete_refund
from .request import WooRequest
from .routing import WRITE, Reply, Router

if TYPE_CHECKING:
    from .app import WooSim

ID = r"(?P<id>[\d]+)"
OID = r"(?P<order_id>[\d]+)"


def _dp(sim: WooSim, req: WooRequest) -> dict[str, Any]:
    return params.validate(
        {
            "dp": params.integer(),
            "context": params.enum(("view", "edit")),
            "include_meta": params.string_list,
            "exclude_meta": params.string_list,
        },
        req.query,
    )


def _list_schema(sim: WooSim) -> dict[str, params.Check]:
    schema = params.base_collection()
    schema["status"] = params.enum_list(LIST_STATUSES + tuple(sim.config.custom_statuses))
    schema["customer"] = params.integer()
    schema["product"] = params.integer()
    schema["dp"] = params.integer()
    schema["created_via"] = params.string_list
    schema["include_meta"] = params.string_list
    schema["exclude_meta"] = params.string_list
    return schema


def _meta_filter(order: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """include_meta / exclude_meta filter the order-level meta_data only."""
    include, exclude = values.get("include_meta"), values.get("exclude_meta")
    if include:
        order["meta_data"] = [m for m in order.get("meta_data", []) if m.get("key") in include]
    if exclude:
        order["meta_data"] = [m for m in order.get("meta_data", []) if m.get("key") not in exclude]
    return order


def validate_list(sim: WooSim, req: WooRequest) -> dict[str, Any]:
    return params.validate(_list_schema(sim), req.query)


EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def _check_body(body: dict[str, Any]) -> None:
    """The order schema's types (WordPress validates request bodies against it too)."""
    errors = ParamErrors()
    for name in ("customer_id", "parent_id"):
        if body.get(name) is not None and not params.is_integer(body[name]):
            errors.add(name, "rest_invalid_type", f"{name} is not of type integer.", {"param": name})
    for name in ("set_paid", "manual_update"):
        if name in body and params.to_bool(body[name]) is None:
            errors.add(name, "rest_invalid_type", f"{name} is not of type boolean.", {"param": name})
    billing = body.get("billing")
    if billing is not None and not isinstance(billing, dict):
        errors.add("billing", "rest_invalid_type", "billing is not of type object.", {"param": "billing"})
    elif isinstance(billing, dict) and billing.get("email") and not EMAIL.match(str(billing["email"])):
        errors.add("billing", "rest_invalid_email", "Invalid email address.")
    for group in ("line_items", "shipping_lines", "fee_lines", "coupon_lines", "meta_data"):
        value = body.get(group)
        if value is not None and not isinstance(value, list):
            errors.add(group, "rest_invalid_type", f"{group} is not of type array.", {"param": group})
    for i, line in enumerate(body.get("line_items") or []):
        if isinstance(line, dict) and line.get("quantity") is not None and not params.is_integer(line["quantity"]):
            name = f"line_items[{i}][quantity]"
            errors.add("line_items", "rest_invalid_type", f"{name} is not of type integer.", {"param": name})
    errors.raise_if_any()


def validate_write(sim: WooSim, req: WooRequest) -> dict[str, Any]:
    values = _dp(sim, req)
    body = req.params()
    sim.shop.check_status(body)
    _check_body(body)
    return values


async def list_orders(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    sim.on_list_page(values)
    found = listing.filter_orders(
        list(sim.shop.book.orders.values()), values, sim.site_time, LIST_STATUSES + tuple(sim.config.custom_statuses)
    )
    ordered = listing.sort_orders(found, values)
    page_items, page, per_page = listing.paginate(ordered, values)
    dp = values.get("dp")
    body = [_meta_filter(sim.render_order(o, dp), values) for o in page_items]
    pairs = listing.echo_pairs(req.query, [("status", ["any"]), ("dp", sim.config.price_decimals), ("context", "view")])
    headers = listing.pagination_headers(sim.home, "/wc/v3/orders", pairs, page, per_page, len(found))
    return Reply(200, body, headers)


async def get_order(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    order = sim.shop.get(int(m["id"]))
    return Reply(200, _meta_filter(sim.render_order(order, values.get("dp")), values))


async def create_order(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    body = req.json() or {}
    order = sim.shop.create(body if isinstance(body, dict) else {})
    location = f"{sim.home}/wp-json/wc/v3/orders/{order['id']}"
    return Reply(201, sim.render_order(order, values.get("dp")), {"Location": location})


async def update_order(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    body = req.params()
    order = sim.shop.update(int(m["id"]), body)
    return Reply(200, sim.render_order(order, values.get("dp")))


async def delete_order(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    oid = int(m["id"])
    force = params.to_bool(req.params().get("force", False))
    before = sim.shop.force_delete(oid) if force else sim.shop.trash(oid)
    return Reply(200, sim.render_order(before, values.get("dp")))


async def batch_orders(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    body = req.json() or {}
    groups = {k: body.get(k) or [] for k in ("create", "update", "delete")} if isinstance(body, dict) else {}
    if sum(len(v) for v in groups.values()) > 100:
        raise WooError(
            413, "woocommerce_rest_request_entity_too_large", "Unable to accept more than 100 items for this request."
        )
    result: dict[str, list[Any]] = {}
    for verb, items in groups.items():
        if not items:
            continue
        out = result.setdefault(verb, [])
        for item in items:
            try:
                if verb == "create":
                    out.append(sim.render_order(sim.shop.create(item), None))
                elif verb == "update":
                    out.append(sim.render_order(sim.shop.update(int(item.get("id") or 0), item), None))
                else:
                    # absint(): anything that is not a number is id 0, which does not exist.
                    ident = int(item) if params.is_integer(item) else 0
                    out.append(sim.render_order(sim.shop.force_delete(ident), None))
            except WooError as err:
                ident = item.get("id", 0) if isinstance(item, dict) else (int(item) if params.is_integer(item) else 0)
                out.append({"id": ident, "error": {"code": err.code, "message": err.message, "data": err.data}})
    return Reply(200, result)


# ---- notes ---------------------------------------------------------------------------------
async def list_notes(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    oid = int(m["order_id"])
    if oid not in sim.shop.book.orders:
        raise WooError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid order ID.")
    kind = req.query.get("type", "any")
    notes = [n for n in sim.shop.book.notes.get(oid, []) if kind == "any" or (kind == "customer") == n["customer_note"]]
    # newest first; notes of the same second in the order they were added (sample 70)
    ordered = sorted(sorted(notes, key=lambda n: n["id"]), key=lambda n: n["date_created_gmt"], reverse=True)
    return Reply(200, ordered)


def validate_note(sim: WooSim, req: WooRequest) -> dict[str, Any]:
    if "note" not in req.params():
        raise missing_params(["note"])
    return {}


async def create_note(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    oid = int(m["order_id"])
    if oid not in sim.shop.book.orders:
        raise WooError(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
    body = req.params()
    note = sim.shop.add_note(
        oid,
        str(body["note"]),
        bool(params.to_bool(body.get("customer_note", False))),
        bool(params.to_bool(body.get("added_by_user", False))),
    )
    return Reply(201, note, {"Location": f"{sim.home}/wp-json/wc/v3/orders/{oid}/notes/{note['id']}"})


def _find_note(sim: WooSim, m: dict[str, str]) -> dict[str, Any]:
    oid = int(m["order_id"])
    if oid not in sim.shop.book.orders:
        raise WooError(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
    for note in sim.shop.book.notes.get(oid, []):
        if note["id"] == int(m["id"]):
            return note
    raise WooError(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")


async def get_note(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    return Reply(200, _find_note(sim, m))


async def delete_note(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    note = _find_note(sim, m)
    if not params.to_bool(req.params().get("force", False)):
        raise WooError(
            501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing."
        )  # sic: the notes controller says so
    sim.shop.book.notes[int(m["order_id"])].remove(note)
    return Reply(200, note)


# ---- refunds -------------------------------------------------------------------------------
def _public_refund(sim: WooSim, refund: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in refund.items() if not k.startswith("_sim_")}


def validate_refunds_list(sim: WooSim, req: WooRequest) -> dict[str, Any]:
    schema = params.base_collection()
    schema["dp"] = params.integer()
    return params.validate(schema, req.query)


async def list_refunds(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    refunds = [
        r for r in sim.shop.book.refunds.values() if "order_id" not in m or r["_sim_order_id"] == int(m["order_id"])
    ]
    descending = (values.get("order") or "desc") == "desc"
    refunds.sort(key=lambda r: (r["date_created_gmt"], r["id"]), reverse=descending)
    page_items, page, per_page = listing.paginate(refunds, values)
    route = f"/wc/v3/orders/{m['order_id']}/refunds" if "order_id" in m else "/wc/v3/refunds"
    headers = listing.pagination_headers(sim.home, route, list(req.query.items()), page, per_page, len(refunds))
    return Reply(200, [_public_refund(sim, r) for r in page_items], headers)


async def create_refund_route(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    body = req.params()
    refund = create_refund(sim.shop, int(m["order_id"]), body)
    location = f"{sim.home}/wp-json/wc/v3/orders/{m['order_id']}/refunds/{refund['id']}"
    return Reply(201, _public_refund(sim, refund), {"Location": location})


async def get_refund(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    refund = sim.shop.book.refunds.get(int(m["id"]))
    if refund is None or refund["_sim_order_id"] != int(m["order_id"]):
        raise WooError(404, "woocommerce_rest_invalid_id", "Invalid ID.")
    return Reply(200, _public_refund(sim, refund))


async def delete_refund_route(sim: WooSim, req: WooRequest, m: dict[str, str], values: dict[str, Any]) -> Reply:
    if params.to_bool(req.params().get("force", True)) is False:
        raise WooError(501, "woocommerce_rest_trash_not_supported", "Refunds do not support trashing.")
    refund = delete_refund(sim.shop, int(m["order_id"]), int(m["id"]))
    return Reply(200, _public_refund(sim, refund))


def register(router: Router) -> None:
    base = "/wc/v3/orders"
    router.add(base, "GET", "list", list_orders, validate_list)
    router.add(base, "POST", "create", create_order, validate_write)
    router.add(f"{base}/batch", WRITE, "batch", batch_orders)
    router.add(f"{base}/{ID}", "GET", "view", get_order, _dp)
    router.add(f"{base}/{ID}", WRITE, "edit", update_order, validate_write)
    router.add(f"{base}/{ID}", "DELETE", "delete", delete_order, _dp)
    router.add(f"{base}/{OID}/notes", "GET", "list", list_notes)
    router.add(f"{base}/{OID}/notes", "POST", "create", create_note, validate_note)
    router.add(f"{base}/{OID}/notes/{ID}", "GET", "view", get_note)
    router.add(f"{base}/{OID}/notes/{ID}", "DELETE", "delete", delete_note)
    router.add(f"{base}/{OID}/refunds", "GET", "list", list_refunds, validate_refunds_list)
    router.add(f"{base}/{OID}/refunds", "POST", "create", create_refund_route)
    router.add(f"{base}/{OID}/refunds/{ID}", "GET", "view", get_refund)
    router.add(f"{base}/{OID}/refunds/{ID}", "DELETE", "delete", delete_refund_route)
    router.add("/wc/v3/refunds", "GET", "list", list_refunds, validate_refunds_list)
