"""The reconciliation's outputs (JSON, CSV, one-file HTML) and the scheduled job's record in the state DB."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

from tests.reconcile.conftest import Shop
from woonext.mapping.reconcile import KINDS, TOTAL, Finding, Period, Report
from woonext.reports.data import SCHEMA
from woonext.reports.files import CSV_COLUMNS, render_csv, render_html, render_json
from woonext.store import NEEDS_REVIEW, SUCCEEDED
from woonext.sync.reconcile import JOB_KIND, reconcile_job


def _break_total(shop: Shop) -> tuple[str, str]:
    invoice = shop.live_cash_invoice()
    doc = shop.pair.erp.db.get("Sales Invoice", invoice["name"])
    assert doc is not None
    original = doc["grand_total"]
    doc["grand_total"] = float(original) + 0.01
    shop.pair.erp.db.put_committed(doc)
    return str(invoice["woo_order_id"]), str(invoice["name"])


def _restore_total(shop: Shop, name: str) -> None:
    doc = shop.pair.erp.db.get("Sales Invoice", name)
    assert doc is not None
    doc["grand_total"] = round(float(doc["grand_total"]) - 0.01, 2)
    shop.pair.erp.db.put_committed(doc)


async def test_json_csv_and_html_carry_the_finding(shop: Shop) -> None:
    order_id, name = _break_total(shop)
    report = await shop.reconcile()

    data = json.loads(render_json([report]))
    assert data["schema"] == SCHEMA and data["ok"] is False and data["mismatches"] == 1
    store = data["stores"][0]
    assert set(store["counts"]) == set(KINDS) and store["counts"][TOTAL] == 1
    assert store["from"] == report.period.start.isoformat() and store["orders"] == report.orders
    [finding] = [f for f in store["findings"] if f["mismatch"]]
    assert finding["kind"] == TOTAL and str(finding["order"]["id"]) == order_id and finding["documents"] == [name]
    assert finding["expected"] == finding["order"]["total"] and finding["actual"] != finding["expected"]
    assert all(isinstance(t["woocommerce_total"], str) for t in store["totals"])  # money never a float

    rows = list(csv.DictReader(io.StringIO(render_csv([report]))))
    assert list(rows[0]) == CSV_COLUMNS and len(rows) == len(report.findings)
    [row] = [r for r in rows if r["mismatch"] == "yes"]
    assert (row["kind"], row["order_id"], row["documents"]) == (TOTAL, order_id, name)

    page = render_html([report])
    assert page.startswith("<!DOCTYPE html>") and page.count("<html") == 1
    assert "Total mismatches" in page and name in page and "1 mismatch(es)" in page and "need attention" in page
    lowered = page.lower()
    for external in ('src="http', "<link", "<script", "@import", "url(", 'href="http'):
        assert external not in lowered, external


def test_html_and_csv_escape_what_shops_type() -> None:
    evil = "<script>alert('x')</script> & \"quotes\""
    report = Report(store="<b>main</b>", period=Period(date(2026, 1, 1), date(2026, 1, 2)), orders=1)
    report.findings.append(
        Finding(
            kind=TOTAL,
            code="grand_total",
            order_id=7,
            order_number=evil,
            order_status="x",
            order_total="1.00",
            currency="EGP",
            date_created="2026-01-01T10:00:00",
            documents=("SINV-1",),
            expected="1.00",
            actual="2.00",
            detail="=HYPERLINK(evil)",
        )
    )
    page = render_html([report])
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<b>main</b>" not in page and "&lt;b&gt;main&lt;/b&gt;" in page
    row = list(csv.DictReader(io.StringIO(render_csv([report]))))[0]
    assert row["detail"] == "'=HYPERLINK(evil)"  # a spreadsheet shows it, never runs it
    assert re.search(r"<style>.*</style>", page, re.S)


async def test_the_scheduled_job_records_mismatches_and_resolves_them(shop: Shop) -> None:
    summary = await reconcile_job(shop.ctx)
    assert "no mismatches" in summary, summary
    assert not [o for o in shop.db.latest_failures(store="main") if o.kind == JOB_KIND]

    order_id, name = _break_total(shop)
    summary = await reconcile_job(shop.ctx)
    assert "1 mismatch(es) (1 total_mismatch) on 1 order(s)" in summary, summary
    [recorded] = [o for o in shop.db.latest_failures(store="main") if o.kind == JOB_KIND]
    assert (recorded.remote_id, recorded.status, recorded.reason) == (order_id, NEEDS_REVIEW, TOTAL)
    assert name in recorded.detail and "woonext reconcile --store main" in recorded.hint
    checkpoint = shop.db.get_checkpoint("main", JOB_KIND)
    assert checkpoint is not None and checkpoint["mismatches"] == 1 and checkpoint["by_kind"][TOTAL] == 1

    _restore_total(shop, name)
    summary = await reconcile_job(shop.ctx)
    assert "no mismatches, 1 earlier one(s) resolved" in summary, summary
    outcome = shop.db.outcome("main", JOB_KIND, order_id)
    assert outcome is not None and outcome.status == SUCCEEDED
