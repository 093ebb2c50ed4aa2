"""The words of an alert: one message per store and batch, failures grouped by cause with one hint
and a count ("30 orders: …"), never one line per order; and the daily digest."""

from __future__ import annotations

from woonext.alerts.collect import Digest, Findings
from woonext.alerts.send import Message
from woonext.console.queries import ago
from woonext.reports.failures import FailureGroup, short_ids

MAX_GROUPS = 10


def _link(console_url: str, path: str) -> str:
    return f"{console_url.rstrip('/')}{path}" if console_url else ""


def _groups(groups: list[FailureGroup], console_url: str) -> list[str]:
    lines: list[str] = []
    for g in groups[:MAX_GROUPS]:
        lines.append(f"• {g.headline} ({g.status})")
        if g.hint:
            lines.append(f"  what to do: {g.hint}")
        lines.append(f"  {g.noun} {short_ids(g.ids)}")
        if link := _link(console_url, f"/needs/{g.key}"):
            lines.append(f"  {link}")
    if len(groups) > MAX_GROUPS:
        rest = sum(g.count for g in groups[MAX_GROUPS:])
        lines.append(f"• and {rest} more in {len(groups) - MAX_GROUPS} other causes")
    return lines


def batch_message(found: Findings, lag_limit: int, console_url: str) -> Message:
    count = sum(g.count for g in found.new)
    heads: list[str] = []
    lines: list[str] = []
    if found.new:
        heads.append(f"{count} new need a person")
        lines.append(f"{count} newly need a person, in {len(found.new)} cause(s):")
        lines += _groups(found.new, console_url)
    if found.lag_over:
        heads.append(f"lag {ago(found.lag).removesuffix(' ago')}")
        lines.append(
            f"Lag: no successful order poll, or an event waiting, for {ago(found.lag).removesuffix(' ago')} "
            f"(threshold {ago(lag_limit).removesuffix(' ago')}): is the worker or scheduler running, and can it "
            "reach both systems? `woonext status`, /readyz and the service log say more."
        )
    if found.lag_recovered:
        heads.append("lag back to normal")
        lines.append("Lag: back under the threshold; orders flow again.")
    for job in found.jobs:
        heads.append(f"job {job.job} failing")
        state = "gave up" if job.status == "DeadLetter" else f"failed {job.attempts} times in a row"
        lines.append(f"Scheduled job {job.job!r} {state}; last error: {job.last_error}")
    if link := _link(console_url, "/"):
        lines.append(f"Console: {link}")
    return Message(f"[woonext] store {found.store}: " + ", ".join(heads), "\n".join(lines))


def digest_message(d: Digest, console_url: str) -> Message:
    c = d.counts
    lines = [
        f"Last 24 hours in store {d.store}: {d.invoices} invoice(s) made; outcomes: "
        + ", ".join(
            f"{status} {c.get(status, 0)}" for status in ("Succeeded", "Skipped", "NeedsReview", "Failed", "DeadLetter")
        ),
        f"Last successful order poll: {ago(d.lag)}.",
        f"Dead letters: {d.dead_letters}.",
    ]
    waiting = sum(g.count for g in d.waiting)
    if waiting:
        lines.append(f"Waiting for a person: {waiting}, in {len(d.waiting)} cause(s):")
        lines += _groups(d.waiting, console_url)
    else:
        lines.append("Nothing waits for a person.")
    if link := _link(console_url, "/"):
        lines.append(f"Console: {link}")
    subject = f"[woonext] daily digest, store {d.store}: {d.invoices} invoice(s), {waiting} waiting"
    return Message(subject, "\n".join(lines))
