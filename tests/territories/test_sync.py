"""`sync_territories` against the simulators: the tree, every invoice's territory, changed zones."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.territories.conftest import Shop
from woonext.mapping.territory import fold
from woonext.sim.generator_catalog import zone_for
from woonext.sync.migration import MigrationOptions, migrate
from woonext.sync.territories import BOOK_MAX_AGE_SECONDS, TerritoryReport, sync_territories, territory_for

ZONE_NAMES = ["New Cairo", "Cairo", "Giza", "Alexandria", "Delta", "Canal Cities", "Upper Egypt", "Rest of Egypt"]


async def run_sync(shop: Shop) -> TerritoryReport:
    ctx = shop.context()
    try:
        return await sync_territories(ctx)
    finally:
        await ctx.aclose()


async def run_migration(shop: Shop) -> None:
    ctx = shop.context()
    try:
        report = await migrate(ctx, MigrationOptions(all_pages=True))
    finally:
        await ctx.aclose()
    assert report.created > 30, report
    # The generated store has a gateway nobody mapped, on purpose; nothing else may fail.
    assert {r.reason for r in report.failures} <= {"unknown_payment_method"}, report.failures


def expected_territory(shop: Shop, order: dict[str, Any]) -> str:
    """The generator's own zone choice (sim code, independent of woonext's matcher)."""
    assert shop.pair.store is not None
    address = order["shipping"] if order["shipping"].get("country") else order["billing"]
    zone = zone_for(shop.pair.store.shipping_zones, address["state"], address["postcode"])
    return str(zone["name"]) if zone["id"] else ""


def under(shop: Shop, parent: str) -> list[str]:
    return sorted(n for n, d in shop.territories().items() if d.get("parent_territory") == parent)


async def test_tree_then_every_invoice_carries_its_zone_territory(shop: Shop) -> None:
    report = await run_sync(shop)
    assert sorted(report.created) == sorted(ZONE_NAMES) and not report.problems
    assert under(shop, "All Territories") == sorted(ZONE_NAMES)
    assert all(not shop.territories()[n]["is_group"] for n in ZONE_NAMES)

    await run_migration(shop)
    invoices = shop.pair.erp.db.all("Sales Invoice")
    seen = Counter()
    for invoice in invoices:
        order = shop.pair.woo.orders[int(invoice["woo_order_id"])]
        assert invoice.get("territory") == expected_territory(shop, order), invoice["woo_order_id"]
        seen[invoice["territory"]] += 1
    # Several states and postcode zones really took part (New Cairo by postcode 11835, Upper Egypt
    # by a range or a wildcard).
    assert {"New Cairo", "Cairo", "Giza", "Alexandria", "Delta", "Upper Egypt"} <= set(seen), seen

    shop.pair.erp.request_log.clear()
    again = await run_sync(shop)
    assert again.writes == 0 and again.unchanged == len(ZONE_NAMES)
    assert shop.erp_writes() == []  # a second run writes nothing


async def test_renamed_changed_and_removed_zones_update_the_tree_in_place(shop: Shop) -> None:
    await run_sync(shop)
    await run_migration(shop)
    woo = shop.context().woo
    zones = {z["name"]: z["id"] for z in await woo.list_shipping_zones()}
    delta_invoices = [i["name"] for i in shop.pair.erp.db.all("Sales Invoice") if i.get("territory") == "Delta"]
    assert delta_invoices

    await woo.put(f"shipping/zones/{zones['Delta']}", {"name": "Nile Delta"})
    await woo.put(
        f"shipping/zones/{zones['Canal Cities']}/locations",
        [{"code": "EG:EGPTS", "type": "state"}, {"code": "EG:EGIS", "type": "state"}],
    )
    await woo.delete(f"shipping/zones/{zones['Upper Egypt']}", {"force": True})  # its invoices keep it
    await woo.delete(f"shipping/zones/{zones['Giza']}", {"force": True})
    sinai, _ = await woo.post("shipping/zones", {"name": "Sinai", "order": 7})
    await woo.put(f"shipping/zones/{sinai['id']}/locations", [{"code": "EG:EGJS", "type": "state"}])

    report = await run_sync(shop)
    assert report.renamed == [("Delta", "Nile Delta")]
    assert report.created == ["Sinai"]
    assert sorted(name for name, _ in report.kept) == ["Giza", "Upper Egypt"]
    assert all("linked with" in why for _, why in report.kept)
    names = list(shop.territories())
    assert "Delta" not in names and "Nile Delta" in names and "Sinai" in names
    assert len({fold(n) for n in names}) == len(names)  # no duplicates
    # rename_doc moved the invoices along: none points at the old name
    territory_of = {i["name"]: i.get("territory") for i in shop.pair.erp.db.all("Sales Invoice")}
    assert {territory_of[name] for name in delta_invoices} == {"Nile Delta"}

    # Changed locations change the answer for new orders: Suez left "Canal Cities".
    ctx = shop.context()
    suez = {"shipping": {"country": "EG", "state": "EGSUZ", "postcode": "43511", "city": "Suez"}}
    port_said = {"billing": {"country": "EG", "state": "Port Said", "city": "Port Said"}}  # a state by name
    giza = {"billing": {"country": "EG", "state": "EGGZ"}}
    assert [await territory_for(ctx, o) for o in (suez, port_said, giza)] == [
        "Rest of Egypt",
        "Canal Cities",
        "Rest of Egypt",
    ]
    await ctx.aclose()

    # The new zone goes away again before anything used it: its territory is deleted.
    await woo.delete(f"shipping/zones/{sinai['id']}", {"force": True})
    report = await run_sync(shop)
    assert report.removed == ["Sinai"] and report.kept == [] and report.created == []
    assert "Sinai" not in shop.territories()

    shop.pair.erp.request_log.clear()
    quiet = await run_sync(shop)
    assert quiet.writes == 0 and shop.erp_writes() == []
    await woo.aclose()


async def test_rules_and_a_root_of_our_own(shop: Shop) -> None:
    shop.config.stores[0].territory_root = "Egypt"
    shop.config.stores[0].territory_rules = {
        "zone:Rest of Egypt": "Provinces",
        "state:EG:EGDK": "Dakahlia",  # hangs under the Delta zone's territory
        "city:Zamalek": "Zamalek",
        "postcode:12573": "6th of October",
    }
    report = await run_sync(shop)
    assert not report.problems
    assert shop.territories()["Egypt"]["parent_territory"] == "All Territories"
    assert shop.territories()["Egypt"]["is_group"]
    assert shop.territories()["Dakahlia"]["parent_territory"] == "Delta"
    assert shop.territories()["Delta"]["is_group"]
    assert "Provinces" in under(shop, "Egypt") and "Rest of Egypt" not in shop.territories()
    await run_migration(shop)
    for invoice in shop.pair.erp.db.all("Sales Invoice"):
        order = shop.pair.woo.orders[int(invoice["woo_order_id"])]
        address = order["shipping"] if order["shipping"].get("country") else order["billing"]
        if address["city"] == "Zamalek":
            assert invoice["territory"] == "Zamalek"
        elif address["postcode"] == "12573":
            assert invoice["territory"] == "6th of October"
        elif address["state"] == "EGDK":
            assert invoice["territory"] == "Dakahlia"
        elif expected_territory(shop, order) == "Rest of Egypt":
            assert invoice["territory"] == "Provinces"
        else:
            assert invoice["territory"] == expected_territory(shop, order)

    # A rule removed: its territory is used by invoices, so it stays and is reported.
    del shop.config.stores[0].territory_rules["city:Zamalek"]
    report = await run_sync(shop)
    assert [name for name, _ in report.kept] == ["Zamalek"]
    shop.pair.erp.request_log.clear()
    assert (await run_sync(shop)).writes == 0 and shop.erp_writes() == []


async def test_bad_rule_is_a_recorded_problem(shop: Shop) -> None:
    shop.config.stores[0].territory_rules = {"province:EG:EGC": "Cairo"}
    report = await run_sync(shop)
    assert report.problems and "province:EG:EGC" in report.problems[0]
    outcome = shop.db.outcome("main", "territories", "tree")
    assert outcome is not None and outcome.status == "NeedsReview" and "province" in outcome.detail


async def test_invoice_without_a_synced_tree_gets_no_territory(shop: Shop) -> None:
    await run_migration(shop)  # sync territories never ran: ERPNext has none of the zone territories
    assert all(not i.get("territory") for i in shop.pair.erp.db.all("Sales Invoice"))


async def test_shared_territory_splits_without_renaming_the_other_zones_one(shop: Shop) -> None:
    rules = shop.config.stores[0].territory_rules
    rules.update({"zone:Cairo": "Greater Cairo", "zone:Giza": "Greater Cairo"})
    assert "Greater Cairo" in (await run_sync(shop)).created
    await run_migration(shop)

    rules["zone:Giza"] = "Giza West"  # Cairo keeps "Greater Cairo": no rename, a new territory
    report = await run_sync(shop)
    assert report.renamed == [] and report.created == ["Giza West"] and report.kept == []
    assert {"Greater Cairo", "Giza West"} <= set(shop.territories())

    del rules["zone:Cairo"]  # now only Cairo's binding points at "Greater Cairo": renamed in place
    report = await run_sync(shop)
    assert report.renamed == [("Greater Cairo", "Cairo")] and report.created == []
    assert "Greater Cairo" not in shop.territories()
    assert not [i for i in shop.pair.erp.db.all("Sales Invoice") if i.get("territory") == "Greater Cairo"]


async def test_a_long_lived_worker_context_reads_the_zone_book_again(shop: Shop) -> None:
    worker = shop.context()  # like runtime/worker.py: one context per store for the process's life
    cairo = {"shipping": {"country": "EG", "state": "EGC", "postcode": "11511", "city": "Downtown"}}
    assert await territory_for(worker, cairo) == ""  # the tree was never synced
    await run_sync(shop)  # another process syncs the territories
    assert await territory_for(worker, cairo) == ""  # read once, not per order
    worker.cache.territories.loaded_at -= BOOK_MAX_AGE_SECONDS + 1  # the book has aged
    assert await territory_for(worker, cairo) == "Cairo"
    await worker.aclose()


async def test_without_rename_doc_a_renamed_zone_gets_a_new_territory_and_the_old_is_retired(shop: Shop) -> None:
    await run_sync(shop)
    await run_migration(shop)
    shop.pair.erp.methods.pop("frappe.client.rename_doc")  # an ERPNext without the method
    woo = shop.context().woo
    zones = {z["name"]: z["id"] for z in await woo.list_shipping_zones()}
    await woo.put(f"shipping/zones/{zones['Delta']}", {"name": "Nile Delta"})
    await woo.put(f"shipping/zones/{zones['Canal Cities']}", {"name": "Suez Canal"})
    await woo.aclose()
    used = {i.get("territory") for i in shop.pair.erp.db.all("Sales Invoice")}
    report = await run_sync(shop)
    assert report.renamed == [] and sorted(report.created) == ["Nile Delta", "Suez Canal"]
    names = set(shop.territories())
    for old in ("Delta", "Canal Cities"):  # kept while invoices use it, deleted otherwise
        assert (old in names) == (old in used) and (old in [n for n, _ in report.kept]) == (old in used)
    assert (await run_sync(shop)).writes == 0
