"""WooCommerce adapter: the async REST client, its errors and OAuth 1.0a signing."""

from .client import WooClient, WooPage, flatten_params
from .errors import WooError, WooUncertain

__all__ = ["WooClient", "WooError", "WooPage", "WooUncertain", "flatten_params"]
