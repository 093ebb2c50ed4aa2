"""Delivery date, time slot and duration from order meta (keys are configurable per store)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from woonext.erpnext.types import SalesInvoiceDoc
from woonext.woo.types import WooOrder


@dataclass(frozen=True)
class DeliveryMetaKeys:
    date: str = "_delivery_date"
    time_from: str = "_delivery_time_from"
    duration: str = "_delivery_duration"


_DURATION = re.compile(r"^\s*(\d+)\s*$")


def meta_value(order: WooOrder, key: str) -> Any:
    """The value of the last meta entry with this key (WooCommerce keeps the last write)."""
    found: Any = None
    for entry in order.get("meta_data") or []:
        if isinstance(entry, dict) and entry.get("key") == key:
            found = entry.get("value")
    return found


def delivery_fields(order: WooOrder, keys: DeliveryMetaKeys, fields: SalesInvoiceDoc) -> list[str]:
    """Map delivery meta into the Sales Invoice's custom fields (set on `fields`); bad values are
    warned, not fatal: the warnings are returned."""
    warnings: list[str] = []
    raw_date = meta_value(order, keys.date)
    if raw_date not in (None, ""):
        try:
            fields["custom_delivery_date"] = date.fromisoformat(str(raw_date).strip()[:10]).isoformat()
        except ValueError:
            warnings.append(f"delivery date {raw_date!r} in meta {keys.date!r} is not YYYY-MM-DD; left empty")
    raw_time = meta_value(order, keys.time_from)
    if raw_time not in (None, ""):
        try:
            fields["custom_delivery_time_from"] = time.fromisoformat(str(raw_time).strip()).strftime("%H:%M:%S")
        except ValueError:
            warnings.append(f"delivery time {raw_time!r} in meta {keys.time_from!r} is not HH:MM; left empty")
    raw_duration = meta_value(order, keys.duration)
    if raw_duration not in (None, ""):
        match = _DURATION.match(str(raw_duration))
        if match:
            fields["custom_delivery_duration"] = int(match.group(1))
        else:
            warnings.append(
                f"delivery duration {raw_duration!r} in meta {keys.duration!r} is not whole seconds; left empty"
            )
    return warnings
