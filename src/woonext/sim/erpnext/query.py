"""`frappe.get_list` over the simulator's tables: fields, filters, or_filters, order_by, paging (B2.3)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from .base import Doc, throw
from .db import Txn
from .errors import data_error, raised
from .schema import INT_TYPES, NUMERIC_TYPES, STD_FIELDS, TABLE_TYPES, Meta
from .serialize import jsonable, to_decimal, to_int

FIELD_RE = re.compile(r"^(?:`?(?:tab)?([^`.]+)`?\.)?`?([A-Za-z0-9_]+|\*)`?(?:\s+as\s+`?([A-Za-z0-9_]+)`?)?$", re.I)
COUNT_RE = re.compile(r"^count\(\s*(\*|`?name`?|distinct\s+`?name`?)\s*\)(?:\s+as\s+`?(\w+)`?)?$", re.I)


def parse_json(value: Any, name: str) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text[0] in "[{":
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise raised("JSONDecodeError", str(exc), 500) from exc
        return text
    return value


class Query:
    def __init__(self, txn: Txn, doctype: str, meta: Meta, parent_doctype: str | None = None) -> None:
        self.txn = txn
        self.doctype = doctype
        self.meta = meta
        self.parent_doctype = parent_doctype

    def _records(self) -> Iterator[Doc]:
        """The rows to query: documents, or for a child doctype every row of its parents' tables."""
        if not self.meta.istable:
            yield from self.txn.iter(self.doctype)
            return
        if not self.parent_doctype:
            raise throw(f"Parent DocType Required: Please specify a valid parent DocType for {self.doctype}")
        parent_meta = self.txn.meta(self.parent_doctype)
        if parent_meta is None:
            raise data_error(self.parent_doctype)
        tables = [df["fieldname"] for df in parent_meta.table_fields if df.get("options") == self.doctype]
        for parent in self.txn.iter(self.parent_doctype):
            for table in tables:
                yield from parent.get(table) or []

    def _candidates(self, conds: list[tuple[str | None, str, str, Any, str]]) -> list[Doc] | None:
        """A superset of the matching documents from an index, when a condition is `=` or `in` on a
        text column (by name, or through the indexes kept like the unique ones); None = scan them all.
        The conditions are still applied to every candidate."""
        if self.meta.istable:
            return None
        for tf, col, op, value, ft in conds:
            values = [value] if op == "=" else value if op == "in" and isinstance(value, list) else None
            if tf or values is None or ft in NUMERIC_TYPES or ft in INT_TYPES:
                continue
            if not values or not all(isinstance(v, str) and v for v in values):
                continue
            found: dict[int, Doc] = {}
            for v in values:
                hits = [d] if col == "name" and (d := self.txn.peek(self.doctype, v)) else []
                for doc in hits if col == "name" else self.txn.rows_where(self.doctype, col, v):
                    found[id(doc)] = doc
            return list(found.values())
        return None

    def _children(self) -> dict[str, tuple[str, Meta]]:
        """child doctype -> (table fieldname, meta)."""
        out: dict[str, tuple[str, Meta]] = {}
        for df in self.meta.table_fields:
            cm = self.txn.meta(str(df.get("options")))
            if cm is not None:
                out[cm.name] = (df["fieldname"], cm)
        return out

    def _resolve(self, table: str | None, field: str) -> tuple[str | None, str]:
        """(child table fieldname or None, column); DataError for anything not a column."""
        if table and table != self.doctype:
            children = self._children()
            if table not in children:
                raise data_error(f"{table}.{field}")
            tf, cm = children[table]
            if field not in cm.valid_columns() and field != "*":
                raise data_error(field)
            return tf, field
        if field != "*" and field not in self.meta.valid_columns():
            raise data_error(field)
        return None, field

    # -- public -----------------------------------------------------------------------------------
    def run(
        self,
        fields: Any = None,
        filters: Any = None,
        or_filters: Any = None,
        order_by: Any = None,
        limit_start: Any = 0,
        limit_page_length: Any = 20,
        as_dict: bool = True,
        group_by: Any = None,
    ) -> list[Any]:
        selected = self._fields(parse_json(fields, "fields") or ["name"])
        conds = self._conditions(parse_json(filters, "filters"))
        any_conds = self._conditions(parse_json(or_filters, "or_filters"))
        rows: list[tuple[Doc, Doc | None]] = []
        child_table = next((t for t, _, _ in selected if t), None)
        candidates = self._candidates(conds)
        for doc in candidates if candidates is not None else self._records():
            if not all(self._match(doc, c) for c in conds):
                continue
            if any_conds and not any(self._match(doc, c) for c in any_conds):
                continue
            if child_table:
                kids = doc.get(child_table) or []
                rows.extend((doc, k) for k in kids) if kids else rows.append((doc, None))
            else:
                rows.append((doc, None))
        counting = any(col == "__count__" for _, col, _ in selected)
        ordered = self._order(rows, order_by)
        if group_by:
            groups: dict[Any, list[Any]] = {}
            tf, col = self._resolve_spec(str(group_by))
            for row in ordered:
                source = row[1] if tf else row[0]
                groups.setdefault(_norm((source or {}).get(col), "Data"), [row, 0])[1] += 1
            grouped = [(row, size) for row, size in groups.values()]
        elif counting:
            grouped = [(ordered[0] if ordered else ({}, None), len(ordered))]
        else:
            grouped = [(row, 1) for row in ordered]
        start = to_int(limit_start)
        length = to_int(limit_page_length)
        grouped = grouped[start : start + length] if length else grouped[start:]
        out: list[Any] = []
        for (doc, child), size in grouped:
            record: dict[str, Any] = {}
            for table, col, alias in selected:
                source = child if table else doc
                if col == "__count__":
                    record[alias] = size
                elif col == "*":
                    meta = self.meta if not table else self._children_by_field(table)
                    for c in sorted(meta.valid_columns(), key=_col_order(meta)):
                        record[c] = jsonable((source or {}).get(c))
                else:
                    record[alias] = jsonable((source or {}).get(col))
            out.append(record if as_dict else list(record.values()))
        return out

    def count(self, filters: Any = None, or_filters: Any = None) -> int:
        conds = self._conditions(parse_json(filters, "filters"))
        any_conds = self._conditions(parse_json(or_filters, "or_filters"))
        return sum(
            1
            for doc in self._records()
            if all(self._match(doc, c) for c in conds)
            and (not any_conds or any(self._match(doc, c) for c in any_conds))
        )

    # -- fields -------------------------------------------------------------------------------------
    def _children_by_field(self, tablefield: str) -> Meta:
        for tf, cm in self._children().values():
            if tf == tablefield:
                return cm
        return self.meta

    def _fields(self, fields: Any) -> list[tuple[str | None, str, str]]:
        if isinstance(fields, str):
            fields = [f.strip() for f in fields.split(",")]
        out: list[tuple[str | None, str, str]] = []
        for raw in fields:
            text = str(raw).strip()
            count = COUNT_RE.match(text)
            if count:
                out.append((None, "__count__", count.group(2) or text))
                continue
            m = FIELD_RE.match(text)
            if not m:
                raise data_error(text)
            table, col, alias = m.group(1), m.group(2), m.group(3)
            tf, col = self._resolve(table, col)
            out.append((tf, col, alias or col))
        return out

    # -- filters ------------------------------------------------------------------------------------
    def _conditions(self, filters: Any) -> list[tuple[str | None, str, str, Any, str]]:
        if not filters:
            return []
        items: list[list[Any]] = []
        if isinstance(filters, dict):
            for k, val in filters.items():
                if isinstance(val, (list, tuple)) and val and isinstance(val[0], str) and _is_op(val[0]):
                    items.append([k, val[0], val[1] if len(val) > 1 else None])
                else:
                    items.append([k, "=", val])
        elif isinstance(filters, list):
            if filters and isinstance(filters[0], str):
                filters = [filters]
            for f in filters:
                if isinstance(f, dict):
                    items.extend([k, "=", val] for k, val in f.items())
                elif len(f) >= 4:
                    items.append([f"{f[0]}.{f[1]}", f[2], f[3]])
                elif len(f) == 3:
                    items.append(list(f))
                elif len(f) == 2:
                    items.append([f[0], "=", f[1]])
                else:
                    raise throw(f"Invalid filter: {f}")
        elif isinstance(filters, str):
            items.append(["name", "=", filters])
        out = []
        for field, op, value in items:
            table: str | None = None
            if "." in str(field):
                table, field = str(field).replace("`", "").split(".", 1)
                table = (
                    table[3:] if table.startswith("tab") and table[3:] in (self.doctype, *self._children()) else table
                )
            tf, col = self._resolve(table, str(field))
            op_name = str(op).strip().lower()
            if op_name not in OPS:
                raise throw(f"Operator must be one of {', '.join(sorted(OPS))}")
            if op_name in TREE_OPS:
                value = self._tree_members(tf, col, value, op_name)
            out.append((tf, col, op_name, value, self._fieldtype(tf, col)))
        return out

    def _fieldtype(self, tf: str | None, col: str) -> str:
        meta = self._children_by_field(tf) if tf else self.meta
        if col in ("docstatus", "idx"):
            return "Int"
        df = meta.get_field(col)
        return df["fieldtype"] if df else "Data"

    def _tree_members(self, tf: str | None, col: str, value: Any, op: str) -> set[str]:
        """Names in the subtree (or the ancestry) of `value` in the tree the column points at,
        from the nested-set numbers, as Frappe's `descendants of` / `ancestors of` read them."""
        meta = self._children_by_field(tf) if tf else self.meta
        df = meta.get_field(col)
        tree = str(df.get("options")) if df and df["fieldtype"] == "Link" else self.doctype
        node = self.txn.peek(tree, str(value))
        if node is None:
            return set()
        lft, rgt = to_int(node.get("lft")), to_int(node.get("rgt"))
        members = set()
        for row in self.txn.iter(tree):
            r_lft, r_rgt = to_int(row.get("lft")), to_int(row.get("rgt"))
            inside = lft < r_lft and r_rgt < rgt
            above = r_lft < lft and rgt < r_rgt
            if inside if "descendants" in op else above:
                members.add(str(row["name"]).casefold())
        return members

    def _match(self, doc: Doc, cond: tuple[str | None, str, str, Any, str]) -> bool:
        tf, col, op, value, ft = cond
        if tf:
            return any(_compare(row.get(col), op, value, ft) for row in doc.get(tf) or [])
        return _compare(doc.get(col), op, value, ft)

    def _resolve_spec(self, spec: str) -> tuple[str | None, str]:
        """A column written as `field`, `tabX`.`field` or X.field."""
        target = spec.strip().replace("`", "")
        table = None
        if "." in target:
            table, target = target.split(".", 1)
            table = table[3:] if table.startswith("tab") else table
        return self._resolve(table, target)

    # -- ordering -----------------------------------------------------------------------------------
    def _order(self, rows: list[tuple[Doc, Doc | None]], order_by: Any) -> list[tuple[Doc, Doc | None]]:
        spec = str(order_by or f"{self.meta.sort_field} {self.meta.sort_order}")
        keys: list[tuple[str | None, str, bool, str]] = []
        for part in spec.split(","):
            bits = part.strip().split()
            if not bits:
                continue
            desc = len(bits) > 1 and bits[-1].lower() == "desc"
            tf, col = self._resolve_spec(bits[0])
            keys.append((tf, col, desc, self._fieldtype(tf, col)))
        for tf, col, desc, ft in reversed(keys):
            rows.sort(key=_row_key(tf, col, ft), reverse=desc)
        return rows


def _is_op(text: str) -> bool:
    return text.strip().lower() in OPS


TREE_OPS = {"descendants of", "ancestors of", "not descendants of", "not ancestors of"}
OPS = {"=", "!=", "<>", ">", "<", ">=", "<=", "like", "not like", "in", "not in", "is", "between", *TREE_OPS}


def _col_order(meta: Meta) -> Any:
    """`*` lists the standard columns first, then the doctype's fields in schema order."""
    positions = {name: i for i, name in enumerate(STD_FIELDS)}
    positions.update({f["fieldname"]: len(STD_FIELDS) + i for i, f in enumerate(meta.fields)})
    return lambda c: positions.get(c, len(positions))


def _row_key(tf: str | None, col: str, ft: str) -> Callable[[tuple[Doc, Doc | None]], tuple[int, Any]]:
    def key(row: tuple[Doc, Doc | None]) -> tuple[int, Any]:
        return _sort_key((row[1] if tf else row[0]) or {}, col, ft)

    return key


def _sort_key(doc: Doc, col: str, ft: str) -> tuple[int, Any]:
    value = doc.get(col)
    if ft in NUMERIC_TYPES or ft in INT_TYPES:
        return (0, to_decimal(value))
    return (0, str(jsonable(value) if value is not None else "").casefold())


def _norm(value: Any, ft: str) -> Any:
    if ft in NUMERIC_TYPES or ft in INT_TYPES:
        return to_decimal(value)
    return str(jsonable(value) if value is not None else "").casefold()


_OPTIONS: dict[tuple[int, str], tuple[Any, frozenset[Any]]] = {}


def _options(value: Any, ft: str) -> frozenset[Any]:
    """The normalised values of an `in` filter, made once per query, not once per row."""
    cached = _OPTIONS.get((id(value), ft))
    if cached is not None and cached[0] is value:
        return cached[1]
    options = value if isinstance(value, (list, tuple)) else [v.strip() for v in str(value or "").split(",")]
    normalised = frozenset(_norm(o, ft) for o in options)
    if len(_OPTIONS) > 64:
        _OPTIONS.clear()
    _OPTIONS[(id(value), ft)] = (value, normalised)  # the value is kept, so its id is not reused meanwhile
    return normalised


def _compare(actual: Any, op: str, value: Any, ft: str) -> bool:
    if op in TREE_OPS:
        hit = str(actual or "").casefold() in value
        return hit if not op.startswith("not ") else not hit
    if op == "is":
        is_set = actual not in (None, "")
        return is_set if str(value).lower() == "set" else not is_set
    if op in ("in", "not in"):
        hit = _norm(actual, ft) in _options(value, ft)
        return hit if op == "in" else not hit
    if op in ("like", "not like"):
        pattern = "^" + re.escape(str(value or "")).replace("%", ".*").replace("_", ".") + "$"
        hit = re.match(pattern, str(jsonable(actual) if actual is not None else ""), re.I | re.S) is not None
        return hit if op == "like" else not hit
    if op == "between":
        low, high = (value or [None, None])[:2]
        a = _norm(actual, ft)
        return (
            _norm(low, ft) <= a <= _norm(high, ft)
            if ft not in ("Date", "Datetime")
            else str(low) <= str(actual or "")[: len(str(high))] <= str(high)
        )
    if ft in TABLE_TYPES:
        return False
    a, b = _norm(actual, ft), _norm(value, ft)
    if isinstance(a, Decimal) != isinstance(b, Decimal):
        a, b = str(a), str(b)
    return {
        "=": a == b,
        "!=": a != b,
        "<>": a != b,
        ">": a > b,
        "<": a < b,
        ">=": a >= b,
        "<=": a <= b,
    }.get(op, False)
