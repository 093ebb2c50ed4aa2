"""Issue 13, item 4: write only what changed. A customer who is billed in Cairo and ships to Giza on
one order, to Cairo on the next: each Address keeps the territory of its own place, so nothing is
rewritten when nothing changed (the migration used to rewrite Addresses on 39 of 100 real orders: the
order's shipping territory was given to its billing Address too), and a second pass writes nothing."""

from __future__ import annotations

from pathlib import Path

from tests.customers.party_world import order_like, ready_world
from woonext.sync.orders import Mode, sync_order
from woonext.sync.territories import sync_territories

CAIRO = {"address_1": "12 El Tahrir St", "city": "Cairo", "state": "EGC", "postcode": "11511", "country": "EG"}
GIZA = {"address_1": "3 Pyramids Rd", "city": "Giza", "state": "EGGZ", "postcode": "12511", "country": "EG"}


def shipped(order_id: int, place: dict[str, str]) -> dict[str, object]:
    return order_like(
        order_id,
        email="mona@example.test",
        phone="01012345678",
        shipping={"first_name": "Mona", "last_name": "Hassan", "company": "", "address_2": "", "phone": "", **place},
    )


async def test_addresses_are_not_rewritten_when_the_shipping_place_alternates(tmp_path: Path) -> None:
    orders = [shipped(601, GIZA), shipped(602, CAIRO), shipped(603, GIZA), shipped(604, CAIRO)]
    world = await ready_world(tmp_path, orders)
    world.woo.add_shipping_zone("Cairo", [{"code": "EG:EGC", "type": "state"}])
    world.woo.add_shipping_zone("Giza", [{"code": "EG:EGGZ", "type": "state"}])
    ctx = world.context()
    await sync_territories(ctx)
    await ctx.aclose()

    ctx = world.context()
    for order in orders:
        result = await sync_order(ctx, order, Mode.LIVE)
        assert result.status == "Succeeded", result
    address_writes = [(m, p) for m, p, _ in world.erp.request_log if "/Address" in p and m != "GET"]
    assert [m for m, _ in address_writes] == ["POST", "POST"]  # Cairo and Giza, once each
    territories = {a["city"]: a.get("territory") for a in world.erp.db.all("Address")}
    assert territories == {"Cairo": "Cairo", "Giza": "Giza"}
    await ctx.aclose()

    again = world.context()  # a retry pass, a new run: still nothing to write
    before = len(world.erp.request_log)
    for order in orders:
        await sync_order(again, order, Mode.LIVE)
    assert [r for r in world.erp.request_log[before:] if r[0] != "GET"] == []
    await again.aclose()
