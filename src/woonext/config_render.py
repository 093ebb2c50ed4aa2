"""The configuration `woonext init` writes: complete, commented TOML saying where each value came
from. No secret value is ever written here: secrets are referenced by file (or left to the
environment), keys are written as the README shows them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from woonext.config import store_env_name
from woonext.mapping.onboard_payments import KASHIER
from woonext.mapping.onboard_plan import Proposal


@dataclass(frozen=True)
class Connection:
    """Where both systems are and where their secrets live (file paths, never values)."""

    erpnext_url: str
    erpnext_key: str
    erpnext_secret_file: str
    woo_url: str
    woo_key: str
    woo_secret_file: str
    webhook_secret_file: str
    state_url: str = ""
    header: tuple[str, ...] = ()  # what was found, one comment line each


def _s(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _k(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _s(key)


def _line(key: str, value: str, comment: str = "") -> str:
    text = f"{_k(key)} = {value}"
    return f"{text:<44} # {comment}" if comment else text


def _payments(p: Proposal) -> list[str]:
    lines = ["", "[stores.payment_methods]     # WooCommerce gateway id → Sales Invoice custom_payment_method"]
    for plan in sorted(p.payments, key=lambda x: x.gateway.id):
        g = plan.gateway
        state = "enabled" if g.enabled else ("disabled" if g.listed else "not installed")
        lines.append(_line(g.id, _s(plan.value), f"{g.title} ({state}, {g.orders} recent orders): {plan.why}"))
    for open_ in p.undecided:
        g = open_.gateway
        lines.append(f"# {g.id} = ?   # {g.title}: UNDECIDED, {open_.reason} (docs/onboarding.md)")
    lines += ["", "[stores.modes_of_payment]    # payment value → ERPNext Mode of Payment"]
    lines += [_line(v, _s(m)) for v, m in sorted({x.value: x.mode_of_payment for x in p.payments}.items())]
    lines += ["", f"[stores.mode_of_payment_accounts]   # Mode of Payment → its account for {p.company}"]
    accounts = sorted({x.mode_of_payment: x.account for x in p.payments}.items())
    lines += [_line(m, _s(a)) for m, a in accounts]
    lines += ["", '[stores.prepaid]             # paid online at checkout → Payment Entry into ("" = kashier_account)']
    for plan in sorted((x for x in p.payments if x.is_prepaid), key=lambda x: x.gateway.id):
        lines.append(_line(plan.gateway.id, _s("" if plan.prepaid == KASHIER else plan.prepaid)))
    lines += ["", "[stores.migration_accounts]  # historical payments → a clearing account, never live cash or bank"]
    values = sorted({x.value for x in p.payments})
    lines += [_line(v, _s(p.clearing)) for v in values]
    return lines


def _taxes(p: Proposal) -> list[str]:
    lines = ["", "[stores.tax_accounts]        # every WooCommerce tax rate id (GET /taxes) → account"]
    lines += [_line(t.rate_id, _s(t.account), f"{t.label}: {t.why}") for t in p.taxes]
    d = p.delivery
    found = ", ".join(f"{role} in {n}" for role, n in d.found.items())
    lines += [
        "",
        f"[stores.delivery_meta]       # in the latest {d.sampled} orders: {found}",
        _line("date", _s(d.date)),
        _line("time_from", _s(d.time_from)),
        _line("duration", _s(d.duration)),
    ]
    return lines


def _store(p: Proposal, c: Connection) -> list[str]:
    secret_env = store_env_name(p.store_name, "consumer_secret")
    clearing = "exists" if p.clearing_exists else "setup --apply creates it (Temporary, under Current Assets)"
    lines = [
        "",
        "[[stores]]",
        _line("name", _s(p.store_name)),
        _line("url", _s(c.woo_url), "http:// → OAuth 1.0a, https:// → Basic auth"),
        _line("consumer_key", _s(c.woo_key)),
        _line("consumer_secret_file", _s(c.woo_secret_file), f"or env {secret_env}"),
        _line("webhook_secret_file", _s(c.webhook_secret_file), "`woonext webhooks install` registers it"),
        _line("company", _s(p.company), f"abbreviation {p.abbr}, books in {p.currency}"),
        _line("warehouse", _s(p.warehouse)),
        _line("currency", _s(p.currency)),
        _line("price_list", _s(p.price_list)),
        _line("shipping_item", _s("Shipping"), "non-stock, for " + (", ".join(p.shipping_methods) or "shipping")),
        _line("fee_item", _s("Fee"), "non-stock"),
        _line("refund_item", _s("Refund"), "non-stock"),
    ]
    if p.kashier_account:
        lines.append(_line("kashier_account", _s(p.kashier_account), "Company.custom_kashier_account"))
    lines.append(_line("allow_live_accounts_for_history", "false", f"history goes to {p.clearing}: {clearing}"))
    return lines


def render_config(p: Proposal, c: Connection) -> str:
    head = [f"# {line}" for line in c.header]
    head += [
        "# Next: `woonext setup --apply` creates what ERPNext lacks (listed first), then",
        "# `woonext migrate --all`, then `woonext serve`. Options: docs/architecture.md; docs/onboarding.md.",
        "",
        _line("state_url", _s(c.state_url)) if c.state_url else "# state_url = ...   # default ~/.local/share/woonext",
        "",
        "[erpnext]",
        _line("url", _s(c.erpnext_url)),
        _line("api_key", _s(c.erpnext_key)),
        _line("api_secret_file", _s(c.erpnext_secret_file), "or env WOONEXT_ERPNEXT_API_SECRET"),
    ]
    return "\n".join(head + _store(p, c) + _payments(p) + _taxes(p)) + "\n"
