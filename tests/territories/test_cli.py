"""`woonext sync territories` as an operator runs it, against `woonext sim up` on loopback ports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.simproc import sim_up_process
from woonext.cli import app

runner = CliRunner()


@pytest.fixture
def sim_up(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    with sim_up_process(tmp_path, orders=40, seed=4) as up:
        yield up


def cli(cfg: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--config", str(cfg), *args])
    return result.exit_code, result.stdout


def erp_get(cfg: Path, erp_port: int, doctype: str, fields: list[str]) -> list[dict]:
    text = cfg.read_text()
    key = text.split('api_key = "')[1].split('"')[0]
    secret = text.split('api_secret = "')[1].split('"')[0]
    response = httpx.get(
        f"http://127.0.0.1:{erp_port}/api/resource/{doctype}",
        params={"fields": json.dumps(fields), "limit_page_length": 0},
        headers={"Authorization": f"token {key}:{secret}"},
    )
    response.raise_for_status()
    return list(response.json()["data"])


def test_sync_territories_command(sim_up: tuple[Path, int]) -> None:
    cfg, erp_port = sim_up
    code, out = cli(cfg, "setup")
    assert "Custom Field Address-territory" in out, out
    code, out = cli(cfg, "sync", "territories")
    assert code == 0, out
    assert "territory sync" in out and "created New Cairo" in out and "created Upper Egypt" in out, out
    territories = {t["name"]: t for t in erp_get(cfg, erp_port, "Territory", ["name", "parent_territory"])}
    assert territories["Delta"]["parent_territory"] == "All Territories"

    code, out = cli(cfg, "sync", "territories", "--store", "main")
    assert code == 0 and "created" in out and "  created " not in out, out  # nothing to do the second time

    code, out = cli(cfg, "migrate", "--all")
    invoices = erp_get(cfg, erp_port, "Sales Invoice", ["name", "territory", "is_return"])
    originals = [i for i in invoices if not i["is_return"]]
    assert originals and all(i["territory"] in territories for i in originals), invoices

    code, out = cli(cfg, "sync", "territories", "--store", "nope")
    assert code == 2
