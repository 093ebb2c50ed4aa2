"""WooSim: the WooCommerce 11.0.1 simulator (state, helpers, the ASGI app)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import traceback
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from woonext.sim.clock import SimClock
from woonext.sim.faults import FaultMiddleware, FaultPlan

from . import phpjson, routes_data, routes_orders, routes_products, routes_settings, routes_store, routes_zones, sim_api
from .auth import Authenticator, KeyStore, key_permission_error
from .book import OrderBook
from .catalog import Catalog
from .config import WooSimConfig
from .dates import SiteTime
from .errors import WooError
from .refunds import create_refund
from .render import render_order
from .request import WooRequest, php_parse_query
from .routing import Reply, Router, permission_error, sparse
from .shop import Shop
from .webhooks import Delivery, Webhook, WebhookHub

STAFF_ROLES = ("administrator", "shop_manager")
CRITICAL_ERROR = {
    "code": "internal_server_error",
    "message": '<p>There has been a critical error on this website.</p><p><a href="https://wordpress.org/'
    'documentation/article/faq-troubleshooting/">Learn more about troubleshooting WordPress.</a></p>',
    "data": {"status": 500},
    "additional_errors": [],
}
BASE_HEADERS = {
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "Access-Control-Expose-Headers": "X-WP-Total, X-WP-TotalPages, Link",
    "Access-Control-Allow-Headers": "Authorization, X-WP-Nonce, Content-Disposition, Content-MD5, Content-Type",
    "Expires": "Wed, 11 Jan 1984 05:00:00 GMT",
    "Cache-Control": "no-cache, must-revalidate, max-age=0, no-store, private",
}


class WooSim:
    """A WooCommerce store that answers like the real 11.0.1 (see docs/architecture.md)."""

    def __init__(self, config: WooSimConfig | None = None, clock: SimClock | None = None) -> None:
        self.config = config or WooSimConfig()
        self.clock = clock or SimClock()
        self.home = self.config.home_url.rstrip("/")
        self.site_time = SiteTime(self.config.timezone)
        self.catalog = Catalog(self.home, self.site_time)
        self.book = OrderBook(self.site_time)
        self.hub = WebhookHub(
            home_url=self.home,
            site_time=self.site_time,
            now=self.clock.now,
            build_payload=self._payload,
            salt=self.config.wp_salt,
            user_agent=f"WooCommerce/{self.config.wc_version} Hookshot (WordPress/{self.config.wp_version})",
            delay_seconds=self.config.webhook_delay_seconds,
            max_failures=self.config.max_webhook_failures,
            safe_urls_only=self.config.webhook_safe_urls_only,
        )
        self.shop = Shop(self.config, self.clock.now, self.catalog, self.book, self.hub, self.site_time)
        self.keys = KeyStore()
        self.authenticator = Authenticator(self.keys, self.home, self.config.https)
        self.router = Router()
        routes_orders.register(self.router)
        routes_store.register(self.router)
        routes_products.register(self.router)
        routes_data.register(self.router)
        routes_zones.register(self.router)
        routes_settings.register(self.router)
        self.request_log: list[tuple[str, str, int]] = []
        self.errors: list[str] = []  # tracebacks of unexpected exceptions (answered as a critical error)
        # Called on every GET /orders before the page is computed: lets a test change orders
        # between the pages a client fetches (new orders, bumped date_modified, ...).
        self.between_pages: Callable[[WooSim, dict[str, Any]], None] | None = None
        self._hits: deque[float] = deque()
        self.faults: FaultPlan = FaultPlan.parse(self.config.faults, self.config.fault_seed, target="woo")
        inner = Starlette(
            routes=[
                *sim_api.routes(self),
                Route(
                    "/{path:path}", self._endpoint, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
                ),
            ],
            lifespan=self._lifespan,
        )
        self.app: ASGIApp = FaultMiddleware(
            inner,
            self.faults,
            flavor="woo",
            latency_ms=self.config.latency_ms,
            jitter_ms=self.config.jitter_ms,
            now=self.clock.now,
            timezone=self.config.timezone,
        )

    # ---- public surface ------------------------------------------------------------------
    @property
    def orders(self) -> dict[int, dict[str, Any]]:
        return self.book.orders

    @property
    def webhook_transport(self) -> httpx.AsyncBaseTransport | None:
        return self.hub.transport

    @webhook_transport.setter
    def webhook_transport(self, transport: httpx.AsyncBaseTransport | None) -> None:
        self.hub.transport = transport

    @property
    def webhook_log(self) -> list[Delivery]:
        return self.hub.log

    def create_key(
        self, permissions: str = "read_write", user_id: int = 1, role: str = "administrator"
    ) -> tuple[str, str]:
        """A REST API key; `role` "customer" gives a logged-in user without shop capabilities (403)."""
        key = self.keys.create(permissions, user_id, role=role)
        return key.consumer_key, key.consumer_secret

    def import_order(self, order_json: dict[str, Any]) -> dict[str, Any]:
        return self.shop.import_order(order_json)

    def import_refund(self, order_id: int, refund_json: dict[str, Any]) -> dict[str, Any]:
        """A refund object verbatim; GET /orders/{order_id}/refunds serves it (the order's own
        `refunds[]` summary comes with the imported order)."""
        return self.shop.import_refund(order_id, refund_json)

    def create_order(self, spec: dict[str, Any], created_via: str = "rest") -> dict[str, Any]:
        """An order from a spec (line_items with product_id/variation_id/quantity, coupon_lines codes,
        fee_lines, shipping_lines, billing/shipping, payment_method, status, meta_data, set_paid).
        created_via "checkout" makes a storefront order; status "checkout-draft" a block-checkout draft."""
        if created_via == "checkout":
            spec = {"status": "processing", **spec}
            return self.shop.create(spec, created_via="checkout")
        return self.shop.create(spec, created_via="rest-api")

    def update_order(self, order_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        return self.shop.update(order_id, changes)

    def pay(self, order_id: int, transaction_id: str = "") -> dict[str, Any]:
        return self.shop.pay(order_id, transaction_id)

    def complete(self, order_id: int) -> dict[str, Any]:
        return self.shop.set_status(order_id, "completed")

    def cancel(self, order_id: int) -> dict[str, Any]:
        return self.shop.set_status(order_id, "cancelled")

    def set_status(self, order_id: int, status: str) -> dict[str, Any]:
        return self.shop.set_status(order_id, status)

    def trash(self, order_id: int) -> dict[str, Any]:
        self.shop.trash(order_id)
        return self.book.orders[order_id]

    def untrash(self, order_id: int) -> dict[str, Any]:
        return self.shop.untrash(order_id)

    def delete(self, order_id: int) -> dict[str, Any]:
        return self.shop.force_delete(order_id)

    def refund(
        self,
        order_id: int,
        amount: str | None = None,
        line_items: list[dict[str, Any]] | None = None,
        restock: bool = True,
        reason: str = "",
        api_refund: bool = False,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"reason": reason, "api_restock": restock, "api_refund": api_refund}
        if amount is not None:
            body["amount"] = str(amount)
        if line_items:
            body["line_items"] = line_items
        return create_refund(self.shop, order_id, body)

    def edit_lines(self, order_id: int, line_items: list[dict[str, Any]] | dict[str, list[Any]]) -> dict[str, Any]:
        changes = line_items if isinstance(line_items, dict) else {"line_items": line_items}
        return self.shop.edit_lines(order_id, changes)

    def add_note(self, order_id: int, note: str, customer_note: bool = False) -> dict[str, Any]:
        return self.shop.add_note(order_id, note, customer_note)

    def add_product(self, name: str, sku: str = "", price: str = "0", **kwargs: Any) -> dict[str, Any]:
        product = self.catalog.add_product(name, sku, price, now=self.clock.now(), **kwargs)
        self.hub.fire("product.created", product["id"])
        return product

    def add_variation(
        self, parent_id: int, sku: str, price: str, attributes: list[dict[str, Any]], **kwargs: Any
    ) -> dict[str, Any]:
        return self.catalog.add_variation(parent_id, sku, price, attributes, now=self.clock.now(), **kwargs)

    def add_customer(self, email: str, first_name: str = "", last_name: str = "", **kwargs: Any) -> dict[str, Any]:
        customer = self.catalog.add_customer(email, first_name, last_name, now=self.clock.now(), **kwargs)
        self.hub.fire("customer.created", customer["id"])
        return customer

    def add_shipping_zone(
        self,
        name: str,
        locations: list[dict[str, str]] | None = None,
        methods: list[dict[str, Any]] | None = None,
        order: int = 0,
    ) -> dict[str, Any]:
        return self.catalog.add_shipping_zone(name, locations, methods, order)

    def add_tax_rate(self, rate: str, name: str, **kwargs: Any) -> dict[str, Any]:
        return self.catalog.add_tax_rate(rate, name, **kwargs)

    def import_store(
        self,
        *,
        products: Sequence[dict[str, Any]] = (),
        variations: dict[str, list[dict[str, Any]]] | None = None,
        taxes: Sequence[dict[str, Any]] = (),
        tax_classes: Sequence[dict[str, Any]] | None = None,
        zones: Sequence[dict[str, Any]] = (),
        coupons: Sequence[dict[str, Any]] = (),
        customers: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Load a store's configuration verbatim from REST answers (the shapes of the real
        store-*.json samples: variations keyed by parent id, zones with `locations` and `methods`)."""
        for product in products:
            self.catalog.import_product(product)
        for parent_id, items in (variations or {}).items():
            for variation in items:
                self.catalog.import_variation(variation, int(parent_id))
        for rate in taxes:
            self.catalog.import_tax_rate(rate)
        if tax_classes is not None:
            self.catalog.tax_classes = [dict(c) for c in tax_classes]
        for zone in zones:
            self.catalog.import_shipping_zone(zone)
        for coupon in coupons:
            self.catalog.import_coupon(coupon)
        for customer in customers:
            self.catalog.import_customer(customer)

    def add_webhook(
        self, topic: str, delivery_url: str, secret: str | None = None, name: str = "", status: str = "active"
    ) -> Webhook:
        """Register a webhook without the creation ping (like one made long ago)."""
        webhook = self.hub.create(name or topic, topic, delivery_url, secret, status)
        webhook.pending_delivery = False
        return webhook

    async def run_webhooks(self, now: bool = True, order: str = "fifo", times: int = 1) -> list[Delivery]:
        """Run the Action Scheduler: deliver what is pending (now=True) or due by the clock."""
        return await self.hub.run(now=now, order=order, times=times)

    def render_order(self, order: dict[str, Any], dp: int | None = None) -> dict[str, Any]:
        return render_order(order, self.catalog, dp, self.config.price_decimals, self.config.prices_include_tax)

    def on_list_page(self, values: dict[str, Any]) -> None:
        if self.between_pages is not None:
            self.between_pages(self, values)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        interval = self.config.webhook_autorun_seconds
        task = asyncio.create_task(self.webhook_cron(interval)) if interval else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def webhook_cron(self, interval: float) -> None:
        """The WP-Cron / Action Scheduler loop: deliver what is due, forever."""
        while True:
            await asyncio.sleep(interval)
            await self.run_webhooks(now=False)

    # ---- webhook payloads ----------------------------------------------------------------
    def _payload(self, resource: str, arg: int, webhook: Webhook) -> Any:
        if webhook.event == "deleted":
            return {"id": arg}
        if resource == "order":
            order = self.book.orders.get(arg)
            if order is None:
                return WooError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.").body()
            return self.render_order(order)
        if resource == "customer":
            customer = self.catalog.customers.get(arg)
            return {k: v for k, v in (customer or {}).items()} or WooError(
                404, "woocommerce_rest_invalid_id", "Invalid resource ID."
            ).body()
        if resource == "product":
            product = self.catalog.products.get(arg) or self.catalog.variations.get(arg)
            return product or WooError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.").body()
        return {"action": webhook.topic.removeprefix("action."), "arg": arg}

    # ---- HTTP ----------------------------------------------------------------------------
    def _rate_limited(self) -> Response | None:
        limit = self.config.rate_limit
        if not limit:
            return None
        moment = time.monotonic()
        while self._hits and self._hits[0] <= moment - self.config.rate_limit_window:
            self._hits.popleft()
        if len(self._hits) >= limit:
            headers = {"Content-Type": "text/html; charset=UTF-8"}
            if self.config.rate_limit_retry_after is not None:
                headers["Retry-After"] = str(self.config.rate_limit_retry_after)
            body = (
                b"<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1>"
                b"<p>You have been rate limited.</p></body></html>"
            )
            return Response(body, status_code=429, headers=headers)
        self._hits.append(moment)
        return None

    async def _endpoint(self, request: Request) -> Response:
        limited = self._rate_limited()
        if limited is not None:
            self.request_log.append((request.method, request.url.path, 429))
            return limited
        home_path = httpx.URL(self.home).path.rstrip("/")
        path = request.url.path
        prefix = f"{home_path}/wp-json"
        query = php_parse_query(request.url.query)
        plain_route = path in (home_path, home_path + "/") and isinstance(query.get("rest_route"), str)
        if not plain_route and not path.startswith(prefix + "/") and path != prefix:
            response = Response(
                b"<html><body><h1>Not Found</h1></body></html>",
                404,
                headers={"Content-Type": "text/html; charset=UTF-8"},
            )
            self.request_log.append((request.method, path, 404))
            return response
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        form: dict[str, Any] = {}
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form = php_parse_query(body.decode("utf-8", "replace"))
        raw_query = request.url.query
        # `?rest_route=/wc/v3/...` reaches the same routes, but the key authenticator only looks at
        # `/wp-json/wc/` URIs, so such requests always run anonymously.
        route = str(query.pop("rest_route")) if plain_route else (path[len(prefix) :] or "/")
        req = WooRequest(
            method=request.method,
            path=route,
            raw_path=path,
            raw_query=raw_query,
            query=query,
            headers=headers,
            body_bytes=body,
            form=form,
        )
        try:
            reply = await self._dispatch(req)
        except WooError as err:
            reply = Reply(err.status, err.body())
        except Exception:  # a PHP fatal error: WordPress answers its generic critical-error object
            self.errors.append(traceback.format_exc())
            reply = Reply(500, CRITICAL_ERROR)
        response = self._respond(reply)
        self.request_log.append((request.method, path, reply.status))
        if self.config.webhook_deliver_sync:
            await self.hub.run()
        return response

    async def _dispatch(self, req: WooRequest) -> Reply:
        key = None
        if "/wp-json/wc/" in req.raw_path or "/wp-json/wc-" in req.raw_path:
            authorization = "" if self.config.strip_authorization else req.headers.get("authorization", "")
            now = int(self.clock.now().timestamp())
            result = self.authenticator.authenticate(req.method, req.raw_path, req.query, req.form, authorization, now)
            if result.error is not None:
                raise result.error
            key = result.key
            if key is not None:
                denied = key_permission_error(key, req.method)
                if denied is not None:
                    raise denied
        endpoint, groups, allowed = self.router.match(req.method, req.path)
        values = endpoint.validator(self, req) if endpoint.validator else {}
        if key is None:
            raise permission_error(endpoint.operation)
        if key.role not in STAFF_ROLES:
            # rest_authorization_required_code(): 403 once a user is logged in.
            raise permission_error(endpoint.operation, status=403)
        with self.hub.scope():
            reply = await endpoint.handler(self, req, groups, values)
        reply.headers.setdefault("Allow", ", ".join(allowed))
        if req.method == "GET" and isinstance(req.query.get("_fields"), str) and reply.status < 300:
            reply.body = sparse(reply.body, req.query["_fields"])
        return reply

    def _respond(self, reply: Reply) -> Response:
        headers = dict(BASE_HEADERS)
        headers["Link"] = f'<{self.home}/wp-json/>; rel="https://api.w.org/"'
        headers.update(reply.headers)
        headers["Content-Type"] = "application/json; charset=UTF-8"
        return Response(phpjson.encode_bytes(reply.body), status_code=reply.status, headers=headers)

    def now(self) -> datetime:
        return self.clock.now()
