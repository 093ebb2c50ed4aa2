"""The simulated store's order operations, shared by the REST routes and the test helpers.

Every public operation is one "PHP request": webhooks recorded during it are queued at its end.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from . import pricing, stock
from .book import DRAFT_STATUSES, ORDER_STATUSES, OrderBook, blank_order, clone, order_links
from .catalog import Catalog
from .config import CURRENCY_SYMBOLS, WooSimConfig
from .dates import SiteTime
from .errors import ParamErrors, WooError, order_not_found, php_list
from .lines import apply_lines
from .webhooks import WebhookHub

LINE_GROUPS = ("line_items", "shipping_lines", "fee_lines", "coupon_lines")
ITEM_GROUPS = ("line_items", "tax_lines", "shipping_lines", "fee_lines", "coupon_lines")
LINE_KEYS = (
    "id",
    "name",
    "product_id",
    "variation_id",
    "quantity",
    "tax_class",
    "subtotal",
    "subtotal_tax",
    "total",
    "total_tax",
    "taxes",
    "meta_data",
    "sku",
    "global_unique_id",
    "price",
    "image",
    "parent_name",
)
SIMPLE_FIELDS = (
    "parent_id",
    "currency",
    "customer_note",
    "payment_method",
    "payment_method_title",
    "transaction_id",
    "customer_ip_address",
    "customer_user_agent",
)


STATUS_NAMES = {
    "pending": "Pending payment",
    "processing": "Processing",
    "on-hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
    "failed": "Failed",
    "checkout-draft": "Draft",
    "trash": "Trash",
}


def status_name(status: str) -> str:
    return STATUS_NAMES.get(status, status.replace("-", " ").capitalize())


class Shop:
    def __init__(
        self,
        config: WooSimConfig,
        now: Callable[[], datetime],
        catalog: Catalog,
        book: OrderBook,
        hub: WebhookHub,
        site_time: SiteTime,
    ) -> None:
        self.config = config
        self.now = now
        self.catalog = catalog
        self.book = book
        self.hub = hub
        self.time = site_time
        self.home = config.home_url.rstrip("/")

    # ---- helpers -------------------------------------------------------------------------
    def get(self, order_id: int) -> dict[str, Any]:
        order = self.book.orders.get(order_id)
        if order is None:
            raise order_not_found()
        return order

    def statuses(self) -> tuple[str, ...]:
        return ORDER_STATUSES + tuple(self.config.custom_statuses)

    def check_status(self, data: dict[str, Any]) -> None:
        """The `status` enum of the order schema (rest_invalid_param, as WordPress validates it)."""
        if "status" in data and data["status"] not in self.statuses():
            errors = ParamErrors()
            errors.add("status", "rest_not_in_enum", f"status is not one of {php_list(list(self.statuses()))}.")
            errors.raise_if_any()

    def _recalculate(self, order: dict[str, Any]) -> None:
        settings = pricing.store_settings(self.config.prices_include_tax, self.config.price_decimals, self.catalog)
        known = {int(x.get("id") or 0) for g in ITEM_GROUPS for x in order.get(g) or []}
        result = pricing.calculate(order, self.catalog, settings)
        order.clear()
        order.update(result)
        # Item ids are one store-wide sequence; the arithmetic numbers new rows within the order only.
        for group in ITEM_GROUPS:
            for item in order.get(group) or []:
                if int(item.get("id") or 0) not in known:
                    item["id"] = self.book.take_item_id()
        for line in order.get("line_items") or []:
            ordered = {k: line.pop(k) for k in LINE_KEYS if k in line}
            ordered.update(line)
            line.clear()
            line.update(ordered)

    def _save(self, order: dict[str, Any], old_status: str | None, creating: bool = False) -> None:
        """WC_Order::save(): bump date_modified, refresh derived fields, fire the save hooks."""
        now = self.now()
        self.book.touch(order, now)
        self.book.refresh_derived(order, self.home)
        status = str(order["status"])
        if old_status is not None and old_status != status:
            # WC_Order::status_transition() records the change as a system note.
            self.add_note(order["id"], f"Order status changed from {status_name(old_status)} to {status_name(status)}.")
        left_draft = not creating and old_status in DRAFT_STATUSES and status not in DRAFT_STATUSES
        if (creating and status not in DRAFT_STATUSES) or left_draft:
            self.hub.fire("order.created", order["id"], status)
        self.hub.fire("order.updated", order["id"], status)

    # ---- create --------------------------------------------------------------------------
    def new_order(self, created_via: str) -> dict[str, Any]:
        oid = self.book.take_order_id()
        currency = self.config.currency
        order = blank_order(
            oid,
            now=self.now(),
            site_time=self.time,
            home=self.home,
            currency=currency,
            symbol=CURRENCY_SYMBOLS.get(currency, currency),
            prices_include_tax=self.config.prices_include_tax,
            version=self.config.wc_version,
            created_via=created_via,
        )
        order["_links"] = order_links(self.home, order)
        return order

    def create(self, data: dict[str, Any], created_via: str = "rest-api") -> dict[str, Any]:
        if data.get("id"):
            raise WooError(400, "woocommerce_rest_shop_order_exists", "Cannot create existing shop_order.")
        self.check_status(data)
        self._check_customer(data)
        order = self.new_order(str(data.get("created_via") or created_via))
        if created_via == "checkout":
            order["cart_hash"] = order["order_key"][-12:].lower().ljust(32, "0")
        with self.hub.scope():
            try:
                self._apply(order, data, recalc=True)
            except WooError:
                # Nothing was saved, so the id was never taken.
                if self.book.next_order_id == order["id"] + 1:
                    self.book.next_order_id = order["id"]
                raise
            status = str(data.get("status") or "pending")
            self.book.orders[order["id"]] = order
            self.book.set_status(order, status, self.now())
            if data.get("set_paid"):
                self.book.payment_complete(order, self.now(), str(data.get("transaction_id") or ""))
            stock.on_status(self, order, None, str(order["status"]))
            self._save(order, "pending", creating=True)
        return order

    def _check_customer(self, data: dict[str, Any]) -> None:
        cid = data.get("customer_id")
        if cid not in (None, 0, "0") and int(cid) not in self.catalog.customers:
            raise WooError(400, "woocommerce_rest_invalid_customer_id", "Customer ID is invalid.")

    def _apply(self, order: dict[str, Any], data: dict[str, Any], recalc: bool) -> None:
        for key in SIMPLE_FIELDS:
            if key in data and data[key] is not None:
                order[key] = data[key]
        if "customer_id" in data and data["customer_id"] is not None:
            order["customer_id"] = int(data["customer_id"])
        for address in ("billing", "shipping"):
            if isinstance(data.get(address), dict):
                order[address].update({k: v for k, v in data[address].items() if k in order[address]})
        if isinstance(data.get("meta_data"), list):
            self.book.update_meta(order, data["meta_data"])
        if isinstance(data.get("coupon_lines"), list):
            # recalculate_coupons(): every line goes back to its subtotal, then the coupons that
            # remain are applied again.
            for line in order.get("line_items") or []:
                line["total"] = line.get("subtotal", line.get("total"))
                if "_sim_subtotal" in line:
                    line["_sim_total"] = line["_sim_subtotal"]
        changed = False
        for group in LINE_GROUPS:
            if isinstance(data.get(group), list):
                apply_lines(self.book, self.catalog, order, group, data[group])
                changed = True
        if recalc and (changed or "billing" in data or "shipping" in data):
            self._recalculate(order)

    # ---- update --------------------------------------------------------------------------
    def update(self, order_id: int, data: dict[str, Any]) -> dict[str, Any]:
        order = self.book.orders.get(order_id)
        if order is None:
            raise WooError(400, "woocommerce_rest_shop_order_invalid_id", "ID is invalid.")
        self.check_status(data)
        self._check_customer(data)
        old_status = str(order["status"])
        # Changes are made on a copy and kept only if the whole request is valid (an exception
        # before WC_Order::save() leaves the stored order untouched); the dict keeps its identity.
        work = clone(order)
        self._apply(work, data, recalc=True)
        order.clear()
        order.update(work)
        with self.hub.scope():
            if data.get("status"):
                self.book.set_status(order, str(data["status"]), self.now())
            if data.get("set_paid") and order.get("needs_payment", True):
                self.book.payment_complete(order, self.now(), str(data.get("transaction_id") or ""))
            if order["status"] != old_status:
                stock.on_status(self, order, old_status, str(order["status"]))
            self._save(order, old_status)
        return order

    def set_status(self, order_id: int, status: str) -> dict[str, Any]:
        return self.update(order_id, {"status": status})

    def pay(self, order_id: int, transaction_id: str = "") -> dict[str, Any]:
        order = self.get(order_id)
        old_status = str(order["status"])
        with self.hub.scope():
            self.book.payment_complete(order, self.now(), transaction_id)
            if order["status"] != old_status:
                stock.on_status(self, order, old_status, str(order["status"]))
            self._save(order, old_status)
        return order

    def edit_lines(self, order_id: int, changes: dict[str, list[Any]]) -> dict[str, Any]:
        return self.update(order_id, changes)

    # ---- trash / delete ------------------------------------------------------------------
    def trash(self, order_id: int) -> dict[str, Any]:
        order = self.get(order_id)
        if order["status"] == "trash":
            raise WooError(410, "woocommerce_rest_already_trashed", "The shop_order has already been deleted.")
        before = clone(order)
        with self.hub.scope():
            order["_sim_trash_status"] = order["status"]
            order["status"] = "trash"
            self.book.refresh_derived(order, self.home)
            self.hub.fire("order.deleted", order_id)
        return before

    def untrash(self, order_id: int) -> dict[str, Any]:
        order = self.get(order_id)
        if order["status"] != "trash":
            return order
        with self.hub.scope():
            order["status"] = order.pop("_sim_trash_status", "pending")
            self.book.refresh_derived(order, self.home)
            self.hub.fire("order.restored", order_id, str(order["status"]))
        return order

    def force_delete(self, order_id: int) -> dict[str, Any]:
        order = self.get(order_id)
        before = clone(order)
        del self.book.orders[order_id]
        self.book.notes.pop(order_id, None)
        for rid in [r for r, refund in self.book.refunds.items() if refund["_sim_order_id"] == order_id]:
            del self.book.refunds[rid]
        return before

    # ---- notes ---------------------------------------------------------------------------
    def add_note(
        self, order_id: int, note: str, customer_note: bool = False, added_by_user: bool = False, author: str = "admin"
    ) -> dict[str, Any]:
        """Adding a note does not save the order: no date_modified bump, no webhook."""
        nid = self.book.take_note_id()
        local, gmt = self.time.pair(self.now())
        base = f"{self.home}/wp-json/wc/v3/orders/{order_id}/notes"
        record = {
            "id": nid,
            "author": author if added_by_user else "system",
            "date_created": local,
            "date_created_gmt": gmt,
            "note": note,
            "customer_note": bool(customer_note),
            "_links": {
                "self": [{"href": f"{base}/{nid}"}],
                "collection": [{"href": base}],
                "up": [{"href": f"{self.home}/wp-json/wc/v3/orders/{order_id}"}],
            },
        }
        self.book.notes.setdefault(order_id, []).append(record)
        return record

    # ---- import --------------------------------------------------------------------------
    def import_order(self, order_json: dict[str, Any]) -> dict[str, Any]:
        order = clone(order_json)
        oid = int(order["id"])
        self.book.orders[oid] = order
        self.book.observe_ids(order)
        return order

    def import_refund(self, order_id: int, refund_json: dict[str, Any]) -> dict[str, Any]:
        """A refund object verbatim (REST JSON of /orders/{id}/refunds/{rid}); ids continue after it."""
        refund = clone(refund_json)
        refund["_sim_order_id"] = order_id
        self.book.refunds[int(refund["id"])] = refund
        self.book.next_order_id = max(self.book.next_order_id, int(refund["id"]) + 1)
        for group in ("line_items", "shipping_lines", "fee_lines", "tax_lines"):
            for line in refund.get(group) or []:
                self.book.next_item_id = max(self.book.next_item_id, int(line.get("id") or 0) + 1)
                for meta in line.get("meta_data") or []:
                    self.book.next_item_meta_id = max(self.book.next_item_meta_id, int(meta.get("id") or 0) + 1)
        return refund
