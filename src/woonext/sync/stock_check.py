"""`woonext setup`'s stock check (issue 13): live invoices move stock at the order's own date and time
(`update_stock` 1, `set_posting_time` 1), so a stock item with no stock in the warehouse parks every
live order that sells it (NegativeStockError), however right the rest of the set-up is. A warning, not
a missing prerequisite: a shop may add the stock before it goes live."""

from __future__ import annotations

from woonext.erpnext.errors import ErpError
from woonext.sync.context import StoreContext

Finding = tuple[str, bool, str]  # (what, ok, how to fix)


async def stock_check(ctx: StoreContext, skus: set[str]) -> Finding | None:
    """Which of the store's SKUs are stock items without stock in the configured warehouse (three
    requests whatever the catalogue's size); None when the store has no SKUs."""
    if not skus:
        return None
    settings = await ctx.erp.get_doc("Stock Settings", "Stock Settings") or {}
    if settings.get("allow_negative_stock"):
        return "Stock Settings: Allow Negative Stock is on (live invoices never wait for stock)", True, ""
    warehouse = ctx.config.warehouse
    try:
        items = await ctx.erp.get_list(
            "Item", filters=[["name", "in", sorted(skus)], ["is_stock_item", "=", 1]], fields=["name"], limit=0
        )
        stock_items = sorted(str(r["name"]) for r in items)
        if not stock_items:
            return None
        bins = await ctx.erp.get_list(
            "Bin",
            filters=[["item_code", "in", stock_items], ["warehouse", "=", warehouse], ["actual_qty", ">", 0]],
            fields=["item_code"],
            limit=0,
        )
    except ErpError as exc:
        return f"stock in {warehouse}", False, f"could not read it: {exc.message}"
    empty = sorted(set(stock_items) - {str(r["item_code"]) for r in bins})
    listed = ", ".join(empty[:20]) + (" …" if len(empty) > 20 else "")
    return (
        f"stock in {warehouse} for the store's {len(stock_items)} stock item(s)",
        not empty,
        f"{len(empty)} have none: {listed}. Live invoices post at the order's date and time and need the stock "
        "then: add it dated on or before your first live order (a Stock Reconciliation or Stock Entry with that "
        "posting date), or turn on 'Allow Negative Stock' in Stock Settings; otherwise every live order with "
        "these items waits for review (NegativeStockError)",
    )
