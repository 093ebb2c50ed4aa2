"""The payload TypedDicts (woo/types.py, erpnext/types.py) catch a misspelt key at type-checking
time, and say what the real systems say: every field they declare exists in the real WooCommerce
11.0.1 payloads and the ERPNext 15 doctypes (tests/fixtures/real), so a misspelt declaration fails
here instead of silently reading nothing or writing a field ERPNext drops."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, get_type_hints

import pytest

import woonext
from tests.fixtures import ERPNEXT_DOCTYPES, WOO_SAMPLES
from woonext.erpnext import types as erp
from woonext.sync.setup import custom_fields
from woonext.woo import types as woo

SRC = Path(woonext.__file__).resolve().parent.parent

SNIPPET = """
from woonext.erpnext.types import SalesInvoiceDoc, SalesInvoiceItem
from woonext.mapping.money import money
from woonext.woo.types import WooOrder


def build(order: WooOrder) -> SalesInvoiceDoc:
    ok = money(order.get("total")) + money(order["line_items"][0].get("total"))
    doc: SalesInvoiceDoc = {"customer": "C", "woo_order_id": str(order.get("id")), "items": []}
    doc["update_stock"] = 1
    total = money(order.get("totl"))                                  # ERROR read: misspelt, no money value
    name = order["custmer_id"]                                        # ERROR read: misspelt key
    doc["update_stok"] = 1                                            # ERROR write: misspelt field
    row: SalesInvoiceItem = {"item_cod": "MUG", "qty": 1}             # ERROR write: misspelt row field
    return {"custmer": "C", "items": [row]}                           # ERROR write: misspelt field
"""


def test_mypy_rejects_misspelt_keys_on_both_sides(tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(SNIPPET)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--follow-imports=silent", str(snippet)],
        capture_output=True,
        text=True,
        cwd=SRC.parent,
    )
    flagged = sorted({int(line.split(":")[1]) for line in result.stdout.splitlines() if ": error:" in line})
    expected = [n for n, line in enumerate(SNIPPET.splitlines(), 1) if "# ERROR" in line]
    assert flagged == expected, result.stdout
    assert "has no key" in result.stdout and "item_cod" in result.stdout


# -- the declarations against the real systems ----------------------------------------------------


def _keys(typed: Any) -> set[str]:
    return set(get_type_hints(typed))


def _found(test: Any) -> list[dict[str, Any]]:
    """Every JSON object in the real WooCommerce samples that passes `test` (orders, refunds)."""
    found: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if test(value):
                found.append(value)
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    for path in sorted(WOO_SAMPLES.glob("*.json")):
        walk(json.loads(path.read_text()))
    return found


def _sample_orders() -> list[dict[str, Any]]:
    return _found(lambda o: "line_items" in o and "billing" in o)


def _sample_refunds() -> list[dict[str, Any]]:
    return _found(lambda o: "refunded_by" in o and "amount" in o)


def _seen(objects: list[dict[str, Any]]) -> set[str]:
    return {key for obj in objects for key in obj}


def test_the_woocommerce_types_declare_only_fields_woocommerce_sends() -> None:
    orders, refunds = _sample_orders(), _sample_refunds()
    assert orders and refunds
    lines = [li for o in orders for li in o["line_items"]] + [li for r in refunds for li in r["line_items"]]
    checks = {
        woo.WooOrder: _seen(orders),
        woo.WooRefund: _seen(refunds),
        woo.WooLineItem: _seen(lines),
        woo.WooMeta: _seen([m for li in lines for m in li.get("meta_data") or []]),
        woo.WooTax: _seen([t for li in lines for t in li.get("taxes") or []]),
        woo.WooTaxLine: _seen([t for o in orders for t in o.get("tax_lines") or []]),
        woo.WooShippingLine: _seen([s for o in orders for s in o.get("shipping_lines") or []]),
        woo.WooFeeLine: _seen([f for o in orders for f in o.get("fee_lines") or []]),
        woo.WooCouponLine: _seen([c for o in orders for c in o.get("coupon_lines") or []]),
        woo.WooRefundSummary: _seen([r for o in orders for r in o.get("refunds") or []]),
        woo.WooAddress: _seen([o["billing"] for o in orders] + [o.get("shipping") or {} for o in orders]),
        woo.WooCustomer: _seen([json.loads((WOO_SAMPLES / "customer_create_response.json").read_text())]),
    }
    for typed, seen in checks.items():
        assert seen, typed.__name__
        assert _keys(typed) <= seen, f"{typed.__name__} declares {sorted(_keys(typed) - seen)}, never sent"


def _doctype_fields(name: str) -> set[str]:
    definition = json.loads((ERPNEXT_DOCTYPES / f"{name}.json").read_text())
    custom = {f["fieldname"] for f in custom_fields() if f["dt"] == definition["name"]}
    return {f["fieldname"] for f in definition["fields"]} | custom | {"docstatus", "name"}


@pytest.mark.parametrize(
    ("typed", "doctype"),
    [
        (erp.SalesInvoiceDoc, "sales_invoice"),
        (erp.SalesInvoiceItem, "sales_invoice_item"),
        (erp.SalesTaxRow, "sales_taxes_and_charges"),
        (erp.SalesInvoicePayment, "sales_invoice_payment"),
        (erp.PaymentEntryDoc, "payment_entry"),
        (erp.PaymentEntryReference, "payment_entry_reference"),
        (erp.CustomerDoc, "customer"),
        (erp.ContactDoc, "contact"),
        (erp.ContactEmail, "contact_email"),
        (erp.ContactPhone, "contact_phone"),
        (erp.DynamicLink, "dynamic_link"),
        (erp.AddressDoc, "address"),
    ],
)
def test_the_erpnext_types_declare_only_fields_the_doctype_has(typed: Any, doctype: str) -> None:
    unknown = _keys(typed) - _doctype_fields(doctype)
    assert not unknown, f"{typed.__name__}: ERPNext's {doctype} has no field {sorted(unknown)} (it would drop it)"
