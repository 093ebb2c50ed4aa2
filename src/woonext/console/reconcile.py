"""`woonext reconcile` from the console: one store, one period, the report inline and as CSV.

It reads both systems (the same flow as the command: bulk reads per 100 orders) and writes nothing.
The banner is green only when nothing is missing, mismatched or parked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from woonext.console.guard import Console
from woonext.erpnext.errors import ErpError
from woonext.mapping.reconcile import MISMATCH_KINDS, NOTE_KINDS, Period, Report
from woonext.reports.files import render_csv
from woonext.reports.html import EXPLAIN, TITLES
from woonext.sync.context import open_store
from woonext.sync.reconcile import reconcile
from woonext.sync.setup import NotReady
from woonext.woo.errors import WooError

MAX_DAYS = 366


@dataclass
class ReconcileOutcome:
    report: Report | None = None
    error: str = ""

    @property
    def clear(self) -> bool:
        """Nothing missing, mismatched or parked."""
        return self.report is not None and self.report.all_clear

    @property
    def csv(self) -> str | None:
        return render_csv([self.report]) if self.report is not None else None

    def rows(self) -> list[dict[str, Any]]:
        if self.report is None:
            return []
        return [
            {
                "kind": kind,
                "title": TITLES[kind],
                "explain": EXPLAIN[kind],
                "count": self.report.count(kind),
                "mismatch": kind in MISMATCH_KINDS,
            }
            for kind in (*MISMATCH_KINDS, *NOTE_KINDS)
        ]


def period(start: str, end: str) -> Period:
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise ValueError(f"dates are YYYY-MM-DD, got {start!r} and {end!r}") from None
    if last < first:
        raise ValueError("the period ends before it starts")
    if (last - first).days > MAX_DAYS:
        raise ValueError(f"at most {MAX_DAYS} days at once from the console (the CLI takes any period)")
    return Period(first, last)


async def run_reconcile(console: Console, store: str, start: str, end: str) -> ReconcileOutcome:
    try:
        window = period(start, end)
        store_config = console.config.store(store)
    except (ValueError, KeyError) as exc:
        return ReconcileOutcome(error=str(exc.args[0]))
    ctx = open_store(console.config, store_config, console.db, console.transports)
    try:
        return ReconcileOutcome(await reconcile(ctx, window))
    except NotReady as exc:
        return ReconcileOutcome(error=f"not ready: {exc}")
    except (ErpError, WooError) as exc:
        return ReconcileOutcome(error=f"stopped: {exc}")
    finally:
        await ctx.aclose()
