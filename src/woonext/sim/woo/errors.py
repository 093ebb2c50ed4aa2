"""WordPress REST error objects: {"code", "message", "data": {"status"}}."""

from __future__ import annotations

from typing import Any


class WooError(Exception):
    """An error answered as a WP_Error; `status` is the HTTP status actually sent."""

    def __init__(self, status: int, code: str, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        # WordPress takes the HTTP status from data.status; when data is not an object with a
        # status (refund errors pass a bare integer) the response is a 500.
        self.data: Any = {"status": status} if data is None else data

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": self.data}


def no_route() -> WooError:
    return WooError(404, "rest_no_route", "No route was found matching the URL and request method.")


def order_not_found() -> WooError:
    return WooError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")


def php_list(items: list[str]) -> str:
    """WordPress `%l`: "a, b, and c" (two items: "a and b")."""
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + ", and " + items[-1]


class ParamErrors:
    """Collects rest_invalid_param failures the way WP_REST_Request::has_valid_params does."""

    def __init__(self) -> None:
        self.params: dict[str, str] = {}
        self.details: dict[str, dict[str, Any]] = {}

    def add(self, name: str, code: str, message: str, data: Any = None) -> None:
        if name in self.params:
            return
        self.params[name] = message
        self.details[name] = {"code": code, "message": message, "data": data}

    def raise_if_any(self) -> None:
        if self.params:
            raise WooError(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): " + ", ".join(self.params),
                {"status": 400, "params": self.params, "details": self.details},
            )


def missing_params(names: list[str]) -> WooError:
    return WooError(
        400,
        "rest_missing_callback_param",
        "Missing parameter(s): " + ", ".join(names),
        {"status": 400, "params": names},
    )
