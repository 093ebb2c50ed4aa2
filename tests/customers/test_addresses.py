"""Address signatures (pure) and Addresses through the order pipeline: de-duplicated, updated in
place when the same place is written differently, a new one for a new place, Country by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.customers.party_world import order_like, ready_world
from woonext.mapping.address import changes, customer_places, normalise_text, signature
from woonext.mapping.identity import erpnext_phone
from woonext.store import NEEDS_REVIEW, SUCCEEDED
from woonext.sync.orders import Mode, sync_order


def _addr(line1: str, city: str = "Nasr City", postcode: str = "11765", **more: Any) -> dict[str, Any]:
    return {"address_1": line1, "city": city, "postcode": postcode, "country": "EG", **more}


def test_signature_ignores_case_spacing_punctuation_and_digit_script() -> None:
    same = [
        _addr("12 El Tahrir St"),
        _addr("12, EL-TAHRIR  st."),
        _addr("١٢ el tahrir St", postcode="١١٧٦٥"),
        _addr(" 12 El Tahrir St ", city="NASR CITY", postcode="11 765", address_2="Apt 4", state="EGC"),
    ]
    assert len({signature(a) for a in same}) == 1
    assert signature(_addr("14 El Tahrir St")) != signature(same[0])
    assert signature(_addr("12 El Tahrir St", city="Heliopolis")) != signature(same[0])
    assert signature(_addr("12 El Tahrir St", postcode="11757")) != signature(same[0])
    assert signature(_addr("", city="Cairo")) == "" and signature(_addr("1 St", city="")) == ""
    assert signature({"address_1": "1 St", "city": "Cairo"}, "eg") == signature({**_addr("1 St", "Cairo", "")})
    assert normalise_text("  Corniche   El-Nil ") == "corniche el nil"


def test_places_and_changes() -> None:
    home = _addr("12 El Tahrir St", phone="01012345678")
    [(sig, _, billing, shipping)] = customer_places(home, {**home, "address_1": "12 el tahrir st."}, "EG")
    assert sig and billing and shipping
    places = customer_places(home, _addr("5 Fouad St", "Alexandria", "21519"), "EG")
    assert [(b, s) for _, _, b, s in places] == [(True, False), (False, True)]
    assert places[1][1]["phone"] == "01012345678"  # the shipping block borrows the billing phone
    assert changes({"city": "Cairo", "phone": "+20"}, {"city": "Cairo"}) == {}
    assert changes({"city": "Cairo"}, {"city": "Giza"}) == {"city": "Giza"}


def test_phones_are_cut_to_erpnext_rule() -> None:
    assert erpnext_phone("٠١٠١٢٣٤٥٦٧٨", "EG") == ("+201012345678", True)
    assert erpnext_phone("0020-1012345678", "EG") == ("+201012345678", True)
    kept, valid = erpnext_phone("Tel: 02/2345 ext. 99887766554433", "EG")
    assert not valid and len(kept) <= 20 and kept.startswith("02 2345")
    assert erpnext_phone("call me", "EG") == ("", False)


async def test_same_place_written_differently_is_updated_in_place_and_a_new_place_is_added(tmp_path: Path) -> None:
    alex = {
        "first_name": "Mona",
        "last_name": "Hassan",
        "address_1": "5 Fouad St",
        "address_2": "",
        "city": "Alexandria",
        "state": "EGALX",
        "postcode": "21519",
        "country": "EG",
        "phone": "",
    }
    world = await ready_world(
        tmp_path,
        [
            order_like(600, email="mona@example.test", phone="01012345678"),
            order_like(601, email="mona@example.test", address_1="12, EL-TAHRIR  st.", postcode="١١٥١١"),
            order_like(602, email="mona@example.test", shipping=alex),
            order_like(603, email="mona@example.test", shipping=alex),
        ],
    )
    ctx = world.context()
    for order_id in (600, 601):
        order = await ctx.woo.get_order(order_id)
        assert order is not None and (await sync_order(ctx, order, Mode.LIVE)).status == SUCCEEDED
    [address] = world.erp.db.all("Address")
    assert address["address_line1"] == "12, EL-TAHRIR  st."  # the latest writing, same Address
    assert address["phone"] == "+201012345678"  # not erased by an order without a phone
    assert address["country"] == "Egypt" and address["is_primary_address"] == address["is_shipping_address"] == 1
    posts = [p for m, p, _ in world.erp.request_log if m == "POST" and p.endswith("/Address")]
    assert len(posts) == 1
    order = await ctx.woo.get_order(602)
    assert order is not None and (await sync_order(ctx, order, Mode.LIVE)).status == SUCCEEDED
    addresses = {a["address_type"]: a for a in world.erp.db.all("Address")}
    assert sorted(addresses) == ["Billing", "Shipping"]
    assert addresses["Shipping"]["city"] == "Alexandria" and addresses["Shipping"]["is_shipping_address"] == 1
    assert addresses["Billing"]["is_shipping_address"] == 0  # ERPNext moves the flag to the new one
    assert all(a["links"][0]["link_name"] == "Mona Hassan" for a in addresses.values())
    before = len(world.erp.request_log)
    order = await ctx.woo.get_order(603)
    assert order is not None and (await sync_order(ctx, order, Mode.LIVE)).status == SUCCEEDED
    assert [p for _, p, _ in world.erp.request_log[before:]] == ["/api/resource/Sales Invoice"]
    await ctx.aclose()


async def test_unknown_country_is_recorded_and_does_not_block_the_order(tmp_path: Path) -> None:
    world = await ready_world(tmp_path, [order_like(610, email="x@example.test")])
    world.woo.update_order(610, {"billing": {"country": "XQ"}, "shipping": {"country": "XQ"}})
    ctx = world.context()
    order = await ctx.woo.get_order(610)
    assert order is not None and (await sync_order(ctx, order, Mode.LIVE)).status == SUCCEEDED
    assert world.erp.db.all("Address") == []
    outcome = world.db.outcome("main", "customer", "email:x@example.test")
    assert outcome is not None and outcome.status == NEEDS_REVIEW and "XQ" in outcome.detail
    await ctx.aclose()
