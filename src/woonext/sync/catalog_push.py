"""Writing stock and prices to WooCommerce: only values that differ from what WooCommerce has, through
`POST /products/batch` and `/products/{id}/variations/batch`, at most 100 objects a request (the
store's limit: more is a 413, sample 56). A bad object fails alone, in place (sample 57); each saved
object's answer refreshes what the binding remembers of WooCommerce's side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from woonext.store import NEEDS_REVIEW, Binding
from woonext.sync.context import StoreContext
from woonext.sync.items_apply import PRODUCT, VARIATION

BATCH = 100
# Binding cache key → WooCommerce field
FIELDS = {"stock": "stock_quantity", "regular_price": "regular_price", "sale_price": "sale_price"}


@dataclass
class Change:
    """One object's new values (binding cache keys: stock, regular_price, sale_price)."""

    binding: Binding
    values: dict[str, Any]
    before: dict[str, Any] = field(default_factory=dict)

    @property
    def woo_id(self) -> int:
        return int(self.binding.remote_id)

    @property
    def parent(self) -> int:
        return int(self.binding.data.get("parent") or 0)

    @property
    def path(self) -> str:
        return f"products/{self.parent}/variations" if self.binding.kind == VARIATION else "products"

    def payload(self) -> dict[str, Any]:
        return {"id": self.woo_id, **{FIELDS[k]: v for k, v in self.values.items()}}


@dataclass
class PushResult:
    written: list[Change] = field(default_factory=list)
    failed: list[tuple[Change, str]] = field(default_factory=list)
    requests: int = 0


def cache_from(answer: dict[str, Any]) -> dict[str, Any]:
    """What a saved object says of its stock and prices, in binding-cache terms."""
    managed = answer.get("manage_stock") is True
    return {
        "manage_stock": managed,
        "stock": answer.get("stock_quantity") if managed else None,
        "regular_price": str(answer.get("regular_price") or ""),
        "sale_price": str(answer.get("sale_price") or ""),
        "modified": str(answer.get("date_modified_gmt") or ""),
    }


def differs(change: Change) -> bool:
    return any(change.binding.data.get(k) != v for k, v in change.values.items())


async def refresh(ctx: StoreContext, bindings: Iterable[Binding]) -> int:
    """Read the current WooCommerce values of these objects into their bindings (products 100 a
    request, variations 100 a request per parent). Returns the requests made."""
    by_path: dict[str, list[Binding]] = {}
    for b in bindings:
        path = "products" if b.kind == PRODUCT else f"products/{int(b.data.get('parent') or 0)}/variations"
        by_path.setdefault(path, []).append(b)
    requests = 0
    for path, group in by_path.items():
        known = {b.remote_id: b for b in group}
        for start in range(0, len(group), BATCH):
            ids = [int(b.remote_id) for b in group[start : start + BATCH]]
            page = await ctx.woo.list_page(path, {"include": ids, "per_page": BATCH})
            requests += 1
            for obj in page.items:
                seen = known.get(str(obj.get("id")))
                if seen is not None and any(seen.data.get(k) != v for k, v in cache_from(obj).items()):
                    seen.data = {**seen.data, **cache_from(obj)}
                    await ctx.state.save_binding(seen)
    return requests


async def write(ctx: StoreContext, changes: list[Change], *, reason: str) -> PushResult:
    """Send the changes in batches; bindings remember what WooCommerce answered."""
    result = PushResult()
    by_path: dict[str, list[Change]] = {}
    for change in changes:
        by_path.setdefault(change.path, []).append(change)
    for path, group in by_path.items():
        for start in range(0, len(group), BATCH):
            chunk = group[start : start + BATCH]
            answers = await ctx.woo.batch(path, [c.payload() for c in chunk])
            result.requests += 1
            for change, answer in zip(chunk, answers, strict=False):
                if isinstance(answer, dict) and "error" in answer:
                    message = str((answer.get("error") or {}).get("message") or answer)
                    result.failed.append((change, message))
                    await _record_failure(ctx, change, reason, message)
                    continue
                change.binding.data = {**change.binding.data, **cache_from(answer)}
                await ctx.state.save_binding(change.binding)
                result.written.append(change)
    return result


async def _record_failure(ctx: StoreContext, change: Change, reason: str, message: str) -> None:
    await ctx.state.record_outcome(
        ctx.store,
        change.binding.kind,
        change.woo_id,
        NEEDS_REVIEW,
        reason,
        f"WooCommerce refused {', '.join(f'{k} {v}' for k, v in change.values.items())} for "
        f"{change.binding.kind} {change.woo_id} (Item {change.binding.erp_name}): {message}",
        "check the product in WooCommerce (deleted? its type changed?); `woonext items sync` binds it again",
    )
