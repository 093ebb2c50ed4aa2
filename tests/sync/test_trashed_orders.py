"""Issue 13, item 6: trashed orders, against the simulators on real ports. WooCommerce leaves a trashed
order out of `status=any` (woocommerce samples 65–67), so an order trashed after it was invoiced kept a
live invoice: the poll now also reads `status=trash` since its own cursor and cancels the invoice (the
default `trashed_orders = "cancel"`) or parks the order for a person ("review"); reconcile lists trashed
orders; `orders show` does not call such an order in agreement."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.realworld import real_world
from woonext.mapping.reconcile import Period
from woonext.sync.accept import order_facts
from woonext.sync.live import TRASH_CURSOR, sync_orders_once
from woonext.sync.reconcile import reconcile

DAY = Period(date(2026, 11, 25), date(2026, 11, 26))


async def test_an_invoiced_order_trashed_later_gets_its_invoice_cancelled(tmp_path: Path) -> None:
    async with real_world(tmp_path) as world:
        ctx = world.context()
        cod = world.new_order()
        paid = world.new_order(method="kashier_card")
        report = await sync_orders_once(ctx)
        assert report.created == 2
        world.clock.advance(120)
        world.woo["main"].trash(cod["id"])
        world.woo["main"].trash(paid["id"])  # paid by its Payment Entry: the invoice is cancelled all the same

        facts = await order_facts(ctx, cod["id"])
        from woonext.commands.orders import verdict

        assert "moved to the trash" in verdict(facts) and "still submitted" in verdict(facts)
        before = await reconcile(ctx, DAY)
        assert {(f.order_id, f.kind) for f in before.mismatches} == {
            (cod["id"], "status_mismatch"),
            (paid["id"], "status_mismatch"),
        }

        world.clock.advance(120)
        report = await sync_orders_once(ctx)
        assert {(r.order_id, r.status, r.reason) for r in report.results} == {
            (cod["id"], "Succeeded", "cancelled"),
            (paid["id"], "Succeeded", "cancelled"),
        }
        assert ctx.db.get_cursor("main", TRASH_CURSOR) is not None
        invoices = world.erp.db.all("Sales Invoice")
        assert sorted(d["docstatus"] for d in invoices) == [2, 2]
        after = await reconcile(ctx, DAY)
        assert after.ok and after.orders == 2  # both trashed orders are in the period's count
        world.clock.advance(120)
        again = await sync_orders_once(ctx)  # the overlap window sees them again: nothing more to do
        assert all(r.reason in ("already_synced", "unchanged") for r in again.results)
        assert len(world.erp.db.all("Sales Invoice")) == 2


async def test_trashed_orders_review_leaves_the_invoice_for_a_person(tmp_path: Path) -> None:
    async with real_world(tmp_path, trashed_orders="review") as world:
        ctx = world.context()
        order = world.new_order()
        await sync_orders_once(ctx)
        world.clock.advance(120)
        world.woo["main"].trash(order["id"])
        world.clock.advance(120)
        report = await sync_orders_once(ctx)
        [result] = [r for r in report.results if r.order_id == order["id"]]
        assert (result.status, result.reason) == ("NeedsReview", "order_trashed")
        assert 'trashed_orders = "cancel"' in result.hint
        [invoice] = world.erp.db.all("Sales Invoice")
        assert invoice["docstatus"] == 1
        parked = await reconcile(ctx, DAY)
        assert [f.kind for f in parked.findings if f.order_id == order["id"]] == ["parked"]
