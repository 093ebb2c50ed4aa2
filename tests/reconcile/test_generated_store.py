"""On a generated shop, migrated and live-synced: reconciliation finds nothing; break one thing, it finds that."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reconcile.conftest import Shop
from woonext.mapping.reconcile import DUPLICATE, MISMATCH_KINDS, MISSING, PAYMENT, STATUS, TAX, TOTAL


async def test_a_synced_shop_reconciles_with_zero_mismatches(shop: Shop) -> None:
    report = await shop.reconcile()
    assert report.mismatches == [], [f"{f.kind} {f.order_id} {f.detail}" for f in report.mismatches]
    assert report.orders == len(
        shop.pair.woo.orders
    )  # trashed orders too (issue 13: a trashed order may have a live invoice)
    for kind in MISMATCH_KINDS:
        assert report.count(kind) == 0
    # what the shop went through: migrated and live invoices, refunds on both, prepaid payments
    invoices = shop.invoices()
    live = {d["name"] for d in invoices if d.get("update_stock") == 1 and not d.get("is_return")}
    assert live and any(d.get("is_pos") for d in invoices if not d.get("is_return"))
    assert any(d.get("is_return") and d.get("return_against") in live for d in invoices)
    assert shop.pair.erp.db.all("Payment Entry")
    assert sum(t.woocommerce_refunds for t in report.totals.values()) > 0
    assert all(t.balanced for t in report.totals.values())
    assert report.states["invoiced"] > 50 and report.states["waiting"] and report.states["cancelled"]
    # bulk reads: one WooCommerce page, three ERPNext queries per 100 orders; the trash is listed apart
    trashed = sum(1 for o in shop.pair.woo.orders.values() if o["status"] == "trash")
    pages = -(-(report.orders - trashed) // 100) + max(1, -(-trashed // 100))
    assert report.requests["woocommerce"] == pages and report.requests["erpnext"] <= 1 + 3 * pages


async def _submitted(shop: Shop, name: str) -> dict[str, Any]:
    doc = await shop.ctx.erp.get_doc("Sales Invoice", name)
    assert doc is not None
    return doc


def _tamper(shop: Shop, name: str, **changes: Any) -> None:
    """Change stored figures behind ERPNext's back (a direct database edit)."""
    doc = shop.pair.erp.db.get("Sales Invoice", name)
    assert doc is not None
    doc.update(changes)
    shop.pair.erp.db.put_committed(doc)


async def break_total(shop: Shop) -> tuple[int, str]:
    invoice = next(
        d
        for d in shop.invoices()
        if d["docstatus"] == 1 and d.get("is_pos") and not d.get("is_return") and shop.in_step(d["woo_order_id"])
    )
    _tamper(shop, invoice["name"], grand_total=float(invoice["grand_total"]) + 10)
    return int(invoice["woo_order_id"]), TOTAL


async def break_tax(shop: Shop) -> tuple[int, str]:
    invoice = shop.live_cash_invoice()
    _tamper(shop, invoice["name"], total_taxes_and_charges=float(invoice["total_taxes_and_charges"]) + 1)
    return int(invoice["woo_order_id"]), TAX


async def break_missing(shop: Shop) -> tuple[int, str]:
    """Someone cancels and deletes a live invoice in ERPNext (which a site allows for a transaction with
    stock ledger rows only with Accounts Settings' "Delete Accounting and Stock Ledger Entries on deletion
    of Transaction" on)."""
    invoice = shop.live_cash_invoice()
    await shop.ctx.erp.update("Accounts Settings", "Accounts Settings", {"delete_linked_ledger_entries": 1})
    await shop.ctx.erp.cancel("Sales Invoice", invoice["name"])
    assert await shop.ctx.erp.delete("Sales Invoice", invoice["name"])
    return int(invoice["woo_order_id"]), MISSING


async def break_duplicate(shop: Shop) -> tuple[int, str]:
    """A second submitted invoice for the same order (made by hand, so without woonext's key)."""
    invoice = await _submitted(shop, shop.live_cash_invoice()["name"])
    copy = {k: v for k, v in invoice.items() if k in COPIED}
    copy["items"] = [
        {k: v for k, v in row.items() if k in ("item_code", "qty", "rate", "warehouse")} for row in invoice["items"]
    ]
    copy["taxes"] = [
        {k: v for k, v in row.items() if k in ("charge_type", "account_head", "description", "tax_amount")}
        for row in invoice.get("taxes") or []
    ]
    copy["docstatus"] = 1
    await shop.ctx.erp.insert("Sales Invoice", copy)
    return int(invoice["woo_order_id"]), DUPLICATE


async def break_payment(shop: Shop) -> tuple[int, str]:
    """The Kashier Payment Entry of a prepaid live order is cancelled."""
    entry = next(
        d
        for d in shop.pair.erp.db.all("Payment Entry")
        if d["docstatus"] == 1 and shop.in_step(d["woonext_sync_key"].split(":")[2])
    )
    await shop.ctx.erp.cancel("Payment Entry", entry["name"])
    invoice = shop.pair.erp.db.get("Sales Invoice", entry["references"][0]["reference_name"])
    assert invoice is not None
    return int(invoice["woo_order_id"]), PAYMENT


async def break_status(shop: Shop) -> tuple[int, str]:
    """A live invoice cancelled in ERPNext while the order is still being processed."""
    invoice = shop.live_cash_invoice()
    await shop.ctx.erp.cancel("Sales Invoice", invoice["name"])
    return int(invoice["woo_order_id"]), STATUS


async def break_credit_note(shop: Shop) -> tuple[int, str]:
    """A refund's credit note cancelled: the refund is no longer in ERPNext."""
    note = next(
        d for d in shop.invoices() if d["docstatus"] == 1 and d.get("is_return") and shop.in_step(d["woo_order_id"])
    )
    await shop.ctx.erp.cancel("Sales Invoice", note["name"])
    original = shop.pair.erp.db.get("Sales Invoice", note["return_against"])
    assert original is not None
    return int(original["woo_order_id"]), STATUS


COPIED = (
    "customer",
    "company",
    "currency",
    "selling_price_list",
    "posting_date",
    "due_date",
    "set_posting_time",
    "posting_time",
    "update_stock",
    "set_warehouse",
    "disable_rounded_total",
    "ignore_pricing_rule",
    "custom_payment_method",
    "woo_order_id",
    "woo_order_number",
    "apply_discount_on",
    "discount_amount",
)


@pytest.mark.parametrize(
    "breaker",
    [break_total, break_tax, break_missing, break_duplicate, break_payment, break_status, break_credit_note],
    ids=lambda f: f.__name__,
)
async def test_breaking_one_invoice_reports_exactly_that_one(shop: Shop, breaker: Any) -> None:
    assert (await shop.reconcile()).ok
    order_id, kind = await breaker(shop)
    report = await shop.reconcile()
    assert [(f.order_id, f.kind) for f in report.mismatches] == [(order_id, kind)], [
        f"{f.kind} {f.order_id} {f.detail}" for f in report.mismatches
    ]
    finding = report.mismatches[0]
    assert finding.documents or kind == STATUS
    assert finding.order_number and finding.order_status and finding.order_total
