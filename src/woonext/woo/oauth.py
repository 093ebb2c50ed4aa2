"""OAuth 1.0a one-legged request signing, the way WooCommerce verifies it
(`class-wc-rest-authentication.php`, api-contracts A1.2): HMAC-SHA256, key = consumer secret + "&",
base string = METHOD & rawurlencode(base URL) & the sorted, doubly encoded parameter pairs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from urllib.parse import quote, urlsplit, urlunsplit

SIGNATURE_METHOD = "HMAC-SHA256"


def rfc3986(value: str) -> str:
    """PHP `rawurlencode`: everything but ALPHA / DIGIT / "-" / "." / "_" / "~" is %XX-encoded."""
    return quote(value, safe="~")


def normalized_url(url: str) -> str:
    """Scheme and host lower-cased, default port dropped, query and fragment removed."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is not None and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", "", ""))


def base_string(method: str, url: str, params: Mapping[str, str]) -> str:
    """The signature base string. `params` = query parameters plus the oauth_* ones (without
    oauth_signature); sorted by raw key bytes as PHP's strcmp does."""
    pairs = [f"{rfc3986(k)}={rfc3986(params[k])}" for k in sorted(params, key=lambda k: k.encode())]
    joined = "%26".join(rfc3986(pair) for pair in pairs)
    return f"{method.upper()}&{rfc3986(normalized_url(url))}&{joined}"


def signature(base: str, consumer_secret: str) -> str:
    digest = hmac.new((consumer_secret + "&").encode(), base.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def oauth_params(
    method: str,
    url: str,
    query: Mapping[str, str],
    consumer_key: str,
    consumer_secret: str,
    *,
    nonce: str | None = None,
    timestamp: int | None = None,
) -> dict[str, str]:
    """The oauth_* parameters (signature included) to add to the query string of this request."""
    oauth = {
        "oauth_consumer_key": consumer_key,
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_signature_method": SIGNATURE_METHOD,
        "oauth_timestamp": str(timestamp if timestamp is not None else int(time.time())),
    }
    overlap = set(oauth) & set(query)
    if overlap:
        raise ValueError(f"query parameters may not use OAuth names: {', '.join(sorted(overlap))}")
    base = base_string(method, url, {**query, **oauth})
    oauth["oauth_signature"] = signature(base, consumer_secret)
    return oauth
