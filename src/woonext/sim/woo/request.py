"""The parts of an HTTP request the simulated WordPress looks at, parsed the PHP way."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from .errors import WooError

_BRACKETS = re.compile(r"\[([^\]]*)\]")


def php_parse_query(query: str) -> dict[str, Any]:
    """`parse_str`: `a[]=1&a[]=2&f[p]=w` → {"a": {"0": "1", "1": "2"}, "f": {"p": "w"}}.

    Nested values stay string-keyed dicts (PHP arrays); `as_list` turns them into lists.
    """
    result: dict[str, Any] = {}
    for part in query.split("&"):
        if not part:
            continue
        raw_key, _, raw_value = part.partition("=")
        key = unquote_plus(raw_key)
        value = unquote_plus(raw_value)
        base, _, rest = key.partition("[")
        if not base:
            continue
        if not rest:
            result[base] = value
            continue
        subkeys = _BRACKETS.findall("[" + rest)
        target = result.setdefault(base, {})
        if not isinstance(target, dict):
            target = result[base] = {}
        for i, sub in enumerate(subkeys):
            last = i == len(subkeys) - 1
            if sub == "":
                sub = str(len(target))
            if last:
                target[sub] = value
            else:
                nxt = target.setdefault(sub, {})
                if not isinstance(nxt, dict):
                    nxt = target[sub] = {}
                target = nxt
    return result


def as_list(value: Any) -> list[Any]:
    """A list parameter as WordPress reads it: array, or a comma/space separated string."""
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [p for p in re.split(r"[\s,]+", value) if p != ""]
    return [value]


@dataclass
class WooRequest:
    method: str
    path: str  # the REST route, e.g. "/wc/v3/orders/15"
    raw_path: str  # the URL path as requested, e.g. "/wp-json/wc/v3/orders/15"
    raw_query: str
    query: dict[str, Any]
    headers: dict[str, str]
    body_bytes: bytes
    form: dict[str, Any] = field(default_factory=dict)
    _json: Any = None
    _json_parsed: bool = False

    def json(self) -> Any:
        """The JSON body; a malformed one is `400 rest_invalid_json` (like WP_REST_Server)."""
        if not self._json_parsed:
            self._json_parsed = True
            content_type = self.headers.get("content-type", "")
            if self.body_bytes.strip() and "json" in content_type:
                try:
                    self._json = json.loads(self.body_bytes)
                except ValueError as exc:
                    raise WooError(
                        400,
                        "rest_invalid_json",
                        "Invalid JSON body passed.",
                        {"status": 400, "json_error_code": 4, "json_error_message": "Syntax error"},
                    ) from exc
        return self._json

    def params(self) -> dict[str, Any]:
        """Merged parameters: query < form body < JSON body (WordPress' parameter order for writes)."""
        merged: dict[str, Any] = dict(self.query)
        merged.update(self.form)
        body = self.json()
        if isinstance(body, dict):
            merged.update(body)
        return merged
