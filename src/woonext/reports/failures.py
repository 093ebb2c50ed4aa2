"""Failures grouped by cause: "9 orders: payment method 'valu' … has no mapping", one hint, one count.

The CLI (`status`, a migration's or a sync's closing lines) and the console's "Needs a person" page
show failures this way; the per-order list is behind `--verbose` / `status --all` and a group's page.
A cause is the outcome's status, reason and hint within one store: the hint names the fix, so orders
that share it are fixed together (two unmapped payment methods are two causes, each with its line).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.markup import escape

from woonext.store import DEAD_LETTER, FAILED, NEEDS_REVIEW, Outcome

# What a person reads first: dead letters, then parked orders, then what is still being retried.
STATUS_ORDER = {DEAD_LETTER: 0, NEEDS_REVIEW: 1, FAILED: 2}
KIND_NOUNS = {"order": ("order", "orders"), "customer": ("customer", "customers"), "job": ("job", "jobs")}


@dataclass
class FailureGroup:
    store: str
    kind: str
    status: str
    reason: str
    hint: str
    items: list[Outcome] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def key(self) -> str:
        """A stable short id for the cause (URLs, forms)."""
        text = "\x1f".join((self.store, self.kind, self.status, self.reason, self.hint))
        return hashlib.sha1(text.encode()).hexdigest()[:12]

    @property
    def cause(self) -> str:
        """The shared detail when every item has the same one, else the reason in words."""
        details = {o.detail for o in self.items}
        if len(details) == 1 and (only := next(iter(details))):
            return only
        return self.reason.replace("_", " ") or self.status

    @property
    def noun(self) -> str:
        one, many = KIND_NOUNS.get(self.kind, (self.kind, f"{self.kind}s"))
        return one if self.count == 1 else many

    @property
    def headline(self) -> str:
        """`9 orders: payment method 'valu' (valU installments) has no mapping`"""
        return f"{self.count} {self.noun}: {self.cause}"

    @property
    def ids(self) -> list[str]:
        return [o.remote_id for o in self.items]

    @property
    def latest(self) -> datetime:
        return max(o.updated_at for o in self.items)


def group_failures(outcomes: Iterable[Outcome]) -> list[FailureGroup]:
    """Groups by (store, kind, status, reason, hint): dead letters first, then the biggest groups."""
    groups: dict[tuple[str, str, str, str, str], FailureGroup] = {}
    for o in outcomes:
        key = (o.store, o.kind, o.status, o.reason, o.hint)
        groups.setdefault(key, FailureGroup(*key)).items.append(o)
    for group in groups.values():
        group.items.sort(key=lambda o: (-o.updated_at.timestamp(), o.remote_id))
    return sorted(groups.values(), key=lambda g: (STATUS_ORDER.get(g.status, 9), -g.count, g.store, g.reason))


def short_ids(ids: list[str], limit: int = 8) -> str:
    """`152, 169, 184 and 6 more`"""
    shown = ", ".join(ids[:limit])
    return f"{shown} and {len(ids) - limit} more" if len(ids) > limit else shown


def from_results(store: str, results: Iterable[Any], now: datetime) -> list[Outcome]:
    """Outcomes from a run's results (`OrderResult`s: order_id, status, reason, detail, hint)."""
    return [
        Outcome(store, "order", str(r.order_id), r.status, r.reason, r.detail, r.hint, 1, now)
        for r in results
        if r.status in STATUS_ORDER
    ]


def print_groups(console: Console, groups: list[FailureGroup], *, verbose: bool = False, more: str = "") -> None:
    """Each cause once: its count and words, the hint once, the ids shortened — or with `verbose`, one
    line per object with its own detail. Plain lines, no table: they read at any width."""
    for g in groups:
        colour = "red" if g.status != NEEDS_REVIEW else "yellow"
        where = f" in store {g.store}" if g.store else ""
        console.print(
            f"[{colour}]{escape(g.headline)}[/{colour}] ({g.status} {escape(g.reason)}{escape(where)})", highlight=False
        )
        if g.hint:
            console.print(f"  → {escape(g.hint)}", highlight=False)
        if verbose:
            for o in g.items:
                console.print(f"    {g.kind} {escape(o.remote_id)}: {escape(o.detail or o.reason)}", highlight=False)
        else:
            console.print(f"  {g.noun} {escape(short_ids(g.ids))}", highlight=False)
    if groups and not verbose and more:
        console.print(f"[dim]{escape(more)}[/dim]", highlight=False)
