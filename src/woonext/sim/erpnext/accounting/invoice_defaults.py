"""`set_missing_values` of a Sales Invoice: what ERPNext fills from the masters before computing.

Also the two ways a real ERPNext 15.92 fails *before* any clean validation when a master is missing
(observed, samples 08 and 09): an unknown customer dies with a 500 AttributeError from the payment
terms lookup, an unknown item with a 404 DoesNotExistError.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..base import Doc, FrappeError, throw
from ..naming import random_name
from . import lookup
from .lookup import Lookup
from .money import ZERO, cint, dec, money

UNKNOWN_CUSTOMER = FrappeError(
    status=500, exc_type="AttributeError", exception="'NoneType' object has no attribute 'payment_terms'"
)


def item_not_found(item_code: str) -> FrappeError:
    return throw(f"Item {item_code} not found", "DoesNotExistError", 404)


def check_party_and_items(doc: Doc, db: Lookup) -> tuple[Doc, dict[str, Doc]]:
    customer = db.get("Customer", doc.get("customer") or "") if doc.get("customer") else None
    if doc.get("customer") and customer is None:
        raise UNKNOWN_CUSTOMER
    items: dict[str, Doc] = {}
    for row in doc.get("items") or []:
        code = row.get("item_code")
        if not code:
            continue
        item = db.get("Item", code)
        if item is None:
            raise item_not_found(code)
        items[code] = item
    return customer or {}, items


def set_posting_time(doc: Doc, now: datetime) -> None:
    """Without `set_posting_time` 1 the posting date and time become now, on every save and submit."""
    if not cint(doc.get("set_posting_time")) or not doc.get("posting_date"):
        doc["posting_date"] = now.date().isoformat()
        doc["posting_time"] = now.strftime("%H:%M:%S.%f")
    elif not doc.get("posting_time"):
        doc["posting_time"] = now.strftime("%H:%M:%S.%f")


def set_header_defaults(doc: Doc, customer: Doc, db: Lookup) -> None:
    company = doc.get("company") or ""
    currency = lookup.company_currency(db, company)
    if customer:
        doc["customer_name"] = customer.get("customer_name") or doc.get("customer")
        for field in ("customer_group", "territory"):
            if not doc.get(field) and customer.get(field):
                doc[field] = customer[field]
        doc.setdefault("language", customer.get("language") or "en")
        doc["is_internal_customer"] = cint(customer.get("is_internal_customer"))
    if not doc.get("title") or doc["title"] == "{customer_name}":  # Frappe keeps a title that was sent
        doc["title"] = doc.get("customer_name") or doc.get("customer") or ""
    doc.setdefault("tax_category", "")
    doc.setdefault("po_no", "")
    if not doc.get("currency"):
        doc["currency"] = customer.get("default_currency") or currency
    if not doc.get("selling_price_list"):
        doc["selling_price_list"] = customer.get("default_price_list") or lookup.setting(
            db, "Selling Settings", "selling_price_list"
        )
    price_list = db.get("Price List", doc["selling_price_list"]) or {}
    if not doc.get("price_list_currency"):
        doc["price_list_currency"] = price_list.get("currency") or doc["currency"]
    _set_conversion_rates(doc, currency, db)
    if not doc.get("debit_to"):
        doc["debit_to"] = lookup.company_default(db, company, "default_receivable_account")
    doc["party_account_currency"] = (
        lookup.account_currency(db, doc["debit_to"], company) if doc["debit_to"] else currency
    )
    if not doc.get("due_date"):
        doc["due_date"] = doc["posting_date"]  # no payment terms: due on the posting date
    if cint(doc.get("is_pos")):
        doc.setdefault("payment_terms_template", "")
        if not doc.get("account_for_change_amount"):
            doc["account_for_change_amount"] = lookup.company_default(db, company, "default_cash_account")


def _set_conversion_rates(doc: Doc, company_currency: str, db: Lookup) -> None:
    if doc["currency"] == company_currency:
        doc["conversion_rate"] = Decimal(1)
    elif not dec(doc.get("conversion_rate")) or dec(doc.get("conversion_rate")) == 1:
        doc["conversion_rate"] = lookup.exchange_rate(db, doc["currency"], company_currency, doc.get("posting_date"))
    if not dec(doc.get("conversion_rate")):
        raise throw(
            f"Exchange Rate is mandatory. Maybe Currency Exchange record is not created for "
            f"{doc['currency']} to {company_currency}."
        )
    if doc["price_list_currency"] == company_currency:
        doc["plc_conversion_rate"] = Decimal(1)
    elif doc["price_list_currency"] == doc["currency"]:
        doc["plc_conversion_rate"] = dec(doc["conversion_rate"])
    elif not dec(doc.get("plc_conversion_rate")):
        doc["plc_conversion_rate"] = lookup.exchange_rate(
            db, doc["price_list_currency"], company_currency, doc.get("posting_date")
        )


def set_item_defaults(doc: Doc, items: dict[str, Doc], db: Lookup, stock_qty: Any) -> list[str]:
    """Fill each row from its Item; returns the item codes that had no price in the price list."""
    company = doc.get("company") or ""
    missing_prices: list[str] = []
    settings_warehouse = lookup.setting(db, "Stock Settings", "default_warehouse")
    for idx, row in enumerate(doc.get("items") or [], start=1):
        row.setdefault("idx", idx)
        item = items.get(row.get("item_code") or "", {})
        row.setdefault("item_name", item.get("item_name") or row.get("item_code"))
        row.setdefault("description", item.get("description") or row["item_name"])
        row.setdefault("item_group", item.get("item_group") or "")
        row.setdefault("image", item.get("image") or "")
        row.setdefault("stock_uom", item.get("stock_uom") or "Nos")
        row.setdefault("uom", row["stock_uom"])
        if not dec(row.get("conversion_factor")):
            row["conversion_factor"] = Decimal(1)
        row.setdefault("grant_commission", cint(item.get("grant_commission", 1)))
        row.setdefault("margin_type", "")
        row["item_tax_rate"] = "{}"  # no Item Tax Template support: ERPNext stores "{}" then
        if not row.get("income_account"):
            row["income_account"] = _item_default(item, company, "income_account") or lookup.company_default(
                db, company, "default_income_account"
            )
        if not row.get("expense_account"):
            row["expense_account"] = _item_default(item, company, "expense_account") or lookup.company_default(
                db, company, "default_expense_account"
            )
        if not row.get("cost_center"):
            row["cost_center"] = doc.get("cost_center") or lookup.company_default(db, company, "cost_center")
        if lookup.is_stock_item(item):
            if not row.get("warehouse"):
                # the header's Source Warehouse, then the item's default, then Stock Settings
                row["warehouse"] = (
                    doc.get("set_warehouse") or _item_default(item, company, "default_warehouse") or settings_warehouse
                )
            if not row.get("warehouse"):
                row.pop("warehouse", None)
            row["incoming_rate"] = money(item.get("valuation_rate"))
            if row.get("warehouse"):
                row["actual_qty"] = dec(stock_qty(row["item_code"], row["warehouse"]))
        if doc.get("selling_price_list") and row.get("item_code"):
            price = lookup.item_price(db, row["item_code"], doc["selling_price_list"])
            if price is None:
                missing_prices.append(row["item_code"])
            elif not dec(row.get("price_list_rate")):
                row["price_list_rate"] = (
                    price * dec(doc.get("plc_conversion_rate") or 1) / dec(doc.get("conversion_rate") or 1)
                )
    return missing_prices


def set_tax_defaults(doc: Doc, db: Lookup) -> None:
    """Tax rows: the company's cost center and the account's currency, as ERPNext fills them."""
    company = doc.get("company") or ""
    for idx, tax in enumerate(doc.get("taxes") or [], start=1):
        tax.setdefault("idx", idx)
        if not tax.get("cost_center"):
            tax["cost_center"] = lookup.company_default(db, company, "cost_center")
        if tax.get("account_head"):
            tax["account_currency"] = lookup.account_currency(db, tax["account_head"], company)


def _item_default(item: Doc, company: str, field: str) -> str:
    for row in item.get("item_defaults") or []:
        if row.get("company") == company and row.get(field):
            return str(row[field])
    return str(item.get(field) or "")


def set_payment_schedule(doc: Doc) -> None:
    """One row for the whole amount on the due date (no Payment Terms Template support)."""
    if cint(doc.get("is_pos")) or cint(doc.get("is_return")):
        doc["payment_schedule"] = []
        return
    total = dec(doc.get("rounded_total")) or dec(doc.get("grand_total"))
    base_total = dec(doc.get("base_rounded_total")) or dec(doc.get("base_grand_total"))
    rows = doc.get("payment_schedule") or [{"name": random_name()}]
    row = rows[0]
    row.update(
        {
            "idx": 1,
            "due_date": doc.get("due_date"),
            "invoice_portion": Decimal(100),
            "credit_days": 0,
            "credit_months": 0,
            "discount": ZERO,
            "discount_validity": 0,
            "payment_amount": total,
            "outstanding": total,
            "paid_amount": ZERO,
            "discounted_amount": ZERO,
            "base_payment_amount": base_total,
            "base_outstanding": base_total,
            "base_paid_amount": ZERO,
            "doctype": "Payment Schedule",
        }
    )
    doc["payment_schedule"] = [row]


def validate_due_date(doc: Doc) -> None:
    if cint(doc.get("is_pos")) or not doc.get("due_date"):
        return
    if _as_date(doc["due_date"]) < _as_date(doc["posting_date"]):
        raise throw("Due Date cannot be before Posting / Supplier Invoice Date")


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
