"""A generated store (repeat guests who write their phone in different formats and change the case
of their e-mail) or a few hand-made orders, wired to both simulators in-process."""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.sync.world import World, make_world, real_orders
from woonext.config import Config
from woonext.mapping.identity import normalise_email, normalise_phone
from woonext.sim.serve import SimPair, build_pair
from woonext.store import StateDB
from woonext.sync.context import StoreContext, Transports, open_store
from woonext.sync.setup import run_setup

WOO_URL, ERP_URL = "http://woo.test", "http://erp.test"


@dataclass
class Shop:
    pair: SimPair
    config: Config
    db: StateDB

    def context(self) -> StoreContext:
        transports = Transports(
            woo=httpx.ASGITransport(app=self.pair.woo.app), erpnext=httpx.ASGITransport(app=self.pair.erp.app)
        )
        return open_store(self.config, self.config.stores[0], self.db, transports)

    def erp_writes(self) -> int:
        return sum(1 for method, _path, _status in self.pair.erp.request_log if method != "GET")


async def generated_shop(tmp_path: Path, orders: int = 150, seed: int = 3, **store: Any) -> Shop:
    pair = build_pair(seed=seed, orders=orders, woo_url=WOO_URL)
    raw = pair.config(WOO_URL, ERP_URL, f"sqlite:///{tmp_path / 'state.sqlite'}")
    raw["stores"][0].update(store)
    config = Config.model_validate(raw)
    shop = Shop(pair, config, StateDB.open(config.state_url))
    ctx = shop.context()
    await run_setup(ctx)
    await ctx.aclose()
    return shop


def order_like(
    order_id: int,
    *,
    email: str = "",
    phone: str = "",
    customer_id: int = 0,
    first: str = "Mona",
    last: str = "Hassan",
    address_1: str = "12 El Tahrir St",
    city: str = "Cairo",
    postcode: str = "11511",
    shipping: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A real WooCommerce 11 order (sample 15) as another order of another person."""
    order = copy.deepcopy(next(o for o in real_orders() if o["id"] == 15))
    billing = {
        "first_name": first,
        "last_name": last,
        "company": "",
        "address_1": address_1,
        "address_2": "",
        "city": city,
        "state": "EGC",
        "postcode": postcode,
        "country": "EG",
        "email": email,
        "phone": phone,
    }
    order.update(
        id=order_id,
        number=str(order_id),
        customer_id=customer_id,
        billing=billing,
        shipping=shipping if shipping is not None else {k: v for k, v in billing.items() if k not in ("email",)},
    )
    order["shipping"].setdefault("phone", "")
    return order


async def ready_world(tmp_path: Path, orders: list[dict[str, Any]], **store: Any) -> World:
    world = make_world(tmp_path, orders, store={"country": "EG", **store})
    ctx = world.context()
    await run_setup(ctx)
    await ctx.aclose()
    return world


def contacts_by_customer(docs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for doc in docs:
        for link in doc.get("links") or []:
            if link.get("link_doctype") == "Customer":
                out[str(link["link_name"])].append(doc)
    return out


def assert_one_party_per_person(erp_db: Any) -> dict[str, str]:
    """Every Customer has exactly one Contact; no e-mail or phone belongs to two Customers.
    Returns e-mail → Customer."""
    customers = [c["name"] for c in erp_db.all("Customer")]
    contacts = contacts_by_customer(erp_db.all("Contact"))
    owner_of: dict[str, str] = {}
    for customer in customers:
        assert len(contacts[customer]) == 1, (customer, contacts[customer])
        [contact] = contacts[customer]
        values = [normalise_email(r["email_id"]) for r in contact.get("email_ids") or []]
        values += [normalise_phone(r["phone"]) for r in contact.get("phone_nos") or []]
        for value in values:
            assert value, contact
            assert owner_of.setdefault(value, customer) == customer, f"{value} in {customer} and {owner_of[value]}"
    return owner_of
