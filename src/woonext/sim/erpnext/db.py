"""The simulator's database: committed tables plus per-request transactions (copy-on-write).

Every request works in a `Txn`: reads see committed rows overlaid with the request's own writes,
writes go to the overlay, and only `commit()` publishes them. An error anywhere simply drops the
overlay, so partial child rows, series counters, ledger rows and Custom Fields all roll back.
Names compare case-insensitively, as MariaDB's default collation does.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from .base import Doc
from .schema import Meta, base_schema, custom_field_def
from .serialize import jsonable


def key(name: str) -> str:
    return str(name).casefold()


def unique_key(value: Any) -> str | None:
    """How a unique index compares values: blanks are NULL (never collide), case is ignored."""
    if value is None or value == "":
        return None
    return str(jsonable(value)).casefold()


def clone(value: Any) -> Any:
    """A deep copy of a document: dicts and lists copied, scalars (str, int, Decimal) shared.
    Several times faster than `copy.deepcopy`, which matters: every read hands out a copy."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


class Database:
    """Committed state. Only `Txn.commit` writes to it (besides the seed)."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, Doc]] = {}
        self.series: dict[str, int] = {}
        self.gl_entries: list[Doc] = []
        self.stock_ledger: list[Doc] = []
        self.bins: dict[tuple[str, str], Decimal] = {}
        self.bin_names: dict[tuple[str, str], str] = {}  # (item_code, warehouse) -> the Bin document's name
        self.meta_version = 0
        # unique indexes, built on first use: (doctype, field) -> value (casefolded) -> row keys
        self._unique: dict[tuple[str, str], dict[str, set[str]]] = {}
        self._meta_cache: dict[str, Meta] = {}
        self._meta_cache_version = -1

    # inspection API (ErpSim.db) -------------------------------------------------------------
    def get(self, doctype: str, name: str) -> Doc | None:
        doc = self.tables.get(doctype, {}).get(key(name))
        return clone(doc) if doc is not None else None

    def all(self, doctype: str) -> list[Doc]:
        return [clone(d) for d in self.tables.get(doctype, {}).values()]

    def meta(self, doctype: str) -> Meta | None:
        if self._meta_cache_version != self.meta_version:
            self._meta_cache = {}
            self._meta_cache_version = self.meta_version
        if doctype not in self._meta_cache:
            meta = build_meta(doctype, self.tables.get("Custom Field", {}).values())
            if meta is None:
                return None
            self._meta_cache[doctype] = meta
        return self._meta_cache[doctype]

    def unique_holders(self, doctype: str, field: str) -> dict[str, set[str]]:
        index = self._unique.get((doctype, field))
        if index is None:
            index = {}
            for k, doc in self.tables.get(doctype, {}).items():
                value = unique_key(doc.get(field))
                if value is not None:
                    index.setdefault(value, set()).add(k)
            self._unique[(doctype, field)] = index
        return index

    def _reindex(self, doctype: str, k: str, old: Doc | None, new: Doc | None) -> None:
        for (dt, field), index in self._unique.items():
            if dt != doctype:
                continue
            before = unique_key(old.get(field)) if old else None
            after = unique_key(new.get(field)) if new else None
            if before is not None:
                index.get(before, set()).discard(k)
            if after is not None:
                index.setdefault(after, set()).add(k)

    def put_committed(self, doc: Doc) -> None:
        """Write a row directly (seeding)."""
        table = self.tables.setdefault(doc["doctype"], {})
        self._reindex(doc["doctype"], key(doc["name"]), table.get(key(doc["name"])), doc)
        table[key(doc["name"])] = doc
        if doc["doctype"] == "Custom Field":
            self.meta_version += 1


def build_meta(doctype: str, custom_fields: Any) -> Meta | None:
    base = base_schema().get(doctype)
    if base is None:
        return None
    extra = [custom_field_def(cf) for cf in custom_fields if cf.get("dt") == doctype and cf.get("fieldname")]
    return base.with_fields(extra) if extra else base


_DELETED: Doc = {}


class Txn:
    """One request's view of the database. Documents handed out are private copies."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.writes: dict[tuple[str, str], Doc] = {}
        self.series: dict[str, int] = {}
        self.gl_entries: list[Doc] = []
        self.stock_ledger: list[Doc] = []
        self.bins: dict[tuple[str, str], Decimal] = {}
        self.bin_names: dict[tuple[str, str], str] = {}
        self.meta_dirty = False
        self._metas: dict[str, Meta] = {}

    # rows ------------------------------------------------------------------------------------
    def _raw(self, doctype: str, name: str) -> Doc | None:
        written = self.writes.get((doctype, key(name)))
        if written is not None:
            return None if written is _DELETED else written
        return self.db.tables.get(doctype, {}).get(key(name))

    def get(self, doctype: str, name: str | None) -> Doc | None:
        if not name:
            return None
        raw = self._raw(doctype, str(name))
        return clone(raw) if raw is not None else None

    def peek(self, doctype: str, name: str | None) -> Doc | None:
        """Read without copying; callers must not mutate the result."""
        return self._raw(doctype, str(name)) if name else None

    def exists(self, doctype: str, name: str | None) -> bool:
        return bool(name) and self._raw(doctype, str(name)) is not None

    def iter(self, doctype: str) -> Iterator[Doc]:
        """All rows of a doctype (not copied)."""
        seen: set[str] = set()
        for (dt, k), doc in self.writes.items():
            if dt == doctype:
                seen.add(k)
                if doc is not _DELETED:
                    yield doc
        for k, doc in self.db.tables.get(doctype, {}).items():
            if k not in seen:
                yield doc

    def put(self, doc: Doc) -> None:
        self.writes[(doc["doctype"], key(doc["name"]))] = doc
        if doc["doctype"] == "Custom Field":
            self._invalidate_meta()

    def delete(self, doctype: str, name: str) -> None:
        self.writes[(doctype, key(name))] = _DELETED
        if doctype == "Custom Field":
            self._invalidate_meta()

    # schema ----------------------------------------------------------------------------------
    def _invalidate_meta(self) -> None:
        self.meta_dirty = True
        self._metas = {}

    def meta(self, doctype: str) -> Meta | None:
        if not self.meta_dirty:
            return self.db.meta(doctype)
        if doctype not in self._metas:
            meta = build_meta(doctype, list(self.iter("Custom Field")))
            if meta is None:
                return None
            self._metas[doctype] = meta
        return self._metas[doctype]

    def unique_conflict(self, doctype: str, field: str, value: Any, own_name: str) -> str | None:
        """The name of another row holding `value` in `field` (a unique index hit), if any."""
        wanted = unique_key(value)
        if wanted is None:
            return None
        own = key(own_name)
        for k in self.db.unique_holders(doctype, field).get(wanted, ()):
            if k != own and (doctype, k) not in self.writes:
                return self.db.tables[doctype][k]["name"]
        for (dt, k), doc in self.writes.items():
            if dt == doctype and k != own and doc is not _DELETED and unique_key(doc.get(field)) == wanted:
                return doc["name"]
        return None

    # naming series ---------------------------------------------------------------------------
    def next_series(self, prefix: str) -> int:
        current = self.series.get(prefix, self.db.series.get(prefix, 0))
        self.series[prefix] = current + 1
        return current + 1

    # ledgers ---------------------------------------------------------------------------------
    def stock_qty(self, item_code: str, warehouse: str) -> Decimal:
        k = (item_code, warehouse)
        return self.bins.get(k, self.db.bins.get(k, Decimal("0")))

    def add_stock_ledger(self, entry: Doc) -> None:
        k = (str(entry.get("item_code") or ""), str(entry.get("warehouse") or ""))
        self.bins[k] = self.stock_qty(*k) + Decimal(str(entry.get("actual_qty") or 0))
        self.stock_ledger.append(entry)

    def bin_name(self, item_code: str, warehouse: str) -> str | None:
        k = (item_code, warehouse)
        return self.bin_names.get(k) or self.db.bin_names.get(k)

    def add_gl(self, entry: Doc) -> None:
        self.gl_entries.append(entry)

    # commit ----------------------------------------------------------------------------------
    def commit(self) -> None:
        db = self.db
        for (doctype, k), doc in self.writes.items():
            table = db.tables.setdefault(doctype, {})
            db._reindex(doctype, k, table.get(k), None if doc is _DELETED else doc)
            if doc is _DELETED:
                table.pop(k, None)
            else:
                table[k] = doc
        db.series.update(self.series)
        db.gl_entries.extend(self.gl_entries)
        db.stock_ledger.extend(self.stock_ledger)
        db.bins.update(self.bins)
        db.bin_names.update(self.bin_names)
        if self.meta_dirty:
            db.meta_version += 1
        self.writes = {}
        self.series = {}
        self.gl_entries = []
        self.stock_ledger = []
        self.bins = {}
        self.bin_names = {}
        self.meta_dirty = False
