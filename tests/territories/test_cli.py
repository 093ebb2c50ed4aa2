"""`woonext sync territories` as an operator runs it, against `woonext sim up` on loopback ports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.sync.test_cli_end_to_end import free_port
from woonext.cli import app

runner = CliRunner()


@pytest.fixture
def sim_up(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    woo_port, erp_port = free_port(), free_port()
    cfg = tmp_path / "cfg.toml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "woonext", "sim", "up", "--woo-port", str(woo_port), "--erpnext-port",
         str(erp_port), "--orders", "40", "--seed", "4", "--write-config", str(cfg)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        while not cfg.exists() and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            time.sleep(0.2)
        assert cfg.exists(), "sim up did not write its configuration"
        yield cfg, erp_port
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def cli(cfg: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--config", str(cfg), *args])
    return result.exit_code, result.stdout


def erp_get(cfg: Path, erp_port: int, doctype: str, fields: list[str]) -> list[dict]:
    text = cfg.read_text()
    key = text.split('api_key = "')[1].split('"')[0]
    secret = text.split('api_secret = "')[1].split('"')[0]
    response = httpx.get(f"http://127.0.0.1:{erp_port}/api/resource/{doctype}",
                         params={"fields": json.dumps(fields), "limit_page_length": 0},
                         headers={"Authorization": f"token {key}:{secret}"})
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
