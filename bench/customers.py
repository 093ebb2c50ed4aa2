"""Benchmark: `woonext sync customers` on a store with N registered customers (in-process simulators).

    .venv/bin/python bench/customers.py [--customers 1000]

Prints the first run (everything new) and an idle run (nothing changed): requests to both APIs,
ERPNext writes and wall time. The idle run is what the 15-minute schedule costs on a quiet shop.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.customers.party_world import Shop, generated_shop  # noqa: E402

from woonext.sync.customer_sync import sync_customers  # noqa: E402


def add_customers(shop: Shop, count: int) -> None:
    woo = shop.pair.woo
    for n in range(count):
        place = {
            "first_name": f"Person{n}",
            "last_name": "Bench",
            "address_1": f"{n} Makram Ebeid St",
            "city": "Nasr City",
            "postcode": "11765",
            "state": "EGC",
            "country": "EG",
        }
        woo.catalog.add_customer(
            f"person{n}@example.test",
            f"Person{n}",
            "Bench",
            now=woo.clock.now(),
            billing={**place, "email": f"person{n}@example.test", "phone": f"010{n:08d}"},
            shipping=place,
        )


async def run(customers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        shop = await generated_shop(Path(tmp), orders=8)
        add_customers(shop, customers - len(shop.pair.woo.catalog.customers))
        for label in ("first run", "idle run"):
            ctx = shop.context()
            writes = shop.erp_writes()
            started = time.perf_counter()
            report = await sync_customers(ctx)
            seconds = time.perf_counter() - started
            print(
                f"{label}: {report.summary()}; WooCommerce requests {ctx.woo.requests}, ERPNext requests "
                f"{ctx.erp.requests} ({shop.erp_writes() - writes} writes), {seconds:.2f} s"
            )
            await ctx.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    asyncio.run(run(parser.parse_args().customers))


if __name__ == "__main__":
    main()
