"""Replay: queue an order event for every order WooCommerce modified in a window, so the worker
brings each through the one sync path again (a receiver that was down, a fixed mapping, a check)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from woonext.sync.context import StoreContext


@dataclass
class ReplayReport:
    queued: int = 0
    merged: int = 0  # an event for the order was already waiting

    @property
    def orders(self) -> int:
        return self.queued + self.merged


def _gmt(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S")


async def replay_orders(
    ctx: StoreContext, since: datetime, until: datetime | None = None, now: datetime | None = None, per_page: int = 100
) -> ReplayReport:
    """`since` / `until` are UTC (naive values are taken as UTC)."""
    params: dict[str, object] = {
        "modified_after": _gmt(since),
        "dates_are_gmt": True,
        "orderby": "modified",
        "order": "asc",
        "status": "any",
    }
    if until is not None:
        params["modified_before"] = _gmt(until)
    report = ReplayReport()
    async for page in ctx.woo.iter_orders(params, per_page=per_page):
        for order in page.items:
            result = await ctx.state.enqueue(ctx.store, "order", int(order["id"]), "replay", now or ctx.now())
            if result.created:
                report.queued += 1
            else:
                report.merged += 1
    return report
