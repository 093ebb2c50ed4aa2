"""WooCommerce REST authentication (class-wc-rest-authentication.php) as observed on 11.0.1.

Plain HTTP: only OAuth 1.0a one-legged is tried; Basic and query keys are silently ignored, so the
request runs anonymously. HTTPS: query keys, then Basic; an unknown key stays anonymous.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .errors import WooError

OAUTH_REQUIRED = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)
TIMESTAMP_WINDOW = 15 * 60


@dataclass
class ApiKey:
    key_id: int
    user_id: int
    consumer_key: str
    consumer_secret: str
    permissions: str  # read | write | read_write
    description: str = ""
    # The WordPress role of the key's user: only shop staff pass the endpoints' capability checks.
    role: str = "administrator"
    # timestamp → nonce (the real store keys nonces by timestamp, so equal timestamps overwrite).
    nonces: dict[int, str] = field(default_factory=dict)


def auth_error(message: str) -> WooError:
    return WooError(401, "woocommerce_rest_authentication_error", message)


def rawurlencode(value: str) -> str:
    """PHP rawurlencode + wc_rest_urlencode_rfc3986 (`~` kept)."""
    return quote(value, safe="~")


def _flatten(key: str, value: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for sub, inner in value.items():
            _flatten(f"{key}%5B{sub}%5D", inner, out)
    else:
        out.append((key, "" if value is None else str(value)))


def signature_base_string(method: str, base_url: str, params: dict[str, Any]) -> str:
    """METHOD & rawurlencode(URL) & the doubly encoded, strcmp-sorted parameter pairs."""
    pairs: list[tuple[str, str]] = []
    # Sorting is on the raw keys (uksort strcmp) → byte order of the UTF-8 keys.
    for key in sorted(params, key=lambda k: k.encode()):
        value = params[key]
        encoded_key = rawurlencode(key)
        if isinstance(value, dict):
            _flatten(encoded_key, {k: _encode_tree(v) for k, v in value.items()}, pairs)
        else:
            pairs.append((encoded_key, rawurlencode("" if value is None else str(value))))
    joined = "%26".join(rawurlencode(f"{k}={v}") for k, v in pairs)
    return f"{method.upper()}&{rawurlencode(base_url)}&{joined}"


def _encode_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _encode_tree(v) for k, v in value.items()}
    return rawurlencode("" if value is None else str(value))


def sign(base_string: str, consumer_secret: str, method: str = "HMAC-SHA256") -> str:
    algo = hashlib.sha1 if method == "HMAC-SHA1" else hashlib.sha256
    digest = hmac.new((consumer_secret + "&").encode(), base_string.encode(), algo).digest()
    return base64.b64encode(digest).decode()


def parse_oauth_header(header: str) -> dict[str, str]:
    text = re.sub(r"^OAuth\s*", "", header.strip(), flags=re.I)
    params: dict[str, str] = {}
    for match in re.finditer(r'(\w+)="([^"]*)"', text):
        params[match.group(1)] = unquote(match.group(2))
    params.pop("realm", None)
    return params


class KeyStore:
    def __init__(self) -> None:
        self.keys: dict[str, ApiKey] = {}
        self._next_id = 1

    def create(
        self, permissions: str = "read_write", user_id: int = 1, description: str = "", role: str = "administrator"
    ) -> ApiKey:
        if permissions not in ("read", "write", "read_write"):
            raise ValueError(f"unknown permissions {permissions!r}")
        key = ApiKey(
            key_id=self._next_id,
            user_id=user_id,
            consumer_key="ck_" + secrets.token_hex(20),
            consumer_secret="cs_" + secrets.token_hex(20),
            permissions=permissions,
            description=description,
            role=role,
        )
        self._next_id += 1
        self.keys[key.consumer_key] = key
        return key


@dataclass
class AuthResult:
    key: ApiKey | None = None
    error: WooError | None = None


class Authenticator:
    def __init__(self, keys: KeyStore, home_url: str, https: bool) -> None:
        self.keys = keys
        self.home_url = home_url.rstrip("/")
        self.https = https

    def authenticate(
        self,
        method: str,
        raw_path: str,
        query: dict[str, Any],
        form: dict[str, Any],
        authorization: str,
        now: int,
    ) -> AuthResult:
        result = AuthResult()
        if self.https:
            ck = query.get("consumer_key")
            cs = query.get("consumer_secret")
            if not (isinstance(ck, str) and ck and isinstance(cs, str) and cs):
                ck, cs = _basic_credentials(authorization)
            if ck:
                key = self.keys.keys.get(ck)
                if key is not None:
                    if hmac.compare_digest(key.consumer_secret.encode(), (cs or "").encode()):
                        return AuthResult(key=key)
                    result.error = auth_error("Consumer secret is invalid.")
        oauth = self._oauth(method, raw_path, query, form, authorization, now)
        if oauth.key is not None or oauth.error is not None:
            return oauth
        return result

    def _oauth(
        self,
        method: str,
        raw_path: str,
        query: dict[str, Any],
        form: dict[str, Any],
        authorization: str,
        now: int,
    ) -> AuthResult:
        params: dict[str, Any] = {**query, **form}
        if authorization.lower().startswith("oauth"):
            params.update(parse_oauth_header(authorization))
        missing = [n for n in OAUTH_REQUIRED if not params.get(n)]
        if len(missing) == len(OAUTH_REQUIRED):
            return AuthResult()
        if missing:
            word = "parameter" if len(missing) == 1 else "parameters"
            return AuthResult(
                error=WooError(
                    401,
                    "woocommerce_rest_authentication_missing_parameter",
                    f"Missing OAuth {word} {', '.join(missing)}",
                )
            )
        key = self.keys.keys.get(str(params["oauth_consumer_key"]))
        if key is None:
            return AuthResult(error=auth_error("Consumer key is invalid."))
        provided = unquote(str(params.pop("oauth_signature")).replace(" ", "+"))
        sig_method = str(params.get("oauth_signature_method"))
        if sig_method not in ("HMAC-SHA1", "HMAC-SHA256"):
            return AuthResult(error=auth_error("Invalid signature - signature method is invalid."))
        base = self._base_url(raw_path)
        expected = sign(signature_base_string(method, base, params), key.consumer_secret, sig_method)
        if not hmac.compare_digest(expected.encode(), provided.encode()):
            return AuthResult(error=auth_error("Invalid signature - provided signature does not match."))
        try:
            timestamp = int(str(params["oauth_timestamp"]))
        except ValueError:
            return AuthResult(error=auth_error("Invalid timestamp."))
        if abs(now - timestamp) > TIMESTAMP_WINDOW:
            return AuthResult(error=auth_error("Invalid timestamp."))
        nonce = str(params["oauth_nonce"])
        key.nonces = {ts: n for ts, n in key.nonces.items() if ts > now - TIMESTAMP_WINDOW}
        if nonce in key.nonces.values():
            return AuthResult(error=auth_error("Invalid nonce - nonce has already been used."))
        key.nonces[timestamp] = nonce
        return AuthResult(key=key)

    def _base_url(self, raw_path: str) -> str:
        """home URL + request path (sub-directory prefix stripped), scheme from is_ssl()."""
        home = urlsplit(self.home_url)
        prefix = home.path.rstrip("/")
        path = raw_path
        if prefix and path.startswith(prefix + "/"):
            path = path[len(prefix) :]
        scheme = "https" if self.https else "http"
        return f"{scheme}://{home.netloc}{prefix}{path}"


def _basic_credentials(authorization: str) -> tuple[str, str]:
    if not authorization.lower().startswith("basic "):
        return "", ""
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    user, _, password = decoded.partition(":")
    return user, password


def key_permission_error(key: ApiKey, method: str) -> WooError | None:
    """The rest_pre_dispatch check of the key's permission against the HTTP method."""
    if method in ("GET", "HEAD"):
        if key.permissions not in ("read", "read_write"):
            return auth_error("The API key provided does not have read permissions.")
    elif method in ("POST", "PUT", "PATCH", "DELETE"):
        if key.permissions not in ("write", "read_write"):
            return auth_error("The API key provided does not have write permissions.")
    elif method != "OPTIONS":
        return auth_error("Unknown request method.")
    return None
