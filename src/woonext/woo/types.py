"""The WooCommerce payloads woonext reads, as TypedDicts: a misspelt key fails type checking.

Fields and types as WooCommerce 11.0.1 sends them (tests/fixtures/real/woocommerce-real-samples:
order_15…20.json, 61–75). Money is a string with the store's decimals ("742.00"), ids are ints,
dates are ISO strings without offset (`*_gmt` in UTC). Every type is `total=False`: WooCommerce
leaves fields out under `_fields`, older versions lack some, and a webhook body or a test may carry
only part of an order — code reads them with `.get()`. Only what woonext reads is listed; the rest
of the payload is still there at runtime.

Pure types, no I/O: `mapping/` may import them.
"""

from __future__ import annotations

from typing import Any, TypedDict

# JSON as WooCommerce stores it in meta values (a string, a number, a list or an object).
MetaValue = Any


class WooMeta(TypedDict, total=False):
    """One `meta_data` entry (an order's, a line's, a refund's)."""

    id: int
    key: str
    value: MetaValue
    display_key: str
    display_value: MetaValue


class WooTax(TypedDict, total=False):
    """A line's (or shipping / fee line's) tax by rate: `id` is the rate id."""

    id: int
    total: str
    subtotal: str


class WooAddress(TypedDict, total=False):
    """`billing` (with e-mail and phone) and `shipping` (with phone since WooCommerce 5.6)."""

    first_name: str
    last_name: str
    company: str
    address_1: str
    address_2: str
    city: str
    state: str
    postcode: str
    country: str
    email: str
    phone: str


class WooLineItem(TypedDict, total=False):
    """An order's (or a refund's, with negative quantity and totals) product line."""

    id: int
    name: str
    product_id: int
    variation_id: int
    quantity: int
    tax_class: str
    subtotal: str
    subtotal_tax: str
    total: str
    total_tax: str
    taxes: list[WooTax]
    meta_data: list[WooMeta]
    sku: str | None
    global_unique_id: str
    price: float | int
    parent_name: str | None


class WooTaxLine(TypedDict, total=False):
    """An order's `tax_lines` entry: one per rate, the stored per-rate totals."""

    id: int
    rate_code: str
    rate_id: int
    label: str
    compound: bool
    tax_total: str
    shipping_tax_total: str
    rate_percent: int | float
    meta_data: list[WooMeta]


class WooShippingLine(TypedDict, total=False):
    id: int
    method_title: str
    method_id: str
    instance_id: str
    total: str
    total_tax: str
    taxes: list[WooTax]
    tax_status: str
    meta_data: list[WooMeta]


class WooFeeLine(TypedDict, total=False):
    id: int
    name: str
    tax_class: str
    tax_status: str
    amount: str
    total: str
    total_tax: str
    taxes: list[WooTax]
    meta_data: list[WooMeta]


class WooCouponLine(TypedDict, total=False):
    id: int
    code: str
    discount: str
    discount_tax: str
    discount_type: str
    nominal_amount: int | float
    free_shipping: bool
    meta_data: list[WooMeta]


class WooRefundSummary(TypedDict, total=False):
    """An order's `refunds` entry: the refund's id, reason and (negative) total."""

    id: int
    reason: str
    total: str
    total_tax: str


class WooOrder(TypedDict, total=False):
    """`GET /wc/v3/orders/{id}` (and each order of a listing)."""

    id: int
    parent_id: int
    number: str
    order_key: str
    created_via: str
    version: str
    status: str
    currency: str
    prices_include_tax: bool
    date_created: str
    date_created_gmt: str
    date_modified: str
    date_modified_gmt: str
    date_completed: str | None
    date_completed_gmt: str | None
    date_paid: str | None
    date_paid_gmt: str | None
    discount_total: str
    discount_tax: str
    shipping_total: str
    shipping_tax: str
    cart_tax: str
    total: str
    total_tax: str
    customer_id: int
    customer_note: str
    billing: WooAddress
    shipping: WooAddress
    payment_method: str
    payment_method_title: str
    transaction_id: str
    meta_data: list[WooMeta]
    line_items: list[WooLineItem]
    tax_lines: list[WooTaxLine]
    shipping_lines: list[WooShippingLine]
    fee_lines: list[WooFeeLine]
    coupon_lines: list[WooCouponLine]
    refunds: list[WooRefundSummary]
    needs_payment: bool
    needs_processing: bool
    is_editable: bool


class WooRefund(TypedDict, total=False):
    """`GET /wc/v3/orders/{id}/refunds`: one refund; its lines carry negative quantities and totals
    and name the order line they refund in the `_refunded_item_id` meta."""

    id: int
    date_created: str
    date_created_gmt: str
    amount: str
    reason: str
    refunded_by: int
    refunded_payment: bool
    meta_data: list[WooMeta]
    line_items: list[WooLineItem]
    shipping_lines: list[WooShippingLine]
    fee_lines: list[WooFeeLine]
    tax_lines: list[WooTaxLine]


class WooCustomer(TypedDict, total=False):
    """`GET /wc/v3/customers/{id}` as the customer sync reads it."""

    id: int
    email: str
    first_name: str
    last_name: str
    role: str
    username: str
    date_modified_gmt: str
    billing: WooAddress
    shipping: WooAddress


class Addressed(TypedDict, total=False):
    """Anything with a billing and a shipping address (an order, a person): where territories look."""

    billing: WooAddress
    shipping: WooAddress


class PartySource(TypedDict, total=False):
    """What the customer mapping reads of a person: an order's (`mapping.customer.party_of`), or a
    WooCommerce customer's (`customer_as_order`: its account e-mail and name are the top-level
    fields, its id is "customer-<id>")."""

    id: int | str
    customer_id: int
    email: str
    first_name: str
    last_name: str
    billing: WooAddress
    shipping: WooAddress
