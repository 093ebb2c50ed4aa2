"""An independent OAuth 1.0a (RFC 5849) signer, written from the RFC, to check woonext's against."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote


def rfc5849_signature(method: str, url: str, params: dict[str, str], secret: str) -> tuple[str, str]:
    """RFC 5849 §3.4.1 base string + §3.4.2 HMAC (SHA-256 as WooCommerce uses), from the spec."""

    def enc(value: str) -> str:
        return quote(value.encode("utf-8"), safe="-._~")

    pairs = sorted((enc(k), enc(v)) for k, v in params.items())
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    base = "&".join([method.upper(), enc(url), enc(normalized)])
    key = enc(secret) + "&"  # empty token secret
    digest = hmac.new(key.encode(), base.encode(), hashlib.sha256).digest()
    return base, base64.b64encode(digest).decode()
