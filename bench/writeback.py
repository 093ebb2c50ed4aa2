"""Writeback cost: N cash-on-delivery orders invoiced by the live sync, paid in ERPNext, then written
back to WooCommerce — once through each Payment Entry's trigger (what the ERPNext Webhook queues), once
by one sweep — on the in-process simulators (no network latency: the time is woonext's and the
simulators' own). Prints requests per order to each API and orders per second.

    .venv/bin/python bench/writeback.py --orders 200
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from _simproc import ROOT, table

sys.path.insert(0, str(ROOT))
from tests.writeback.conftest import make_shop  # noqa: E402

from woonext.sync.writeback import sweep, writeback_document  # noqa: E402


async def scenario(orders: int, by_event: bool) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        shop, ctx = await make_shop(Path(tmp))
        try:
            await sweep(ctx)  # the cursor starts here
            entries = []
            for _ in range(orders):
                _, invoice = await shop.invoiced()
                entries.append(await shop.pay(invoice))
            erp, woo = len(shop.erp.request_log), len(shop.woo.request_log)
            started = time.perf_counter()
            if by_event:
                for entry in entries:
                    await writeback_document(ctx, "Payment Entry", entry)
            else:
                report = await sweep(ctx)
                assert report.count("written") == orders, report.summary()
            seconds = time.perf_counter() - started
            completed = sum(1 for o in shop.woo.orders.values() if o["status"] == "completed")
            assert completed == orders
            return [
                "Payment Entry webhook, one event per order" if by_event else "one sweep",
                str(orders),
                f"{(len(shop.erp.request_log) - erp) / orders:.2f}",
                f"{(len(shop.woo.request_log) - woo) / orders:.2f}",
                f"{orders / seconds:.1f}",
            ]
        finally:
            await ctx.aclose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200)
    args = parser.parse_args()
    rows = [asyncio.run(scenario(args.orders, by_event)) for by_event in (True, False)]
    headers = ["trigger", "orders", "ERPNext requests / order", "WooCommerce requests / order", "orders / s"]
    print(table(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
