"""The ERPNext documents woonext writes, as TypedDicts: a misspelt field fails type checking instead
of being dropped by ERPNext without a word (Frappe ignores unknown keys on insert).

Field names as ERPNext 15 defines them (tests/fixtures/real: the doctype definitions and the
insert samples 01–14, 92), plus woonext's custom fields (`sync/setup.py`). `total=False`: each
document sets what its case needs. Numbers are what `mapping/money.as_json_number` renders (an int
or a float with at most two decimals). Pure types, no I/O: `mapping/` builds these.
"""

from __future__ import annotations

from typing import TypedDict

Number = int | float


class SalesInvoiceItem(TypedDict, total=False):
    item_code: str
    qty: int
    rate: Number
    description: str
    discount_percentage: Number
    warehouse: str
    sales_invoice_item: str  # a credit note's row: the original row it returns


class SalesTaxRow(TypedDict, total=False):
    """An "Actual" tax row: the amount is given, ERPNext spreads it over the item rows."""

    charge_type: str
    account_head: str
    description: str
    tax_amount: Number


class SalesInvoicePayment(TypedDict, total=False):
    """A POS payment row (`is_pos` 1)."""

    mode_of_payment: str
    account: str
    amount: Number


class SalesInvoiceDoc(TypedDict, total=False):
    """A Sales Invoice (mapping/invoice.py) or its credit note, a return against it (mapping/refund.py)."""

    customer: str | None
    company: str
    currency: str | None
    selling_price_list: str
    set_posting_time: int
    posting_date: str
    posting_time: str
    due_date: str
    ignore_pricing_rule: int
    disable_rounded_total: int
    docstatus: int
    update_stock: int
    set_warehouse: str
    territory: str
    amended_from: str
    apply_discount_on: str
    discount_amount: Number
    is_pos: int
    payments: list[SalesInvoicePayment]
    items: list[SalesInvoiceItem]
    taxes: list[SalesTaxRow]
    # a credit note
    is_return: int
    return_against: str | None
    update_outstanding_for_self: int
    # woonext's custom fields
    custom_payment_method: str
    custom_delivery_date: str
    custom_delivery_time_from: str
    custom_delivery_duration: int
    woo_order_id: str
    woo_order_number: str
    woonext_sync_key: str


CreditNoteDoc = SalesInvoiceDoc  # a Sales Invoice with is_return 1


class PaymentEntryReference(TypedDict, total=False):
    reference_doctype: str
    reference_name: str
    total_amount: Number
    outstanding_amount: Number
    allocated_amount: Number


class PaymentEntryDoc(TypedDict, total=False):
    """A Payment Entry as ERPNext's `get_payment_entry` builds it for an invoice (its other fields
    pass through untouched), with what woonext sets on it (sync/followups.py, sync/refunds.py)."""

    payment_type: str
    party_type: str
    party: str
    paid_from: str
    paid_to: str
    paid_from_account_currency: str
    paid_to_account_currency: str
    paid_amount: Number
    received_amount: Number
    mode_of_payment: str | None
    reference_no: str
    reference_date: str
    posting_date: str
    references: list[PaymentEntryReference]
    docstatus: int
    woonext_sync_key: str
    woo_order_id: str
    woo_order_number: str


class CustomerDoc(TypedDict, total=False):
    customer_name: str
    customer_type: str
    customer_group: str
    territory: str
    woo_customer_id: str
    woonext_customer_key: str


class DynamicLink(TypedDict):
    link_doctype: str
    link_name: str


class ContactEmail(TypedDict):
    email_id: str
    is_primary: int


class ContactPhone(TypedDict):
    phone: str
    is_primary_mobile_no: int
    is_primary_phone: int


class ContactDoc(TypedDict, total=False):
    first_name: str
    last_name: str
    email_ids: list[ContactEmail]
    phone_nos: list[ContactPhone]
    links: list[DynamicLink]
    is_primary_contact: int
    woonext_sync_key: str


class AddressFields(TypedDict, total=False):
    """The fields woonext owns on an Address (compared with what it wrote last; an update sends the
    ones that differ)."""

    address_line1: str
    address_line2: str
    city: str
    state: str
    pincode: str
    country: str
    phone: str
    email_id: str
    territory: str  # the custom field sync/setup.py adds for territories


class AddressDoc(AddressFields, total=False):
    address_title: str
    address_type: str
    is_primary_address: int
    is_shipping_address: int
    links: list[DynamicLink]
    woonext_sync_key: str
