"""`woonext config check --online`: reach ERPNext and each store with the configured credentials,
name each URL in the verdict, then run the store checks (sync/setup_checks.py). Writes nothing and
keeps no state."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.markup import escape

from woonext.commands._common import console
from woonext.config import Config, StoreConfig, load_config
from woonext.erpnext.client import ErpClient
from woonext.logging import register_secrets
from woonext.sync.online import OnlineError, currency_problem, on_erpnext, reach_erpnext, reach_store
from woonext.sync.setup_checks import Clients, store_checks
from woonext.woo.client import WooClient


def _bad(text: str) -> None:
    console.print(f"[red]✗[/red] {escape(text)}", highlight=False, soft_wrap=True)


async def _store(config: Config, store: StoreConfig, erp: ErpClient) -> int:
    woo = WooClient(store.url, store.consumer_key, store.consumer_secret, max_retries=0, timeout=15)
    try:
        found = await reach_store(woo, store.url)
        console.print(
            f"[green]✓[/green] WooCommerce {found.wc_version} at {store.url} (store {store.name}): sells in "
            f"{found.currency}",
            highlight=False,
        )
        company = await on_erpnext(erp, erp.get_doc("Company", store.company)) or {}
        erp_id = await reach_erpnext(erp)
        mismatch = currency_problem(found, erp_id, store.company, str(company.get("default_currency") or ""))
        problems = [f"WooCommerce at {store.url}: {mismatch}"] if mismatch else []
        for check in await store_checks(Clients(store, woo, erp)):
            if check.ok:
                console.print(f"  [green]✓[/green] {escape(check.what)}", highlight=False)
            elif check.warning:
                console.print(f"  [yellow]![/yellow] {escape(check.what)}: {escape(check.fix)}", highlight=False)
            else:
                problems.append(f"{check.what}: {check.fix}")
        for problem in problems:
            _bad(f"store {store.name}: {problem}")
        return len(problems)
    except OnlineError as exc:
        _bad(str(exc))
        return 1
    finally:
        await woo.aclose()


async def _check(config: Config) -> int:
    erp = ErpClient(config.erpnext.url, config.erpnext.api_key, config.erpnext.api_secret, max_retries=0, timeout=15)
    try:
        try:
            found = await reach_erpnext(erp)
        except OnlineError as exc:
            _bad(str(exc))
            return 1
        console.print(
            f"[green]✓[/green] ERPNext {found.erpnext_version} at {found.url}: user {found.user}, time zone "
            f"{found.time_zone or '?'}",
            highlight=False,
        )
        return sum([await _store(config, store, erp) for store in config.stores])
    finally:
        await erp.aclose()


def check_online(path: Path) -> int:
    """Problems found online (0 = both systems answer and the store matches the configuration)."""
    config = load_config(path)
    register_secrets(config.secret_values())
    return asyncio.run(_check(config))
