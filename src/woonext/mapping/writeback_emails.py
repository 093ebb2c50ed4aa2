"""Which WooCommerce e-mails woonext's writeback makes the store send (docs/writeback.md, "A silent
store"), so that `woonext setup` can name the ones to switch off in WooCommerce → Settings → Emails.

WooCommerce 11 sends its transactional e-mails on status changes whoever makes them — a REST call
like woonext's included (samples 60, 69–72): "Completed order" to the customer on any change to
completed; the shop's "New order" and the customer's "Processing order" / "Order on-hold" when an order
leaves pending, failed or cancelled; "Refunded order" on a refund record; "Customer note" on a note for
the customer. A private note and order meta send nothing. A custom status (a plugin's "shipped")
sends what that plugin sends, nothing from WooCommerce itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

CUSTOMER = "customer"
SHOP = "shop"


@dataclass(frozen=True)
class WooEmail:
    title: str  # as WooCommerce → Settings → Emails lists it
    recipient: str  # CUSTOMER or SHOP
    when: str  # what woonext does that sends it


_LEAVING = ("pending", "failed", "cancelled")
_ARRIVING = {"processing": "Processing order", "on-hold": "Order on-hold"}


def status_emails(source: str, target: str) -> list[tuple[str, str]]:
    """(title, recipient) of what a change source → target sends."""
    sent = [("Completed order", CUSTOMER)] if target == "completed" else []
    if source in _LEAVING and target in ("processing", "completed", "on-hold"):
        sent.append(("New order", SHOP))  # once per order: only if it never went out before
    if target in _ARRIVING and source in (*_LEAVING, "on-hold") and source != target:
        sent.append((_ARRIVING[target], CUSTOMER))
    return sent


def writeback_emails(
    transitions: Mapping[str, Sequence[str]], status: str, *, customer_note: bool, refunds: bool
) -> list[WooEmail]:
    """Every e-mail the store's writeback settings can make WooCommerce send, once each."""
    found: dict[str, WooEmail] = {}
    for source, targets in sorted(transitions.items()):
        if status in targets:
            for title, recipient in status_emails(source, status):
                found.setdefault(title, WooEmail(title, recipient, f"order set from {source} to {status}"))
    if customer_note:
        found["Customer note"] = WooEmail("Customer note", CUSTOMER, "the customer note (customer_note is set)")
    if refunds:
        found["Refunded order"] = WooEmail("Refunded order", CUSTOMER, "a refund recorded for a credit note")
    return list(found.values())
