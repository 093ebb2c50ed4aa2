"""`woonext init`: tax rates → accounts, the history clearing account, the delivery meta keys, the
warehouse and price list. Pure (docs/onboarding.md)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

CLEARING_NAME = "WooCommerce Clearing"
DEFAULT_DELIVERY_KEYS = ("_delivery_date", "_delivery_time_from", "_delivery_duration")


def _dec(value: Any) -> Decimal:
    try:
        return Decimal(str(value or 0)).normalize()
    except InvalidOperation:
        return Decimal(0)


def percent(rate: Any) -> str:
    """ "14.0000" → "14", "2.5000" → "2.5"."""
    return f"{_dec(rate):f}"


@dataclass(frozen=True)
class TaxPlan:
    rate_id: str
    label: str  # "VAT 14% (EG, standard)"
    account: str
    exists: bool
    why: str


def _label(rate: Mapping[str, Any]) -> str:
    where = ", ".join(x for x in (rate.get("country"), rate.get("state"), rate.get("class")) if x)
    return f"{rate.get('name') or 'Tax'} {percent(rate.get('rate'))}%" + (f" ({where})" if where else "")


def _tax_leaves(accounts: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [a for a in accounts if not a.get("is_group") and a.get("account_type") == "Tax"]


def _same_rate(taxes: list[Mapping[str, Any]], pct: str) -> str | None:
    """The one Tax account whose `tax_rate` is this percentage, else the one whose name says it
    ("VAT 5%": many charts leave `tax_rate` at 0); None when there is none or more than one."""
    by_rate = [a for a in taxes if _dec(a.get("tax_rate")) == _dec(pct) and _dec(pct) != 0]
    said = re.compile(rf"(?<![\d.]){re.escape(pct)}\s?%")
    by_name = [a for a in taxes if said.search(str(a.get("account_name") or ""))]
    for found in (by_rate, by_name):
        if len(found) == 1:
            return str(found[0]["name"])
    return None


def propose_tax_accounts(
    rates: Sequence[Mapping[str, Any]], accounts: Sequence[Mapping[str, Any]], abbr: str
) -> list[TaxPlan]:
    """Each rate → an existing Tax account whose name or rate matches, else a new one named after the
    rate ("<name> - <abbr>", or "<name> <rate>% - <abbr>" when two rates share a name)."""
    taxes = _tax_leaves(accounts)
    by_name = {str(a.get("account_name") or "").casefold(): str(a["name"]) for a in taxes}
    names = {str(a["name"]).casefold() for a in accounts}
    shared = Counter(str(r.get("name") or "Tax").casefold() for r in rates)
    plans = []
    for rate in rates:
        name, pct = str(rate.get("name") or "Tax").strip(), percent(rate.get("rate"))
        rid, label = str(rate.get("id")), _label(rate)
        for candidate in (f"{name} {pct}%", name):
            if candidate.casefold() in by_name:
                plans.append(TaxPlan(rid, label, by_name[candidate.casefold()], True, "an account of that name exists"))
                break
        else:
            same = _same_rate(taxes, pct)
            if same is not None:
                plans.append(TaxPlan(rid, label, same, True, f"the only Tax account at {pct}%"))
                continue
            stem = name if shared[name.casefold()] == 1 else f"{name} {pct}%"
            account = f"{stem} - {abbr}"
            if account.casefold() in names:  # a non-tax account has the name already
                account = f"{stem} (WooCommerce {rid}) - {abbr}"
            plans.append(TaxPlan(rid, label, account, False, "new, under Duties and Taxes"))
    return plans


def propose_clearing(accounts: Sequence[Mapping[str, Any]], abbr: str) -> tuple[str, bool]:
    """(account, exists): an existing leaf "…Clearing…" account that is not Cash or Bank, else a new
    Temporary account "WooCommerce Clearing - <abbr>" under Current Assets (sample 89)."""
    for account in accounts:
        name = str(account.get("account_name") or "")
        if (
            "clearing" in name.casefold()
            and not account.get("is_group")
            and account.get("account_type") not in ("Cash", "Bank")
        ):
            return str(account["name"]), True
    return f"{CLEARING_NAME} - {abbr}", False


@dataclass
class DeliveryKeys:
    date: str
    time_from: str
    duration: str
    found: dict[str, int] = field(default_factory=dict)  # role → orders carrying a usable value
    sampled: int = 0


def _is_date(value: Any) -> bool:
    try:
        date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return False
    return True


def _is_time(value: Any) -> bool:
    try:
        time.fromisoformat(str(value).strip())
    except ValueError:
        return False
    return True


def _is_seconds(value: Any) -> bool:
    return str(value).strip().isdigit()


# role → words its key contains (besides "delivery") → what its values must parse as
ROLES: tuple[tuple[str, tuple[str, ...], Callable[[Any], bool]], ...] = (
    ("date", ("date",), _is_date),
    ("time_from", ("time", "from", "slot"), _is_time),
    ("duration", ("duration",), _is_seconds),
)


def detect_delivery_keys(orders: Sequence[Mapping[str, Any]]) -> DeliveryKeys:
    """The meta keys recent orders keep their delivery slot under: for each role, the key containing
    "delivery" and the role's word whose values parse, on the most orders; the default when none."""
    counts: dict[str, Counter[str]] = {role: Counter() for role, _, _ in ROLES}
    for order in orders:
        seen: set[tuple[str, str]] = set()
        for entry in order.get("meta_data") or []:
            key, value = str(entry.get("key") or ""), entry.get("value")
            lowered = key.casefold()
            if "delivery" not in lowered or value in (None, ""):
                continue
            for role, words, parses in ROLES:
                if any(word in lowered for word in words) and parses(value) and (role, key) not in seen:
                    seen.add((role, key))
                    counts[role][key] += 1
    chosen = {}
    for (role, _, _), default in zip(ROLES, DEFAULT_DELIVERY_KEYS, strict=True):
        best = counts[role].most_common(1)
        chosen[role] = best[0][0] if best else default
    found = {role: counts[role][chosen[role]] for role, _, _ in ROLES}
    return DeliveryKeys(chosen["date"], chosen["time_from"], chosen["duration"], found, len(orders))


def choose_warehouse(warehouses: Sequence[Mapping[str, Any]], default: str, company: str) -> str:
    """Stock Settings' default warehouse when it is the company's, else its "Stores", else its first."""
    leaves = [str(w["name"]) for w in warehouses if w.get("company") == company and not w.get("is_group")]
    if default in leaves:
        return default
    stores = [w for w in leaves if w.casefold().startswith("stores")]
    return (stores or leaves or [""])[0]


def choose_price_list(price_lists: Sequence[Mapping[str, Any]], currency: str) -> str:
    """ "Standard Selling" when it sells in the currency, else the first enabled selling list in it."""
    selling = [p for p in price_lists if p.get("selling") and p.get("enabled", 1) and p.get("currency") == currency]
    names = [str(p["name"]) for p in selling]
    return "Standard Selling" if "Standard Selling" in names else (names or ["Standard Selling"])[0]
