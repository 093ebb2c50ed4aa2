"""Reading many ERPNext rows by a list of values, in requests ERPNext's server accepts.

A long `filters=[[field, "in", [...]]]` in a GET query string hits gunicorn's request-line limit
(4,094 bytes: a 400 "Request Line is too large", observed-real.md), so the values are sent in chunks
whose URL-encoded size stays well under it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from woonext.sync.context import StoreContext

LINE_BUDGET = 2400  # bytes of encoded values per request: the rest of the line stays under 4,094


def chunk_values(values: Iterable[str], budget: int = LINE_BUDGET, most: int = 500) -> Iterator[list[str]]:
    chunk: list[str] = []
    size = 0
    for value in values:
        cost = len(quote(f'"{value}",', safe=""))
        if chunk and (size + cost > budget or len(chunk) >= most):
            yield chunk
            chunk, size = [], 0
        chunk.append(value)
        size += cost
    if chunk:
        yield chunk


async def get_list_in(
    ctx: StoreContext,
    doctype: str,
    field: str,
    values: Iterable[str],
    *,
    fields: list[str],
    filters: list[list[Any]] | None = None,
) -> list[dict[str, Any]]:
    """Every row of `doctype` whose `field` is one of `values` (plus `filters`)."""
    rows: list[dict[str, Any]] = []
    for chunk in chunk_values(sorted(set(values))):
        where = [*(filters or []), [field, "in", chunk]]
        rows += await ctx.erp.get_list(doctype, filters=where, fields=fields, limit=0)
    return rows
