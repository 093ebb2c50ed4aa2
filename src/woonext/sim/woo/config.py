"""Configuration of the WooCommerce simulator (what a test may switch per store)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Gateways known to the simulated store and whether each can refund money automatically.
# COD/bank transfer cannot (WooCommerce answers "does not support automatic refunds").
DEFAULT_GATEWAYS: dict[str, bool] = {
    "cod": False,
    "bacs": False,
    "cheque": False,
    "instapay": False,
    "kashier_card": True,
    "kashier_wallet": True,
    "stripe": True,
}

# `GET /payment_gateways`: gateway id → enabled, in the order WooCommerce lists them (core first).
DEFAULT_PAYMENT_GATEWAYS: dict[str, bool] = {
    "bacs": False,
    "cheque": False,
    "cod": True,
    "instapay": True,
    "kashier_card": True,
    "kashier_wallet": True,
    "valu": True,
}

CURRENCY_SYMBOLS: dict[str, str] = {
    "EGP": "EGP",  # WooCommerce's own symbol for EGP is the entity-free code (seen on the real store)
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "INR": "₹",
    "SAR": "ر.س",
}


@dataclass
class WooSimConfig:
    home_url: str = "http://woo.test"
    # True = the site sees HTTPS (behind a TLS proxy that sets HTTPS=on): Basic/query keys work.
    https: bool = False
    timezone: str = "Africa/Cairo"
    currency: str = "EGP"
    price_decimals: int = 2
    prices_include_tax: bool = False
    # A web server that drops the Authorization header before PHP sees it (classic 401 symptom).
    strip_authorization: bool = False
    # Plugin-registered statuses (e.g. "shipped"); they join the status enums.
    custom_statuses: tuple[str, ...] = ()
    gateways: dict[str, bool] = field(default_factory=lambda: dict(DEFAULT_GATEWAYS))
    payment_gateways: dict[str, bool] = field(default_factory=lambda: dict(DEFAULT_PAYMENT_GATEWAYS))
    shipping_enabled: bool = True
    # Seconds between a change and the moment its webhook action becomes due (Action Scheduler lag).
    webhook_delay_seconds: float = 0.0
    # Synchronous delivery at the end of the request (filter woocommerce_webhook_deliver_async=false).
    webhook_deliver_sync: bool = False
    max_webhook_failures: int = 5
    # When served (ASGI lifespan), run the queue every N seconds like WP-Cron; None = only on demand.
    webhook_autorun_seconds: float | None = None
    # wp_safe_remote_request(): refuse delivery URLs on loopback/private addresses or on ports other
    # than 80/443/8080 (the observed store had a plugin lifting this, hence off by default).
    webhook_safe_urls_only: bool = False
    # Host/WAF-style limiter (core WooCommerce has none): N requests per window seconds → 429.
    rate_limit: int | None = None
    rate_limit_window: float = 10.0
    rate_limit_retry_after: int | None = 10
    # Fault injection spec for woonext.sim.faults (see docs/architecture.md).
    faults: str = ""
    fault_seed: int = 0
    latency_ms: int = 0
    jitter_ms: int = 0
    wp_version: str = "7.1"
    wc_version: str = "11.0.1"
    # Salt for wp_hash() (delivery ids); fixed so runs are reproducible.
    wp_salt: str = "woosim-salt"
