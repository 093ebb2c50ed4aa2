"""A cash-on-delivery order paid in ERPNext is completed in WooCommerce — once, with one private note
naming the ERPNext documents, one "Completed order" e-mail — through the ERPNext Webhook; repeats
(a redelivery, a retried event, the sweep, the command) write nothing; the `order.updated` its write
causes costs no ERPNext request; an order refunded meanwhile is left as it is, the skip recorded."""

from __future__ import annotations

import json

from tests.writeback.conftest import Shop
from woonext.mapping.writeback import MARKER_KEY
from woonext.runtime.erp_webhooks import sign
from woonext.store import events as queue
from woonext.store.writebacks import writeback_history
from woonext.sync.writeback import sweep, writeback_document


async def test_cod_paid_in_erpnext_is_completed_once_with_one_note(shop: Shop) -> None:
    await shop.install()
    order, invoice = await shop.invoiced()
    oid = order["id"]
    before_writes, before_mails = len(shop.woo_writes()), len(shop.emails(oid))
    entry = await shop.pay(invoice)
    await shop.work()

    done = shop.woo.orders[oid]
    assert done["status"] == "completed"
    [marker] = [m["value"] for m in done["meta_data"] if m["key"] == MARKER_KEY]
    assert entry in marker
    mine = [n for n in shop.notes(oid) if "woonext" in n["note"]]
    assert [n["note"] for n in mine] == [
        f"invoice {invoice} paid in ERPNext ({entry}); woonext set the order to completed."
    ]
    assert mine[0]["customer_note"] is False
    assert shop.emails(oid)[before_mails:] == ["Completed order"]  # and nothing else reached the customer
    writes = shop.woo_writes()[before_writes:]
    assert [(m, p.rsplit("/", 1)[-1]) for m, p, _ in writes] == [("PUT", str(oid)), ("POST", "notes")]
    [event] = [e for e in queue.list_events(shop.world.db) if e.kind == "writeback_payment"]
    assert (event.remote_id, event.status) == (entry, "Succeeded")
    [entry_line] = writeback_history(shop.world.db, "main", oid)
    assert (entry_line.action, entry_line.result, entry_line.reason, entry_line.to_status) == (
        "status",
        "written",
        "paid",
        "completed",
    )
    assert entry_line.documents == [entry] and entry_line.trigger == f"Payment Entry {entry}"

    # the same delivery again (ERPNext retries with the same bytes), the event again, the sweep, the command
    log = shop.erp.webhooks.log
    body = next(d.body for d in log if json.loads(d.body).get("name") == entry)
    async with shop_client(shop) as http:
        again = await http.post(
            "/webhooks/erpnext/main", content=body, headers={"X-Frappe-Webhook-Signature": sign(body, "erp-s3cret")}
        )
    assert again.json().get("duplicate") == "duplicate_delivery"
    await writeback_document(shop.ctx, "Payment Entry", entry)
    await sweep(shop.ctx)
    await shop.work()
    assert shop.woo_writes()[before_writes:] == writes
    assert len(writeback_history(shop.world.db, "main", oid)) == 1
    assert shop.emails(oid)[before_mails:] == ["Completed order"]


async def test_the_echo_of_woonexts_own_write_costs_no_erpnext_request(shop: Shop) -> None:
    await shop.install()
    order, invoice = await shop.invoiced()
    await shop.pay(invoice)
    shop.world.clock.advance(1)
    await shop.erp.run_webhooks(now=False)  # the Payment Entry's webhook reaches woonext
    from woonext.runtime.worker import Worker

    worker = Worker(shop.world.config, shop.world.db, shop.world.transports())
    while await worker.run_once() is not None:
        pass
    erp_before = len(shop.erp.request_log)
    writes_before = len(shop.woo_writes())
    await shop.woo.run_webhooks()  # WooCommerce sends order.updated for woonext's own write
    while await worker.run_once() is not None:
        pass
    await worker.aclose()
    [echo] = [e for e in queue.list_events(shop.world.db) if e.kind == "order"]
    assert echo.status == "Skipped" and "writeback_echo" in (echo.last_error or "")
    assert shop.erp.request_log[erp_before:] == []  # not one ERPNext request
    assert shop.woo_writes()[writes_before:] == []  # and no second write
    outcome = shop.world.db.outcome("main", "order", order["id"])
    assert outcome is not None and outcome.reason == "created"  # the order's own record stays


async def test_an_order_refunded_in_woocommerce_meanwhile_is_left_alone(shop: Shop) -> None:
    await shop.install()
    order, invoice = await shop.invoiced()
    oid = order["id"]
    shop.woo.refund(oid, amount=order["total"], restock=False)  # the shop refunded it in WooCommerce
    assert shop.woo.orders[oid]["status"] == "refunded"
    before = len(shop.woo_writes())
    entry = await shop.pay(invoice)
    shop.world.clock.advance(1)
    await shop.erp.run_webhooks(now=False)
    from woonext.runtime.worker import Worker

    worker = Worker(shop.world.config, shop.world.db, shop.world.transports())
    while await worker.run_once() is not None:
        pass
    await worker.aclose()
    assert shop.woo.orders[oid]["status"] == "refunded" and shop.woo_writes()[before:] == []
    [skip] = writeback_history(shop.world.db, "main", oid)
    assert (skip.action, skip.result, skip.reason, skip.documents) == ("skip", "skipped", "refunded_meanwhile", [entry])
    assert "the order is refunded" in skip.detail
    outcome = shop.world.db.outcome("main", "writeback", oid)
    assert outcome is not None and (outcome.status, outcome.reason) == ("Skipped", "refunded_meanwhile")
    await sweep(shop.ctx)  # seen again by the sweep: no second history line
    assert len(writeback_history(shop.world.db, "main", oid)) == 1 and shop.woo_writes()[before:] == []


def shop_client(shop: Shop):  # noqa: ANN201 - an httpx client on woonext's web app
    import httpx

    from tests.writeback.conftest import BASE
    from woonext.runtime.web import create_app

    app = create_app(shop.world.config, shop.world.db)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)
