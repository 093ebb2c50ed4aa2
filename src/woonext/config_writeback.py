"""Configuration of orders written back to WooCommerce (docs/writeback.md): `[stores.writeback]`.

Off by default: nothing is ever written to a store's orders while `enabled` is false, whatever else
this section says. The transition table is the whole of what woonext may do to an order's status:
an order in a status it does not name as a source is never moved.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Statuses an order never leaves through woonext, and never reaches through it.
FINAL = ("refunded", "cancelled", "trash")
NEVER_TARGETS = (*FINAL, "pending", "failed", "checkout-draft", "on-hold")
When = Literal["paid", "delivered", "paid_or_delivered", "paid_and_delivered"]


class WritebackConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    # What makes an order done in ERPNext: its invoice fully paid (a Payment Entry, e.g. the cash of a
    # cash-on-delivery order), delivered (a Delivery Note against the invoice), either, or both.
    when: When = "paid_or_delivered"
    # The invoice's own stock movement counts as delivered too. woonext's live invoices move stock as
    # soon as they are made (update_stock 1), so this completes an order when it is invoiced: only
    # for shops that hand the goods over when the order is placed.
    invoice_stock_is_delivery: bool = False
    status: str = Field(default="completed", min_length=1)  # the status a done order is moved to
    # Forward moves woonext may make: current status → statuses it may move to.
    transitions: dict[str, list[str]] = Field(default_factory=lambda: {"processing": ["completed"]})
    # A note the customer sees (and is e-mailed) besides the private one; "" = none. May use
    # {number} (the order number) and {status} (the new status).
    customer_note: str = ""
    # A credit note made in ERPNext becomes a WooCommerce refund record (no money moves: api_refund
    # false); when false it is only a private order note.
    refunds: bool = False

    @field_validator("customer_note")
    @classmethod
    def _template(cls, value: str) -> str:
        try:
            value.format(number="1", status="completed")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"{value!r} may only use {{number}} and {{status}} ({exc})") from None
        return value

    @model_validator(mode="after")
    def _forward_only(self) -> WritebackConfig:
        problems = []
        for source, targets in self.transitions.items():
            if source in FINAL:
                problems.append(f"an order is never moved out of {source!r}: remove it from transitions")
            for target in targets:
                if target in NEVER_TARGETS:
                    problems.append(f"{source!r} → {target!r}: woonext never moves an order to {target!r}")
                if target == source:
                    problems.append(f"{source!r} → {target!r} is not a move")
        if self.status in NEVER_TARGETS:
            problems.append(f"status {self.status!r}: woonext never moves an order to it")
        elif not any(self.status in targets for targets in self.transitions.values()):
            problems.append(
                f"status {self.status!r} is no target in transitions: add e.g. processing = [{self.status!r}]"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def may_move(self, current: str, target: str) -> bool:
        return target in self.transitions.get(current, [])
