"""JSON as PHP's json_encode writes it (WordPress wp_json_encode with default flags).

Webhook signatures are computed over these exact bytes, so the escaping must match:
`/` becomes `\\/`, every non-ASCII character becomes `\\uXXXX` (lower-case hex, surrogate pairs),
no spaces between tokens, floats in shortest round-trip form.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def _prepare(value: Any) -> Any:
    if isinstance(value, Decimal):
        return php_number(value)
    if isinstance(value, dict):
        return {str(k): _prepare(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_prepare(v) for v in value]
    return value


def php_number(value: Decimal) -> int | float:
    """A PHP number from a decimal: integral → int (PHP keeps `405/1` an int), else a float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def encode(value: Any) -> str:
    text = json.dumps(_prepare(value), ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("/", "\\/")


def encode_bytes(value: Any) -> bytes:
    return encode(value).encode("ascii")
