"""`woonext prices push`: ERPNext Item Prices → WooCommerce prices (docs/catalog.md, "Prices").

The selling price list (default the store's) gives `regular_price`; an optional second list gives
`sale_price`. The sweep follows Item Price's `modified` (filters on site-local time work, sample 79)
from a cursor; an ERPNext Webhook on Item Price `on_update` (an insert fires it too, sample 81) queues
the same sweep, and `on_trash` queues a check of the one Item whose price went away. Only prices that
differ from WooCommerce's are written, in batches of 100.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from woonext.mapping.prices import price_by_item, same_price, wanted_prices
from woonext.store import Binding
from woonext.sync.catalog_push import BATCH, Change, refresh, write
from woonext.sync.context import StoreContext
from woonext.sync.erp_lists import get_list_in
from woonext.sync.stock import STAMP, bound_objects

CURSOR = "prices"
OVERLAP = timedelta(minutes=2)
PRICE_FIELDS = ["name", "item_code", "price_list", "price_list_rate", "currency", "customer", "supplier"]
PRICE_FIELDS += ["valid_from", "valid_upto", "modified"]


@dataclass
class PricesReport:
    dry_run: bool = False
    rows: int = 0  # Item Prices read as changed (or all)
    checked: int = 0
    changes: list[Change] = field(default_factory=list)
    failed: list[tuple[Change, str]] = field(default_factory=list)
    note: str = ""

    def summary(self) -> str:
        if self.note:
            return self.note
        verb = "to write" if self.dry_run else "written"
        return (
            f"{self.rows} changed Item Price(s), {self.checked} object(s) checked, "
            f"{len(self.changes)} price change(s) {verb}, {len(self.failed)} refused"
        )


def _lists(ctx: StoreContext) -> list[str]:
    c = ctx.config
    return [c.regular_price_list, *([c.prices.sale_price_list] if c.prices.sale_price_list else [])]


async def _changed_rows(ctx: StoreContext) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    cursor = await ctx.state.get_cursor(ctx.store, CURSOR) or {}
    filters: list[list[Any]] = [["price_list", "in", _lists(ctx)]]
    if cursor.get("modified"):
        since = datetime.strptime(cursor["modified"], STAMP) - OVERLAP
        filters.append(["modified", ">", since.strftime(STAMP)])
    rows = await ctx.erp.get_list("Item Price", filters=filters, fields=PRICE_FIELDS, order_by="modified asc", limit=0)
    seen = dict(cursor.get("seen") or {})
    fresh = [r for r in rows if seen.get(str(r["name"])) != str(r["modified"])]
    latest = max([str(r["modified"]) for r in rows] + [str(cursor.get("modified") or "")])
    if not latest:
        return fresh, cursor
    edge = (datetime.strptime(latest, STAMP) - OVERLAP).strftime(STAMP)
    keep = {**seen, **{str(r["name"]): str(r["modified"]) for r in rows}}
    return fresh, {"modified": latest, "seen": {k: v for k, v in keep.items() if v > edge}}


async def push_prices(
    ctx: StoreContext, *, everything: bool = False, dry_run: bool = False, item_codes: Iterable[str] = ()
) -> PricesReport:
    """Push the prices changed since the cursor, plus those of `item_codes` (`everything`: all)."""
    report = PricesReport(dry_run=dry_run)
    if not ctx.config.prices.enabled:
        report.note = "price push is off ([stores.prices] enabled = false)"
        return report
    lists = _lists(ctx)
    cursor: dict[str, Any] | None = None
    if everything:
        rows = await ctx.erp.get_list("Item Price", filters=[["price_list", "in", lists]], fields=PRICE_FIELDS, limit=0)
        targets = [b for b in await bound_objects(ctx, None) if not b.data.get("template")]
    else:
        rows, cursor = await _changed_rows(ctx)
        codes = {str(r["item_code"]) for r in rows} | set(item_codes)
        targets = [b for b in await bound_objects(ctx, codes) if not b.data.get("template")] if codes else []
        if targets:  # every price of those Items, not only the rows that moved
            codes = {b.erp_name for b in targets}
            rows = await get_list_in(
                ctx, "Item Price", "item_code", codes, fields=PRICE_FIELDS, filters=[["price_list", "in", lists]]
            )
    report.rows, report.checked = len(rows), len(targets)
    report.changes = await _changes(ctx, targets, rows, everything)
    if not dry_run:
        result = await write(ctx, report.changes, reason="price_refused")
        report.failed = result.failed
        if cursor is not None:
            await ctx.state.set_cursor(ctx.store, CURSOR, cursor)
    return report


async def _changes(
    ctx: StoreContext, targets: list[Binding], rows: list[dict[str, Any]], everything: bool
) -> list[Change]:
    today = ctx.now().date()
    currency = ctx.config.currency
    sale_list = ctx.config.prices.sale_price_list
    regular = price_by_item(rows, ctx.config.regular_price_list, currency, today)
    sale = price_by_item(rows, sale_list, currency, today) if sale_list else {}
    if everything:
        await refresh(ctx, targets)
    changes = [c for b in targets if (c := _change(b, regular, sale, bool(sale_list))) is not None]
    if changes and not everything and len(changes) <= BATCH:
        await refresh(ctx, [c.binding for c in changes])
        changes = [c for b in (c.binding for c in changes) if (c := _change(b, regular, sale, bool(sale_list)))]
    return changes


def _change(b: Binding, regular: dict[str, Any], sale: dict[str, Any], sale_list: bool) -> Change | None:
    wanted = wanted_prices(regular.get(b.erp_name), sale.get(b.erp_name), sale_list)
    values = {k: v for k, v in wanted.items() if not same_price(b.data.get(k), v)}
    return Change(b, values, {k: b.data.get(k) for k in values}) if values else None


async def prices_job(ctx: StoreContext) -> str:
    """The scheduled sweep (every 10 minutes by default) and the ERPNext webhook's event."""
    return (await push_prices(ctx)).summary()
