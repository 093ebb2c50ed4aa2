"""ERPNext's `calculate_taxes_and_totals` for a selling document, as pure functions over a dict.

Follows erpnext/controllers/taxes_and_totals.py (v15) step by step for exclusive taxes: item values
(rate rounded to 2 dp, amount = rate × qty), net total, tax rows (Actual spread over the rows in
proportion to their net amounts with the remainder on the last row; percentage rows per row), the
header discount (applied by redistributing it over the rows' net amounts and recalculating),
grand total, rounded total, paid / change / outstanding. Intermediate per-row tax amounts are kept
unrounded as ERPNext keeps them (floats there, exact Decimals here) and rounded once per tax row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..base import Doc, throw
from .money import (
    CURRENCY_PRECISION,
    FLOAT_PRECISION,
    ZERO,
    cint,
    dec,
    flt,
    money,
    round_to_smallest_fraction,
)

PREVIOUS_ROW_TYPES = ("On Previous Row Amount", "On Previous Row Total")


@dataclass
class _Pass:
    discount_applied: bool = False


def calculate_taxes_and_totals(doc: Doc, smallest_fraction: Decimal = ZERO) -> Doc:
    """Compute every derived money field of a Sales Invoice dict in place (Decimals; see `to_json`)."""
    if not doc.get("items"):
        return doc
    state = _Pass()
    _calculate(doc, state, smallest_fraction)
    _set_discount_amount(doc)
    _apply_discount_amount(doc, state, smallest_fraction)
    if doc.get("apply_discount_on") == "Grand Total" and cint(doc.get("is_cash_or_non_trade_discount")):
        doc["grand_total"] -= dec(doc.get("discount_amount"))
        doc["base_grand_total"] -= dec(doc.get("base_discount_amount"))
        doc["rounding_adjustment"] = doc["base_rounding_adjustment"] = ZERO
        _set_rounded_total(doc, smallest_fraction)
    calculate_outstanding_amount(doc)
    return doc


def _calculate(doc: Doc, state: _Pass, smallest_fraction: Decimal) -> None:
    _calculate_item_values(doc, state)
    _initialize_taxes(doc, state)
    _calculate_net_total(doc)
    _calculate_taxes(doc, state)
    _calculate_totals(doc, smallest_fraction)
    doc["total_net_weight"] = sum((dec(i.get("total_weight")) for i in doc["items"]), ZERO)


def _conversion_rate(doc: Doc) -> Decimal:
    return dec(doc.get("conversion_rate")) or Decimal(1)


def _in_company_currency(doc: Doc, row: Doc, fields: list[str]) -> None:
    rate = _conversion_rate(doc)
    for field in fields:
        row["base_" + field] = money(dec(row.get(field)) * rate)


def _calculate_item_values(doc: Doc, state: _Pass) -> None:
    if state.discount_applied:
        return
    is_return = cint(doc.get("is_return"))
    for item in doc["items"]:
        item["qty"] = flt(item.get("qty"), FLOAT_PRECISION)
        for field in ("rate", "price_list_rate", "discount_amount"):
            item[field] = money(item.get(field))
        discount_percentage = flt(item.get("discount_percentage"), FLOAT_PRECISION)
        item["discount_percentage"] = discount_percentage
        price_list_rate = item["price_list_rate"]
        if discount_percentage == 100:
            item["rate"] = ZERO
        elif price_list_rate and not item["rate"]:
            item["rate"] = money(price_list_rate * (1 - discount_percentage / 100))
            item["discount_amount"] = price_list_rate * discount_percentage / 100
        if price_list_rate > 0:
            # no margins simulated: the row's discount is the gap to the list price (negative when above)
            item["discount_amount"] = price_list_rate - item["rate"]
        item["net_rate"] = item["rate"]
        if not item["qty"] and is_return:
            # amount-only credit note row: ERPNext books the rate as a negative amount
            item["amount"] = money(-item["rate"])
        else:
            item["amount"] = money(item["rate"] * item["qty"])
        item["net_amount"] = item["amount"]
        item["distributed_discount_amount"] = ZERO
        conversion_factor = dec(item.get("conversion_factor")) or Decimal(1)
        item["stock_qty"] = flt(item["qty"] * conversion_factor, FLOAT_PRECISION)
        item["stock_uom_rate"] = money(item["rate"] / conversion_factor)
        _in_company_currency(doc, item, ["price_list_rate", "rate", "net_rate", "amount", "net_amount"])


def _validate_tax_row(tax: Doc) -> None:
    charge_type = tax.get("charge_type")
    idx = cint(tax.get("idx"))
    if charge_type in ("Actual", "On Net Total", "On Paid Amount") and tax.get("row_id"):
        raise throw("Can refer row only if the charge type is 'On Previous Row Amount' or 'Previous Row Total'")
    if charge_type in PREVIOUS_ROW_TYPES:
        if idx == 1:
            raise throw(
                "Cannot select charge type as 'On Previous Row Amount' or 'On Previous Row Total' for first row"
            )
        if not tax.get("row_id"):
            raise throw(f"Please specify a valid Row ID for row {idx} in table Sales Taxes and Charges")
        if cint(tax.get("row_id")) >= idx:
            raise throw("Cannot refer row number greater than or equal to current row number for this Charge type")
    if cint(tax.get("included_in_print_rate")):
        if charge_type == "Actual":
            raise throw(f"Charge of type 'Actual' in row {idx} cannot be included in Item Rate or Paid Amount")
        # Inclusive percentage taxes (rates that contain tax) are not simulated: refuse loudly.
        raise throw("Simulator: taxes included in the item rate are not supported", "NotImplementedError", 501)
    if charge_type == "Actual":
        tax["rate"] = ZERO


def _initialize_taxes(doc: Doc, state: _Pass) -> None:
    grand_total_discount = state.discount_applied and doc.get("apply_discount_on") == "Grand Total"
    for idx, tax in enumerate(doc.get("taxes") or [], start=1):
        tax.setdefault("idx", idx)
        if not state.discount_applied:
            _validate_tax_row(tax)
        tax["_item_wise"] = {}
        for field in ("total", "tax_amount_after_discount_amount", "_for_item", "_total_for_item"):
            tax[field] = ZERO
        if tax.get("charge_type") != "Actual" and not grand_total_discount:
            tax["tax_amount"] = ZERO
        tax["tax_amount"] = money(tax.get("tax_amount"))
        tax["rate"] = flt(tax.get("rate"), FLOAT_PRECISION)


def _calculate_net_total(doc: Doc) -> None:
    items = doc["items"]
    doc["total_qty"] = sum((i["qty"] for i in items), ZERO)
    doc["total"] = money(sum((i["amount"] for i in items), ZERO))
    doc["base_total"] = money(sum((i["base_amount"] for i in items), ZERO))
    doc["net_total"] = money(sum((i["net_amount"] for i in items), ZERO))
    doc["base_net_total"] = money(sum((i["base_net_amount"] for i in items), ZERO))


def _current_tax_amount(doc: Doc, item: Doc, tax: Doc, taxes: list[Doc]) -> Decimal:
    charge_type = tax.get("charge_type")
    rate = tax["rate"]
    if charge_type == "Actual":
        net_total = doc["net_total"]
        amount = item["net_amount"] * tax["tax_amount"] / net_total if net_total else ZERO
    elif charge_type == "On Net Total":
        amount = rate / 100 * item["net_amount"]
    elif charge_type == "On Previous Row Amount":
        amount = rate / 100 * taxes[cint(tax.get("row_id")) - 1]["_for_item"]
    elif charge_type == "On Previous Row Total":
        amount = rate / 100 * taxes[cint(tax.get("row_id")) - 1]["_total_for_item"]
    elif charge_type == "On Item Quantity":
        amount = rate * item["qty"]
    else:
        amount = ZERO
    # item_wise_tax_detail: [rate, amount in company currency], keyed by item code, summed per code
    key = item.get("item_code") or item.get("item_name")
    previous = tax["_item_wise"].get(key, (ZERO, ZERO))[1]
    tax["_item_wise"][key] = (rate, money(amount * _conversion_rate(doc) + previous))
    return amount


def _calculate_taxes(doc: Doc, state: _Pass) -> None:
    taxes: list[Doc] = doc.get("taxes") or []
    grand_total_discount = state.discount_applied and doc.get("apply_discount_on") == "Grand Total"
    doc["rounding_adjustment"] = ZERO
    actual_left = {i: t["tax_amount"] for i, t in enumerate(taxes) if t.get("charge_type") == "Actual"}
    items = doc["items"]
    for n, item in enumerate(items):
        last_item = n == len(items) - 1
        for i, tax in enumerate(taxes):
            current = _current_tax_amount(doc, item, tax, taxes)
            if tax.get("charge_type") == "Actual":
                actual_left[i] -= current
                if last_item:
                    current += actual_left[i]
            if tax.get("charge_type") != "Actual" and not grand_total_discount:
                tax["tax_amount"] += current
            tax["_for_item"] = current
            tax["tax_amount_after_discount_amount"] += current
            previous_total = taxes[i - 1]["_total_for_item"] if i else item["net_amount"]
            tax["_total_for_item"] = previous_total + current
            if last_item:
                _close_tax_row(doc, taxes, i, tax, grand_total_discount)


def _close_tax_row(doc: Doc, taxes: list[Doc], i: int, tax: Doc, grand_total_discount: bool) -> None:
    tax["tax_amount"] = money(tax["tax_amount"])
    tax["tax_amount_after_discount_amount"] = money(tax["tax_amount_after_discount_amount"])
    _in_company_currency(doc, tax, ["tax_amount", "tax_amount_after_discount_amount"])
    previous = taxes[i - 1]["total"] if i else doc["net_total"]
    tax["total"] = money(previous + tax["tax_amount_after_discount_amount"])
    _in_company_currency(doc, tax, ["total"])
    if i == len(taxes) - 1 and grand_total_discount and dec(doc.get("discount_amount")):
        # ERPNext parks the discount's rounding loss in rounding_adjustment
        doc["rounding_adjustment"] = money(doc["grand_total"] - dec(doc.get("discount_amount")) - tax["total"])


def _calculate_totals(doc: Doc, smallest_fraction: Decimal) -> None:
    taxes = doc.get("taxes") or []
    rate = _conversion_rate(doc)
    if taxes:
        doc["grand_total"] = taxes[-1]["total"] + doc["rounding_adjustment"]
        doc["total_taxes_and_charges"] = money(doc["grand_total"] - doc["net_total"] - doc["rounding_adjustment"])
    else:
        doc["grand_total"] = doc["net_total"]
        doc["total_taxes_and_charges"] = ZERO
    _in_company_currency(doc, doc, ["total_taxes_and_charges", "rounding_adjustment"])
    if doc["total_taxes_and_charges"]:
        doc["base_grand_total"] = money(doc["grand_total"] * rate)
    else:
        doc["base_grand_total"] = doc["base_net_total"]
    doc["grand_total"] = money(doc["grand_total"])
    doc["base_grand_total"] = money(doc["base_grand_total"])
    _set_rounded_total(doc, smallest_fraction)
    for tax in taxes:
        detail = {key: [float(r), float(a)] for key, (r, a) in tax["_item_wise"].items()}
        tax["item_wise_tax_detail"] = json.dumps(detail, separators=(",", ":"))


def _set_rounded_total(doc: Doc, smallest_fraction: Decimal) -> None:
    if cint(doc.get("disable_rounded_total")):
        doc["rounded_total"] = doc["base_rounded_total"] = ZERO
        return
    doc["rounded_total"] = round_to_smallest_fraction(doc["grand_total"], smallest_fraction, CURRENCY_PRECISION)
    doc["rounding_adjustment"] = money(doc["rounded_total"] - doc["grand_total"])
    _in_company_currency(doc, doc, ["rounding_adjustment", "rounded_total"])


def _set_discount_amount(doc: Doc) -> None:
    percentage = dec(doc.get("additional_discount_percentage"))
    if percentage:
        base = {"Grand Total": "grand_total", "Net Total": "net_total"}.get(doc.get("apply_discount_on") or "")
        total = dec(doc.get(base)) if base else ZERO
        doc["discount_amount"] = money(total * percentage / 100)


def _total_for_discount(doc: Doc) -> Decimal:
    if doc.get("apply_discount_on") == "Net Total":
        return doc["net_total"]
    actual: dict[int, Decimal] = {}
    for tax in doc.get("taxes") or []:
        idx = cint(tax.get("idx"))
        if tax.get("charge_type") in ("Actual", "On Item Quantity"):
            actual.setdefault(idx, tax["tax_amount"])
        elif cint(tax.get("row_id")) in actual:
            actual.setdefault(idx, actual[cint(tax.get("row_id"))] * tax["rate"] / 100)
    return money(doc["grand_total"] - sum(actual.values(), ZERO))


def _apply_discount_amount(doc: Doc, state: _Pass, smallest_fraction: Decimal) -> None:
    discount = dec(doc.get("discount_amount"))
    if not discount:
        doc["base_discount_amount"] = ZERO
        return
    if not doc.get("apply_discount_on"):
        raise throw("Please select Apply Discount On")
    doc["base_discount_amount"] = money(discount * _conversion_rate(doc))
    if doc.get("apply_discount_on") == "Grand Total" and cint(doc.get("is_cash_or_non_trade_discount")):
        state.discount_applied = True
        return
    total_for_discount = _total_for_discount(doc)
    if not total_for_discount:
        return
    taxes = doc.get("taxes") or []
    items = doc["items"]
    net_total = ZERO
    for i, item in enumerate(items):
        distributed = discount * item["net_amount"] / total_for_discount
        item["distributed_discount_amount"] = money(distributed)
        item["net_amount"] = money(item["net_amount"] - distributed)
        net_total += item["net_amount"]
        last = i == len(items) - 1
        if last and (
            doc.get("apply_discount_on") == "Net Total" or not taxes or total_for_discount == doc["net_total"]
        ):
            loss = money(doc["net_total"] - net_total - discount)
            item["net_amount"] = money(item["net_amount"] + loss)
        item["net_rate"] = money(item["net_amount"] / item["qty"]) if item["qty"] else ZERO
        _in_company_currency(doc, item, ["net_rate", "net_amount"])
    state.discount_applied = True
    _calculate(doc, state, smallest_fraction)


def calculate_paid_amount(doc: Doc) -> None:
    paid = base_paid = ZERO
    if cint(doc.get("is_pos")):
        for payment in doc.get("payments") or []:
            payment["amount"] = dec(payment.get("amount"))
            payment["base_amount"] = payment["amount"] * _conversion_rate(doc)
            paid += payment["amount"]
            base_paid += payment["base_amount"]
    elif not cint(doc.get("is_return")):
        # a non-POS invoice silently loses its payments table
        doc["payments"] = []
    doc["paid_amount"] = money(paid)
    doc["base_paid_amount"] = money(base_paid)


def calculate_change_amount(doc: Doc) -> None:
    doc["change_amount"] = doc["base_change_amount"] = ZERO
    total = dec(doc.get("rounded_total")) or doc["grand_total"]
    base_total = dec(doc.get("base_rounded_total")) or doc["base_grand_total"]
    payments = doc.get("payments") or []
    if doc["paid_amount"] > total and not cint(doc.get("is_return")) and any(p.get("type") == "Cash" for p in payments):
        doc["change_amount"] = money(doc["paid_amount"] - total)
        doc["base_change_amount"] = money(doc["base_paid_amount"] - base_total)


def calculate_outstanding_amount(doc: Doc) -> None:
    calculate_paid_amount(doc)
    calculate_change_amount(doc)
    # outstanding is kept in the receivable account's currency (the company's, unless it is a
    # foreign-currency account), so a USD invoice on an EGP receivable is outstanding in EGP
    prefix = "" if doc.get("party_account_currency") in (None, "", doc.get("currency")) else "base_"
    total = dec(doc.get(prefix + "rounded_total")) or doc[prefix + "grand_total"]
    write_off = dec(doc.get(prefix + "write_off_amount"))
    to_pay = money(total - dec(doc.get("total_advance")) - write_off)
    change = doc[prefix + "change_amount"] if not cint(doc.get("is_return")) else ZERO
    doc["outstanding_amount"] = money(to_pay - doc[prefix + "paid_amount"] + change)


def to_json(doc: Doc) -> Doc:
    """Turn the Decimals a calculation left in a document (and its child rows) into JSON floats."""
    for key in list(doc):
        if key.startswith("_") and not key.startswith("__"):  # our own scratch fields
            doc.pop(key)
            continue
        doc[key] = _jsonable(doc[key])
    return doc


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [to_json(v) if isinstance(v, dict) else _jsonable(v) for v in value]
    return value
