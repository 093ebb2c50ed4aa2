"""The CLI against `woonext sim up` on real loopback ports, as an operator would use it, and the demo."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.simproc import sim_up_process
from woonext.cli import app

runner = CliRunner()


@pytest.fixture
def sim_up(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    with sim_up_process(tmp_path, orders=150, seed=3) as up:
        yield up


def cli(cfg: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--config", str(cfg), *args])
    return result.exit_code, result.stdout


def erp_invoices(cfg: Path, erp_port: int) -> list[dict]:
    text = cfg.read_text()
    key = text.split('api_key = "')[1].split('"')[0]
    secret = text.split('api_secret = "')[1].split('"')[0]
    response = httpx.get(
        f"http://127.0.0.1:{erp_port}/api/resource/Sales Invoice",
        params={
            "fields": json.dumps(
                [
                    "name",
                    "docstatus",
                    "status",
                    "woo_order_id",
                    "is_return",
                    "custom_payment_method",
                    "grand_total",
                    "update_stock",
                ]
            ),
            "limit_page_length": 0,
        },
        headers={"Authorization": f"token {key}:{secret}"},
    )
    response.raise_for_status()
    return list(response.json()["data"])


def test_operator_flow_against_sim_up(sim_up: tuple[Path, int]) -> None:
    cfg, erp_port = sim_up
    code, out = cli(cfg, "setup")
    assert "created" in out and "Custom Field Sales Invoice-woonext_sync_key" in out, out
    code, out = cli(cfg, "setup")
    assert "nothing to do" in out, out

    code, out = cli(cfg, "migrate", "--all")
    first = out.split("\n")
    summary = next(line for line in first if line.endswith(" failed") and " created, " in line)
    created = int(summary.split()[0])
    assert created > 50, out
    invoices = erp_invoices(cfg, erp_port)
    originals = [i for i in invoices if not i["is_return"]]
    assert len(originals) == created
    assert len({i["woo_order_id"] for i in originals}) == created  # one invoice per order
    assert all(i["update_stock"] == 0 for i in originals)

    code, out = cli(cfg, "migrate", "--all")
    assert out.strip().splitlines()[-1].startswith("0 created"), out
    assert len(erp_invoices(cfg, erp_port)) == len(invoices)

    code, out = cli(cfg, "sync", "orders", "--once")
    assert "order sync" in out, out
    code, out = cli(cfg, "pull-recent", "--limit", "20")
    assert "latest 20 orders" in out, out
    after = erp_invoices(cfg, erp_port)
    live = [i for i in after if not i["is_return"] and i["update_stock"] == 1]
    assert all(i["docstatus"] == 1 for i in live)
    assert all(i["custom_payment_method"] in ("Cash", "Instapay", "Kashier Card", "Kashier Wallet") for i in after)
    invoiced = [i["woo_order_id"] for i in after if not i["is_return"]]
    assert len(set(invoiced)) == len(invoiced)

    code, out = cli(cfg, "status", "--json")
    status = json.loads(out)
    assert code == (1 if status["failures"] else 0)  # 1: something waits for a person
    assert status["counts"].get("Succeeded", 0) >= created
    for failure in status["failures"]:
        assert failure["reason"] and failure["detail"] and failure["hint"]
        # only bad input is parked: the generator's unknown gateway; nothing the flow got wrong itself
        assert failure["reason"] == "unknown_payment_method", failure


def test_demo_prints_the_reconciliation(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--orders", "80", "--cycles", "2", "--state-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "one invoice in full" in result.output
    lines = result.output.splitlines()
    start = next(n for n, x in enumerate(lines) if "invoiced orders over the whole period" in x)
    # one line per currency, never one sum of two currencies
    per_currency = [x for x in lines[start + 1 : start + 5] if x.startswith("  ") and "WooCommerce" in x]
    assert per_currency and all(x.rstrip().endswith("equal") for x in per_currency), lines[start : start + 5]
    currencies = [x.split(":")[0].strip() for x in per_currency]
    assert len(currencies) == len(set(currencies))
    assert Decimal(per_currency[0].split("WooCommerce ")[1].split(" ")[0]) > 0
    # the parked orders keep the verdict from green, and it says so
    assert "order(s) parked for a person" in result.output or "everything matches" in result.output
