"""The reconciliation written as JSON, CSV (one row per finding) and one self-contained HTML file."""

from __future__ import annotations

import csv
import io
import json

from woonext.mapping.reconcile import Report
from woonext.reports.data import as_data
from woonext.reports.html import render_html

CSV_COLUMNS = [
    "store",
    "kind",
    "code",
    "mismatch",
    "order_id",
    "order_number",
    "order_status",
    "order_total",
    "currency",
    "date_created",
    "documents",
    "expected",
    "actual",
    "detail",
]
# A spreadsheet runs a cell starting with one of these as a formula; the text is made literal.
_FORMULA_START = ("=", "+", "@", "\t", "\r")

__all__ = ["CSV_COLUMNS", "render_csv", "render_html", "render_json"]


def render_json(reports: list[Report]) -> str:
    return json.dumps(as_data(reports), indent=2, ensure_ascii=False) + "\n"


def _cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(reports: list[Report]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for report in reports:
        for f in report.findings:
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        report.store,
                        f.kind,
                        f.code,
                        "yes" if f.mismatch else "no",
                        f.order_id,
                        f.order_number,
                        f.order_status,
                        f.order_total,
                        f.currency,
                        f.date_created,
                        " ".join(f.documents),
                        f.expected,
                        f.actual,
                        f.detail,
                    )
                ]
            )
    return out.getvalue()
