"""`woonext customers dedupe` as an operator runs it: against `woonext sim up` on real loopback ports,
seeded with duplicates over the REST API; plan, --apply, nothing provable left, then a person's
decisions close the rest (exit 0)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.customers.dedupe_seed import INVOICED, seed_duplicates
from tests.simproc import sim_up_process
from woonext.cli import app
from woonext.config import load_config
from woonext.erpnext.client import ErpClient

runner = CliRunner()


@pytest.fixture
def sim_up(tmp_path: Path) -> Iterator[Path]:
    with sim_up_process(tmp_path, orders=3, seed=5) as (cfg, _):
        yield cfg


def erp(cfg: Path) -> ErpClient:
    config = load_config(cfg)
    return ErpClient(config.erpnext.url, config.erpnext.api_key, config.erpnext.api_secret)


def dedupe(cfg: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--config", str(cfg), "customers", "dedupe", *args])
    return result.exit_code, result.stdout


async def seed(cfg: Path) -> dict[str, list[str]]:
    async with erp(cfg) as client:
        return await seed_duplicates(client.insert, client.call_get)


async def read_back(cfg: Path) -> tuple[dict[str, str], dict[str, str], Any]:
    async with erp(cfg) as client:
        rows = await client.get_all("Sales Invoice", fields=["name", "customer"])
        invoices = {i["name"]: i["customer"] for i in rows}
        payments = {p["name"]: p["party"] for p in await client.get_all("Payment Entry", fields=["name", "party"])}
        return invoices, payments, await client.get_doc("Customer", "Mona Hassan - 1")


async def decide(cfg: Path) -> None:
    """What a person does: Omar's two accounts are one person; Salma gets her own phone number."""
    async with erp(cfg) as client:
        await client.call(
            "frappe.client.rename_doc", doctype="Customer", old_name="Omar Said - 1", new_name="Omar Said", merge=1
        )
        salma = await client.get_doc("Customer", "Salma Adel")
        assert salma is not None
        await client.update(
            "Contact",
            salma["customer_primary_contact"],
            {"phone_nos": [{"phone": "+201155556666", "is_primary_mobile_no": 1}]},
        )
        await client.update("Customer", "Salma Adel", {"mobile_no": "+201155556666"})


def test_dedupe_plan_apply_and_a_clean_finish(sim_up: Path) -> None:
    cfg = sim_up
    setup = runner.invoke(app, ["--config", str(cfg), "setup"])
    assert "woo_customer_id" in setup.stdout, setup.stdout  # custom fields made (exit 1: missing Kashier account)
    docs = asyncio.run(seed(cfg))

    code, out = dedupe(cfg)
    assert code == 1, out
    assert "provable merges (dry run)" in out and "needs a person" in out and "dry run: nothing changed" in out
    code, out = dedupe(cfg, "--json")
    plan = json.loads(out)
    assert plan["applied"] is False and plan["phone_region"] == "EG" and plan["left_over"] is True
    assert [(m["survivor"], m["merged"]) for m in plan["merges"]] == [
        ("Ana Ruiz", ["Ana Ruiz - 1"]),
        ("Mona Hassan", ["Mona Hassan - 1", "Mona Hassan - 2"]),
    ]
    assert plan["merges"][1]["evidence"][0]["value"] == "+201012345678"
    assert [r["reason"] for r in plan["needs_a_person"]] == ["names_differ", "different_woo_customers"]

    code, out = dedupe(cfg, "--apply")
    assert code == 1, out  # two groups are left for a person
    assert "applied" in out and "2 group(s) left for a person" in out
    code, out = dedupe(cfg, "--apply", "--json")
    after = json.loads(out)
    assert after["merges"] == [] and after["results"] == [] and len(after["needs_a_person"]) == 2

    invoices, payments, merged = asyncio.run(read_back(cfg))
    assert {invoices[docs[n][0]] for n in INVOICED} == {"Mona Hassan", "Ana Ruiz", "Salma Adel", "Omar Said - 1"}
    assert payments[docs["Mona Hassan - 1"][1]] == "Mona Hassan" and merged is None
    status = json.loads(runner.invoke(app, ["--config", str(cfg), "status", "--json"]).stdout)
    review = [f for f in status["failures"] if f["kind"] == "customer_duplicate"]
    assert sorted(f["reason"] for f in review) == ["different_woo_customers", "names_differ"]
    assert all(f["hint"] and f["detail"] for f in review)

    asyncio.run(decide(cfg))
    code, out = dedupe(cfg, "--apply")
    assert code == 0, out
    assert "no duplicate customers" in out
