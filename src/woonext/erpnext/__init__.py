"""ERPNext adapter: the async Frappe REST client and its decoded errors."""

from .client import ErpClient
from .errors import ErpError, ErpUncertain, decode_error, is_retryable, server_messages, strip_html

__all__ = [
    "ErpClient",
    "ErpError",
    "ErpUncertain",
    "decode_error",
    "is_retryable",
    "server_messages",
    "strip_html",
]
