"""`woonext init`: each WooCommerce gateway → a payment value, a Mode of Payment and where its money
goes. Pure: the facts come in, proposals go out (docs/onboarding.md).

A gateway gets a proposal when a sound default exists:
- a gateway woonext knows (`KNOWN`): cash on delivery, bank transfer, cheque, InstaPay, Kashier;
- any other gateway whose orders carry a transaction id: an online gateway that took the money, so
  the invoice is paid by a Payment Entry into an account of its own ("<title> - <abbr>").
Otherwise (an unknown gateway without orders, or whose orders carry no transaction id) nobody can
tell whether the money is already taken or still to collect: it is `Undecided`, asked on a terminal
and listed with `--yes`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

MopType = Literal["Cash", "Bank", "Phone", "General"]
KASHIER = "kashier"  # the shared Kashier account (Company.custom_kashier_account)


@dataclass(frozen=True)
class Gateway:
    """What the store says about one gateway: listed by GET /payment_gateways and/or seen on orders."""

    id: str
    title: str
    enabled: bool = False
    listed: bool = False
    orders: int = 0
    with_transaction_id: int = 0

    @property
    def needs_mapping(self) -> bool:
        """Enabled now, or used by orders (a disabled gateway's old orders still need a mapping)."""
        return self.enabled or self.orders > 0


@dataclass(frozen=True)
class Known:
    value: str  # Sales Invoice custom_payment_method
    mode_of_payment: str
    mop_type: MopType
    account: str  # account name without " - abbr"; "" = the company's default cash account
    prepaid: str = ""  # "" = not prepaid; KASHIER = the company's Kashier account; "own" = `account`


KNOWN: dict[str, Known] = {
    "cod": Known("Cash", "Cash", "Cash", ""),
    "bacs": Known("Bank Transfer", "Wire Transfer", "Bank", "Bank Transfer"),
    "cheque": Known("Cheque", "Cheque", "Bank", "Cheque"),
    "instapay": Known("Instapay", "Instapay", "Bank", "Instapay"),
    "kashier_card": Known("Kashier Card", "Kashier Card", "Bank", "Kashier", KASHIER),
    "kashier_wallet": Known("Kashier Wallet", "Kashier Wallet", "Phone", "Kashier", KASHIER),
}


@dataclass(frozen=True)
class PaymentPlan:
    gateway: Gateway
    value: str
    mode_of_payment: str
    mop_type: MopType
    account: str  # the Mode of Payment's account for the company (full name)
    prepaid: str  # None-like "": not prepaid; KASHIER; or the full account name
    why: str

    @property
    def is_prepaid(self) -> bool:
        return bool(self.prepaid)


@dataclass(frozen=True)
class Undecided:
    gateway: Gateway
    reason: str


def gateways_from(listed: Iterable[Mapping[str, Any]], orders: Iterable[Mapping[str, Any]]) -> list[Gateway]:
    """The store's gateways: GET /payment_gateways merged with the `payment_method`s of recent orders."""
    found: dict[str, dict[str, Any]] = {}
    for row in listed:
        gid = str(row.get("id") or "")
        if gid:
            title = str(row.get("method_title") or row.get("title") or gid)
            found[gid] = {"title": title, "enabled": bool(row.get("enabled")), "listed": True}
    for order in orders:
        gid = str(order.get("payment_method") or "").strip()
        if not gid:
            continue
        entry = found.setdefault(gid, {"title": str(order.get("payment_method_title") or gid)})
        entry["orders"] = entry.get("orders", 0) + 1
        if str(order.get("transaction_id") or "").strip():
            entry["with_transaction_id"] = entry.get("with_transaction_id", 0) + 1
    return [Gateway(id=gid, **fields) for gid, fields in found.items()]


def select_value(text: str) -> str:
    """A title usable as a Select option (one line, no surrounding blanks, at most 140 characters)."""
    return re.sub(r"\s+", " ", text).strip()[:140]


def _existing_account(mop: Mapping[str, Any] | None, company: str) -> str:
    for row in (mop or {}).get("accounts") or []:
        if row.get("company") == company and row.get("default_account"):
            return str(row["default_account"])
    return ""


def propose_payment(
    gateway: Gateway,
    *,
    company: str,
    abbr: str,
    cash_account: str,
    modes_of_payment: Mapping[str, Mapping[str, Any]],
) -> PaymentPlan | Undecided:
    """One gateway's proposal, reusing a Mode of Payment (and its account) ERPNext already has."""
    known = KNOWN.get(gateway.id)
    if known is not None:
        value, mop, mop_type, stem, prepaid = (
            known.value,
            known.mode_of_payment,
            known.mop_type,
            known.account,
            known.prepaid,
        )
        why = f"{gateway.id} is a gateway woonext knows"
    elif gateway.with_transaction_id:
        value = mop = select_value(gateway.title) or gateway.id
        mop_type, stem, prepaid = "Bank", value, "own"
        why = (
            f"{gateway.with_transaction_id} of its {gateway.orders} recent orders carry a transaction id: "
            "an online gateway that took the money, paid out to an account of its own"
        )
    else:
        seen = f"{gateway.orders} recent orders, none with a transaction id" if gateway.orders else "no recent order"
        return Undecided(gateway, f"unknown gateway with {seen}: prepaid online, or collected later?")
    account = _existing_account(modes_of_payment.get(mop), company)
    if not account:
        account = cash_account if not stem else f"{stem} - {abbr}"
    if prepaid == "own":
        prepaid = account
    return PaymentPlan(gateway, value, mop, mop_type, account, prepaid, why)


def decided(gateway: Gateway, *, prepaid: bool, abbr: str, cash_account: str) -> PaymentPlan:
    """The proposal after a person answered for an undecided gateway."""
    value = select_value(gateway.title) or gateway.id
    account = f"{value} - {abbr}"
    if prepaid:
        return PaymentPlan(gateway, value, value, "Bank", account, account, "you said: paid online at checkout")
    return PaymentPlan(gateway, value, value, "Bank", account, "", "you said: collected after the order")


def live_history_accounts(effective: Mapping[str, str], account_types: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(payment value, account, account type) for every history account that is a live Cash or Bank
    account: migrated orders would move those balances (issue 14's 116,086.70 EGP)."""
    live = []
    for value, account in sorted(effective.items()):
        kind = account_types.get(account, "")
        if kind in ("Cash", "Bank"):
            live.append((value, account, kind))
    return live
