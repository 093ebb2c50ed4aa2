"""The writeback as an operator sees it, against `woonext sim up`: `setup` names the WooCommerce e-mails
to switch off, `orders writeback --dry-run` lists what would be written and why (and writes nothing),
`orders writeback` writes it, `orders show ID` tells the order's writeback history."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from tests.simproc import sim_up_process
from woonext.cli import app

GET_PAYMENT_ENTRY = "erpnext.accounts.doctype.payment_entry.payment_entry.get_payment_entry"


def cli(cfg: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--config", str(cfg), *args], terminal_width=200)
    return result.exit_code, result.output


def cli_json(cfg: Path, *args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(app, ["--config", str(cfg), *args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def pay_in_erpnext(cfg: Path, invoice: str) -> str:
    """What a cashier does in ERPNext's desk: Get Payment Entry on the invoice, submit it."""
    erp = tomllib.loads(cfg.read_text())["erpnext"]
    headers = {"Authorization": f"token {erp['api_key']}:{erp['api_secret']}"}
    entry = httpx.post(
        f"{erp['url']}/api/method/{GET_PAYMENT_ENTRY}", json={"dt": "Sales Invoice", "dn": invoice}, headers=headers
    ).json()["message"]
    entry = {k: v for k, v in entry.items() if not k.startswith("__")}
    entry.update(mode_of_payment="Cash", reference_no="COURIER-7", reference_date=entry["posting_date"], docstatus=1)
    response = httpx.post(f"{erp['url']}/api/resource/Payment Entry", json=entry, headers=headers)
    response.raise_for_status()
    return str(response.json()["data"]["name"])


def test_writeback_from_the_command_line(tmp_path: Path) -> None:
    with sim_up_process(tmp_path, orders=30, seed=7) as (cfg, _):
        cfg.write_text(cfg.read_text() + '\n[stores.writeback]\nenabled = true\ncustomer_note = "On its way!"\n')
        woo_url = tomllib.loads(cfg.read_text())["stores"][0]["url"]
        code, out = cli(cfg, "setup")
        assert "Completed order" in out and "Customer note" in out and "Settings → Emails" in out, out
        code, out = cli(cfg, "sync", "orders", "--once")
        orders = httpx.get(f"{woo_url}/__sim__/orders").json()
        cod = [o for o in orders if o["status"] == "processing" and o["payment_method"] == "cod"]
        shown = [(o, cli_json(cfg, "orders", "show", str(o["id"]))[1]) for o in cod]
        order, facts = next((o, f) for o, f in shown if f["invoice"] and f["invoice"]["state"] == "submitted")
        oid = str(order["id"])
        entry = pay_in_erpnext(cfg, facts["invoice"]["document"])

        code, out = cli(cfg, "orders", "writeback", "--dry-run")
        assert code == 0 and f"order {oid}" in out and "would set status completed — paid" in out, out
        assert entry in out and "(dry run)" in out, out
        assert httpx.get(f"{woo_url}/__sim__/orders/{oid}").json()["status"] == "processing"

        code, out = cli(cfg, "orders", "writeback")
        assert code == 0 and f"order {oid}" in out and "status completed written" in out, out
        assert httpx.get(f"{woo_url}/__sim__/orders/{oid}").json()["status"] == "completed"
        code, out = cli(cfg, "orders", "writeback")
        assert "0 written" in out, out

        code, out = cli(cfg, "orders", "show", oid)
        assert code == 0 and "writeback" in out and "status → completed written paid" in out, out
        assert f"[{entry}]" in out and "(orders writeback)" in out, out
        code, data = cli_json(cfg, "orders", "show", oid)
        [line] = data["writebacks"]
        assert (line["action"], line["result"], line["reason"], line["documents"]) == (
            "status",
            "written",
            "paid",
            [entry],
        )
