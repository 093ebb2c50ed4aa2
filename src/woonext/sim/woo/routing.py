"""A small route table with WordPress' matching rules and per-operation permission codes."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import WooError
from .request import WooRequest

if TYPE_CHECKING:
    from .app import WooSim

WRITE = ("POST", "PUT", "PATCH")

PERMISSION_ERRORS = {
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "delete": ("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."),
    "batch": ("woocommerce_rest_cannot_batch", "Sorry, you are not allowed to batch manipulate this resource."),
}


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


Validator = Callable[["WooSim", WooRequest], dict[str, Any]]
Handler = Callable[["WooSim", WooRequest, dict[str, str], dict[str, Any]], Awaitable[Reply]]


@dataclass
class Endpoint:
    operation: str
    handler: Handler
    validator: Validator | None = None


@dataclass
class Route:
    pattern: re.Pattern[str]
    endpoints: dict[str, Endpoint]


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self,
        path: str,
        methods: tuple[str, ...] | str,
        operation: str,
        handler: Handler,
        validator: Validator | None = None,
    ) -> None:
        regex = re.compile("^" + path + "$")
        route = next((r for r in self.routes if r.pattern.pattern == regex.pattern), None)
        if route is None:
            route = Route(regex, {})
            self.routes.append(route)
        for method in (methods,) if isinstance(methods, str) else methods:
            route.endpoints[method] = Endpoint(operation, handler, validator)

    def match(self, method: str, path: str) -> tuple[Endpoint, dict[str, str], list[str]]:
        for route in self.routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            endpoint = route.endpoints.get("GET" if method == "HEAD" else method)
            if endpoint is not None:
                return endpoint, found.groupdict(), list(route.endpoints)
        raise WooError(404, "rest_no_route", "No route was found matching the URL and request method.")


def permission_error(operation: str, status: int = 401) -> WooError:
    code, message = PERMISSION_ERRORS[operation]
    return WooError(status, code, message)


def sparse(body: Any, fields_param: str) -> Any:
    """WordPress `_fields`: keep only the listed keys (dotted paths reach into objects)."""
    wanted = [f.strip() for f in fields_param.split(",") if f.strip()]

    def pick(item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        out: dict[str, Any] = {}
        for key, value in item.items():
            nested = [w[len(key) + 1 :] for w in wanted if w.startswith(key + ".")]
            if key in wanted:
                out[key] = value
            elif nested and isinstance(value, dict):
                out[key] = {k: v for k, v in value.items() if k in nested}
        return out

    return [pick(x) for x in body] if isinstance(body, list) else pick(body)
