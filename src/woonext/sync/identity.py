"""The state database belongs to one ERPNext site and one WooCommerce store.

Pointed at a fresh ERPNext with the same state file (staging switched to production, a new server),
woonext would skip every order as "already synced" and create nothing. So `woonext setup` leaves a
marker in the site — a hidden Custom Field on Company whose description carries a random id — and
the state records, per store, the ERPNext URL and marker and the store's URL (`store/identities.py`).
Every run compares (with the one custom-field read `ensure_ready` makes anyway) and refuses on a
mismatch, saying why and naming the command that starts a fresh state for the store.

A site restored from an older backup keeps its marker: the same site, with documents woonext recorded
missing. `reconcile` finds those and the usual exactly-once path makes them again (sync/lost.py).
A site that only moved to a new address (same marker) is accepted and its new URL recorded; a shop
at a new address is refused until a person says it is the same shop (`woonext state adopt`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import structlog

from woonext.store import StateDB, identities
from woonext.sync.context import StoreContext
from woonext.sync.party_scope import SHARED, party_scope

log = structlog.get_logger(__name__)

MARKER_FIELD = "Company-woonext_site"
_MARKER = re.compile(r"woonext site ([0-9a-f]{32})")


class IdentityMismatch(Exception):
    """The state database was made with another ERPNext site or another store; nothing was written."""


def marker_field(site: str) -> dict[str, Any]:
    """The hidden Custom Field that marks an ERPNext site as the one a woonext state belongs to."""
    return {
        "dt": "Company",
        "fieldname": "woonext_site",
        "label": "woonext site",
        "fieldtype": "Data",
        "hidden": 1,
        "read_only": 1,
        "no_copy": 1,
        "insert_after": "default_cash_account",
        "description": f"woonext site {site}: identifies this ERPNext site to woonext's state database",
    }


def site_of(row: dict[str, Any] | None) -> str:
    """The marker in the Custom Field's description ("" when there is none)."""
    found = _MARKER.search(str((row or {}).get("description") or ""))
    return found.group(1) if found else ""


def new_site() -> str:
    return uuid.uuid4().hex


def same_place(a: str, b: str) -> bool:
    """Two URLs of one site: the scheme (http → https) and a trailing slash do not matter."""
    pa, pb = urlsplit(a.lower()), urlsplit(b.lower())
    return (pa.hostname, pa.port, pa.path.rstrip("/")) == (pb.hostname, pb.port, pb.path.rstrip("/"))


@dataclass(frozen=True)
class Pointed:
    """What a run is pointed at: the store, its ERPNext and WooCommerce URLs, whether people are shared."""

    store: str
    erp_url: str
    woo_url: str
    shared: bool


def _pointed(ctx: StoreContext) -> Pointed:
    return Pointed(ctx.store, ctx.erp.url, ctx.config.url, party_scope(ctx) == SHARED)


def _erp_mismatch(at: Pointed, recorded: identities.Identity, site: str, whose: str) -> IdentityMismatch:
    now = f"carries marker {site}" if site else "has no woonext marker (a fresh site, or restored from before setup)"
    return IdentityMismatch(
        f"{whose} in this state database were made with the ERPNext site at {recorded.erp_url} "
        f"(marker {recorded.erp_site}), but {at.erp_url} {now}: another site. Kept as they are, they "
        "would make woonext skip its orders as already synced. If this ERPNext is the one to use from now "
        f"on, start a fresh state for the store: `woonext state reset --store {at.store}` (the old "
        f"records are kept aside), then `woonext setup`; otherwise point [erpnext] url back at {recorded.erp_url}"
    )


def compare(db: StateDB, at: Pointed, site: str) -> None:
    """Compare the ERPNext site and the store with what the state recorded; record them the first time.
    Raises IdentityMismatch. (Synchronous, over the state DB: run in a thread.)"""
    recorded = identities.get(db, at.store)
    if recorded is None:
        identities.record(db, at.store, at.erp_url, site, at.woo_url)
    elif recorded.erp_site != site:
        raise _erp_mismatch(at, recorded, site, f"store {at.store}'s records")
    elif not same_place(recorded.woo_url, at.woo_url):
        raise IdentityMismatch(
            f"store {at.store}'s records in this state database were made with the WooCommerce store at "
            f"{recorded.woo_url}, but the configuration now says {at.woo_url}. If it is the same shop at "
            f"a new address: `woonext state adopt --store {at.store}`; if it is another shop: `woonext state "
            f"reset --store {at.store}` (starts a fresh state for it, the old records kept aside)"
        )
    elif recorded.erp_url != at.erp_url:  # the same site (same marker) at a new address
        log.info("erpnext_moved", store=at.store, was=recorded.erp_url, now=at.erp_url)
        identities.record(db, at.store, at.erp_url, site, recorded.woo_url)
    if at.shared:
        shared = identities.get(db, SHARED)
        if shared is None or (shared.erp_site != site and not identities.has_records(db, SHARED)):
            identities.record(db, SHARED, at.erp_url, site)
        elif shared.erp_site != site:
            raise _erp_mismatch(at, shared, site, "the customers shared by the stores")


async def check_identity(ctx: StoreContext, site: str) -> None:
    """`compare` for this run (one hop to the state DB's thread)."""
    await ctx.state.run(compare, ctx.db, _pointed(ctx), site)


async def ensure_site(ctx: StoreContext, *, dry_run: bool) -> bool:
    """`woonext setup`, before it creates anything: the site's marker, made when the site has none —
    unless this state database belongs to a marked site, which is then another one (refused). Returns
    True when a marker was made (or would be, in a dry run)."""
    site = await read_site(ctx)
    if site or await ctx.state.run(identities.get, ctx.db, ctx.store) is not None:
        await check_identity(ctx, site)  # "" against a recorded site: IdentityMismatch
        return False
    site = new_site()
    if not dry_run:
        await ctx.erp.insert("Custom Field", marker_field(site))
        await check_identity(ctx, site)
    return True


async def read_site(ctx: StoreContext) -> str:
    """The marker of the ERPNext site (one request; "" when setup never left one)."""
    return site_of(await ctx.erp.get_doc("Custom Field", MARKER_FIELD))


def _adopt(db: StateDB, at: Pointed, site: str) -> None:
    identities.record(db, at.store, at.erp_url, site, at.woo_url)
    if at.shared:
        identities.record(db, SHARED, at.erp_url, site)


async def adopt(ctx: StoreContext, site: str) -> None:
    """`woonext state adopt`: a person says this is the same ERPNext site and the same shop."""
    await ctx.state.run(_adopt, ctx.db, _pointed(ctx), site)


def _reset(db: StateDB, store: str, site: str) -> list[tuple[str, int]]:
    done = [identities.archive(db, store)]
    shared = identities.get(db, SHARED)
    if (shared.erp_site != site) if shared is not None else (not site and identities.has_records(db, SHARED)):
        done.append(identities.archive(db, SHARED))
    return done


async def reset(ctx: StoreContext, site: str) -> list[tuple[str, int]]:
    """`woonext state reset`: the store's records archived; the shared customers' too when they were
    made with another ERPNext site than this one. Returns (archive, rows moved) per archived scope."""
    return await ctx.state.run(_reset, ctx.db, ctx.store, site)
