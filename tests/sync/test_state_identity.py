"""Issue 13, item 7: the state database belongs to one ERPNext site and one store. Over real ports:

- pointed at a fresh ERPNext with the same state file, woonext refuses (setup too, before it creates
  anything), says why and names `woonext state reset --store …`; after the reset it makes every invoice;
- an ERPNext restored from an older backup (same site, documents missing): reconcile finds the
  documents woonext recorded that are gone, and the next sync makes them again, exactly once;
- a store at a new address is refused until `woonext state adopt` says it is the same shop.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.ports import serving
from tests.realworld import SKUS, real_world
from tests.sync.world import jarz_masters
from woonext.config import Config
from woonext.mapping.reconcile import Period
from woonext.sim.erpnext import ErpSim, ErpSimConfig
from woonext.store import identities
from woonext.sync.live import sync_orders_once
from woonext.sync.reconcile import reconcile
from woonext.sync.setup import NotReady, ensure_ready, run_setup

DAY = Period(date(2026, 11, 25), date(2026, 11, 26))


async def test_a_fresh_erpnext_with_the_old_state_is_refused_until_the_state_is_reset(tmp_path: Path) -> None:
    async with real_world(tmp_path) as world:
        for _ in range(2):
            world.new_order()
        await sync_orders_once(world.context())
        fresh = ErpSim(ErpSimConfig(), world.clock)
        fresh.seed(jarz_masters(SKUS))
        key, secret = fresh.create_api_user()
        async with serving(fresh.app) as [fresh_url]:
            data = world.config.model_dump()
            data["erpnext"] = {"url": fresh_url, "api_key": key, "api_secret": secret}
            production = Config.model_validate(data)
            ctx = world.context(config=production)
            with pytest.raises(NotReady, match="run `woonext setup`"):
                await sync_orders_once(ctx)
            seeded = len(fresh.db.all("Custom Field"))
            with pytest.raises(NotReady) as refused:
                await run_setup(ctx)
            assert "woonext state reset --store main" in str(refused.value)
            assert len(fresh.db.all("Custom Field")) == seeded  # refused before creating anything

            asked = await world.cli("state", "reset", "--store", "main", config=production)
            assert asked.exit_code == 1 and "--yes" in asked.output
            done = await world.cli("state", "reset", "--store", "main", "--yes", config=production)
            assert done.exit_code == 0 and "archived" in done.output, done.output
            ctx = world.context(config=production)
            await run_setup(ctx)
            await ctx.erp.update("Company", "Jarz Test", {"custom_kashier_account": "Kashier - JT"})
            report = await sync_orders_once(ctx)
            assert report.created == 2 and len(fresh.db.all("Sales Invoice")) == 2
            shown = await world.cli("state", "show", config=production)
            assert fresh_url in shown.output and "@archived:main:" not in shown.output
        back = world.context()  # the old site again, with the new state: refused the other way round
        with pytest.raises(NotReady, match="another site"):
            await sync_orders_once(back)


async def test_documents_a_restored_erpnext_lost_are_found_and_made_again(tmp_path: Path) -> None:
    async with real_world(tmp_path) as world:
        ctx = world.context()
        cod = world.new_order()
        await sync_orders_once(ctx)
        backup = world.erp.db.snapshot()
        world.clock.advance(60)
        card = world.new_order(method="kashier_card")
        world.woo["main"].refund(cod["id"], amount="100.00")
        await sync_orders_once(ctx)
        made = {d["name"] for d in world.erp.db.all("Sales Invoice")} | {
            d["name"] for d in world.erp.db.all("Payment Entry")
        }
        assert len(made) == 4  # two invoices, a credit note, a Payment Entry

        world.erp.db.restore(backup)  # the site as it was before the card order and the refund
        world.clock.advance(60)
        again = await sync_orders_once(ctx)
        assert again.created == 0  # nothing looks new: the state remembers it all
        broken = await reconcile(ctx, DAY)
        assert not broken.ok
        shown = await world.cli("reconcile", "--from", "2026-11-25", "--to", "2026-11-26")
        assert shown.exit_code == 1 and "gone from ERPNext" in shown.output, shown.output

        world.clock.advance(60)
        await sync_orders_once(ctx)  # the lost documents are made again through the usual path
        after = await reconcile(ctx, DAY)
        assert after.ok, [f.detail for f in after.mismatches]
        invoices = world.erp.db.all("Sales Invoice")
        live = [d for d in invoices if d["docstatus"] == 1]
        assert sorted((d["woo_order_id"], d.get("is_return") or 0) for d in live) == sorted(
            [(str(cod["id"]), 0), (str(cod["id"]), 1), (str(card["id"]), 0)]
        )
        [entry] = world.erp.db.all("Payment Entry")
        assert entry["docstatus"] == 1 and entry["woo_order_id"] == str(card["id"])
        clean = await world.cli("reconcile", "--from", "2026-11-25", "--to", "2026-11-26")
        assert clean.exit_code == 0, clean.output


async def test_a_store_at_a_new_address_is_refused_until_adopted(tmp_path: Path) -> None:
    async with real_world(tmp_path) as world:
        world.new_order()
        await sync_orders_once(world.context())
        moved = world.store_config(url=world.config.stores[0].url.replace("127.0.0.1", "localhost"))
        with pytest.raises(NotReady) as refused:
            await sync_orders_once(world.context(config=moved))
        assert "woonext state adopt --store main" in str(refused.value)
        assert "woonext state reset --store main" in str(refused.value)
        adopted = await world.cli("state", "adopt", "--store", "main", config=moved)
        assert adopted.exit_code == 0, adopted.output
        await ensure_ready(world.context(config=moved))  # accepted now (the simulator itself did not move)
        recorded = identities.get(world.db, "main")
        assert recorded is not None and recorded.woo_url == moved.stores[0].url
