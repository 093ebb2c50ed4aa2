"""Errors from the Frappe/ERPNext REST API (api-contracts B3, B8; observed-real.md).

A Frappe error body carries `exc_type` (the exception class), sometimes `exception` (last
traceback line), and `_server_messages`: a JSON string of a list of JSON strings, each an object
with `message`. `ErpError.kind` says what the caller should do:

- `"retryable"`: the same request later may succeed (throttling, deadlock, lock wait, document
  locked, stale `modified` — re-read and re-apply —, a proxy's 502/503/504, an HTML page, no answer);
- `"needs_review"`: ERPNext refused the data (validation, missing master, duplicate); a person or a
  fix of the data/configuration is needed, repeating will not help;
- `"permanent"`: credentials or permissions are wrong; nothing works until the config is fixed;
- `"uncertain"` (`ErpUncertain` only): a write got no answer and may have been applied.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any, Literal

Kind = Literal["retryable", "needs_review", "permanent", "uncertain"]

RETRYABLE_EXC_TYPES = frozenset(
    {
        "QueryDeadlockError",
        "QueryTimeoutError",
        "DocumentLockedError",
        "TimestampMismatchError",
        "TooManyRequestsError",
        "RateLimitExceededError",
        "InReadOnlyMode",
        "SessionStopped",
        "QueueOverloaded",
        # The database connection dropped (MariaDB 2006/2013): infrastructure, not data.
        "OperationalError",
        "InterfaceError",
    }
)
PERMANENT_EXC_TYPES = frozenset(
    {
        "AuthenticationError",
        "PermissionError",
        "SessionExpired",
        "CSRFTokenError",
        "InvalidAuthorizationToken",
    }
)
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def strip_html(text: str) -> str:
    """`<strong>x</strong> units of <a …>Item y</a>` → `x units of Item y`."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", text))).strip()


class ErpError(Exception):
    """A failed ERPNext request. `status` 0 = no HTTP answer. `messages` are the raw server
    messages (HTML kept); `message` is the human text (tags stripped)."""

    def __init__(
        self,
        status: int,
        exc_type: str,
        message: str,
        messages: list[str] | None = None,
        kind: Kind = "needs_review",
        *,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.exc_type = exc_type
        self.message = message
        self.messages = messages or []
        self.kind: Kind = kind
        self.retry_after = retry_after
        super().__init__(f"ERPNext {status or 'no answer'} {exc_type}: {message}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, exc_type={self.exc_type!r}, kind={self.kind!r})"


class ErpUncertain(ErpError):
    """A write (POST/PUT/DELETE) got no usable answer — timeout, dropped connection, a proxy's
    502/504, a cut or HTML body — so it may have been applied. Look the document up by its sync key
    before writing again; the client never repeats such a write by itself."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, "Uncertain", message, [], "uncertain")


def is_retryable(exc: BaseException) -> bool:
    """True when repeating the operation later may succeed. For `ErpUncertain` that means repeating
    the *flow*, which looks the document up by its key first — never resending the write blindly."""
    return isinstance(exc, ErpError) and exc.kind in ("retryable", "uncertain")


def server_messages(body: dict[str, Any]) -> list[str]:
    """Decode the double-encoded `_server_messages` into the list of raw message texts."""
    raw = body.get("_server_messages")
    if not raw:
        return []
    try:
        outer = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        return [str(raw)]
    messages: list[str] = []
    for item in outer if isinstance(outer, list) else [outer]:
        inner: Any = item
        if isinstance(item, str):
            try:
                inner = json.loads(item)
            except json.JSONDecodeError:
                inner = item
        if isinstance(inner, dict):
            text = inner.get("message")
            if text is not None:
                messages.append(str(text))
        elif inner is not None:
            messages.append(str(inner))
    return messages


def _exception_text(body: dict[str, Any], exc_type: str) -> str:
    """`frappe.exceptions.X: text` → `text`; "" when the line names only the class."""
    exception = str(body.get("exception") or "")
    head, sep, rest = exception.partition(": ")
    if sep and head.rsplit(".", 1)[-1] == exc_type:
        return rest
    if sep and "." in head and " " not in head:
        return rest
    return "" if exception.rsplit(".", 1)[-1] == exc_type else exception


_DEFAULT_MESSAGES = {
    "AuthenticationError": (
        "ERPNext rejected the API key/secret; check [erpnext] api_key and api_secret "
        "(User → API Access → Generate Keys) and that the user is enabled"
    ),
    "PermissionError": ("ERPNext refused the request for lack of permission; give the API user the needed roles"),
    "QueryDeadlockError": "database deadlock in ERPNext; retry",
    "QueryTimeoutError": "database lock wait timeout in ERPNext; retry",
    "TooManyRequestsError": "ERPNext rate limit reached; wait and retry",
}


def classify(status: int, exc_type: str) -> Kind:
    """What to do about an error response (B8 as corrected by observed-real.md)."""
    if exc_type in RETRYABLE_EXC_TYPES or status in RETRYABLE_STATUSES:
        return "retryable"
    if status in (401, 403) or exc_type in PERMANENT_EXC_TYPES:
        return "permanent"
    return "needs_review"


_LINE_TOO_LARGE = re.compile(r"Request Line is too large \((\d+) (?:&gt;|>) (\d+)\)")


def request_line_too_large(status: int, text: str) -> ErpError | None:
    """gunicorn's own 400 page (sample 103): the request line was over `limit_request_line` (4,094
    bytes by default). Not Frappe answering and not the data: the query must be sent in parts."""
    match = _LINE_TOO_LARGE.search(text) if status == 400 else None
    if match is None:
        return None
    sent, limit = match.groups()
    return ErpError(
        400,
        "RequestLineTooLarge",
        f"ERPNext's web server refused a request line of {sent} bytes (its limit is {limit}); "
        "woonext splits long queries, so this is a woonext bug: please report it with this message",
        [],
        "permanent",
    )


def decode_error(
    status: int,
    body: Any,
    *,
    method: str = "GET",
    path: str = "",
    retry_after: float | None = None,
) -> ErpError:
    """An `ErpError` from an error response's parsed JSON body."""
    if isinstance(body, str) and (too_large := request_line_too_large(status, body)) is not None:
        return too_large
    if not isinstance(body, dict):
        body = {}
    exc_type = str(body.get("exc_type") or "")
    if not exc_type:
        exception = str(body.get("exception") or "")
        exc_type = exception.split(":", 1)[0].rsplit(".", 1)[-1] if exception else f"HTTP{status}"
    messages = server_messages(body)
    human = "; ".join(filter(None, (strip_html(m) for m in messages)))
    if not human:
        human = strip_html(_exception_text(body, exc_type))
    if not human and body.get("_error_message"):
        human = strip_html(str(body["_error_message"]))
    if not human:
        human = _DEFAULT_MESSAGES.get(exc_type, f"{method} {path} failed with HTTP {status}".replace("  ", " "))
    kind = classify(status, exc_type)
    if exc_type == "PermissionError" and status == 403:
        human = f"{human} (the API user lacks a permission, or the method was called with the wrong HTTP verb)"
    return ErpError(status, exc_type, human, messages, kind, retry_after=retry_after)
