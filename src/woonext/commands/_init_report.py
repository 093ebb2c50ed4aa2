"""What `woonext init` prints: what it found in both systems and what it proposes (never a secret)."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from rich.table import Table

from woonext.commands._common import console
from woonext.mapping.onboard_payments import KASHIER
from woonext.mapping.onboard_plan import Proposal
from woonext.sync.onboard import Findings


def print_findings(findings: Findings) -> None:
    e, s = findings.erp, findings.store
    sf, ef = findings.store_facts, findings.erp_facts
    console.print(
        f"[green]✓[/green] ERPNext {e.erpnext_version} at {e.url}: user {e.user}, time zone {e.time_zone or '?'}, "
        f"{len(ef.companies)} compan{'y' if len(ef.companies) == 1 else 'ies'}, {len(ef.modes_of_payment)} "
        "Modes of Payment",
        highlight=False,
    )
    console.print(
        f"[green]✓[/green] WooCommerce {s.wc_version} at {s.url}: sells in {s.currency}, "
        f"{len(sf.gateways)} gateways, {len(sf.tax_rates)} tax rates, {len(sf.shipping_methods)} shipping "
        f"methods, {len(sf.products)} SKUs, {len(sf.recent_orders)} recent orders read",
        highlight=False,
    )


def _payments_table(p: Proposal) -> Table:
    table = Table("gateway", "payment value", "Mode of Payment · account", "live orders", "history", title="payments")
    for plan in sorted(p.payments, key=lambda x: x.gateway.id):
        g = plan.gateway
        live = "unpaid invoice"
        if plan.is_prepaid:
            live = "paid → " + (f"Kashier account {p.kashier_account}" if plan.prepaid == KASHIER else plan.prepaid)
        state = "" if g.enabled else " (disabled)"
        table.add_row(f"{g.id}{state}", plan.value, f"{plan.mode_of_payment} · {plan.account}", live, p.clearing)
    for open_ in p.undecided:
        table.add_row(f"[yellow]{open_.gateway.id}[/yellow]", "[yellow]undecided[/yellow]", open_.reason, "", "")
    return table


def print_proposal(p: Proposal, target: Path) -> None:
    console.print(
        f"company {p.company} ({p.abbr}, {p.currency}) · warehouse {p.warehouse} · price list {p.price_list}",
        highlight=False,
    )
    console.print(_payments_table(p))
    taxes = Table("rate id", "WooCommerce rate", "account", "", title="taxes")
    for t in p.taxes:
        taxes.add_row(t.rate_id, t.label, t.account, "exists" if t.exists else "new")
    console.print(taxes)
    d = p.delivery
    console.print(
        f"delivery meta: {d.date} / {d.time_from} / {d.duration} "
        f"(in {d.found.get('date', 0)} of the latest {d.sampled} orders)",
        highlight=False,
    )
    state = "exists" if p.clearing_exists else "new: Temporary, under Current Assets"
    console.print(f"historical payments → {p.clearing} ({state}), never a live cash or bank account", highlight=False)
    for note in p.notes:
        console.print(f"[yellow]note:[/yellow] {note}", highlight=False)
    for open_ in p.undecided:
        text = (
            f"gateway {open_.gateway.id} ({open_.gateway.title}) has no mapping; its orders wait for review "
            f"until you add it under [stores.payment_methods] in {target}"
        )
        console.print(f"[yellow]needs a person:[/yellow] {escape(text)}", highlight=False)
    console.print(f"[green]wrote {target}[/green] (secrets in files of mode 0600, never printed)", highlight=False)
    console.print(f"next: woonext --config {target} setup --apply", highlight=False)
