"""Collection parameter validation the way the WordPress REST layer does it (rest_invalid_param)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .dates import parse_rest_date
from .errors import ParamErrors, php_list
from .request import as_list

Check = Callable[[str, Any, ParamErrors], Any]


def is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, str):
        try:
            return float(value).is_integer() and value.strip() != ""
        except ValueError:
            return False
    return False


def to_bool(value: Any) -> bool | None:
    """rest_is_boolean + rest_sanitize_boolean; None when not a boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return bool(value) if value in (0, 1) else None
    if isinstance(value, str) and value.lower() in ("", "0", "1", "false", "true"):
        return value.lower() in ("1", "true")
    return None


def integer(minimum: int | None = None, maximum: int | None = None) -> Check:
    def check(name: str, value: Any, errors: ParamErrors) -> Any:
        if not is_integer(value):
            errors.add(name, "rest_invalid_type", f"{name} is not of type integer.", {"param": name})
            return None
        number = int(float(value))
        if minimum is not None and maximum is not None and not minimum <= number <= maximum:
            errors.add(
                name, "rest_out_of_bounds", f"{name} must be between {minimum} (inclusive) and {maximum} (inclusive)"
            )
        elif minimum is not None and maximum is None and number < minimum:
            errors.add(name, "rest_out_of_bounds", f"{name} must be greater than or equal to {minimum}")
        return number

    return check


def enum(options: tuple[str, ...]) -> Check:
    def check(name: str, value: Any, errors: ParamErrors) -> Any:
        if not isinstance(value, str) or value not in options:
            errors.add(name, "rest_not_in_enum", f"{name} is not one of {php_list(list(options))}.")
        return value

    return check


def enum_list(options: tuple[str, ...]) -> Check:
    def check(name: str, value: Any, errors: ParamErrors) -> Any:
        items = as_list(value)
        for i, item in enumerate(items):
            if item not in options:
                errors.add(name, "rest_not_in_enum", f"{name}[{i}] is not one of {php_list(list(options))}.")
                break
        return items

    return check


def integer_list(name: str, value: Any, errors: ParamErrors) -> Any:
    items = as_list(value)
    for i, item in enumerate(items):
        if not is_integer(item):
            errors.add(name, "rest_invalid_type", f"{name}[{i}] is not of type integer.", {"param": f"{name}[{i}]"})
            return []
    return [int(float(x)) for x in items]


def string_list(name: str, value: Any, errors: ParamErrors) -> Any:
    return [str(x) for x in as_list(value)]


def boolean(name: str, value: Any, errors: ParamErrors) -> Any:
    result = to_bool(value)
    if result is None:
        errors.add(name, "rest_invalid_type", f"{name} is not of type boolean.", {"param": name})
    return result


def date_time(name: str, value: Any, errors: ParamErrors) -> Any:
    parsed = parse_rest_date(value) if isinstance(value, str) else None
    if parsed is None:
        errors.add(name, "rest_invalid_date", "Invalid date.")
    return parsed


def text(name: str, value: Any, errors: ParamErrors) -> Any:
    if not isinstance(value, str):
        errors.add(name, "rest_invalid_type", f"{name} is not of type string.", {"param": name})
    return value


def base_collection() -> dict[str, Check]:
    return {
        "context": enum(("view", "edit")),
        "page": integer(1),
        "per_page": integer(1, 100),
        "search": text,
        "after": date_time,
        "before": date_time,
        "modified_after": date_time,
        "modified_before": date_time,
        "dates_are_gmt": boolean,
        "exclude": integer_list,
        "include": integer_list,
        "offset": integer(),
        "order": enum(("asc", "desc")),
        "orderby": enum(("date", "id", "include", "title", "slug", "modified")),
        "parent": integer_list,
        "parent_exclude": integer_list,
    }


def validate(schema: dict[str, Check], query: dict[str, Any]) -> dict[str, Any]:
    """Validate present parameters in schema order; returns the sanitized values."""
    errors = ParamErrors()
    values: dict[str, Any] = {}
    for name, check in schema.items():
        if name in query:
            values[name] = check(name, query[name], errors)
    errors.raise_if_any()
    return values
