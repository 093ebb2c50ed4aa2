"""Recognising woonext's own writeback when its `order.updated` webhook comes back (docs/writeback.md).

The order sync asks this first for every order it is given: an order that carries woonext's
`_woonext_writeback` marker and is exactly as woonext's own last write left it (`date_modified_gmt`
unchanged since) costs no ERPNext request and no write. One state-DB read, and only for orders that
carry the marker at all.
"""

from __future__ import annotations

from woonext.mapping.writeback import Memory, is_echo, own_marker
from woonext.store.writebacks import state
from woonext.sync.context import StoreContext
from woonext.woo.types import WooOrder


async def is_own_echo(ctx: StoreContext, order: WooOrder) -> bool:
    if not own_marker(order):
        return False
    return is_echo(order, Memory.load(await ctx.state.run(state, ctx.db, ctx.store, order["id"])))
