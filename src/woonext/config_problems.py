"""Configuration problems with their place in the TOML file.

`Problems` collects (location, message) pairs and renders `<location> (line N): <message>`, sorted
by line. Line numbers are found by `key_lines`, a best-effort scan (tomllib keeps no positions) that
follows table headers, arrays of tables, dotted and quoted keys and skips multi-line strings; a key
that is absent maps to the line of its table."""

from __future__ import annotations

import re
from typing import Any

Loc = tuple[str | int, ...]

_KEY_PART = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+)\s*')


def _split_key(text: str) -> list[str]:
    """`a."b.c".d` → ["a", "b.c", "d"]."""
    parts: list[str] = []
    position = 0
    while position < len(text):
        match = _KEY_PART.match(text, position)
        if match is None:
            break
        parts.append(match.group(1).strip("\"'"))
        position = match.end()
        if position < len(text) and text[position] == ".":
            position += 1
        else:
            break
    return parts


def _resolve(names: list[str], arrays: dict[tuple[str, ...], int]) -> Loc:
    """Raw header names → a location with the current index of every array of tables on the way."""
    raw: tuple[str, ...] = ()
    loc: Loc = ()
    for name in names:
        raw += (name,)
        loc += (name,)
        if raw in arrays:
            loc += (arrays[raw],)
    return loc


def key_lines(text: str) -> dict[Loc, int]:
    """Line number (1-based) of every table header and key in the document."""
    lines: dict[Loc, int] = {}
    arrays: dict[tuple[str, ...], int] = {}
    current: Loc = ()
    closing: str | None = None  # the delimiter of an open multi-line string
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if closing is not None:
            if line.count(closing) % 2 == 1:
                closing = None
            continue
        if not line or line.startswith("#"):
            continue
        if line.startswith("[["):
            names = _split_key(line[2:].split("]]", 1)[0])
            arrays[tuple(names)] = arrays.get(tuple(names), -1) + 1
            current = _resolve(names, arrays)
            lines.setdefault(current, number)
            continue
        if line.startswith("["):
            current = _resolve(_split_key(line[1:].split("]", 1)[0]), arrays)
            lines.setdefault(current, number)
            continue
        key, sep, value = line.partition("=")
        if not sep:
            continue
        lines.setdefault(current + tuple(_split_key(key)), number)
        for delimiter in ('"""', "'''"):
            if value.count(delimiter) % 2 == 1:
                closing = delimiter
    return lines


def line_of(loc: Loc, lines: dict[Loc, int]) -> int | None:
    """The line of `loc`, else of its nearest enclosing table that is written in the file."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def location(loc: Loc, raw: dict[str, Any]) -> str:
    """A TOML-ish location: `[[stores]] #2 (name "main").schedules.orders`."""
    out = ""
    items = list(loc)
    i = 0
    while i < len(items):
        part = items[i]
        if part == "stores" and i + 1 < len(items) and isinstance(items[i + 1], int):
            index = int(items[i + 1])
            out += f"[[stores]] #{index + 1}"
            stores = raw.get("stores")
            if isinstance(stores, list) and index < len(stores) and isinstance(stores[index], dict):
                name = stores[index].get("name")
                if isinstance(name, str):
                    out += f' (name "{name}")'
            i += 2
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
        i += 1
    return out or "(top level)"


class Problems:
    """Problems keyed by location, rendered as `<location> (line N): <message>`."""

    def __init__(self) -> None:
        self.items: list[tuple[Loc, str]] = []

    def add(self, loc: Loc, message: str) -> None:
        self.items.append((loc, message))

    def locations(self) -> set[Loc]:
        return {loc for loc, _ in self.items}

    def render(self, raw: dict[str, Any], text: str) -> list[str]:
        lines = key_lines(text)
        located = [(line_of(loc, lines), loc, message) for loc, message in self.items]
        located.sort(key=lambda item: item[0] or 0)  # stable: same-line problems keep their order
        return [f"{location(loc, raw)}{f' (line {line})' if line else ''}: {message}" for line, loc, message in located]
