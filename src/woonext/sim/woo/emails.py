"""The e-mails WooCommerce 11.0.1 sends on its own (samples 60, 69, 70, 72), recorded instead of sent.

Which e-mail a change sends is WooCommerce's `WC_Emails` table of hooks: the customer's "Processing
order" on pending/failed/on-hold/cancelled → processing, "Order on-hold" on pending/failed/cancelled →
on-hold, "Completed order" on any change to completed, "Refunded order" on a refund (full or
partial), "Customer note" on a note for the customer; the shop's "New order" once per order on its
first move out of pending/failed/cancelled into processing/completed/on-hold, "Cancelled order" on
processing/on-hold → cancelled, "Failed order" on pending/on-hold → failed. A status written through
the REST API sends them like a click in the admin does; a private note, meta, or a change to a
status no e-mail is hooked to sends nothing. Every e-mail sent leaves the order note
`Email "<title>" sent.` (sample 70). An e-mail switched off in WooCommerce → Settings → Emails
(`WooSim.email_enabled[id] = False`) is neither sent nor noted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

ADMIN = "admin"
CUSTOMER = "customer"


@dataclass(frozen=True)
class EmailType:
    id: str  # WooCommerce's e-mail id (its settings group: woocommerce_<id>_settings)
    title: str  # as WooCommerce → Settings → Emails lists it, and as the order note names it
    recipient: str  # ADMIN or CUSTOMER
    subject: str


EMAIL_TYPES: dict[str, EmailType] = {
    e.id: e
    for e in (
        EmailType("new_order", "New order", ADMIN, "[{site_title}]: New order #{order_number}"),
        EmailType(
            "cancelled_order", "Cancelled order", ADMIN, "[{site_title}]: Order #{order_number} has been cancelled"
        ),
        EmailType("failed_order", "Failed order", ADMIN, "[{site_title}]: Order #{order_number} has failed"),
        EmailType("customer_on_hold_order", "Order on-hold", CUSTOMER, "Your {site_title} order has been received!"),
        EmailType(
            "customer_processing_order", "Processing order", CUSTOMER, "Your {site_title} order has been received!"
        ),
        EmailType("customer_completed_order", "Completed order", CUSTOMER, "Your {site_title} order is now complete"),
        EmailType(
            "customer_refunded_order",
            "Refunded order",
            CUSTOMER,
            "Your {site_title} order #{order_number} has been {refunded}",
        ),
        EmailType(
            "customer_note", "Customer note", CUSTOMER, "Note added to your {site_title} order from {order_date}"
        ),
    )
}
_NEW_ORDER_FROM = ("pending", "failed", "cancelled")
_NEW_ORDER_TO = ("processing", "completed", "on-hold")
# (from, to) → e-mail ids, in the order WooCommerce fires them: `woocommerce_order_status_<to>` first
# (Completed order), then `woocommerce_order_status_<from>_to_<to>` (the rest).
TRANSITIONS: dict[tuple[str, str], tuple[str, ...]] = {
    **{(f, t): ("new_order",) for f in _NEW_ORDER_FROM for t in _NEW_ORDER_TO},
    **{(f, "processing"): ("new_order", "customer_processing_order") for f in _NEW_ORDER_FROM},
    ("on-hold", "processing"): ("customer_processing_order",),
    **{(f, "on-hold"): ("new_order", "customer_on_hold_order") for f in _NEW_ORDER_FROM},
    ("processing", "cancelled"): ("cancelled_order",),
    ("on-hold", "cancelled"): ("cancelled_order",),
    ("pending", "failed"): ("failed_order",),
    ("on-hold", "failed"): ("failed_order",),
}


def emails_for(old: str, new: str) -> tuple[str, ...]:
    """The e-mail ids a status change sends (before the once-per-order rule of "New order")."""
    if old == new:
        return ()
    return (("customer_completed_order",) if new == "completed" else ()) + TRANSITIONS.get((old, new), ())


@dataclass(frozen=True)
class SentEmail:
    at: datetime
    order_id: int
    email_id: str
    title: str
    to: str
    subject: str


class Mailer:
    """What would have gone out, per order; `Shop` calls it where WooCommerce's hooks fire."""

    def __init__(self, site_title: str, admin_email: str, now: Callable[[], datetime]) -> None:
        self.site_title = site_title
        self.admin_email = admin_email
        self.now = now
        self.enabled: dict[str, bool] = {email_id: True for email_id in EMAIL_TYPES}  # WooCommerce's default
        self.sent: list[SentEmail] = []

    def for_order(self, order_id: int) -> list[SentEmail]:
        return [e for e in self.sent if e.order_id == order_id]

    def transition(self, order: dict[str, Any], old: str, new: str) -> list[str]:
        """Send what a status change sends; returns the notes to add (`Email "…" sent.`)."""
        notes = []
        for email_id in emails_for(old, new):
            if email_id == "new_order":
                if order.get("_sim_new_order_email_sent"):
                    continue  # WC_Email_New_Order: once per order
                order["_sim_new_order_email_sent"] = True
            notes += self.send(order, email_id)
        return notes

    def refund(self, order: dict[str, Any], full: bool) -> list[str]:
        return self.send(order, "customer_refunded_order", refunded="refunded" if full else "partially refunded")

    def customer_note(self, order: dict[str, Any]) -> list[str]:
        return self.send(order, "customer_note")

    def send(self, order: dict[str, Any], email_id: str, **extra: str) -> list[str]:
        kind = EMAIL_TYPES[email_id]
        to = self.admin_email if kind.recipient == ADMIN else str((order.get("billing") or {}).get("email") or "")
        if not self.enabled.get(email_id, True) or not to:
            return []
        subject = kind.subject.format(
            site_title=self.site_title,
            order_number=order.get("number") or order.get("id"),
            order_date=_long_date(str(order.get("date_created") or "")),
            **extra,
        )
        self.sent.append(SentEmail(self.now(), int(order["id"]), email_id, kind.title, to, subject))
        return [f'Email "{kind.title}" sent.']


def _long_date(value: str) -> str:
    """`wc_format_datetime` with WordPress's default date format "F j, Y" (December 7, 2026)."""
    try:
        day = datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{day:%B} {day.day}, {day.year}"
