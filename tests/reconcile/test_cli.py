"""`woonext reconcile` through the installed `woonext` program against `woonext sim up` on real ports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.sync.test_cli_end_to_end import sim_up  # noqa: F401  (a fixture)
from woonext.mapping.reconcile import STATUS

WIDE = ["--from", "2000-01-01", "--to", "2100-12-31"]


def woonext(cfg: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    program = shutil.which("woonext", path=str(Path(sys.executable).parent))
    command = [program] if program else [sys.executable, "-m", "woonext"]
    config = ["--config", str(cfg)] if cfg else []
    env = {**os.environ, "COLUMNS": "200"}  # rich wraps at 80 columns when not on a terminal
    return subprocess.run([*command, *config, *args], capture_output=True, text=True, timeout=300, env=env)


def _auth(cfg: Path) -> dict[str, str]:
    text = cfg.read_text()
    key = text.split('api_key = "')[1].split('"')[0]
    secret = text.split('api_secret = "')[1].split('"')[0]
    return {"Authorization": f"token {key}:{secret}"}


def _invoices(cfg: Path, port: int) -> list[dict[str, Any]]:
    fields = ["name", "docstatus", "is_return", "return_against", "update_stock", "woo_order_id"]
    response = httpx.get(
        f"http://127.0.0.1:{port}/api/resource/Sales Invoice",
        headers=_auth(cfg),
        params={"fields": json.dumps(fields), "limit_page_length": 0},
    )
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def _erp(cfg: Path, port: int, method: str, **body: object) -> None:
    response = httpx.post(f"http://127.0.0.1:{port}/api/method/{method}", json=body, headers=_auth(cfg))
    assert response.status_code == 200, response.text


def test_reconcile_exit_codes_and_files(sim_up: tuple[Path, int], tmp_path: Path) -> None:  # noqa: F811
    cfg, erp_port = sim_up
    woonext(cfg, "setup")  # creates the custom fields; exits 1 while the Kashier account is unset
    assert woonext(cfg, "migrate", "--all").returncode in (0, 1)  # 1: some orders parked for review
    woonext(cfg, "sync", "orders", "--once")

    # no mismatch, but the orders parked for a person (an unmapped payment method) keep the verdict
    # from green and the exit status at 1: "everything matches" would hide orders without an invoice
    clean = woonext(cfg, "reconcile", *WIDE, "--json")
    assert clean.returncode == 1, clean.stdout + clean.stderr
    data = json.loads(clean.stdout)
    assert data["ok"] is True and data["mismatches"] == 0 and data["stores"][0]["orders"] > 100
    assert data["all_clear"] is False and data["parked"] > 0

    shown = woonext(cfg, "reconcile", *WIDE)
    assert shown.returncode == 1 and "0 mismatch" not in shown.stdout and "Total mismatches" in shown.stdout
    assert "order(s) parked for a person" in shown.stdout and "everything matches" not in shown.stdout

    invoices = _invoices(cfg, erp_port)
    returned = {i["return_against"] for i in invoices if i["is_return"]}
    victim = next(
        i
        for i in invoices
        if i["docstatus"] == 1 and not i["is_return"] and i["update_stock"] == 0 and i["name"] not in returned
    )
    _erp(cfg, erp_port, "frappe.client.cancel", doctype="Sales Invoice", name=victim["name"])

    csv_file, html_file = tmp_path / "out.csv", tmp_path / "out.html"
    broken = woonext(cfg, "reconcile", *WIDE, "--json", "--csv", str(csv_file), "--html", str(html_file))
    assert broken.returncode == 1, broken.stdout + broken.stderr
    [finding] = [f for f in json.loads(broken.stdout)["stores"][0]["findings"] if f["mismatch"]]
    assert (finding["kind"], str(finding["order"]["id"]), finding["documents"]) == (
        STATUS,
        str(victim["woo_order_id"]),
        [victim["name"]],
    )
    assert victim["name"] in csv_file.read_text()
    page = html_file.read_text()
    assert victim["name"] in page and "<link" not in page and "<script" not in page and 'src="http' not in page

    table = woonext(cfg, "reconcile", *WIDE)
    assert table.returncode == 1 and victim["name"] in table.stdout and "1 mismatch(es)" in table.stdout


def test_reconcile_usage_errors_exit_2(sim_up: tuple[Path, int], tmp_path: Path) -> None:  # noqa: F811
    cfg, _ = sim_up
    for args, message in (
        (["--from", "2026-13-01", "--to", "2026-12-01"], "is not a valid date"),
        (["--from", "01/11/2026", "--to", "2026-12-01"], "YYYY-MM-DD"),
        (["--from", "2026-12-02", "--to", "2026-12-01"], "before --from"),
        (["--from", "2026-12-01"], "--to"),
        ([*WIDE, "--store", "nope"], "no store named 'nope'"),
    ):
        result = woonext(cfg, "reconcile", *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert message in result.stderr, (args, result.stderr)
    not_set_up = woonext(cfg, "reconcile", *WIDE)
    assert not_set_up.returncode == 2 and "woonext setup" in not_set_up.stderr, not_set_up.stderr
    missing = woonext(tmp_path / "nowhere.toml", "reconcile", *WIDE)
    assert missing.returncode == 2
    unwritable = woonext(cfg, "setup"), woonext(cfg, "reconcile", *WIDE, "--csv", str(tmp_path / "no" / "x.csv"))
    assert unwritable[1].returncode == 2 and "cannot write the CSV report" in unwritable[1].stderr
