"""GET collections: order filtering/sorting (A2.2) and the pagination headers (A2.2, C1.5)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from .book import LIST_STATUSES
from .dates import SiteTime, parse_stored
from .request import as_list


def _php_urlencode(value: str) -> str:
    return quote_plus(value, safe="-_.").replace("~", "%7E")


def build_query(pairs: list[tuple[str, Any]]) -> str:
    """PHP http_build_query on urlencode_deep'ed values: nested arrays become `k%5B0%5D=v`."""
    out: list[str] = []

    def walk(key: str, value: Any) -> None:
        if isinstance(value, dict):
            for sub, inner in value.items():
                walk(f"{key}[{sub}]", inner)
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                walk(f"{key}[{i}]", inner)
        else:
            out.append(f"{_php_urlencode(key)}={_php_urlencode('' if value is None else str(value))}")

    for key, value in pairs:
        walk(key, value)
    return "&".join(out)


def pagination_headers(
    home: str, route: str, query_pairs: list[tuple[str, Any]], page: int, per_page: int, total: int
) -> dict[str, str]:
    max_pages = math.ceil(total / per_page) if per_page else 0
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(max_pages)}
    base = f"{home}/wp-json{route}"

    def link(target: int) -> str:
        pairs = list(query_pairs)
        for i, (key, _) in enumerate(pairs):
            if key == "page":
                pairs[i] = ("page", target)
                break
        else:
            pairs.append(("page", target))
        return f"{base}?{build_query(pairs)}"

    links = []
    if page > 1:
        links.append(f'<{link(min(page - 1, max_pages) if max_pages else page - 1)}>; rel="prev"')
    if max_pages > page:
        links.append(f'<{link(page + 1)}>; rel="next"')
    if links:
        headers["Link"] = ", ".join(links)
    return headers


def paginate(items: list[Any], values: dict[str, Any]) -> tuple[list[Any], int, int]:
    per_page = values.get("per_page") or 10
    page = values.get("page") or 1
    offset = values.get("offset")
    start = offset if offset is not None else (page - 1) * per_page
    return items[start : start + per_page], page, per_page


def _window_value(parsed: tuple[datetime, bool], gmt: bool, site: SiteTime) -> datetime:
    """The comparison value as WP_Date_Query builds it.

    A naive value is used as given (site-local, or GMT with dates_are_gmt). A value with an offset is
    re-expressed in the site time zone first — even against the GMT column, which is why mixing an
    explicit offset with dates_are_gmt is unreliable on a non-UTC site.
    """
    value, has_offset = parsed
    if has_offset:
        return site.local_naive(value.replace(tzinfo=UTC))
    return value


def filter_orders(
    orders: list[dict[str, Any]], values: dict[str, Any], site: SiteTime, statuses: tuple[str, ...]
) -> list[dict[str, Any]]:
    wanted = values.get("status") or ["any"]
    allowed: set[str] = set()
    for status in wanted:
        if status == "any":
            allowed.update(s for s in statuses if s not in ("trash", "checkout-draft", "any"))
        else:
            allowed.add(status)
    gmt = bool(values.get("dates_are_gmt"))
    suffix = "_gmt" if gmt else ""
    windows = []
    for name, field, strict_after in (
        ("after", "date_created", True),
        ("before", "date_created", False),
        ("modified_after", "date_modified", True),
        ("modified_before", "date_modified", False),
    ):
        if values.get(name) is not None:
            windows.append((field + suffix, _window_value(values[name], gmt, site), strict_after))
    include = set(values.get("include") or [])
    exclude = set(values.get("exclude") or [])
    parents = set(values.get("parent") or [])
    parent_exclude = set(values.get("parent_exclude") or [])
    search = (values.get("search") or "").strip().lower()
    created_via = set(values.get("created_via") or [])
    result = []
    for order in orders:
        if order.get("status") not in allowed:
            continue
        if include and order["id"] not in include or order["id"] in exclude:
            continue
        if parents and order.get("parent_id", 0) not in parents or order.get("parent_id", 0) in parent_exclude:
            continue
        if values.get("customer") is not None and int(order.get("customer_id") or 0) != values["customer"]:
            continue
        if values.get("product") is not None and not any(
            values["product"] in (li.get("product_id"), li.get("variation_id")) for li in order.get("line_items", [])
        ):
            continue
        if created_via and order.get("created_via") not in created_via:
            continue
        if search and not _matches(order, search):
            continue
        if not all(_in_window(order, field, bound, after) for field, bound, after in windows):
            continue
        result.append(order)
    return result


def _in_window(order: dict[str, Any], field: str, bound: datetime, after: bool) -> bool:
    stamp = parse_stored(order.get(field))
    if stamp is None:
        return False
    # The database keeps whole seconds and WP_Date_Query's after/before are exclusive.
    return stamp > bound if after else stamp < bound


def _matches(order: dict[str, Any], needle: str) -> bool:
    if needle.isdigit() and int(needle) == order["id"]:
        return True
    haystack = [str(v) for part in ("billing", "shipping") for v in (order.get(part) or {}).values()]
    haystack += [str(li.get("name", "")) for li in order.get("line_items", [])]
    haystack += [str(order.get("customer_note", "")), str(order.get("number", ""))]
    return any(needle in h.lower() for h in haystack)


def sort_orders(orders: list[dict[str, Any]], values: dict[str, Any]) -> list[dict[str, Any]]:
    orderby = values.get("orderby") or "date"
    descending = (values.get("order") or "desc") == "desc"
    if orderby == "include" and values.get("include"):
        position = {oid: i for i, oid in enumerate(values["include"])}
        return sorted(orders, key=lambda o: position.get(o["id"], len(position)))
    if orderby == "date":
        keyed = sorted(orders, key=lambda o: (o.get("date_created_gmt") or "", o["id"]), reverse=descending)
    elif orderby == "modified":
        keyed = sorted(orders, key=lambda o: (o.get("date_modified_gmt") or "", o["id"]), reverse=descending)
    else:  # id; orders have no title/slug, so those fall back to the id as well
        keyed = sorted(orders, key=lambda o: o["id"], reverse=descending)
    return keyed


def echo_pairs(query: dict[str, Any], defaults: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The request's query parameters (as WordPress holds them) followed by the defaults it adds."""
    pairs: list[tuple[str, Any]] = []
    for key, value in query.items():
        if key == "status":
            value = as_list(value)
        pairs.append((key, value))
    for key, value in defaults:
        if key not in query:
            pairs.append((key, value))
    return pairs


__all__ = [
    "LIST_STATUSES",
    "build_query",
    "echo_pairs",
    "filter_orders",
    "paginate",
    "pagination_headers",
    "sort_orders",
]
