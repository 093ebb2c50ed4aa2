"""`writeback.enabled = false` means not one write to WooCommerce, whatever else the section says: a
soak-style run — thirty orders through webhooks and the poll, cash recorded, deliveries and credit notes
made and cancelled in ERPNext, orders completed, refunded and cancelled in WooCommerce, the scheduled
jobs including the writeback sweep, `orders writeback`, and writeback events left over from an ERPNext
Webhook installed when it was on — ends with zero REST writes to WooCommerce. And the configuration
refuses a table that would move an order backwards."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.writeback.conftest import make_shop
from woonext.config_writeback import WritebackConfig
from woonext.runtime.erp_webhooks import topics_for
from woonext.store import events as queue
from woonext.store.writebacks import writeback_history
from woonext.sync.writeback import sweep

EVERYTHING_ELSE = {
    "enabled": False,
    "when": "paid_or_delivered",
    "status": "completed",
    "transitions": {"processing": ["completed"], "on-hold": ["completed"]},
    "customer_note": "Your order {number} is {status}.",
    "refunds": True,
}


async def test_writeback_disabled_writes_nothing_to_woocommerce_in_a_soak_style_run(tmp_path: Path) -> None:
    shop, ctx = await make_shop(tmp_path, EVERYTHING_ELSE)
    try:
        assert not [t for t in topics_for(ctx.config) if t.kind.startswith("writeback")]
        await shop.install()
        rng = random.Random(16)
        orders = [
            shop.order(method=(m := rng.choice(["cod", "cod", "kashier_card"])), paid=m != "cod") for _ in range(30)
        ]
        await shop.work()  # order.created / order.updated → invoices
        invoices = {o["id"]: b.erp_name for o in orders if (b := shop.world.db.get_binding("main", "order", o["id"]))}
        assert len(invoices) == 30
        documents = []
        method = {o["id"]: o["payment_method"] for o in orders}
        for oid, invoice in list(invoices.items())[:22]:
            kinds = ["pay", "deliver", "credit", "pay"] if method[oid] == "cod" else ["deliver", "credit"]
            kind = rng.choice(kinds)
            name = await getattr(shop, kind)(invoice)
            documents.append((kind, oid, name))
        for kind, _, name in documents[:4]:
            if kind in ("pay", "deliver"):
                await shop.cancel("Payment Entry" if kind == "pay" else "Delivery Note", name)
        for o in orders[22:25]:
            shop.woo.complete(o["id"])
        for o in orders[25:28]:
            shop.woo.refund(o["id"], amount="5.00", restock=False)
        for o in orders[28:]:
            shop.woo.cancel(o["id"])
        for kind, _, name in documents:  # events left over from Webhooks installed while it was on
            event_kind = {"pay": "writeback_payment", "deliver": "writeback_delivery", "credit": "writeback_credit"}
            queue.enqueue(shop.world.db, "main", event_kind[kind], name, "erpnext:leftover", shop.world.clock.now())
        for job in ("orders", "writeback", "stock", "prices", "reconcile"):
            queue.enqueue(shop.world.db, "main", "job", job, "schedule", shop.world.clock.now())
        await shop.work()
        await shop.work()
        report = await sweep(ctx, trigger="orders writeback")  # a person runs the command
        assert "writeback is off" in report.summary()

        assert shop.woo_writes() == []  # not one POST, PUT or DELETE reached WooCommerce
        assert all(writeback_history(shop.world.db, "main", o["id"]) == [] for o in orders)
        done = [e for e in queue.list_events(shop.world.db, limit=500) if e.kind.startswith("writeback")]
        assert len(done) == len(documents) and {e.status for e in done} == {"Skipped"}
        assert all("writeback is off" in (e.last_error or "") for e in done)
    finally:
        await ctx.aclose()


@pytest.mark.parametrize(
    ("section", "says"),
    [
        ({"transitions": {"refunded": ["completed"]}}, "never moved out of 'refunded'"),
        ({"transitions": {"processing": ["cancelled"]}}, "never moves an order to 'cancelled'"),
        ({"status": "shipped"}, "status 'shipped' is no target in transitions"),
        ({"when": "sometimes"}, "Input should be"),
        ({"customer_note": "Order {id}"}, "may only use {number} and {status}"),
    ],
)
def test_the_configuration_refuses_what_would_move_an_order_backwards(section: dict, says: str) -> None:
    with pytest.raises(ValidationError, match=says.replace("(", r"\(").replace("{", r"\{").replace("}", r"\}")):
        WritebackConfig.model_validate(section)
    assert WritebackConfig().enabled is False  # off unless a person turns it on
