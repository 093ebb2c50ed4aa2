"""Keep ERPNext's Territory tree in step with the store's shipping zones, and tell an order its territory.

Each zone (and each state/postcode/city rule) has a binding (kind "territory", remote id
"zone:<id>" or "rule:<rule key>") naming the territory it became. So a renamed zone renames its
territory in place (`frappe.client.rename_doc`, which also re-points every document), never a
second one. A territory nobody asks for any more is deleted when no document uses it; one in use
is kept and reported (ERPNext's Territory has no "disabled" flag). A run that finds the tree in
step writes nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import structlog

from woonext.erpnext.errors import ErpError, ErpUncertain
from woonext.mapping.territory import Rules, TerritoryNode, Zone, ZoneBook, desired_tree, fold, order_address
from woonext.store import FAILED, NEEDS_REVIEW, SUCCEEDED, Binding
from woonext.sync.context import StoreContext
from woonext.woo.errors import WooError

log = structlog.get_logger(__name__)

KIND = "territory"
RETIRED = "retired"
# An invoice may only name a territory that exists: after a rename the old name is gone, so a
# long-running worker must not keep using what it read hours ago.
BOOK_MAX_AGE_SECONDS = 300.0
FIELDS = ["name", "parent_territory", "is_group"]


@dataclass
class TerritoryReport:
    store: str
    created: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # parent or group flag changed
    removed: list[str] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (territory, why it could not be removed)
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return len(self.created) + len(self.renamed) + len(self.moved) + len(self.removed)

    def summary(self) -> str:
        text = (
            f"{self.store}: territories {len(self.created)} created, {len(self.renamed)} renamed, "
            f"{len(self.moved)} moved, {len(self.removed)} removed, {len(self.kept)} kept in use, "
            f"{self.unchanged} unchanged"
        )
        return text + (f", {len(self.problems)} problem(s)" if self.problems else "")


# ---- reading the store ----------------------------------------------------------------------


async def _store_country(ctx: StoreContext, problems: list[str]) -> str:
    if ctx.config.country:
        return ctx.config.country
    try:
        setting, _ = await ctx.woo.get("settings/general/woocommerce_default_country")
    except WooError as exc:
        problems.append(f"could not read the store's country ({exc}); set `country` in the store config")
        return ""
    return str(setting.get("value") or "").partition(":")[0].upper()


async def _states(ctx: StoreContext, country: str, problems: list[str]) -> dict[str, str]:
    if not country:
        return {}
    try:
        body, _ = await ctx.woo.get(f"data/countries/{country.lower()}")
    except WooError as exc:
        problems.append(f"could not read the states of {country} ({exc}): states written by name are not matched")
        return {}
    return {str(s["code"]).upper(): str(s["name"]) for s in body.get("states") or []}


async def _zones(ctx: StoreContext) -> list[Zone]:
    try:
        zones = await ctx.woo.list_shipping_zones()
    except WooError as exc:
        if exc.status == 404 and exc.code == "rest_no_route":  # shipping is disabled in the store
            return []
        raise
    out = []
    for zone in zones:
        locations = [] if int(zone["id"]) == 0 else await ctx.woo.list_zone_locations(zone["id"])
        out.append(Zone.from_rest(zone, locations))
    return out


async def _erp_territories(ctx: StoreContext) -> dict[str, dict[str, Any]]:
    rows = await ctx.erp.get_all("Territory", fields=FIELDS)
    return {fold(str(r["name"])): r for r in rows}


async def read_book(
    ctx: StoreContext, problems: list[str] | None = None, rows: dict[str, dict[str, Any]] | None = None
) -> ZoneBook:
    """The store's zones, country and states, the rules, and ERPNext's territories (read now,
    unless the caller has just read them: `rows`)."""
    problems = [] if problems is None else problems
    rows = await _erp_territories(ctx) if rows is None else rows
    rules = Rules.parse(ctx.config.territory_rules)
    problems.extend(rules.problems)
    country = await _store_country(ctx, problems)
    return ZoneBook(
        zones=tuple(await _zones(ctx)),
        rules=rules,
        country=country,
        states=await _states(ctx, country, problems),
        territories={k: str(r["name"]) for k, r in rows.items()},
    )


def _stale(loaded_at: float) -> bool:
    return time.monotonic() - loaded_at > BOOK_MAX_AGE_SECONDS


async def zone_book(ctx: StoreContext) -> ZoneBook:
    """The zone book of this run (read on first use; a worker's long-lived context reads it again
    once it is older than BOOK_MAX_AGE_SECONDS, so renamed zones and new territories reach it)."""
    cache = ctx.cache.territories
    if cache.book is None or _stale(cache.loaded_at):
        async with cache.lock:
            if cache.book is None or _stale(cache.loaded_at):
                cache.book = await read_book(ctx)
                cache.loaded_at = time.monotonic()
    return cache.book


async def territory_for(ctx: StoreContext, order: dict[str, Any]) -> str:
    """The territory of an order's shipping (else billing) address; "" when none applies or ERPNext
    does not have it yet (run `woonext sync territories`)."""
    return (await zone_book(ctx)).territory_of(order_address(order))


# ---- bringing the tree in step --------------------------------------------------------------


@dataclass
class _Tree:
    """ERPNext's territories as this run knows them (folded name → row), kept current as we write."""

    rows: dict[str, dict[str, Any]]

    def get(self, name: str) -> dict[str, Any] | None:
        return self.rows.get(fold(name))

    def put(self, row: dict[str, Any]) -> None:
        self.rows[fold(str(row["name"]))] = row

    def renamed(self, old: str, new: str) -> None:
        row = self.rows.pop(fold(old))
        self.put({**row, "name": new})
        for other in self.rows.values():
            if fold(str(other.get("parent_territory") or "")) == fold(old):
                other["parent_territory"] = new

    def ancestors(self, name: str) -> set[str]:
        out: set[str] = set()
        row = self.get(name)
        while row is not None and row.get("parent_territory") and fold(str(row["parent_territory"])) not in out:
            out.add(fold(str(row["parent_territory"])))
            row = self.get(str(row["parent_territory"]))
        return out


async def _insert(ctx: StoreContext, tree: _Tree, name: str, parent: str | None, is_group: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {"territory_name": name, "is_group": int(is_group)}
    if parent:
        doc["parent_territory"] = parent
    try:
        created = await ctx.erp.insert("Territory", doc)
    except (ErpUncertain, ErpError) as exc:
        if not isinstance(exc, ErpUncertain) and exc.exc_type != "DuplicateEntryError":
            raise
        found = await ctx.erp.get_doc("Territory", name)  # made by a lost answer or by someone else
        if found is None:
            raise
        created = found
    row = {k: created.get(k) for k in FIELDS}
    tree.put(row)
    return row


async def _ensure_root(ctx: StoreContext, tree: _Tree, report: TerritoryReport) -> str:
    root = " ".join(ctx.config.territory_root.split())
    row = tree.get(root)
    if row is None:
        row = await _insert(ctx, tree, root, None, True)
        report.created.append(str(row["name"]))
    elif not int(row.get("is_group") or 0):
        await ctx.erp.update("Territory", str(row["name"]), {"is_group": 1})
        row["is_group"] = 1
        report.moved.append(str(row["name"]))
    return str(row["name"])


async def _rename(ctx: StoreContext, tree: _Tree, old: str, new: str) -> bool:
    """Rename in place (documents follow); False when this ERPNext cannot rename."""
    try:
        result = await ctx.erp.call(
            "frappe.client.rename_doc", doctype="Territory", old_name=old, new_name=new, merge=False
        )
    except ErpError as exc:
        if "Failed to get method" in exc.message:  # an ERPNext without the method: create anew instead
            return False
        raise
    tree.renamed(old, str(result or new))
    return True


async def _renames(
    ctx: StoreContext, tree: _Tree, nodes: list[TerritoryNode], bindings: dict[str, Binding], report: TerritoryReport
) -> None:
    wanted = {fold(n.name) for n in nodes}
    wanted_by = {key: fold(n.name) for n in nodes for key in n.keys}
    for node in nodes:
        for key in node.keys:
            binding = bindings.get(key)
            if binding is None or binding.state != "done" or fold(binding.erp_name) == fold(node.name):
                continue
            old = binding.erp_name
            # Another zone or rule that had the same territory and now wants a different one.
            split = [
                k
                for k, b in bindings.items()
                if b.state == "done"
                and fold(b.erp_name) == fold(old)
                and wanted_by.get(k, fold(node.name)) != fold(node.name)
            ]
            if tree.get(old) is None or tree.get(node.name) is not None or fold(old) in wanted or split:
                continue  # the old one stays someone's, or the new one exists: the old is retired later
            if await _rename(ctx, tree, old, node.name):
                report.renamed.append((old, node.name))
                log.info("territory_renamed", store=ctx.store, old=old, new=node.name)


async def _place(
    ctx: StoreContext, tree: _Tree, root: str, nodes: list[TerritoryNode], report: TerritoryReport
) -> dict[str, str]:
    """Create or move each wanted territory; returns folded name → ERPNext name."""
    names: dict[str, str] = {fold(root): root}
    protected = tree.ancestors(root) | {fold(root)}
    for node in nodes:
        if fold(node.name) in protected:
            report.problems.append(
                f"territory {node.name!r} (for {', '.join(node.keys)}) is {root!r} or above it; "
                "map it to another name with a territory rule"
            )
            continue
        parent = names.get(fold(node.parent), root)
        row = tree.get(node.name)
        if row is None:
            try:
                row = await _insert(ctx, tree, node.name, parent, node.is_group)
            except ErpError as exc:
                if exc.kind != "needs_review":
                    raise
                report.problems.append(f"territory {node.name!r} (for {', '.join(node.keys)}): {exc.message}")
                continue
            report.created.append(str(row["name"]))
        else:
            changes: dict[str, Any] = {}
            if fold(str(row.get("parent_territory") or "")) != fold(parent):
                changes["parent_territory"] = parent
            if node.is_group and not int(row.get("is_group") or 0):
                changes["is_group"] = 1
            if changes:
                await ctx.erp.update("Territory", str(row["name"]), changes)
                row.update(changes)
                report.moved.append(str(row["name"]))
            else:
                report.unchanged += 1
        names[fold(node.name)] = str(row["name"])
    return names


async def _bind(ctx: StoreContext, bindings: dict[str, Binding], key: str, name: str, state: str, **data: Any) -> None:
    binding = bindings.get(key) or Binding(store=ctx.store, kind=KIND, remote_id=key, erp_doctype="Territory")
    merged = {**binding.data, **data}
    if binding.id is not None and binding.erp_name == name and binding.state == state and binding.data == merged:
        return
    binding.erp_name, binding.state, binding.data = name, state, merged
    await ctx.state.save_binding(binding)
    bindings[key] = binding


async def _retire(ctx: StoreContext, tree: _Tree, name: str, report: TerritoryReport) -> str:
    """Delete a territory nobody asks for, unless documents (or other territories) still use it."""
    row = tree.get(name)
    if row is None:
        return "gone"
    try:
        await ctx.erp.delete("Territory", str(row["name"]))
    except ErpError as exc:
        if exc.kind != "needs_review":
            raise
        report.kept.append((str(row["name"]), exc.message))
        return f"kept: {exc.message}"
    tree.rows.pop(fold(name), None)
    report.removed.append(str(row["name"]))
    return "deleted"


async def _bring_in_step(
    ctx: StoreContext, book: ZoneBook, rows: dict[str, dict[str, Any]], report: TerritoryReport
) -> dict[str, dict[str, Any]]:
    tree = _Tree(rows)
    root = await _ensure_root(ctx, tree, report)
    nodes = desired_tree(book.zones, book.rules, root, book.states, book.country)
    bindings = {b.remote_id: b for b in await ctx.state.bindings(ctx.store, KIND)}
    await _renames(ctx, tree, nodes, bindings, report)
    names = await _place(ctx, tree, root, nodes, report)
    zone_names = {f"zone:{z.id}": z.name for z in book.zones}
    wanted_keys: set[str] = set()
    for node in nodes:
        if fold(node.name) not in names:
            continue
        for key in node.keys:
            wanted_keys.add(key)
            old = bindings.get(key)
            if (
                old is not None
                and old.state == "done"
                and fold(old.erp_name) != fold(node.name)
                and fold(old.erp_name) not in names
            ):
                await _retire(ctx, tree, old.erp_name, report)  # renamed by creating anew
            extra = {"zone": zone_names[key]} if key in zone_names else {}
            await _bind(ctx, bindings, key, names[fold(node.name)], "done", **extra)
    for key, binding in list(bindings.items()):
        if key in wanted_keys or binding.state == RETIRED:
            continue
        outcome = "" if fold(binding.erp_name) in names else await _retire(ctx, tree, binding.erp_name, report)
        await _bind(ctx, bindings, key, binding.erp_name, RETIRED, retired=outcome or "still wanted by another key")
    return tree.rows


async def sync_territories(ctx: StoreContext) -> TerritoryReport:
    """Bring ERPNext's Territory tree in step with the store's zones and rules; records the outcome."""
    report = TerritoryReport(ctx.store)
    status, reason, detail, hint = SUCCEEDED, "in_step", "", ""
    try:
        rows = await _erp_territories(ctx)
        book = await read_book(ctx, report.problems, dict(rows))
        rows = await _bring_in_step(ctx, book, rows, report)
        # Orders of this run see the tree as it is now.
        ctx.cache.territories.book = ZoneBook(
            book.zones, book.rules, book.country, book.states, {k: str(r["name"]) for k, r in rows.items()}
        )
        ctx.cache.territories.loaded_at = time.monotonic()
    except ErpError as exc:
        status = FAILED if exc.kind in ("retryable", "uncertain") else NEEDS_REVIEW
        reason, detail = f"erpnext_{exc.exc_type or exc.status}", exc.message
        hint = "retried on the next run" if status == FAILED else "fix the cause in ERPNext, then run it again"
        report.problems.append(f"ERPNext: {exc.message}")
    except WooError as exc:
        status, reason, detail, hint = FAILED, f"woocommerce_{exc.code}", str(exc), "retried on the next run"
        report.problems.append(f"WooCommerce: {exc}")
    if status == SUCCEEDED and report.problems:
        status, reason, detail = NEEDS_REVIEW, "territory_problems", "; ".join(report.problems)
        hint = "fix [stores.territory_rules] or the store settings named in the detail"
    await ctx.state.record_outcome(ctx.store, "territories", "tree", status, reason=reason, detail=detail, hint=hint)
    log.info("territories_synced", store=ctx.store, summary=report.summary())
    return report


async def territories_job(ctx: StoreContext) -> str:
    """The scheduled job (every 6 hours by default): one line for the run log."""
    return (await sync_territories(ctx)).summary()
