"""What to do about ERPNext's NegativeStockError on a live invoice (pure, no I/O).

A live invoice moves stock (`update_stock` 1) at the order's own date and time (`set_posting_time`
1), so the warehouse must hold the stock at that moment: stock received today does not help an order
placed yesterday (observed-real.md, "A fresh site has no stock"). ERPNext's message names the item,
the warehouse and the moment (erpnext sample 11, tags stripped):

    99902.0 units of Item Test Cake needed in Warehouse Jarz Main - JT on 2026-11-25 6:22:27.923729
    for Sales Invoice Test Customer to complete this transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NEEDED = re.compile(
    r"(?P<qty>[\d.,]+) units of Item (?P<item>.+?) needed in Warehouse (?P<warehouse>.+?) "
    r"on (?P<date>\d{4}-\d{2}-\d{2}) (?P<time>\d{1,2}:\d{2}:\d{2})"
)


@dataclass(frozen=True)
class Shortage:
    item: str
    warehouse: str
    posting: str  # "2026-11-25 06:22:27", the moment the stock must be there
    qty: str


def shortage(message: str) -> Shortage | None:
    """The item, warehouse and moment of a NegativeStockError message; None when it is not one."""
    found = _NEEDED.search(message)
    if found is None:
        return None
    hours, rest = found["time"].split(":", 1)
    return Shortage(found["item"], found["warehouse"], f"{found['date']} {int(hours):02d}:{rest}", found["qty"])


def negative_stock_hint(message: str, retry_command: str) -> str | None:
    """Both fixes and the command that retries, for a NeedsReview record; None when the message is
    not ERPNext's negative-stock text."""
    s = shortage(message)
    if s is None:
        return None
    return (
        f"ERPNext has too little of {s.item} in {s.warehouse} on {s.posting} (the order's date: live invoices "
        f"move stock then, so stock added later does not count). Either add the stock dated on or before "
        f"{s.posting} (a Stock Entry or Stock Reconciliation with that posting date and time), or turn on "
        f"'Allow Negative Stock' in ERPNext's Stock Settings; then retry with `{retry_command}`"
    )
