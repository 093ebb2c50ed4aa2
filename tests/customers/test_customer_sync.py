"""`woonext sync customers`: new and changed WooCommerce customers, an idle run that costs one
listing per 100 customers and no ERPNext write, and customer webhooks through the worker."""

from __future__ import annotations

import math
from pathlib import Path

from tests.customers.party_world import Shop, contacts_by_customer, generated_shop, order_like, ready_world
from woonext.runtime.worker import CUSTOMER_SKIP, Worker
from woonext.store import SKIPPED, SUCCEEDED
from woonext.store import events as queue
from woonext.sync.customer_sync import customers_job, sync_customers
from woonext.sync.orders import Mode, sync_order


def _add_customers(shop: Shop, count: int) -> None:
    woo = shop.pair.woo
    for n in range(count):
        phone = f"010{n:08d}"
        place = {
            "first_name": f"Person{n}",
            "last_name": "Test",
            "address_1": f"{n} Makram Ebeid St",
            "city": "Nasr City",
            "postcode": "11765",
            "state": "EGC",
            "country": "EG",
        }
        woo.catalog.add_customer(
            f"person{n}@example.test",
            f"Person{n}",
            "Test",
            now=woo.clock.now(),
            billing={**place, "email": f"Person{n}@Example.test", "phone": phone},
            shipping=place,
        )


async def test_new_changed_and_idle_runs(tmp_path: Path) -> None:
    shop = await generated_shop(tmp_path, orders=40)
    _add_customers(shop, 120)
    total = len(shop.pair.woo.catalog.customers)
    ctx = shop.context()
    first = await sync_customers(ctx)
    assert (first.seen, first.new, first.created, first.failed) == (total, total, total, [])
    erp = shop.pair.erp.db
    assert len(erp.all("Customer")) == total
    contacts = contacts_by_customer(erp.all("Contact"))
    addresses = contacts_by_customer(erp.all("Address"))
    for customer in erp.all("Customer"):
        assert customer["woo_customer_id"] and len(contacts[customer["name"]]) == 1
        assert len(addresses[customer["name"]]) >= 1
    customer_id = shop.pair.woo.catalog.customer_by_email("person0@example.test")["id"]  # type: ignore[index]
    [person] = [c for c in erp.all("Customer") if c["woo_customer_id"] == str(customer_id)]
    [contact] = contacts[person["name"]]
    assert [r["email_id"] for r in contact["email_ids"]] == ["person0@example.test"]  # account and billing: one

    # idle: one listing per 100 customers, one ERPNext read (the custom-field check), no write
    idle_ctx = shop.context()
    writes = shop.erp_writes()
    idle = await sync_customers(idle_ctx)
    assert (idle.unchanged, idle.new, idle.changed) == (total, 0, 0)
    assert idle_ctx.woo.requests == math.ceil(total / 100) and idle_ctx.erp.requests == 1
    assert shop.erp_writes() == writes

    # a changed phone reaches the Contact; nothing else is written
    await idle_ctx.woo.put(f"customers/{customer_id}", {"billing": {"phone": "+20 11 5555 6666"}})
    changed = await sync_customers(idle_ctx)
    assert (changed.changed, changed.created) == (1, 0)
    [contact] = contacts_by_customer(erp.all("Contact"))[person["name"]]
    assert sorted(r["phone"] for r in contact["phone_nos"]) == ["+201000000000", "+201155556666"]
    assert "0 new, 0 changed" in await customers_job(idle_ctx)
    assert len(erp.all("Customer")) == total
    await ctx.aclose()
    await idle_ctx.aclose()


async def test_a_guest_who_registers_is_linked_not_duplicated(tmp_path: Path) -> None:
    world = await ready_world(tmp_path, [order_like(700, email="salma@example.test", phone="01012345678")])
    ctx = world.context()
    order = await ctx.woo.get_order(700)
    assert order is not None and (await sync_order(ctx, order, Mode.LIVE)).status == SUCCEEDED
    world.woo.add_customer("Salma@Example.test", "Salma", "Zaki", billing={"phone": "01012345678"})
    report = await sync_customers(ctx)
    assert (report.new, report.created) == (1, 0)
    [customer] = world.erp.db.all("Customer")
    assert customer["name"] == "Mona Hassan" and customer["woo_customer_id"]  # linked, never renamed
    await ctx.aclose()


async def test_customer_webhooks_are_synced_by_the_worker(tmp_path: Path) -> None:
    world = await ready_world(tmp_path, [order_like(710, email="tamer@example.test")])
    created = world.woo.add_customer(
        "karim@example.test",
        "Karim",
        "Nabil",
        billing={
            "phone": "01234567890",
            "address_1": "3 Fouad St",
            "city": "Alexandria",
            "postcode": "21519",
            "country": "EG",
        },
    )
    worker = Worker(world.config, world.db, world.transports())
    now = world.clock.now()
    event = queue.enqueue(world.db, "main", "customer", created["id"], "customer.created", now)
    gone = queue.enqueue(world.db, "main", "customer", 9999, "customer.updated", now)
    done = {}
    while (finished := await worker.run_once()) is not None:
        done[finished.id] = finished
    assert done[event.event_id].status == SUCCEEDED
    assert (done[gone.event_id].status, done[gone.event_id].last_error) == (SKIPPED, CUSTOMER_SKIP)
    [customer] = world.erp.db.all("Customer")
    assert customer["woo_customer_id"] == str(created["id"]) and customer["customer_name"] == "Karim Nabil"
    [address] = world.erp.db.all("Address")
    assert address["city"] == "Alexandria" and address["country"] == "Egypt"
    await worker.aclose()
