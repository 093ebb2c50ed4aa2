"""`run_dedupe` against the ERPNext simulator over HTTP: plan, apply, nothing left, resumable, recorded."""

from __future__ import annotations

from pathlib import Path

from tests.customers.dedupe_seed import NAMES, seed_duplicates
from tests.sync.world import World, make_world
from woonext.mapping.dedupe import DIFFERENT_WOO_CUSTOMERS, NAMES_DIFFER, Merge
from woonext.store import FAILED, NEEDS_REVIEW, SKIPPED, SUCCEEDED, Binding
from woonext.sync.context import StoreContext
from woonext.sync.dedupe import MERGE_KIND, REVIEW_KIND, merge_one, run_dedupe
from woonext.sync.setup import run_setup


async def seeded(tmp_path: Path) -> tuple[World, StoreContext, dict[str, list[str]]]:
    world = make_world(tmp_path, [], store={"country": "EG"})
    ctx = world.context()
    await run_setup(ctx)
    docs = await seed_duplicates(ctx.erp.insert, ctx.erp.call_get)
    assert sorted(c["name"] for c in world.erp.db.all("Customer")) == sorted(NAMES)
    for identity, name in [
        ("id:11", "Mona Hassan"),
        ("email:mona.h@example.com", "Mona Hassan - 1"),
        ("phone:+201012345678", "Mona Hassan - 2"),
        ("email:ana.r@example.com", "Ana Ruiz - 1"),
        ("id:22", "Omar Said - 1"),
    ]:
        world.db.save_binding(
            Binding(
                store="main", kind="customer", remote_id=identity, erp_doctype="Customer", erp_name=name, state="done"
            )
        )
    return world, ctx, docs


def renames(world: World) -> int:
    return sum(1 for _, path, _ in world.erp.request_log if path.endswith("frappe.client.rename_doc"))


async def test_plan_apply_then_nothing_left(tmp_path: Path) -> None:
    world, ctx, docs = await seeded(tmp_path)
    try:
        dry = await run_dedupe(ctx, apply=False)
        assert [(m.survivor, m.merged) for m in dry.plan.merges] == [
            ("Ana Ruiz", ("Ana Ruiz - 1",)),
            ("Mona Hassan", ("Mona Hassan - 1", "Mona Hassan - 2")),
        ]
        assert dry.plan.merges[1].survivor_reason == "bound to WooCommerce customer 11"
        phone = dry.plan.merges[1].evidence[0]
        assert (phone.kind, phone.value) == ("phone", "+201012345678")
        assert set(phone.written) == {"01012345678", "+20 10 1234 5678", "0020-1012345678"}
        assert [(r.customers, r.reason) for r in dry.plan.review] == [
            (("Karim Adel", "Salma Adel"), NAMES_DIFFER),
            (("Omar Said", "Omar Said - 1"), DIFFERENT_WOO_CUSTOMERS),
        ]
        assert dry.left_over and renames(world) == 0 and len(world.erp.db.all("Customer")) == len(NAMES)

        applied = await run_dedupe(ctx, apply=True)
        assert [(r.old, r.survivor, r.ok) for r in applied.results] == [
            ("Ana Ruiz - 1", "Ana Ruiz", True),
            ("Mona Hassan - 1", "Mona Hassan", True),
            ("Mona Hassan - 2", "Mona Hassan", True),
        ]
        left = sorted(c["name"] for c in world.erp.db.all("Customer"))
        assert left == ["Ana Ruiz", "Karim Adel", "Mona Hassan", "Nour Ali", "Omar Said", "Omar Said - 1", "Salma Adel"]
        # invoices and payments now belong to the survivors; the groups for a person are untouched
        owner = {i["name"]: i["customer"] for i in world.erp.db.all("Sales Invoice")}
        assert owner[docs["Mona Hassan - 1"][0]] == owner[docs["Mona Hassan - 2"][0]] == "Mona Hassan"
        assert owner[docs["Ana Ruiz - 1"][0]] == "Ana Ruiz"
        assert owner[docs["Salma Adel"][0]] == "Salma Adel" and owner[docs["Omar Said - 1"][0]] == "Omar Said - 1"
        payments = {p["name"]: p["party"] for p in world.erp.db.all("Payment Entry")}
        assert payments[docs["Mona Hassan - 1"][1]] == "Mona Hassan" and payments[docs["Ana Ruiz - 1"][1]] == "Ana Ruiz"
        contacts = [r["link_name"] for c in world.erp.db.all("Contact") for r in c["links"]]
        assert contacts.count("Mona Hassan") == 3 and "Mona Hassan - 1" not in contacts
        assert {e["party"] for e in world.erp.gl_entries if e.get("party_type")} <= set(left)
        # woonext's own bindings lead the merged people's future orders to the survivor
        assert ctx.db.get_binding("main", "customer", "email:mona.h@example.com").erp_name == "Mona Hassan"  # type: ignore[union-attr]
        assert ctx.db.get_binding("main", "customer", "phone:+201012345678").erp_name == "Mona Hassan"  # type: ignore[union-attr]
        assert ctx.db.get_binding("main", "customer", "id:22").erp_name == "Omar Said - 1"  # type: ignore[union-attr]
        merged = ctx.db.outcome("main", MERGE_KIND, "Mona Hassan - 1")
        assert merged is not None and merged.status == SUCCEEDED and "phone +201012345678" in merged.detail
        review = ctx.db.outcome("main", REVIEW_KIND, "Karim Adel|Salma Adel")
        assert review is not None and review.status == NEEDS_REVIEW and review.reason == NAMES_DIFFER
        assert applied.left_over  # two groups still need a person

        sent = renames(world)
        again = await run_dedupe(ctx, apply=True)
        assert again.plan.merges == () and again.results == [] and renames(world) == sent
        assert len(again.plan.review) == 2
    finally:
        await ctx.aclose()


async def test_a_group_resolved_by_a_person_is_closed(tmp_path: Path) -> None:
    world, ctx, _ = await seeded(tmp_path)
    try:
        await run_dedupe(ctx, apply=True)
        # the person decides Omar's two accounts are one: merges them in ERPNext by hand
        await ctx.erp.call(
            "frappe.client.rename_doc", doctype="Customer", old_name="Omar Said - 1", new_name="Omar Said", merge=1
        )
        after = await run_dedupe(ctx, apply=True)
        assert [r.reason for r in after.plan.review] == [NAMES_DIFFER]
        closed = ctx.db.outcome("main", REVIEW_KIND, "Omar Said|Omar Said - 1")
        assert closed is not None and closed.status == SKIPPED and closed.reason == "resolved"
    finally:
        await ctx.aclose()


async def test_an_interrupted_apply_is_finished_by_the_next_run(tmp_path: Path) -> None:
    world, ctx, _ = await seeded(tmp_path)
    try:
        # a run wrote its intent, sent the merge, and died before it saw the answer
        ctx.db.set_checkpoint(
            "main",
            "customers_dedupe",
            {"pending": {"Mona Hassan - 1": {"survivor": "Mona Hassan", "evidence": "e"}}, "review": []},
        )
        await ctx.erp.call(
            "frappe.client.rename_doc", doctype="Customer", old_name="Mona Hassan - 1", new_name="Mona Hassan", merge=1
        )
        assert ctx.db.get_binding("main", "customer", "email:mona.h@example.com").erp_name == "Mona Hassan - 1"  # type: ignore[union-attr]
        report = await run_dedupe(ctx, apply=True)
        assert [(r.old, r.ok) for r in report.resumed] == [("Mona Hassan - 1", True)]
        assert [r.old for r in report.results] == ["Ana Ruiz - 1", "Mona Hassan - 2"]
        assert ctx.db.get_binding("main", "customer", "email:mona.h@example.com").erp_name == "Mona Hassan"  # type: ignore[union-attr]
        assert ctx.db.get_checkpoint("main", "customers_dedupe")["pending"] == {}  # type: ignore[index]
    finally:
        await ctx.aclose()


async def test_a_refused_merge_leaves_a_failed_record_and_nothing_pending(tmp_path: Path) -> None:
    world, ctx, _ = await seeded(tmp_path)
    try:
        result = await merge_one(ctx, "Nour Ali", Merge("Nobody", ("Nour Ali",), (), "test"))
        assert not result.ok and "does not exist, select a new target to merge" in result.error
        outcome = ctx.db.outcome("main", MERGE_KIND, "Nour Ali")
        assert outcome is not None and outcome.status == FAILED and outcome.reason == "ValidationError"
        assert "Nour Ali into Nobody" in outcome.detail and outcome.hint
        assert ctx.db.get_checkpoint("main", "customers_dedupe")["pending"] == {}  # type: ignore[index]
        assert world.erp.db.get("Customer", "Nour Ali") is not None
    finally:
        await ctx.aclose()


async def test_the_region_comes_from_woocommerce_when_not_configured(tmp_path: Path) -> None:
    world, ctx, _ = await seeded(tmp_path)
    ctx.config = ctx.config.model_copy(update={"country": ""})
    try:
        assert (await run_dedupe(ctx, apply=False)).region == "EG"  # the store address, "EG:EGC"
        await ctx.woo.put("settings/general/woocommerce_default_country", {"value": "US:CA"})
        report = await run_dedupe(ctx, apply=False)
        assert report.region == "US"
        mona = next(m for m in report.plan.merges if m.survivor.startswith("Mona"))
        # "+20 10 1234 5678" and "0020-1012345678" carry their country; "01012345678" is no US number
        assert mona.merged == ("Mona Hassan - 2",) and mona.survivor == "Mona Hassan - 1"
        assert len(world.erp.db.all("Customer")) == len(NAMES)  # a dry run changes nothing
    finally:
        await ctx.aclose()


async def test_a_numbered_survivor_keeps_its_customer_name(tmp_path: Path) -> None:
    world = make_world(tmp_path, [], store={"country": "EG"})
    ctx = world.context()
    try:
        await run_setup(ctx)
        await ctx.erp.insert(
            "Customer",
            {
                "customer_name": "Lina Samir",
                "customer_type": "Individual",
                "email_id": "lina@example.com",
                "disabled": 1,
            },
        )
        await ctx.erp.insert(
            "Customer", {"customer_name": "Lina Samir", "customer_type": "Individual", "email_id": "LINA@example.com"}
        )
        report = await run_dedupe(ctx, apply=True)
        assert [(r.old, r.survivor, r.ok) for r in report.results] == [("Lina Samir", "Lina Samir - 1", True)]
        survivor = world.erp.db.get("Customer", "Lina Samir - 1")
        # ERPNext's after_rename made it "Lina Samir - 1"; the flow puts the person's name back
        assert survivor is not None and survivor["customer_name"] == "Lina Samir" and not survivor["disabled"]
        assert not report.left_over
    finally:
        await ctx.aclose()
