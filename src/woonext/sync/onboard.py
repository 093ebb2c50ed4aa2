"""`woonext init`: reach both systems, read what they hold, propose a configuration (docs/onboarding.md).

Questions and files are the command's business (commands/init.py); this module only reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr

from woonext.erpnext.client import ErpClient
from woonext.mapping.onboard_plan import ErpView, Proposal, StoreView, build_proposal
from woonext.sync.context import Transports
from woonext.sync.discover import ErpFacts, StoreFacts, read_erpnext, read_store
from woonext.sync.online import ErpIdentity, OnlineError, StoreIdentity, currency_problem, reach_erpnext, reach_store
from woonext.woo.client import WooClient


@dataclass(frozen=True)
class Credentials:
    erpnext_url: str
    erpnext_key: SecretStr
    erpnext_secret: SecretStr
    woo_url: str
    woo_key: SecretStr
    woo_secret: SecretStr


@dataclass
class Findings:
    erp: ErpIdentity
    store: StoreIdentity
    erp_facts: ErpFacts
    store_facts: StoreFacts


def clients(creds: Credentials, transports: Transports | None = None) -> tuple[ErpClient, WooClient]:
    """Clients that give up at once: an operator waiting at a prompt wants the verdict, not retries."""
    t = transports or Transports()
    erp = ErpClient(
        creds.erpnext_url, creds.erpnext_key, creds.erpnext_secret, transport=t.erpnext, max_retries=0, timeout=15
    )
    woo = WooClient(creds.woo_url, creds.woo_key, creds.woo_secret, transport=t.woo, max_retries=0, timeout=15)
    return erp, woo


async def investigate(creds: Credentials, transports: Transports | None = None) -> Findings:
    """Both systems reached (ERPNext first), then read. Raises `OnlineError` naming the one that failed."""
    erp, woo = clients(creds, transports)
    try:
        erp_id = await reach_erpnext(erp)
        store_id = await reach_store(woo, creds.woo_url)
        return Findings(erp_id, store_id, await read_erpnext(erp), await read_store(woo, creds.woo_url))
    finally:
        await erp.aclose()
        await woo.aclose()


def company_choices(findings: Findings) -> list[str]:
    """Companies to choose from: those keeping their books in the store's currency when any do."""
    companies = findings.erp_facts.companies
    same = [str(c["name"]) for c in companies if str(c.get("default_currency") or "") == findings.store.currency]
    return same or [str(c["name"]) for c in companies]


def check_company(findings: Findings, company: str) -> None:
    """The company exists and books in the store's currency; else `OnlineError` naming both URLs."""
    doc = findings.erp_facts.company(company)
    if doc is None:
        known = ", ".join(repr(str(c["name"])) for c in findings.erp_facts.companies) or "none"
        raise OnlineError("ERPNext", findings.erp.url, f"no company {company!r} (companies: {known})")
    problem = currency_problem(findings.store, findings.erp, company, str(doc.get("default_currency") or ""))
    if problem:
        raise OnlineError("WooCommerce", findings.store.url, problem)


def propose(findings: Findings, company: str, store_name: str) -> Proposal:
    erp, store = findings.erp_facts, findings.store_facts
    doc = erp.company(company) or {"name": company}
    view = ErpView(
        company=doc,
        accounts=[a for a in erp.accounts if a.get("company") == company],
        modes_of_payment=erp.modes_of_payment,
        warehouses=[w for w in erp.warehouses if w.get("company") == company],
        price_lists=erp.price_lists,
        stock_settings=erp.stock_settings,
    )
    seen = StoreView(
        gateways=store.gateways,
        tax_rates=store.tax_rates,
        shipping_methods=store.shipping_methods,
        recent_orders=store.recent_orders,
        skus=len(store.products),
        without_sku=store.without_sku,
    )
    proposal = build_proposal(store_name, seen, view)
    proposal.notes += [note for note in (time_zone_note(findings), *version_notes(findings)) if note]
    if store.without_sku:
        names = ", ".join(store.without_sku[:5]) + (" …" if len(store.without_sku) > 5 else "")
        proposal.notes.append(f"{len(store.without_sku)} products have no SKU ({names}): give them one in WooCommerce")
    return proposal


def _major(version: str) -> int:
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def version_notes(findings: Findings) -> list[str]:
    """Versions woonext was not proven on (observed-real.md: ERPNext 15.92, WooCommerce 11.0.1)."""
    notes = []
    erp, store = findings.erp, findings.store
    if _major(erp.erpnext_version) not in (14, 15, 16):
        notes.append(f"ERPNext {erp.erpnext_version}: woonext is proven on ERPNext 15 (and speaks 14 and 16)")
    if 0 < _major(store.wc_version) < 8:
        notes.append(f"WooCommerce {store.wc_version}: woonext is proven on WooCommerce 11; update the shop")
    return notes


def time_zone_note(findings: Findings) -> str | None:
    """The store's clock (read off its latest order) against ERPNext's time zone at that moment."""
    offset = findings.store_facts.utc_offset()
    if offset is None or not findings.erp.time_zone:
        return None
    orders = findings.store_facts.recent_orders
    try:
        moment = datetime.fromisoformat(str(orders[0].get("date_created_gmt"))).replace(tzinfo=ZoneInfo("UTC"))
        erp_offset = moment.astimezone(ZoneInfo(findings.erp.time_zone)).utcoffset()
    except (ValueError, ZoneInfoNotFoundError):
        return None
    if erp_offset == offset:
        return None
    return (
        f"the store's clock runs at UTC{_hours(offset.total_seconds())}, ERPNext's time zone "
        f"{findings.erp.time_zone} at UTC{_hours(erp_offset.total_seconds() if erp_offset else 0)}: "
        "invoices are dated at the store's local time"
    )


def _hours(seconds: float) -> str:
    sign = "+" if seconds >= 0 else "-"
    minutes = int(abs(seconds)) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
