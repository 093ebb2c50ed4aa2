"""Writing calculated figures into the order as WooCommerce stores and serves them.

Stored: raw ex-tax line totals (`_sim_total`, `_sim_subtotal`) and per-rate tax amounts (`_sim_taxes`,
6 places). Served: the same rounded to 2 places, line taxes with the store's current rounding mode.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from woonext.sim.woomoney_tax import (
    ZERO,
    TaxRate,
    TaxSettings,
    money,
    php_number,
    q,
    round_tax_total,
    tax_rounding,
)

Order = dict[str, Any]

# Key order of each item type as WooCommerce's REST API writes it; unknown keys keep their place after.
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
SHIPPING_KEYS = (
    "id",
    "method_title",
    "method_id",
    "instance_id",
    "total",
    "total_tax",
    "taxes",
    "tax_status",
    "meta_data",
)
FEE_KEYS = ("id", "name", "tax_class", "tax_status", "amount", "total", "total_tax", "taxes", "meta_data")
COUPON_KEYS = (
    "id",
    "code",
    "discount",
    "discount_tax",
    "meta_data",
    "discount_type",
    "nominal_amount",
    "free_shipping",
)


def in_rest_order(item: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The same item with its keys in WooCommerce's order (private `_sim_` keys last)."""
    ordered = {k: item[k] for k in keys if k in item}
    ordered.update({k: v for k, v in item.items() if k not in ordered and not k.startswith("_sim_")})
    ordered.update({k: v for k, v in item.items() if k.startswith("_sim_")})
    return ordered


def dec(value: Any) -> Decimal:
    if value in (None, ""):
        return ZERO
    return Decimal(str(value))


def line_price(total: str, quantity: int) -> int | float:
    """`price` as PHP computes it: the stored total string divided by the quantity (a float)."""
    if not quantity:
        return 0
    value = Decimal(total)
    if value == value.to_integral_value() and int(value) % quantity == 0:
        return int(value) // quantity  # int / int that divides exactly stays an int in PHP
    return float(value) / quantity


class LineCalc:
    """One product line while calculating: raw (unrounded) ex-tax figures and per-rate taxes."""

    def __init__(
        self,
        raw: dict[str, Any],
        product: Mapping[str, Any] | None,
        tax_class: str,
        taxable: bool,
        subtotal: Decimal,
        total: Decimal,
    ) -> None:
        self.raw = raw
        self.product = product
        self.quantity = int(raw.get("quantity") or 0)
        self.tax_class = tax_class
        self.taxable = taxable
        self.subtotal = subtotal
        self.total = total
        self.taxes: dict[int, Decimal] = {}
        self.subtotal_taxes: dict[int, Decimal] = {}


class IdAllocator:
    """Order item ids for lines that have none yet (WooCommerce numbers all item types together)."""

    def __init__(self, order: Mapping[str, Any]) -> None:
        used = [
            int(item.get("id") or 0)
            for key in ("line_items", "shipping_lines", "fee_lines", "coupon_lines", "tax_lines")
            for item in order.get(key) or []
        ]
        self._next = max([0, *used]) + 1

    def next(self) -> int:
        value = self._next
        self._next += 1
        return value


def tax_dict_to_store(taxes: Mapping[int, Decimal]) -> dict[str, str]:
    return {str(rid): php_number(amount) for rid, amount in taxes.items()}


def sum_rounded(taxes: Mapping[int, Decimal], store_incl: bool, at_subtotal: bool) -> Decimal:
    if at_subtotal:
        return sum(taxes.values(), ZERO)
    return sum((round_tax_total(t, store_incl) for t in taxes.values()), ZERO)


def served_taxes(stored: Mapping[str, str], subtotals: Mapping[str, str] | None) -> list[dict[str, Any]]:
    return [
        {
            "id": int(rid),
            "total": money(dec(amount)),
            "subtotal": money(dec(subtotals[rid])) if subtotals is not None and rid in subtotals else "",
        }
        for rid, amount in stored.items()
    ]


def write_lines(out: Order, lines: list[LineCalc], store_incl: bool, settings: TaxSettings, ids: IdAllocator) -> None:
    for line in lines:
        raw = line.raw
        product = line.product or {}
        if not raw.get("id"):
            raw["id"] = ids.next()
        raw.setdefault("name", product.get("name", ""))
        raw.setdefault("variation_id", 0)
        raw["quantity"] = line.quantity
        raw["tax_class"] = line.tax_class
        stored_total, stored_subtotal = php_number(line.total), php_number(line.subtotal)
        raw["_sim_total"], raw["_sim_subtotal"] = stored_total, stored_subtotal
        raw["_sim_taxes"] = {"total": tax_dict_to_store(line.taxes), "subtotal": tax_dict_to_store(line.subtotal_taxes)}
        raw["subtotal"], raw["total"] = money(line.subtotal), money(line.total)
        raw["subtotal_tax"] = money(sum_rounded(line.subtotal_taxes, store_incl, settings.round_at_subtotal))
        raw["total_tax"] = money(sum_rounded(line.taxes, store_incl, settings.round_at_subtotal))
        raw["taxes"] = served_taxes(raw["_sim_taxes"]["total"], raw["_sim_taxes"]["subtotal"])
        raw.setdefault("meta_data", [])
        raw.setdefault("sku", product.get("sku", ""))
        raw.setdefault("global_unique_id", "")
        raw["price"] = line_price(stored_total, line.quantity)
        raw.setdefault("image", {"id": "", "src": ""})
        raw.setdefault("parent_name", None)


def write_fees(
    out: Order, fee_taxes: list[dict[int, Decimal]], store_incl: bool, settings: TaxSettings, ids: IdAllocator
) -> None:
    for fee, taxes in zip(out.get("fee_lines") or [], fee_taxes, strict=True):
        if not fee.get("id"):
            fee["id"] = ids.next()
        fee.setdefault("tax_class", "")
        fee.setdefault("tax_status", "taxable")
        fee.setdefault("amount", "")
        fee["_sim_taxes"] = {"total": tax_dict_to_store(taxes)}
        fee["total"] = money(dec(fee["total"]))
        fee["total_tax"] = money(sum_rounded(taxes, store_incl, settings.round_at_subtotal))
        fee["taxes"] = served_taxes(fee["_sim_taxes"]["total"], None)
        fee.setdefault("meta_data", [])


def write_shipping(
    out: Order, ship_taxes: list[dict[int, Decimal]], store_incl: bool, settings: TaxSettings, ids: IdAllocator
) -> None:
    for ship, taxes in zip(out.get("shipping_lines") or [], ship_taxes, strict=True):
        if not ship.get("id"):
            ship["id"] = ids.next()
        ship.setdefault("method_title", "")
        ship.setdefault("method_id", "")
        ship.setdefault("instance_id", "")
        ship["_sim_taxes"] = {"total": tax_dict_to_store(taxes)}
        ship["total"] = money(dec(ship.get("total")))
        ship["total_tax"] = money(sum_rounded(taxes, store_incl, settings.round_at_subtotal))
        ship["taxes"] = served_taxes(ship["_sim_taxes"]["total"], None)
        ship.setdefault("tax_status", "taxable")
        ship.setdefault("meta_data", [])


def write_tax_lines(
    out: Order, rates: list[TaxRate], cart: dict[int, Decimal], shipping: dict[int, Decimal], ids: IdAllocator
) -> None:
    by_id = {r.id: r for r in rates}
    previous = {int(t.get("rate_id") or 0): t for t in out.get("tax_lines") or []}
    tax_lines = []
    for rid in list(dict.fromkeys([*cart, *shipping])):
        rate = by_id[rid]
        old = previous.get(rid) or {}
        tax_lines.append(
            {
                "id": old.get("id") or ids.next(),
                "rate_code": rate.code,
                "rate_id": rid,
                "label": rate.name,
                "compound": rate.compound,
                "tax_total": money(cart.get(rid, ZERO)),
                "shipping_tax_total": money(shipping.get(rid, ZERO)),
                "rate_percent": float(rate.rate),
                "meta_data": old.get("meta_data") or [],
            }
        )
    out["tax_lines"] = tax_lines


def render_line_taxes(order: Mapping[str, Any], prices_include_tax_now: bool) -> dict:
    """The copy of a stored order that a GET serves: item taxes (lines, fees, shipping) re-rounded with
    the store's current mode (per-rate `taxes[].total` as number_format does, half up), `_sim_` keys
    removed. Order-level figures and `tax_lines` are served as stored."""
    served = copy.deepcopy(dict(order))
    mode = tax_rounding(prices_include_tax_now)
    for key in ("line_items", "fee_lines", "shipping_lines"):
        for item in served.get(key) or []:
            stored = item.get("_sim_taxes")
            if stored is None:
                continue
            for part in ("total", "subtotal"):
                if part in stored and f"{part}_tax" in item:
                    rounded = sum((q(dec(v), 2, mode) for v in stored[part].values()), ZERO)
                    item[f"{part}_tax"] = money(rounded)
            item["taxes"] = served_taxes(stored["total"], stored.get("subtotal") if key == "line_items" else None)
    return strip_private(served)


def strip_private(value: Any) -> Any:
    """Drop every `_sim_` key, at any depth (what the simulator must never serve)."""
    if isinstance(value, dict):
        return {k: strip_private(v) for k, v in value.items() if not str(k).startswith("_sim_")}
    if isinstance(value, list):
        return [strip_private(v) for v in value]
    return value
