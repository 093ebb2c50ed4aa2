"""`woonext stock push`: ERPNext's stock → WooCommerce's `stock_quantity` (docs/catalog.md, "Stock").

The sweep follows the Bins' own clock: every stock movement moves its Bin's `modified` (sample 64),
backdated entries included once ERPNext has reposted them, so one request over the store's
warehouses says what changed since the cursor — an idle sweep costs exactly that request. An ERPNext
Webhook on Stock Ledger Entry `after_insert` queues the same sweep within a second: its payload is a
trigger (its quantities can read 0.0, samples 54–60), the Bin is what is read. Only objects that
manage stock in WooCommerce and whose Item keeps stock — and has a Bin in the store's warehouses: an
Item ERPNext never stocked does not zero WooCommerce — are pushed, only when the quantity differs, in
batches of 100; what not-yet-invoiced orders took is held back (mapping/stock.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from woonext.mapping.stock import actual_by_item, desired_quantity
from woonext.store import Binding
from woonext.sync.catalog_push import BATCH, Change, differs, refresh, write
from woonext.sync.context import StoreContext
from woonext.sync.erp_lists import chunk_values, get_list_in
from woonext.sync.items_apply import PRODUCT, VARIATION
from woonext.sync.stock_holds import held_by_orders

CURSOR = "stock"
OVERLAP = timedelta(minutes=2)  # a Bin saved in a transaction that committed late is still seen
BIN_FIELDS = ["name", "item_code", "warehouse", "actual_qty", "modified"]
STAMP = "%Y-%m-%d %H:%M:%S.%f"


@dataclass
class StockReport:
    dry_run: bool = False
    bins: int = 0  # Bins read as changed (or all of them)
    checked: int = 0  # WooCommerce objects compared
    changes: list[Change] = field(default_factory=list)
    failed: list[tuple[Change, str]] = field(default_factory=list)
    held: dict[tuple[int, int], int] = field(default_factory=dict)
    note: str = ""

    def summary(self) -> str:
        if self.note:
            return self.note
        verb = "to write" if self.dry_run else "written"
        return (
            f"{self.bins} changed Bin(s), {self.checked} object(s) checked, {len(self.changes)} quantit(ies) {verb}, "
            f"{len(self.failed)} refused"
        )


async def bound_objects(ctx: StoreContext, codes: Iterable[str] | None) -> list[Binding]:
    """The store's products and variations bound to these Item codes (all when None)."""
    if codes is None:
        return await ctx.state.bindings_named(ctx.store, (PRODUCT, VARIATION))
    found: list[Binding] = []
    for chunk in chunk_values(sorted(set(codes)), budget=10**9, most=500):
        found += await ctx.state.bindings_named(ctx.store, (PRODUCT, VARIATION), chunk)
    return found


def _stocked(b: Binding) -> bool:
    data = b.data
    return bool(data.get("manage_stock")) and bool(data.get("stock_item")) and not data.get("template")


async def _changed_bins(ctx: StoreContext, warehouses: list[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Bins modified since the cursor (all of them on the first run), and the cursor to keep after."""
    cursor = await ctx.state.get_cursor(ctx.store, CURSOR) or {}
    filters: list[list[Any]] = [["warehouse", "in", warehouses]]
    if cursor.get("modified"):
        since = datetime.strptime(cursor["modified"], STAMP) - OVERLAP
        filters.append(["modified", ">", since.strftime(STAMP)])
    rows = await ctx.erp.get_list("Bin", filters=filters, fields=BIN_FIELDS, order_by="modified asc", limit=0)
    seen = dict(cursor.get("seen") or {})
    fresh = [r for r in rows if seen.get(str(r["name"])) != str(r["modified"])]
    latest = max([str(r["modified"]) for r in rows] + [str(cursor.get("modified") or "")])
    if not latest:
        return fresh, cursor
    edge = (datetime.strptime(latest, STAMP) - OVERLAP).strftime(STAMP)
    keep = {**seen, **{str(r["name"]): str(r["modified"]) for r in rows}}
    return fresh, {"modified": latest, "seen": {k: v for k, v in keep.items() if v > edge}}


async def push_stock(ctx: StoreContext, *, everything: bool = False, dry_run: bool = False) -> StockReport:
    """Push what changed since the cursor (`everything`: every bound object, re-reading WooCommerce)."""
    report = StockReport(dry_run=dry_run)
    if not ctx.config.stock.enabled:
        report.note = "stock push is off ([stores.stock] enabled = false)"
        return report
    warehouses = ctx.config.stock_warehouses
    cursor: dict[str, Any] | None = None
    if everything:
        targets = [b for b in await bound_objects(ctx, None) if _stocked(b)]
        bins = await ctx.erp.get_list("Bin", filters=[["warehouse", "in", warehouses]], fields=BIN_FIELDS, limit=0)
    else:
        bins, cursor = await _changed_bins(ctx, warehouses)
        targets = (
            [b for b in await bound_objects(ctx, {str(r["item_code"]) for r in bins}) if _stocked(b)] if bins else []
        )
    report.bins, report.checked = len(bins), len(targets)
    if targets:
        report.held = await held_by_orders(ctx)  # before the Bins are final: see sync/stock_holds.py
        if not everything and len(warehouses) > 1:  # the other warehouses' Bins of the changed Items too
            codes = {b.erp_name for b in targets}
            bins = await get_list_in(
                ctx, "Bin", "item_code", codes, fields=BIN_FIELDS, filters=[["warehouse", "in", warehouses]]
            )
        report.changes = await _changes(ctx, targets, actual_by_item(bins, warehouses), report.held, everything)
    if not dry_run:
        result = await write(ctx, report.changes, reason="stock_refused")
        report.failed = result.failed
        if cursor is not None:
            await ctx.state.set_cursor(ctx.store, CURSOR, cursor)
    return report


async def _changes(
    ctx: StoreContext,
    targets: list[Binding],
    actual: dict[str, Decimal],
    held: dict[tuple[int, int], int],
    everything: bool,
) -> list[Change]:
    buffer = ctx.config.stock.buffer
    if everything:
        await refresh(ctx, targets)  # WooCommerce's current values, not the last ones seen
    changes = []
    for b in targets:
        if b.erp_name not in actual:
            continue  # ERPNext has never stocked this Item here: WooCommerce's count is left alone
        key = (int(b.data.get("parent") or 0), int(b.remote_id)) if b.kind == VARIATION else (int(b.remote_id), 0)
        want = desired_quantity(actual.get(b.erp_name, Decimal(0)), held.get(key, 0), buffer)
        change = Change(b, {"stock": want}, {"stock": b.data.get("stock")})
        if differs(change):
            changes.append(change)
    if changes and not everything and len(changes) <= BATCH:  # a few: check WooCommerce's value now
        await refresh(ctx, [c.binding for c in changes])
        changes = [c for c in changes if differs(c)]
    return changes


async def stock_job(ctx: StoreContext) -> str:
    """The scheduled sweep (every 10 minutes by default) and the ERPNext webhook's event."""
    return (await push_stock(ctx)).summary()
