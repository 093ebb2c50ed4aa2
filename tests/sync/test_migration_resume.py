"""Migration: an interrupted --all resumes from its checkpoint; --dry-run writes nothing; --page N."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.sync.world import World, make_world
from woonext.config import Config
from woonext.sim.serve import build_pair
from woonext.sim.woo import WooSim
from woonext.store import StateDB
from woonext.sync.context import open_store
from woonext.sync.migration import MigrationOptions, migrate
from woonext.sync.setup import run_setup
from woonext.woo.errors import WooError


class Crash(RuntimeError):
    """The process dies while WooCommerce serves a page."""


def generated_world(tmp_path: Path, orders: int = 60) -> World:
    pair = build_pair(seed=5, orders=orders)
    config = Config.model_validate(
        pair.config("http://woo.test", "http://erp.test", f"sqlite:///{tmp_path / 'state.sqlite'}")
    )
    return World(
        woo=pair.woo,
        erp=pair.erp,
        config=config,
        db=StateDB.open(config.state_url, pair.woo.clock),
        clock=pair.woo.clock,
    )


def originals(world: World) -> list[dict[str, Any]]:
    return [d for d in world.erp.db.all("Sales Invoice") if not d.get("is_return")]


async def test_interrupted_migration_resumes_and_creates_nothing_twice(tmp_path: Path) -> None:
    world = generated_world(tmp_path)
    ctx = world.context()
    await run_setup(ctx)
    pages_served: list[int] = []

    def crash_on_third_page(sim: WooSim, values: dict[str, Any]) -> None:
        pages_served.append(int(values.get("page") or 1))
        if int(values.get("page") or 1) == 3 and pages_served.count(3) == 1:
            raise Crash("killed while page 3 was being read")

    world.woo.between_pages = crash_on_third_page
    with pytest.raises(WooError):  # WordPress answers a PHP fatal with its "critical error" page
        await migrate(ctx, MigrationOptions(all_pages=True, per_page=10))
    after_crash = len(originals(world))
    assert 0 < after_crash <= 20  # pages 1 and 2 were handled before the crash

    ctx2 = open_store(world.config, world.config.stores[0], world.db, world.transports())
    report = await migrate(ctx2, MigrationOptions(all_pages=True, per_page=10))
    assert report.resumed_from == 3
    assert pages_served[:3] == [1, 2, 3] and pages_served[3] == 3  # re-read at most the page it died on
    invoices = originals(world)
    ids = [d["woo_order_id"] for d in invoices]
    assert len(ids) == len(set(ids))
    total_in_scope = report.created + after_crash + report.failed + report.skipped
    assert total_in_scope >= len(ids)
    rerun = await migrate(ctx2, MigrationOptions(all_pages=True, per_page=10))
    assert rerun.created == 0 and rerun.resumed_from is None
    assert len(originals(world)) == len(invoices)
    await ctx.aclose()
    await ctx2.aclose()


async def test_dry_run_prints_a_plan_and_writes_nothing(tmp_path: Path) -> None:
    """Issue 13, item 5: the dry run is the plan — every document the run then writes (credit notes of
    partial refunds on completed orders included), worded "would create"; it creates nothing."""
    world = generated_world(tmp_path, orders=80)  # completed orders with partial refunds among them
    ctx = world.context()
    await run_setup(ctx)
    before = len(world.erp.request_log)
    report = await migrate(ctx, MigrationOptions(all_pages=True, dry_run=True))
    writes = [r for r in world.erp.request_log[before:] if r[0] != "GET"]
    assert writes == []
    assert world.erp.db.all("Sales Invoice") == [] and world.db.outcome_counts() == {}
    assert world.db.bindings("@erpnext", "customer") == []
    assert report.created == 0  # nothing was created: the invoices are "would create"
    assert {row.action for row in report.plan} <= {"would create", "skip", "fail"}
    assert all(row.detail for row in report.plan if row.action == "fail")
    completed_with_refunds = {
        o["id"] for o in world.woo.orders.values() if o["status"] == "completed" and o.get("refunds")
    }
    planned_notes = {row.order_id for row in report.plan if row.document == "credit note"}
    failing = {row.order_id for row in report.plan if row.action == "fail"}
    assert completed_with_refunds - failing and completed_with_refunds - failing <= planned_notes

    customers_before = len(world.erp.db.all("Customer"))
    real = await migrate(ctx, MigrationOptions(all_pages=True))
    invoices = world.erp.db.all("Sales Invoice")
    made = {
        "Sales Invoice": sum(1 for d in invoices if not d.get("is_return")),
        "credit note": sum(1 for d in invoices if d.get("is_return")),
        "Payment Entry": len(world.erp.db.all("Payment Entry")),
        "Customer": len(world.erp.db.all("Customer")) - customers_before,
    }
    assert made == {kind: report.would_create[kind] for kind in made}  # the plan was what happened
    assert real.created == report.would_create["Sales Invoice"]
    assert dict(real.reasons) == dict(report.reasons)  # with the same reason codes
    await ctx.aclose()


async def test_single_page(tmp_path: Path) -> None:
    world = generated_world(tmp_path, orders=40)
    ctx = world.context()
    await run_setup(ctx)
    report = await migrate(ctx, MigrationOptions(page=2, per_page=5))
    assert report.pages == 1 and report.created + report.failed + report.skipped == 5
    await ctx.aclose()


async def test_negative_stock_in_live_sync_is_erpnexts_own_message(tmp_path: Path) -> None:
    from tests.sync.world import jarz_masters, real_orders
    from woonext.sync.live import pull_recent

    orders = real_orders()
    skus = {li["sku"] for o in orders for li in o["line_items"]}
    masters = jarz_masters(skus)
    masters.stock = {}  # nothing in the warehouse
    world = make_world(tmp_path, orders, masters=masters)
    ctx = world.context()
    await run_setup(ctx)
    report = await pull_recent(ctx, limit=20)
    result = {r.order_id: r for r in report.results}[15]
    assert result.status == "NeedsReview" and result.reason == "erpnext_NegativeStockError"
    assert "needed in" in result.detail and "<" not in result.detail  # ERPNext's words, tags stripped
    assert world.invoices(woo_order_id="15") == []  # rolled back: no orphan draft
    await ctx.aclose()


async def test_sync_refuses_to_run_before_setup(tmp_path: Path) -> None:
    from woonext.sync.live import sync_orders_once
    from woonext.sync.setup import NotReady

    world = generated_world(tmp_path, orders=20)
    ctx = world.context()
    with pytest.raises(NotReady, match="woonext setup"):
        await migrate(ctx, MigrationOptions(all_pages=True))
    with pytest.raises(NotReady, match="woonext setup"):
        await sync_orders_once(ctx)
    assert world.erp.db.all("Sales Invoice") == [] and world.erp.db.all("Customer") == []
    await ctx.aclose()


async def test_refunded_orders_get_one_credit_note_per_refund(tmp_path: Path) -> None:
    world = generated_world(tmp_path, orders=150)
    ctx = world.context()
    await run_setup(ctx)
    await migrate(ctx, MigrationOptions(all_pages=True))
    await migrate(ctx, MigrationOptions(all_pages=True))  # a rerun adds no credit note
    refunded = [
        o
        for o in world.woo.orders.values()
        if o["refunds"] and o["status"] in ("refunded", "completed") and o["payment_method"] != "valu"
    ]
    assert refunded, "the generated store has refunded orders"
    for order in refunded:
        docs = world.invoices(woo_order_id=str(order["id"]))
        [original] = [d for d in docs if not d.get("is_return")]
        notes = [d for d in docs if d.get("is_return")]
        assert len(notes) == len(order["refunds"]), order["id"]
        assert sorted(Decimal(str(n["grand_total"])) for n in notes) == sorted(
            Decimal(r["total"]) for r in order["refunds"]
        )
        assert all(n["docstatus"] == 1 and n["return_against"] == original["name"] for n in notes)
        assert Decimal(str(original["outstanding_amount"])) == 0  # paid, and the refunds paid out
        assert all(Decimal(str(n["outstanding_amount"])) == 0 for n in notes)
    await ctx.aclose()


async def test_customer_batch_lost_response_creates_no_duplicate_customer(tmp_path: Path) -> None:
    world = generated_world(tmp_path, orders=60)
    ctx = world.context()
    await run_setup(ctx)
    world.erp.faults.inject_next("lost", route="POST /api/method/frappe.client.insert_many", count=1)
    report = await migrate(ctx, MigrationOptions(all_pages=True))
    assert world.erp.faults.injected["lost"] == 1
    customers = world.erp.db.all("Customer")
    keys = [c["woonext_customer_key"] for c in customers]
    assert len(keys) == len(set(keys))  # the batch that was applied unseen was looked up, not redone
    used = {d["customer"] for d in world.erp.db.all("Sales Invoice")}
    assert used <= {c["name"] for c in customers}
    assert report.created > 0
    await ctx.aclose()


def test_the_dry_run_summary_says_would_create_never_created() -> None:
    from woonext.commands import migrate as migrate_cmd
    from woonext.sync.migration import MigrationReport
    from woonext.sync.plan import PlanRow

    report = MigrationReport()
    report.plan = [
        PlanRow(1, "would create", "invoice 10.00 EGP, paid", document="Sales Invoice"),
        PlanRow(1, "would create", "credit note for refund 7: -2.00 EGP", document="credit note"),
    ]
    report.would_create.update({"Sales Invoice": 1, "credit note": 1})
    with migrate_cmd.console.capture() as captured:
        migrate_cmd.console.width = 300
        migrate_cmd.print_report("main", report, dry_run=True)
    text = captured.get()
    assert "would create 1 Sales Invoice, 1 credit note; 0 skipped, 0 would fail; nothing was written" in text
    assert " created" not in text.replace("would create", "")
