"""`woonext sim up`: a WooCommerce and an ERPNext simulator, seeded to match, on loopback ports.

`build_pair` makes the pair in-process (tests, demo); `serve` runs both under uvicorn until SIGINT
or SIGTERM; `config_toml` writes the woonext configuration that points at them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from .bare import BARE_DELIVERY_KEYS, BARE_GATEWAYS, seed_bare
from .clock import SimClock
from .erpnext import ErpSim, ErpSimConfig
from .faults import FaultMiddleware
from .generator import GeneratedStore, generate_store
from .generator_masters import ABBR, COMPANY, MODES_OF_PAYMENT, WAREHOUSE
from .generator_orders import DEFAULT_DELIVERY_KEYS
from .imports import load_orders, seed_imported
from .masters import Masters
from .querylog import QueryLog
from .woo.app import WooSim
from .woo.config import DEFAULT_PAYMENT_GATEWAYS, WooSimConfig

logger = logging.getLogger(__name__)

PAYMENT_METHODS = {
    "cod": "Cash",
    "instapay": "Instapay",
    "kashier_card": "Kashier Card",
    "kashier_wallet": "Kashier Wallet",
}
PREPAID = {"kashier_card": "", "kashier_wallet": ""}  # "" = the company's custom_kashier_account
DELIVERY_META = {"date": "_delivery_date", "time_from": "_delivery_time_from", "duration": "_delivery_duration"}


@dataclass
class SimPair:
    woo: WooSim
    erp: ErpSim
    woo_key: str
    woo_secret: str
    erp_key: str
    erp_secret: str
    masters: Masters
    tax_accounts: dict[str, str]
    currency: str = "EGP"
    webhook_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    erpnext_webhook_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    store: GeneratedStore | None = None  # None when the orders were imported
    erpnext_state: str = "seeded"  # "bare": ERPNext as its setup wizard leaves it (sim/bare.py)

    def env(self, woo_url: str, erp_url: str) -> dict[str, str]:
        """The environment `woonext init` reads: both URLs, keys and secrets."""
        return {
            "WOONEXT_ERPNEXT_URL": erp_url,
            "WOONEXT_ERPNEXT_API_KEY": self.erp_key,
            "WOONEXT_ERPNEXT_API_SECRET": self.erp_secret,
            "WOONEXT_WOO_URL": woo_url,
            "WOONEXT_WOO_CONSUMER_KEY": self.woo_key,
            "WOONEXT_WOO_CONSUMER_SECRET": self.woo_secret,
        }

    def config(self, woo_url: str, erp_url: str, state_url: str = "") -> dict[str, Any]:
        """The woonext configuration (as a dict) for this pair at these URLs."""
        if self.erpnext_state == "bare":
            raise ValueError("a bare ERPNext has no woonext configuration yet: write the environment and run init")
        return {
            **({"state_url": state_url} if state_url else {}),
            "erpnext": {"url": erp_url, "api_key": self.erp_key, "api_secret": self.erp_secret},
            "stores": [
                {
                    "name": "main",
                    "url": woo_url,
                    "consumer_key": self.woo_key,
                    "consumer_secret": self.woo_secret,
                    "webhook_secret": self.webhook_secret,
                    "erpnext_webhook_secret": self.erpnext_webhook_secret,
                    "company": COMPANY,
                    "warehouse": WAREHOUSE,
                    "currency": self.currency,
                    "price_list": "Standard Selling",
                    "payment_methods": dict(PAYMENT_METHODS),
                    "modes_of_payment": {name: name for name in MODES_OF_PAYMENT},
                    "prepaid": dict(PREPAID),
                    "tax_accounts": dict(self.tax_accounts),
                    "delivery_meta": dict(DELIVERY_META),
                    # Historical payments are booked against a clearing account, not a real bank.
                    "migration_accounts": {name: f"Woo Clearing - {ABBR}" for name in MODES_OF_PAYMENT},
                }
            ],
        }


def _seed_woo(woo: WooSim, store: GeneratedStore) -> None:
    for rate in store.tax_rates:
        woo.catalog.import_tax_rate(rate)
    for zone in store.shipping_zones:
        if zone["id"]:
            woo.catalog.import_shipping_zone(zone)
    for product in store.products:
        woo.catalog.import_product(product)
        for variation in store.variations.get(product["id"], []):
            woo.catalog.import_variation(variation)
    for coupon in store.coupons:
        woo.catalog.import_coupon(coupon)
    for customer in store.customers:
        woo.catalog.import_customer(customer)
    for order in store.orders:
        woo.import_order(order)
        for refund in store.refunds.get(order["id"], []):
            woo.import_refund(order["id"], refund)


def build_pair(
    seed: int = 1,
    orders: int = 200,
    *,
    woo_url: str = "http://woo.test",
    latency_ms: float = 0,
    jitter_ms: float = 0,
    faults: str = "",
    import_orders: Path | None = None,
    clock: SimClock | None = None,
    server_mode: bool = False,
    fault_hold_s: float | None = None,
    erpnext_state: str = "seeded",
    seed_items: bool = False,
) -> SimPair:
    """Both simulators, seeded (generated store, or the orders in `import_orders`), keys created.
    `erpnext_state="bare"`: ERPNext as its setup wizard leaves it, a store unlike the defaults."""
    clock = clock or SimClock()
    bare = erpnext_state == "bare"
    imported = load_orders(import_orders) if import_orders is not None else None
    keys = BARE_DELIVERY_KEYS if bare else DEFAULT_DELIVERY_KEYS
    store = None if imported is not None else generate_store(seed, orders, home_url=woo_url, delivery_keys=keys)
    woo = WooSim(
        WooSimConfig(
            home_url=woo_url,
            faults=faults,
            fault_seed=seed,
            latency_ms=int(latency_ms),
            jitter_ms=int(jitter_ms),
            prices_include_tax=store.tax_settings.prices_include_tax if store else False,
            payment_gateways=dict(BARE_GATEWAYS if bare else DEFAULT_PAYMENT_GATEWAYS),
        ),
        clock=clock,
    )
    erp = ErpSim(ErpSimConfig(faults=faults, fault_seed=seed, latency_ms=latency_ms, jitter_ms=jitter_ms), clock=clock)
    for app in (woo.app, erp.app):
        if isinstance(app, FaultMiddleware):
            app.server_mode = server_mode  # behind uvicorn, network faults hold or abort the socket
            if fault_hold_s is not None:  # how long a timeout / lost response holds before a 504
                app.plan.server_hold_s = fault_hold_s
    if store is not None:
        _seed_woo(woo, store)
        masters, tax_accounts, currency = store.masters(), store.tax_account_map(), store.currency
    else:
        assert imported is not None and import_orders is not None
        masters, tax_accounts, currency = seed_imported(woo, imported, import_orders, seed_items)
    if bare:
        masters, tax_accounts = seed_bare(erp, currency), {}
    else:
        erp.seed(masters)
    woo_key, woo_secret = woo.create_key("read_write")
    erp_key, erp_secret = erp.create_api_user("Administrator")
    return SimPair(
        woo=woo,
        erp=erp,
        woo_key=woo_key,
        woo_secret=woo_secret,
        erp_key=erp_key,
        erp_secret=erp_secret,
        masters=masters,
        tax_accounts=tax_accounts,
        currency=currency,
        store=store,
        erpnext_state=erpnext_state,
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml_table(name: str, table: dict[str, Any], array: bool = False) -> list[str]:
    lines = [f"[[{name}]]" if array else f"[{name}]"]
    nested = []
    for key, value in table.items():
        if isinstance(value, dict):
            nested.append((key, value))
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in nested:
        lines += ["", *_toml_table(f"{name}.{key}", value)]
    return lines


def config_toml(config: dict[str, Any]) -> str:
    """Render `SimPair.config(...)` as TOML (top-level scalars, [erpnext], [[stores]] with sub-tables)."""
    lines = [f"{key} = {_toml_value(v)}" for key, v in config.items() if not isinstance(v, dict | list)]
    for key, value in config.items():
        if isinstance(value, dict):
            lines += ["", *_toml_table(key, value)]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                lines += ["", *_toml_table(key, item, array=True)]
    return "\n".join(lines) + "\n"


def write_env(pair: SimPair, path: Path, woo_url: str, erp_url: str) -> None:
    """A shell environment file (`set -a; . FILE`) with what `woonext init` reads; mode 0600."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.touch(mode=0o600)
    tmp.write_text("".join(f"{k}={v}\n" for k, v in pair.env(woo_url, erp_url).items()), encoding="utf-8")
    tmp.replace(path)


def write_config(pair: SimPair, path: Path, woo_url: str, erp_url: str) -> None:
    """Write the configuration; the state database goes next to it."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    state_url = f"sqlite:///{path.parent / 'state.sqlite'}"
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(config_toml(pair.config(woo_url, erp_url, state_url)), encoding="utf-8")
    tmp.replace(path)  # readers never see a half-written file


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to `serve` (two servers share one process)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _scheduler(pair: SimPair, interval_s: float) -> None:
    """What WP-Cron / Action Scheduler and Frappe's scheduler do in the background: deliver the
    webhooks that are due, run ERPNext's daily jobs when the date moves on."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await pair.woo.run_webhooks(now=False)
            pair.erp.run_daily_jobs()
        except Exception as exc:  # a failing delivery must not take the servers down
            logger.warning("background jobs failed: %s: %s", type(exc).__name__, exc)


async def serve_async(
    pair: SimPair,
    woo_port: int,
    erp_port: int,
    host: str = "127.0.0.1",
    on_ready: Callable[[], None] | None = None,
    jobs_interval_s: float = 1.0,
) -> None:
    """Serve both simulators until SIGINT/SIGTERM; then shut both down cleanly."""
    servers = [
        _QuietServer(
            uvicorn.Config(
                app,
                host=host,
                port=port,
                log_level="warning",
                lifespan="off",
                timeout_graceful_shutdown=2,
                access_log=False,
            )
        )
        for app, port in (
            (QueryLog(pair.woo.app, pair.woo.faults), woo_port),
            (QueryLog(pair.erp.app, pair.erp.faults), erp_port),
        )
    ]
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for server in servers:
            server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    jobs = asyncio.create_task(_scheduler(pair, jobs_interval_s))
    erp_webhooks = asyncio.create_task(pair.erp.webhook_worker())  # Frappe's RQ worker: Webhook deliveries
    ready = False
    while not ready and not any(t.done() for t in tasks):
        ready = all(s.started for s in servers)
        await asyncio.sleep(0.02)
    if ready and on_ready is not None:
        on_ready()
    else:
        stop()  # one of them could not start: take the other down too
    try:
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        jobs.cancel()
        erp_webhooks.cancel()
        await asyncio.gather(jobs, erp_webhooks, return_exceptions=True)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    if not ready:
        raise SystemExit(f"could not listen on {host}:{woo_port} and {host}:{erp_port}")
