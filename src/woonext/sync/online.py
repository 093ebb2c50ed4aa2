"""Reaching both systems with the given credentials, and saying in one line which one failed, at
which URL, and what to check (`woonext init`, `woonext config check --online`)."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

from woonext.erpnext.client import ErpClient
from woonext.erpnext.errors import ErpError
from woonext.woo.client import WooClient
from woonext.woo.errors import WooError

T = TypeVar("T")


class OnlineError(Exception):
    """One system could not be used; the message names it and its URL."""

    def __init__(self, system: str, url: str, problem: str) -> None:
        self.system = system
        self.url = url
        self.problem = problem
        super().__init__(f"{system} at {url}: {problem}")

    @property
    def unreachable(self) -> bool:
        """The system did not answer (exit 3), rather than refusing or disagreeing (exit 2)."""
        return self.problem.startswith("no answer")


@dataclass(frozen=True)
class ErpIdentity:
    url: str
    user: str
    frappe_version: str
    erpnext_version: str
    time_zone: str


@dataclass(frozen=True)
class StoreIdentity:
    url: str
    wc_version: str
    wp_version: str
    currency: str


def erp_problem(exc: ErpError) -> str:
    if exc.status == 0:
        return f"no answer ({exc.exc_type}); check the URL and that the site is up"
    if exc.status == 401 or exc.exc_type == "AuthenticationError":
        return "the API key or secret is wrong (AuthenticationError); copy both again from User → API Access"
    if exc.status == 403:
        return f"the API user lacks a permission ({exc.message}); give it the roles listed in docs/onboarding.md"
    return f"{exc.exc_type}: {exc.message}"


def woo_problem(exc: WooError) -> str:
    if exc.status == 0:
        what = exc.message.split(": ", 1)[-1].split(";")[0]  # "GET path: ConnectError; …" → ConnectError
        return f"no answer ({what}); check the URL and that the shop is up"
    if exc.status in (401, 403):
        return f"the consumer key or secret was refused ({exc.code}): {exc.message}"
    return f"{exc.code}: {exc.message}"


async def on_erpnext(erp: ErpClient, call: Awaitable[T]) -> T:
    """`await call`, an ERPNext failure turned into an `OnlineError` naming ERPNext and its URL."""
    try:
        return await call
    except ErpError as exc:
        raise OnlineError("ERPNext", erp.url, erp_problem(exc)) from None


async def on_store(woo: WooClient, url: str, call: Awaitable[T]) -> T:
    try:
        return await call
    except WooError as exc:
        raise OnlineError("WooCommerce", url, woo_problem(exc)) from None


async def reach_erpnext(erp: ErpClient) -> ErpIdentity:
    """Who the key belongs to, the versions and the site's time zone (three light requests)."""
    user = await on_erpnext(erp, erp.get_logged_user())
    versions = await on_erpnext(erp, erp.call_get("frappe.utils.change_log.get_versions"))
    settings = await on_erpnext(erp, erp.get_doc("System Settings", "System Settings")) or {}
    apps = versions if isinstance(versions, dict) else {}
    return ErpIdentity(
        url=erp.url,
        user=user,
        frappe_version=str((apps.get("frappe") or {}).get("version") or "?"),
        erpnext_version=str((apps.get("erpnext") or {}).get("version") or "?"),
        time_zone=str(settings.get("time_zone") or ""),
    )


async def reach_store(woo: WooClient, url: str) -> StoreIdentity:
    """Versions and currency from WooCommerce → Status (needs an admin's Read/Write key)."""
    status = await on_store(woo, url, woo.system_status())
    environment, settings = status.get("environment") or {}, status.get("settings") or {}
    return StoreIdentity(
        url=url,
        wc_version=str(environment.get("version") or "?"),
        wp_version=str(environment.get("wp_version") or "?"),
        currency=str(settings.get("currency") or "").upper(),
    )


def currency_problem(store: StoreIdentity, erp: ErpIdentity, company: str, company_currency: str) -> str | None:
    """The store sells in another currency than the company keeps its books in: every invoice would
    be a foreign-currency one, converted at a daily rate — not what the shop's books expect. The text
    follows "WooCommerce at <url>: "."""
    if store.currency and company_currency and store.currency != company_currency.upper():
        return (
            f"sells in {store.currency}, but ERPNext company {company!r} at {erp.url} "
            f"keeps its books in {company_currency}: pick a company in {store.currency} (--company) or change "
            "the store's currency (WooCommerce → Settings → General)"
        )
    return None
