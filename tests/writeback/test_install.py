"""`woonext webhooks install` registers the writeback's ERPNext Webhooks when writeback is on — Payment
Entry and Delivery Note submit and cancel, credit notes only (a condition, so woonext's own invoices
are not sent) — and the simulator delivers exactly those."""

from __future__ import annotations

import json

from tests.writeback.conftest import BASE, Shop
from woonext.runtime.erp_install import erpnext_status, install_erpnext
from woonext.runtime.erp_webhooks import topics_for

WRITEBACK_DOCTYPES = ("Payment Entry", "Delivery Note", "Sales Invoice")


async def test_install_registers_the_writeback_webhooks(shop: Shop) -> None:
    names = {t.name for t in topics_for(shop.ctx.config) if t.kind.startswith("writeback")}
    assert names == {
        "Payment Entry:on_submit",
        "Payment Entry:on_cancel",
        "Delivery Note:on_submit",
        "Delivery Note:on_cancel",
        "Sales Invoice:on_submit",
    }
    await shop.install()
    credit = shop.erp.db.get("Webhook", "woonext-main-sales-invoice-on-submit")
    assert credit is not None and credit["condition"] == "doc.is_return == 1"
    assert credit["request_url"] == f"{BASE}/webhooks/erpnext/main"
    assert [s.action for s in await install_erpnext(shop.ctx, BASE)] == ["kept"] * len(topics_for(shop.ctx.config))
    assert {s.status for s in await erpnext_status(shop.ctx)} == {"active"}

    order, invoice = await shop.invoiced()  # woonext's own invoice: no delivery for it
    entry = await shop.pay(invoice)
    note = await shop.deliver(invoice)
    shop.world.clock.advance(1)
    sent = await shop.erp.run_webhooks(now=False)
    bodies = [b for d in sent if (b := json.loads(d.body))["doctype"] in WRITEBACK_DOCTYPES]
    assert {(b["doctype"], b["event"], b["name"]) for b in bodies} == {
        ("Payment Entry", "on_submit", entry),
        ("Delivery Note", "on_submit", note),
    }
    credit_note = await shop.credit(invoice)
    shop.world.clock.advance(1)
    sent = await shop.erp.run_webhooks(now=False)
    [delivered] = [b for d in sent if (b := json.loads(d.body))["doctype"] in WRITEBACK_DOCTYPES]
    assert (delivered["doctype"], delivered["name"], delivered["return_against"]) == (
        "Sales Invoice",
        credit_note,
        invoice,
    )
