"""Lists of ids as `include=` requests that the web server accepts (issue 13, item 1).

Apache refuses a request line over 8,190 bytes and nginx over 8 KiB (woocommerce sample 74), and beyond
1,000 ids WordPress also breaks its `Link` header; a page holds 100 orders. So an id list goes out in
requests of at most 100 ids that each fit `REQUEST_LINE_BUDGET`, signature included: one request per
chunk, never one per order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from woonext.requestline import split_to_fit
from woonext.woo.types import WooOrder

from .client import WooClient

INCLUDE_PER_REQUEST = 100


def id_chunks(
    woo: WooClient, path: str, ids: Sequence[int | str], params: Mapping[str, Any] | None = None
) -> list[list[str]]:
    """`ids` split so that each `include=` request fits the request-line limit and one page."""
    base = {**(params or {}), "per_page": INCLUDE_PER_REQUEST, "page": 1}
    return split_to_fit(
        [str(i) for i in ids], lambda chunk: woo.fits("GET", path, {**base, "include": chunk}), INCLUDE_PER_REQUEST
    )


async def list_orders_by_ids(
    woo: WooClient, ids: Sequence[int | str], params: Mapping[str, Any] | None = None
) -> list[WooOrder]:
    """The orders with these ids that match `params` (e.g. `status`)."""
    orders: list[WooOrder] = []
    for chunk in id_chunks(woo, "orders", ids, params):
        page = await woo.list_orders({**(params or {}), "include": chunk, "per_page": INCLUDE_PER_REQUEST})
        orders.extend(page.items)
    return orders
