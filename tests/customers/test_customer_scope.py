"""Issue 13, item 3: one person, one Customer across the stores of one ERPNext. Two WooCommerce
simulators and one ERPNext simulator on real ports: the same person (same e-mail and phone, written
differently) buying in both stores gets one Customer and one Contact by default
(`customer_scope = "erpnext"`), even when both stores sync her first order at the same moment;
`customer_scope = "store"` keeps the stores apart; bindings an earlier version kept per store are
adopted, not duplicated."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.realworld import RealWorld, real_world
from woonext.sync.live import sync_orders_once

MONA = {"first_name": "Mona", "last_name": "Adel", "country": "EG", "city": "Cairo", "address_1": "12 Nile St"}


def mona_in(world: RealWorld, store: str, email: str, phone: str, customer_id: int = 0) -> dict[str, Any]:
    return world.new_order(store, billing={**MONA, "email": email, "phone": phone}, customer_id=customer_id)


def customers(world: RealWorld) -> list[str]:
    return sorted(str(c["name"]) for c in world.erp.db.all("Customer") if c.get("woonext_customer_key"))


async def test_one_person_in_two_stores_is_one_customer(tmp_path: Path) -> None:
    async with real_world(tmp_path, stores=("main", "shop2")) as world:
        mona_in(world, "main", "mona@example.test", "01012345678")
        mona_in(world, "shop2", "Mona@Example.test ", "+20 10 1234 5678")
        main, shop2 = world.context("main"), world.context("shop2")
        # both stores see her for the first time at the same moment
        await asyncio.gather(sync_orders_once(main), sync_orders_once(shop2))
        assert customers(world) == ["Mona Adel"]
        invoices = world.erp.db.all("Sales Invoice")
        assert len(invoices) == 2 and len({d["customer"] for d in invoices}) == 1
        assert len(world.erp.db.all("Contact")) == 1
        # a registered account in one store (a store's own id) still matches her by e-mail
        world.clock.advance(60)
        account = world.woo["shop2"].add_customer("mona@example.test", "Mona", "Adel")
        mona_in(world, "shop2", "mona@example.test", "", customer_id=account["id"])
        await sync_orders_once(shop2)
        assert customers(world) == ["Mona Adel"] and len(world.erp.db.all("Sales Invoice")) == 3
        keys = {b.remote_id for b in world.db.bindings("@erpnext", "customer")}
        assert f"id:shop2:{account['id']}" in keys and "email:mona@example.test" in keys  # the id is the store's


async def test_customer_scope_store_keeps_the_stores_apart(tmp_path: Path) -> None:
    async with real_world(tmp_path, stores=("main", "shop2"), customer_scope="store") as world:
        mona_in(world, "main", "mona@example.test", "01012345678")
        mona_in(world, "shop2", "mona@example.test", "01012345678")
        await sync_orders_once(world.context("main"))
        await sync_orders_once(world.context("shop2"))
        assert customers(world) == ["Mona Adel", "Mona Adel - 1"]


async def test_people_known_per_store_before_are_adopted_not_duplicated(tmp_path: Path) -> None:
    async with real_world(tmp_path, stores=("main", "shop2")) as world:
        mona_in(world, "main", "mona@example.test", "01012345678")
        per_store = world.store_config(customer_scope="store")  # how an earlier version kept people
        await sync_orders_once(world.context("main", config=per_store))
        assert world.db.bindings("main", "customer") and not world.db.bindings("@erpnext", "customer")
        world.clock.advance(60)
        mona_in(world, "shop2", "mona@example.test", "01012345678")
        mona_in(world, "main", "mona@example.test", "01012345678")
        await sync_orders_once(world.context("shop2"))  # now with the default, shared scope
        await sync_orders_once(world.context("main"))
        assert customers(world) == ["Mona Adel"]
        assert len(world.erp.db.all("Contact")) == 1 and len(world.erp.db.all("Sales Invoice")) == 3
