"""Generated orders over time: who buys what, how they pay, what happens to the order afterwards.

Totals come from `woomoney`, with the store's tax setting as it was on the order's date (the shop
switched to tax-inclusive prices two thirds of the way through, as the observed store did).
"""

from __future__ import annotations

import hashlib
import random
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from woonext.sim.woomoney import calculate_order, calculate_refund, refund_summary
from woonext.sim.woomoney_refunds import remaining_refund_amount

from .generator_catalog import EXPRESS, Catalog, zone_for
from .generator_masters import EXCHANGE_TO_EGP
from .generator_people import Person, phone_formats, vary_email_case
from .generator_time import SITE_TZ, wc_dates

STATUS_WEIGHTS = {
    "completed": 62,
    "processing": 11,
    "pending": 5,
    "on-hold": 4,
    "cancelled": 7,
    "refunded": 4,
    "failed": 4,
    "trash": 3,
}
PAYMENT_METHODS = [
    ("cod", "Cash on delivery", 40),
    ("instapay", "InstaPay", 20),
    ("kashier_card", "Credit / Debit card (Kashier)", 22),
    ("kashier_wallet", "Mobile wallet (Kashier)", 14),
    ("valu", "valU installments", 4),  # a gateway woonext does not know: must end up for review
]
# Key order of a REST order object (as the real order_*.json samples have it).
ORDER_KEYS = (
    "id",
    "parent_id",
    "status",
    "currency",
    "version",
    "prices_include_tax",
    "date_created",
    "date_modified",
    "discount_total",
    "discount_tax",
    "shipping_total",
    "shipping_tax",
    "cart_tax",
    "total",
    "total_tax",
    "customer_id",
    "order_key",
    "billing",
    "shipping",
    "payment_method",
    "payment_method_title",
    "transaction_id",
    "customer_ip_address",
    "customer_user_agent",
    "created_via",
    "customer_note",
    "date_completed",
    "date_paid",
    "cart_hash",
    "number",
    "meta_data",
    "line_items",
    "tax_lines",
    "shipping_lines",
    "fee_lines",
    "coupon_lines",
    "refunds",
    "payment_url",
    "is_editable",
    "needs_payment",
    "needs_processing",
    "date_created_gmt",
    "date_modified_gmt",
    "date_completed_gmt",
    "date_paid_gmt",
    "currency_symbol",
    "_links",
)
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€"}  # WooCommerce shows EGP as its code
PREPAID = {"kashier_card", "kashier_wallet", "instapay", "valu"}
# The meta keys a delivery-slot plugin writes (date, time from, duration in seconds); stores differ.
DEFAULT_DELIVERY_KEYS = ("_delivery_date", "_delivery_time_from", "_delivery_duration")
DELIVERY_SLOTS = ["10:00", "12:00", "14:00", "16:00", "18:00", "20:00"]
# Units of EGP per unit of a currency: for the odd order placed in another currency than the shop's.
EGP_PER = {"EGP": Decimal("1"), **EXCHANGE_TO_EGP}
USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 15; SM-A556E) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
]


class Counter:
    def __init__(self, start: int) -> None:
        self.value = start

    def next(self) -> int:
        self.value += 1
        return self.value


@dataclass
class OrderContext:
    rng: random.Random
    catalog: Catalog
    home: str
    item_ids: Counter
    meta_ids: Counter
    members: list[Person]
    visitors: list[Person]
    guests_seen: list[Person]
    store_currency: str = "EGP"
    delivery_keys: tuple[str, str, str] = DEFAULT_DELIVERY_KEYS


def _money_in(value: Decimal, ctx: OrderContext, currency: str) -> str:
    """A shop-currency amount in the order's currency."""
    converted = value * EGP_PER[ctx.store_currency] / EGP_PER[currency]
    return f"{converted.quantize(Decimal('0.01'))}"


def _pick_person(ctx: OrderContext) -> tuple[Person, str, str]:
    rng = ctx.rng
    if ctx.members and rng.random() < 0.55:
        person = rng.choice(ctx.members)
        return person, person.mobile, person.email
    if ctx.guests_seen and rng.random() < 0.4:
        person = rng.choice(ctx.guests_seen)  # a repeat guest: same person, new spelling
    else:
        person = ctx.visitors[len(ctx.guests_seen) % len(ctx.visitors)]
        ctx.guests_seen.append(person)
    return person, rng.choice(phone_formats(person.mobile)), vary_email_case(rng, person.email)


def _lines(ctx: OrderContext, currency: str) -> list[dict[str, Any]]:
    rng = ctx.rng
    sellable = ctx.catalog.sellable()
    picks = rng.sample(sellable, rng.choices([1, 2, 3, 4], weights=[48, 30, 16, 6])[0])
    lines = []
    for product, variation in picks:
        quantity = rng.choices([1, 2, 3, 5], weights=[70, 20, 8, 2])[0]
        line: dict[str, Any] = {
            "id": ctx.item_ids.next(),
            "product_id": product["id"],
            "variation_id": variation["id"] if variation else 0,
            "quantity": quantity,
            "name": f"{product['name']} - {variation['name']}" if variation else product["name"],
            "sku": (variation or product)["sku"],
            "meta_data": [],
            "parent_name": product["name"] if variation else None,
        }
        if variation:
            attr = variation["attributes"][0]
            line["meta_data"].append(
                {
                    "id": ctx.meta_ids.next(),
                    "key": attr["slug"],
                    "value": attr["option"],
                    "display_key": attr["name"],
                    "display_value": attr["option"],
                }
            )
        if currency != ctx.store_currency:
            amount = _money_in(Decimal((variation or product)["price"]) * quantity, ctx, currency)
            line["subtotal"] = line["total"] = amount
        lines.append(line)
    return lines


def _shipping(ctx: OrderContext, person: Person, currency: str, via_checkout: bool) -> list[dict[str, Any]]:
    rng = ctx.rng
    if rng.random() < 0.12:
        return []  # picked up in the shop
    zone = zone_for(ctx.catalog.shipping_zones, person.state, person.postcode)
    methods = zone["methods"] or ctx.catalog.shipping_zones[-1]["methods"]
    method = methods[-1] if len(methods) > 1 and rng.random() < 0.12 else methods[0]
    cost = Decimal(method["settings"]["cost"]["value"])
    title = method["title"] if method["title"] != EXPRESS[0] or via_checkout else EXPRESS[0]
    return [
        {
            "id": ctx.item_ids.next(),
            "method_title": title,
            "method_id": "flat_rate",
            "instance_id": str(method["instance_id"]) if via_checkout else "",
            "total": _money_in(cost, ctx, currency),
            "tax_status": "taxable",
            "meta_data": [],
        }
    ]


def _fees(ctx: OrderContext, method: str, currency: str) -> list[dict[str, Any]]:
    rng = ctx.rng
    fees = []
    roll = rng.random()
    if roll < 0.05:
        fees.append(("Loyalty discount", Decimal("-25.00"), "taxable"))
    elif roll < 0.09:
        fees.append(("Gift wrapping", Decimal("25.00"), "taxable"))
    elif roll < 0.14 and method == "cod":
        fees.append(("Cash handling fee", Decimal("15.00"), "none"))
    return [
        {
            "id": ctx.item_ids.next(),
            "name": name,
            "tax_class": "",
            "tax_status": status,
            "amount": "",
            "total": _money_in(value, ctx, currency),
            "meta_data": [],
        }
        for name, value, status in fees
    ]


def _coupons(ctx: OrderContext) -> list[dict[str, Any]]:
    rng = ctx.rng
    if rng.random() >= 0.16:
        return []
    codes = [c["code"] for c in ctx.catalog.coupons]
    chosen = rng.sample(codes, 2 if rng.random() < 0.1 else 1)
    return [{"id": ctx.item_ids.next(), "code": code} for code in chosen]


def _meta(ctx: OrderContext, created: datetime) -> list[dict[str, Any]]:
    rng = ctx.rng
    meta: dict[str, str] = {"_wc_order_attribution_source_type": rng.choice(["typein", "organic", "referral"])}
    if rng.random() < 0.9:
        day = created.astimezone(SITE_TZ).date() + timedelta(days=rng.randint(0, 3))
        date_key, time_key, duration_key = ctx.delivery_keys
        meta[date_key] = day.isoformat()
        meta[time_key] = rng.choice(DELIVERY_SLOTS)
        meta[duration_key] = rng.choice(["3600", "7200", "10800"])
    # WooCommerce returns meta ordered by key (observed-real §11).
    return [{"id": ctx.meta_ids.next(), "key": k, "value": v} for k, v in sorted(meta.items())]


def _order_key(rng: random.Random) -> str:
    return "wc_order_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(13))


def build_order(
    ctx: OrderContext, order_id: int, created: datetime, prices_include_tax: bool
) -> tuple[dict[str, Any], Person]:
    """One order with its inputs chosen; figures filled by woomoney; status and dates still to come."""
    rng = ctx.rng
    person, phone, email = _pick_person(ctx)
    person.orders += 1
    other = "USD" if ctx.store_currency != "USD" else "EGP"
    currency = other if rng.random() < 0.03 else ctx.store_currency
    method, title, _ = rng.choices(PAYMENT_METHODS, weights=[w for *_, w in PAYMENT_METHODS])[0]
    created_via = rng.choices(["checkout", "admin", "rest-api"], weights=[90, 5, 5])[0]
    checkout = created_via == "checkout"
    key = _order_key(rng)
    order: dict[str, Any] = {
        "id": order_id,
        "parent_id": 0,
        "status": "pending",
        "currency": currency,
        "version": "11.0.1",
        "prices_include_tax": prices_include_tax,
        **wc_dates("date_created", created),
        **wc_dates("date_modified", created),
        "customer_id": person.customer_id,
        "order_key": key,
        "billing": person.address(with_email=True, phone=phone, email=email),
        "shipping": person.address(with_email=False, phone=phone),
        "payment_method": method,
        "payment_method_title": title,
        "transaction_id": "",
        "customer_ip_address": f"41.{rng.randint(32, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        if checkout
        else "",
        "customer_user_agent": rng.choice(USER_AGENTS) if checkout else "",
        "created_via": created_via,
        "customer_note": rng.choice(["", "", "", "Please call before delivery", "Leave with the doorman"]),
        **wc_dates("date_completed", None),
        **wc_dates("date_paid", None),
        "cart_hash": hashlib.md5(key.encode()).hexdigest() if checkout else "",
        "number": str(order_id),
        "meta_data": _meta(ctx, created),
        "line_items": _lines(ctx, currency),
        "tax_lines": [],
        "shipping_lines": _shipping(ctx, person, currency, checkout),
        "fee_lines": _fees(ctx, method, currency),
        "coupon_lines": _coupons(ctx),
        "refunds": [],
        "payment_url": f"{ctx.home}/checkout/order-pay/{order_id}/?pay_for_order=true&key={key}",
        "currency_symbol": CURRENCY_SYMBOLS.get(currency, currency),
    }
    return order, person


def finish_order(order: dict[str, Any], ctx: OrderContext, prices_include_tax: bool, tx_ids: Counter) -> dict:
    """Figures from woomoney, then a status with the dates that status implies."""
    catalog = ctx.catalog
    order = calculate_order(
        order,
        rates=catalog.rates(),
        settings=catalog.tax_settings(prices_include_tax),
        coupons={c["code"]: c for c in catalog.coupons},
        products=catalog.by_id(),
    )
    for row in order["coupon_lines"]:
        row["meta_data"] = [{"id": meta.get("id") or ctx.meta_ids.next(), **meta} for meta in row["meta_data"]]
    rng = ctx.rng
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    created = _parse(order["date_created_gmt"])
    method = order["payment_method"]
    before_trash = rng.choice(["pending", "cancelled", "completed", "failed"]) if status == "trash" else status
    paid: datetime | None = None
    completed: datetime | None = None
    if before_trash in ("processing", "completed", "refunded") and method in PREPAID:
        paid = created + timedelta(minutes=rng.randint(1, 180))
    # Cash is only collected on delivery, so a refunded COD order was completed first.
    if before_trash == "completed" or (before_trash == "refunded" and (method == "cod" or rng.random() < 0.7)):
        completed = created + timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 10))
        paid = paid or completed  # cash on delivery is paid when the order is completed
    if before_trash == "refunded" and paid is None:
        paid = created + timedelta(minutes=rng.randint(1, 60))
    order["status"] = status
    order.update(wc_dates("date_paid", paid))
    order.update(wc_dates("date_completed", completed))
    if paid and method.startswith("kashier"):
        order["transaction_id"] = f"KSH-TXN-{tx_ids.next():06d}"
    elif paid and method == "valu":  # valU pays the shop and names its loan
        order["transaction_id"] = f"VALU-{order['id']:07d}"
    last = max(t for t in (created, paid, completed) if t is not None) + timedelta(seconds=rng.randint(1, 90))
    order.update(wc_dates("date_modified", last))
    order["is_editable"] = status in ("pending", "on-hold", "auto-draft")
    order["needs_payment"] = status in ("pending", "failed") and Decimal(order["total"]) > 0
    order["needs_processing"] = True
    links: dict[str, Any] = {
        "self": [{"href": f"{ctx.home}/wp-json/wc/v3/orders/{order['id']}"}],
        "collection": [{"href": f"{ctx.home}/wp-json/wc/v3/orders"}],
        "email_templates": [
            {"embeddable": True, "href": f"{ctx.home}/wp-json/wc/v3/orders/{order['id']}/actions/email_templates"}
        ],
    }
    if order["customer_id"]:
        links["customer"] = [{"href": f"{ctx.home}/wp-json/wc/v3/customers/{order['customer_id']}"}]
    order["_links"] = links
    return {**{k: order[k] for k in ORDER_KEYS if k in order}, **order}


def _parse(gmt: str) -> datetime:
    return datetime.strptime(gmt, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


def add_refunds(order: dict[str, Any], ctx: OrderContext, refund_ids: Counter) -> list[dict[str, Any]]:
    """Full refunds for `refunded` orders, partial ones (by line or by amount) for some others."""
    rng = ctx.rng
    status = order["status"]
    after = _parse(order["date_completed_gmt"] or order["date_paid_gmt"] or order["date_created_gmt"])
    plans: list[str] = []
    if status == "refunded":
        plans = ["full"] if rng.random() < 0.7 else ["lines", "full"]
    elif status in ("completed", "processing") and rng.random() < 0.1:
        plans = ["lines"] if rng.random() < 0.5 else ["amount"]
        if rng.random() < 0.2:
            plans.append("amount")
    refunds = []
    for plan in plans:
        after += timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 12))
        remaining = remaining_refund_amount(order)
        if remaining <= 0:
            break
        if plan == "full":
            requests = [{"id": li["id"], "quantity": li["quantity"]} for li in order["line_items"]]
            requests += [{"id": s["id"]} for s in order["shipping_lines"]]
            refund = calculate_refund(order, amount=remaining, line_items=requests, reason="Order refunded")
        elif plan == "lines":
            line = rng.choice(order["line_items"])
            try:
                refund = calculate_refund(
                    order,
                    line_items=[{"id": line["id"], "quantity": 1}],
                    reason=rng.choice(["Damaged item", "Wrong size", ""]),
                )
            except ValueError:
                continue
        else:
            share = Decimal(rng.randint(5, 30)) / 100
            amount = min(remaining, (Decimal(order["total"]) * share).quantize(Decimal("0.01")))
            if amount <= 0:
                continue
            refund = calculate_refund(order, amount=amount, reason="Goodwill")
        refund["id"] = refund_ids.next()
        refund.update(wc_dates("date_created", after))
        refund["refunded_by"] = 1
        refund["refunded_payment"] = order["payment_method"].startswith("kashier")
        for kind in ("line_items", "shipping_lines", "fee_lines", "tax_lines"):
            for item in refund[kind]:
                item["id"] = ctx.item_ids.next()
                for meta in item.get("meta_data", []):
                    meta["id"] = ctx.meta_ids.next()
        order["refunds"].insert(0, refund_summary(refund))  # newest first, as get_refunds() orders them
        order.update(wc_dates("date_modified", after + timedelta(seconds=2)))
        refunds.append(refund)
    if refunds and remaining_refund_amount(order) <= 0:
        order["status"] = "refunded"  # a refund of the remaining total turns the order refunded
    if status == "refunded" and remaining_refund_amount(order) > 0:
        raise AssertionError(f"order {order['id']} is refunded but not fully")  # a generator bug, not data
    return refunds
