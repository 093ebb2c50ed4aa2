"""The catalog commands as an operator runs them, against `woonext sim up --import-orders DIR` serving
the real store's products and variations (`products.json`, `variations.json`) and its real orders."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.fixtures import WOO_SAMPLES
from tests.simproc import sim_up_process
from woonext.cli import app

runner = CliRunner()


@pytest.fixture
def sim_up(tmp_path: Path) -> Iterator[Path]:
    shop = tmp_path / "shop"
    shop.mkdir()
    shutil.copy(WOO_SAMPLES / "store-products.json", shop / "products.json")
    shutil.copy(WOO_SAMPLES / "store-variations.json", shop / "variations.json")
    for order in sorted(WOO_SAMPLES.glob("order_1[5-9].json")):
        shutil.copy(order, shop / order.name)
    with sim_up_process(tmp_path, orders=0, seed=1, args=("--import-orders", str(shop))) as (cfg, _):
        yield cfg


def erp(cfg: Path, doctype: str, doc: dict) -> dict:
    text = cfg.read_text()
    url = text.split("[erpnext]")[1].split('url = "')[1].split('"')[0]
    key = text.split('api_key = "')[1].split('"')[0]
    secret = text.split('api_secret = "')[1].split('"')[0]
    response = httpx.post(f"{url}/api/resource/{doctype}", json=doc, headers={"Authorization": f"token {key}:{secret}"})
    response.raise_for_status()
    return dict(response.json()["data"])


def cli(cfg: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--config", str(cfg), *args], terminal_width=200)
    return result.exit_code, result.stdout


def test_items_stock_and_prices_from_the_command_line(sim_up: Path) -> None:
    cfg = sim_up
    assert cli(cfg, "setup")[0] in (0, 1)
    code, out = cli(cfg, "items", "sync", "--dry-run")
    assert code == 0 and "(dry run: nothing written)" in out, out
    assert "12 product(s): 17 create, 0 link" in out and "add 1kg, 500g to Item Attribute 'Weight'" not in out, out
    code, out = cli(cfg, "items", "sync")
    assert code == 0 and "17 created" in out and "│ GALABEYA-VAR-011" in out, out
    code, out = cli(cfg, "items", "sync")  # from the cursor: the products of its overlap, all unchanged
    assert code == 0 and "0 created, 0 linked, 0 updated" in out and "0 failed" in out, out
    code, out = cli(cfg, "items", "sync", "--all")
    assert code == 0 and "0 created, 0 linked, 0 updated, 17 unchanged, 0 failed" in out, out
    code, out = cli(cfg, "stock", "push")  # ERPNext has stocked none of them yet: WooCommerce is left alone
    assert code == 0 and "0 quantit(ies) written" in out, out
    erp(
        cfg,
        "Stock Entry",
        {
            "stock_entry_type": "Material Receipt",
            "company": "Jarz Test",
            "docstatus": 1,
            "items": [{"item_code": "TSHIRT-EG-001", "t_warehouse": "Jarz Main - JT", "qty": 7}],
        },
    )
    code, out = cli(cfg, "stock", "push", "--dry-run")
    assert code == 0 and "(dry run: nothing written)" in out and "1 quantit(ies) to write" in out, out
    assert "TSHIRT-EG-001" in out and "stock 7" in out, out
    code, out = cli(cfg, "stock", "push")
    assert code == 0 and "1 quantit(ies) written" in out, out
    code, out = cli(cfg, "stock", "push")
    assert code == 0 and "0 changed Bin(s)" in out and "1 ERPNext request(s)" in out, out
    erp(cfg, "Item Price", {"item_code": "TSHIRT-EG-001", "price_list": "Standard Selling", "price_list_rate": 460})
    code, out = cli(cfg, "prices", "push", "--dry-run")
    assert code == 0 and "1 price change(s) to write" in out and "460.00" in out, out
    code, out = cli(cfg, "prices", "push")
    assert code == 0 and "1 price change(s) written" in out, out
    code, out = cli(cfg, "prices", "push")
    assert code == 0 and "0 price change(s) written" in out, out
