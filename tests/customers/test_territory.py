"""New Customers and their Addresses get the territory of the shipping (else billing) address."""

from __future__ import annotations

from pathlib import Path

from tests.customers.party_world import contacts_by_customer, generated_shop
from woonext.sync.migration import MigrationOptions, migrate
from woonext.sync.territories import sync_territories


async def test_customers_and_addresses_carry_the_territory_of_their_place(tmp_path: Path) -> None:
    shop = await generated_shop(tmp_path, orders=80)
    ctx = shop.context()
    await sync_territories(ctx)
    await ctx.aclose()
    ctx = shop.context()  # a new run reads the tree it made
    await migrate(ctx, MigrationOptions(all_pages=True))
    erp = shop.pair.erp.db
    by_customer: dict[str, set[str]] = {}
    for invoice in erp.all("Sales Invoice"):
        by_customer.setdefault(invoice["customer"], set()).add(invoice.get("territory") or "")
    addresses = contacts_by_customer(erp.all("Address"))
    placed = 0
    for customer in erp.all("Customer"):
        if customer["name"] not in by_customer:
            continue  # its only order was not invoiced (unknown payment method)
        [territory] = by_customer[customer["name"]]  # one place per generated person
        if territory and territory != "All Territories":
            placed += 1
            assert customer["territory"] == territory
            assert {a.get("territory") for a in addresses[customer["name"]]} == {territory}
    assert placed > 5
    await ctx.aclose()
