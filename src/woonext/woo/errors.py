"""Errors from the WooCommerce REST API, decoded from WordPress's error body
(`{"code": …, "message": …, "data": {"status": …}}`)."""

from __future__ import annotations

from typing import Any

# Messages that point at the usual cause, keyed by WooCommerce/WordPress error code.
_AUTH_HINTS: dict[str, str] = {
    "woocommerce_rest_cannot_view": (
        "the request reached WooCommerce as an anonymous user. Over http:// WooCommerce accepts only "
        "OAuth 1.0a (woonext signs with it when the store url starts with http://); over https:// it "
        "needs Basic auth, which some web servers strip (then the Authorization header never arrives). "
        "Check that the store url (scheme, host, port) is exactly the site's home URL and that the key "
        "exists"
    ),
    "woocommerce_rest_cannot_create": "the key's user may not create this resource; use an admin's key",
    "woocommerce_rest_cannot_edit": "the key's user may not edit this resource; use an admin's key",
    "woocommerce_rest_cannot_delete": "the key's user may not delete this resource; use an admin's key",
}


class WooError(Exception):
    """A failed WooCommerce request. `status` 0 means no HTTP answer (connection error, timeout).

    `retryable` says whether repeating the same request later may succeed (throttling, a busy or
    broken upstream, an HTML page instead of JSON); auth and validation errors are not retryable.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        retryable: bool = False,
        *,
        data: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.retryable = retryable
        self.data = data or {}
        self.retry_after = retry_after
        super().__init__(f"WooCommerce {status or 'no answer'} {code}: {message}")

    def __repr__(self) -> str:
        return f"WooError(status={self.status}, code={self.code!r}, retryable={self.retryable})"


class WooUncertain(WooError):
    """A write got no answer (timeout, dropped connection): it may or may not have been applied.
    Read the object back before writing again."""


def auth_hint(code: str, message: str) -> str:
    """What to check for an authentication/permission failure."""
    if code in _AUTH_HINTS:
        return _AUTH_HINTS[code]
    lowered = message.lower()
    if "write permissions" in lowered:
        return "the API key is read-only; create a key with Read/Write permission in WooCommerce"
    if "read permissions" in lowered:
        return "the API key is write-only; create a key with Read/Write permission in WooCommerce"
    if "consumer secret is invalid" in lowered:
        return "the consumer secret does not belong to this consumer key; copy both again"
    if "consumer key is invalid" in lowered:
        return "WooCommerce does not know this consumer key; check consumer_key for this store"
    if "signature" in lowered:
        return (
            "the OAuth signature did not match: the store url must be exactly the WordPress home URL "
            "(scheme, host name and port as configured in WordPress), and the secret must be right"
        )
    if "timestamp" in lowered:
        return "this machine's clock differs from the shop's by more than 15 minutes; fix the clock (NTP)"
    return "check the store's consumer key and secret and their permissions"


def decode_error(status: int, body: Any, retry_after: float | None = None) -> WooError:
    """A `WooError` from an error response's parsed JSON body (anything WordPress may send)."""
    code = "http_error"
    message = f"HTTP {status}"
    data: dict[str, Any] = {}
    if isinstance(body, dict):
        code = str(body.get("code") or code)
        message = str(body.get("message") or message)
        raw_data = body.get("data")
        if isinstance(raw_data, dict):
            data = raw_data
    retryable = status in (429, 502, 503, 504) or (status >= 500 and code == "http_error")
    if status in (401, 403):
        message = f"{message} ({auth_hint(code, message)})"
    return WooError(status, code, message, retryable, data=data, retry_after=retry_after)
