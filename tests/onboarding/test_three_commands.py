"""Issue 14's proof: from ERPNext right after its setup wizard and a store unlike woonext's defaults
to every eligible order invoiced, with exactly three commands on real ports:

    woonext init --yes --write cfg.toml …
    woonext --config cfg.toml setup --apply --yes
    woonext --config cfg.toml migrate --all
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tests.simproc import bare_sim_process
from woonext.cli import app

ORDERS = 500
ELIGIBLE = ("completed", "cancelled", "refunded")
runner = CliRunner()


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with bare_sim_process(tmp_path_factory.mktemp("bare"), orders=ORDERS, seed=14) as env:
        yield env


def sim(url: str, path: str) -> Any:
    response = httpx.get(f"{url}/__sim__/{path}", timeout=60)
    response.raise_for_status()
    return response.json()


def woonext(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def secret_files(tmp_path: Path, env: dict[str, str]) -> tuple[Path, Path]:
    erp, woo = tmp_path / "erp.secret", tmp_path / "woo.secret"
    erp.write_text(env["WOONEXT_ERPNEXT_API_SECRET"] + "\n")
    woo.write_text(env["WOONEXT_WOO_CONSUMER_SECRET"] + "\n")
    return erp, woo


def first_invoice_at(erp_url: str) -> datetime:
    """The first Sales Invoice's creation, in UTC (ERPNext stores site-local times)."""
    clock = sim(erp_url, "clock")
    site_offset = datetime.fromisoformat(clock["site"]) - datetime.fromisoformat(clock["utc"]).replace(tzinfo=None)
    first = min(str(i["creation"]) for i in sim(erp_url, "docs/Sales Invoice"))
    return datetime.fromisoformat(first) - site_offset


def check_invoices(woo_url: str, erp_url: str) -> None:
    """Every eligible order has one invoice whose grand total is the order's total to the cent, and
    its delivery fields as the order's meta has them."""
    orders = {o["id"]: o for o in sim(woo_url, "orders") if o["status"] in ELIGIBLE}
    invoices = [i for i in sim(erp_url, "docs/Sales Invoice") if not i.get("is_return")]
    by_order = {int(i["woo_order_id"]): i for i in invoices}
    assert len(by_order) == len(invoices), "one invoice per order"
    assert set(by_order) == set(orders), set(orders) ^ set(by_order)
    delivered = 0
    for oid, order in orders.items():
        invoice = by_order[oid]
        assert Decimal(str(invoice["grand_total"])) == Decimal(order["total"]), oid
        assert invoice["currency"] == order["currency"]
        assert invoice["docstatus"] == (2 if order["status"] == "cancelled" else 1)
        meta = {m["key"]: m["value"] for m in order["meta_data"]}
        if "delivery_date" in meta:
            delivered += 1
            assert invoice["custom_delivery_date"] == meta["delivery_date"]
            assert str(invoice["custom_delivery_time_from"]).startswith(meta["delivery_time_from"])
            assert int(invoice["custom_delivery_duration"]) == int(meta["delivery_duration"])
    assert delivered > len(orders) * 0.8  # 90 % of the generated orders carry a delivery slot


def check_history_in_clearing(erp_url: str, clearing: str) -> None:
    """Every historical payment (POS row, Payment Entry) is in the clearing account; no ledger row at
    all touches a Cash or Bank account; every submitted original invoice is paid."""
    kinds = {a["name"]: a.get("account_type") for a in sim(erp_url, "docs/Account")}
    live = {name for name, kind in kinds.items() if kind in ("Cash", "Bank")}
    gl = sim(erp_url, "gl")
    assert gl and not [row for row in gl if row["account"] in live]
    invoices = sim(erp_url, "docs/Sales Invoice")
    pos_rows = [p for i in invoices for p in i.get("payments") or []]
    entries = sim(erp_url, "docs/Payment Entry")
    assert pos_rows and {p["account"] for p in pos_rows} == {clearing}
    assert {e["paid_to"] if e["payment_type"] == "Receive" else e["paid_from"] for e in entries} <= {clearing}
    originals = [i for i in invoices if not i.get("is_return") and i["docstatus"] == 1]
    assert all(Decimal(str(i["outstanding_amount"])) == 0 for i in originals)


def test_init_setup_migrate_three_commands(
    bare: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    erp_url, woo_url = bare["WOONEXT_ERPNEXT_URL"], bare["WOONEXT_WOO_URL"]
    erp_secret, woo_secret = secret_files(tmp_path, bare)
    cfg = tmp_path / "cfg.toml"
    started = datetime.fromisoformat(sim(erp_url, "clock")["utc"]).replace(tzinfo=None)

    out = woonext(
        "init", "--yes", "--write", str(cfg),
        "--erpnext-url", erp_url, "--erpnext-key", bare["WOONEXT_ERPNEXT_API_KEY"],
        "--erpnext-secret-file", str(erp_secret),
        "--woo-url", woo_url, "--woo-key", bare["WOONEXT_WOO_CONSUMER_KEY"], "--woo-secret-file", str(woo_secret),
        "--state-url", f"sqlite:///{tmp_path / 'state.sqlite'}",
    )  # fmt: skip
    for secret in ("WOONEXT_ERPNEXT_API_SECRET", "WOONEXT_WOO_CONSUMER_SECRET", "WOONEXT_ERPNEXT_API_KEY"):
        assert bare[secret] not in out
    woonext("--config", str(cfg), "setup", "--apply", "--yes")
    out = woonext("--config", str(cfg), "migrate", "--all")
    elapsed = first_invoice_at(erp_url) - started

    assert "0 skipped, 0 failed" in out, out
    check_invoices(woo_url, erp_url)
    check_history_in_clearing(erp_url, "WooCommerce Clearing - JT")
    status = json.loads(woonext("--config", str(cfg), "status", "--json"))
    assert status["failures"] == [] and set(status["counts"]) == {"Succeeded"}, status

    before = sim(erp_url, "docs")
    again = woonext("--config", str(cfg), "setup", "--apply", "--yes")
    assert "nothing to create" in again and sim(erp_url, "docs") == before
    assert timedelta(0) < elapsed < timedelta(minutes=5)
    with capsys.disabled():
        print(f"\ninit → first invoice: {elapsed.total_seconds():.1f} s ({ORDERS} orders in the store)")
