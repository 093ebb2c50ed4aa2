"""Stock levels moved by order status, as WooCommerce 11 does it (sample 60).

`wc_maybe_reduce_stock_levels` runs when an order reaches processing, on-hold or completed (also when it
is created in one of those): each line of a product that manages stock takes its quantity off, the
line keeps `_reduced_stock` (the quantity, a string), the order is flagged and gets the note "Stock
levels reduced: NAME (old&rarr;new)". A flagged order reduces nothing more. `wc_maybe_increase_stock_levels`
runs on cancelled (and pending): what each line took goes back, `_reduced_stock` is removed, the flag
cleared, note "Stock levels increased: …"; a cancelled order put back to processing reduces again.
Trash and force delete restore nothing. A variation without its own stock uses its parent's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .shop import Shop

REDUCE_ON = ("processing", "on-hold", "completed")
RESTORE_ON = ("cancelled", "pending")
FLAG = "_sim_stock_reduced"
META = "_reduced_stock"


def stocked_product(shop: Shop, line: dict[str, Any]) -> dict[str, Any] | None:
    """The product whose stock a line moves: its variation when that manages stock, else the parent."""
    pid, vid = int(line.get("product_id") or 0), int(line.get("variation_id") or 0)
    variation = shop.catalog.variations.get(vid) if vid else None
    if variation is not None and variation.get("manage_stock") is True:
        return variation
    product = shop.catalog.products.get(pid)
    if product is not None and product.get("manage_stock") and product.get("stock_quantity") is not None:
        return product
    return None


def on_status(shop: Shop, order: dict[str, Any], old: str | None, new: str) -> None:
    """Called after an order's status is set (old None = the order is being created)."""
    if new in REDUCE_ON and not order.get(FLAG):
        _move(shop, order, reduce=True)
    elif new in RESTORE_ON and order.get(FLAG) and old != new:
        _move(shop, order, reduce=False)


def _move(shop: Shop, order: dict[str, Any], reduce: bool) -> None:
    changes = []
    for line in order.get("line_items") or []:
        product = stocked_product(shop, line)
        meta = line.setdefault("meta_data", [])
        entry = next((m for m in meta if m.get("key") == META), None)
        if product is None or (not reduce and entry is None):
            continue
        qty = int(line.get("quantity") or 0) if reduce else int((entry or {}).get("value") or 0)
        old = int(product.get("stock_quantity") or 0)
        new = old - qty if reduce else old + qty
        product["stock_quantity"] = new
        product["stock_status"] = "instock" if new > 0 else "outofstock"
        if reduce:
            meta.append({"id": shop.book.take_item_meta_id(), "key": META, "value": str(qty)})
            meta[-1].update(display_key=META, display_value=str(qty))
            meta.sort(key=lambda m: str(m.get("key")))
        else:
            meta.remove(entry)
        changes.append(f"{line.get('name') or product.get('name')} ({old}&rarr;{new})")
    order[FLAG] = reduce
    if changes:
        verb = "reduced" if reduce else "increased"
        shop.add_note(int(order["id"]), f"Stock levels {verb}: {', '.join(changes)}")
