"""What a writeback costs, counted on the simulators (docs/writeback.md, "Costs"): a Payment Entry's
webhook → 5 ERPNext requests and 3 WooCommerce requests for its order; a sweep over twenty paid
orders reads ERPNext in a fixed number of list requests, not per order; an idle sweep costs 3."""

from __future__ import annotations

from tests.writeback.conftest import Shop
from woonext.sync.setup import ensure_ready
from woonext.sync.writeback import sweep, writeback_document


async def test_one_order_through_the_payment_entrys_trigger(shop: Shop) -> None:
    order, invoice = await shop.invoiced()
    entry = await shop.pay(invoice)
    await ensure_ready(shop.ctx)  # the service checks its ERPNext site once per context, not per order
    erp, woo = len(shop.erp.request_log), len(shop.woo.request_log)
    await writeback_document(shop.ctx, "Payment Entry", entry)
    assert shop.woo.orders[order["id"]]["status"] == "completed"
    assert len(shop.erp.request_log) - erp == 5
    assert [(m, p.rsplit("/", 1)[-1]) for m, p, _ in shop.woo.request_log[woo:]] == [
        ("GET", str(order["id"])),
        ("PUT", str(order["id"])),
        ("POST", "notes"),
    ]


async def test_a_sweep_reads_erpnext_in_lists_not_per_order(shop: Shop) -> None:
    await ensure_ready(shop.ctx)  # once per context (the service's), not per sweep
    await sweep(shop.ctx)  # the first sweep sets the cursor
    invoiced = [await shop.invoiced() for _ in range(20)]
    for _, invoice in invoiced:
        await shop.pay(invoice)
    erp = len(shop.erp.request_log)
    report = await sweep(shop.ctx)
    assert report.count("written") == 20, report.summary()
    # 3 changed-document lists + invoices, payments, deliveries, credit notes (+ the payment bindings'
    # look-ups cost no request: they are in the state DB)
    assert len(shop.erp.request_log) - erp == 7
    erp = len(shop.erp.request_log)
    idle = await sweep(shop.ctx)
    assert idle.orders == [] and len(shop.erp.request_log) - erp == 3
