"""`woonext init` and `config check --online` on bad input: each gets one clear message naming the
system and its URL (a wrong key on either side, an unreachable host, a store currency that differs
from the company's), and a gateway nobody can classify is asked on a terminal, listed with --yes."""

from __future__ import annotations

import asyncio
import os
import stat
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tests.simproc import bare_sim_process, free_port
from woonext.cli import app
from woonext.commands import _common
from woonext.woo.client import WooClient

ENV_NAMES = (
    "WOONEXT_ERPNEXT_URL",
    "WOONEXT_ERPNEXT_API_KEY",
    "WOONEXT_ERPNEXT_API_SECRET",
    "WOONEXT_WOO_URL",
    "WOONEXT_WOO_CONSUMER_KEY",
    "WOONEXT_WOO_CONSUMER_SECRET",
    "WOONEXT_STORE_MAIN_CONSUMER_SECRET",
)
runner = CliRunner()


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with bare_sim_process(tmp_path_factory.mktemp("bare"), orders=40, seed=3) as env:
        yield env


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def flags(env: dict[str, str], tmp_path: Path, **override: str) -> list[str]:
    values = {
        "erpnext_url": env["WOONEXT_ERPNEXT_URL"],
        "erpnext_key": env["WOONEXT_ERPNEXT_API_KEY"],
        "erpnext_secret": env["WOONEXT_ERPNEXT_API_SECRET"],
        "woo_url": env["WOONEXT_WOO_URL"],
        "woo_key": env["WOONEXT_WOO_CONSUMER_KEY"],
        "woo_secret": env["WOONEXT_WOO_CONSUMER_SECRET"],
        **override,
    }
    (tmp_path / "erp.secret").write_text(values["erpnext_secret"] + "\n")
    (tmp_path / "woo.secret").write_text(values["woo_secret"] + "\n")
    return [
        "--erpnext-url", values["erpnext_url"], "--erpnext-key", values["erpnext_key"],
        "--erpnext-secret-file", str(tmp_path / "erp.secret"),
        "--woo-url", values["woo_url"], "--woo-key", values["woo_key"],
        "--woo-secret-file", str(tmp_path / "woo.secret"),
    ]  # fmt: skip


def init(tmp_path: Path, args: list[str], stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["init", "--write", str(tmp_path / "cfg.toml"), *args], input=stdin)
    return result.exit_code, result.output


def one_line(output: str) -> str:
    """The error, joined back into one line (the console wraps long lines)."""
    return " ".join(output.split())


def woo(env: dict[str, str], method: str, path: str, body: dict[str, Any]) -> Any:
    async def call() -> Any:
        client = WooClient(env["WOONEXT_WOO_URL"], env["WOONEXT_WOO_CONSUMER_KEY"], env["WOONEXT_WOO_CONSUMER_SECRET"])
        async with client:
            return (await client.request(method, path, json_body=body))[0]

    return asyncio.run(call())


def test_wrong_erpnext_key(bare: dict[str, str], tmp_path: Path) -> None:
    code, out = init(tmp_path, ["--yes", *flags(bare, tmp_path, erpnext_secret="not-the-secret")])
    assert code == 2
    url = bare["WOONEXT_ERPNEXT_URL"]
    assert f"ERPNext at {url}: the API key or secret is wrong (AuthenticationError)" in one_line(out)
    assert "Traceback" not in out and "not-the-secret" not in out
    assert not (tmp_path / "cfg.toml").exists()


def test_wrong_woocommerce_secret(bare: dict[str, str], tmp_path: Path) -> None:
    code, out = init(tmp_path, ["--yes", *flags(bare, tmp_path, woo_secret="cs_wrong")])
    assert code == 2
    line = one_line(out)
    assert f"WooCommerce at {bare['WOONEXT_WOO_URL']}: the consumer key or secret was refused" in line
    assert "cs_wrong" not in out


@pytest.mark.parametrize("system", ["ERPNext", "WooCommerce"])
def test_unreachable_host(bare: dict[str, str], tmp_path: Path, system: str) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    override = {"erpnext_url": nobody} if system == "ERPNext" else {"woo_url": nobody}
    code, out = init(tmp_path, ["--yes", *flags(bare, tmp_path, **override)])
    assert code == 3  # a system unreachable (README exit codes)
    assert f"{system} at {nobody}: no answer (ConnectError); check the URL and that the" in one_line(out), out


def test_store_currency_differs_from_the_company(bare: dict[str, str], tmp_path: Path) -> None:
    woo(bare, "PUT", "settings/general/woocommerce_currency", {"value": "USD"})
    try:
        code, out = init(tmp_path, ["--yes", *flags(bare, tmp_path)])
    finally:
        woo(bare, "PUT", "settings/general/woocommerce_currency", {"value": "EGP"})
    assert code == 2
    assert (
        f"WooCommerce at {bare['WOONEXT_WOO_URL']}: sells in USD, but ERPNext company 'Jarz Test' at "
        f"{bare['WOONEXT_ERPNEXT_URL']} keeps its books in EGP"
    ) in one_line(out)


@pytest.fixture
def fawry_enabled(bare: dict[str, str]) -> Iterator[None]:
    """The operator switched on Fawry (pay at an outlet, later) before any order used it."""
    assert woo(bare, "PUT", "payment_gateways/fawry", {"enabled": True})["enabled"] is True
    yield
    woo(bare, "PUT", "payment_gateways/fawry", {"enabled": False})


@pytest.mark.usefixtures("fawry_enabled")
def test_gateway_without_a_sound_default_is_listed_with_yes(bare: dict[str, str], tmp_path: Path) -> None:
    code, out = init(tmp_path, ["--yes", *flags(bare, tmp_path)])
    assert code == 0, out
    assert "needs a person: gateway fawry (Fawry) has no mapping" in one_line(out)
    text = (tmp_path / "cfg.toml").read_text()
    assert "# fawry = ?" in text
    store = tomllib.loads(text)["stores"][0]
    assert "fawry" not in store["payment_methods"] and store["payment_methods"]["cod"] == "Cash"


@pytest.mark.usefixtures("fawry_enabled")
def test_gateway_without_a_sound_default_is_asked_on_a_terminal(
    bare: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_common, "is_terminal", lambda: True)
    code, out = init(tmp_path, flags(bare, tmp_path), stdin="l\n")
    assert code == 0, out
    assert "gateway fawry (Fawry): unknown gateway with no recent order" in one_line(out)
    store = tomllib.loads((tmp_path / "cfg.toml").read_text())["stores"][0]
    assert store["payment_methods"]["fawry"] == "Fawry"
    assert store["mode_of_payment_accounts"]["Fawry"] == "Fawry - JT"
    assert "fawry" not in store["prepaid"]  # collected later: the invoice stays unpaid


def test_missing_values_without_a_terminal_name_the_flag_and_variable(tmp_path: Path) -> None:
    code, out = init(tmp_path, ["--yes"])
    assert code == 2
    assert "ERPNext API secret missing: pass --erpnext-secret-file FILE or set WOONEXT_ERPNEXT_API_SECRET" in out


def test_from_the_environment_secrets_go_to_files_only(
    bare: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in bare.items():
        monkeypatch.setenv(name, value)
    code, out = init(tmp_path, ["--yes"])
    assert code == 0, out
    text = (tmp_path / "cfg.toml").read_text()
    for secret in (bare["WOONEXT_ERPNEXT_API_SECRET"], bare["WOONEXT_WOO_CONSUMER_SECRET"]):
        assert secret not in text and secret not in out
    for name in ("erpnext_api_secret", "main_consumer_secret", "main_webhook_secret"):
        path = tmp_path / "secrets" / name
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert (tmp_path / "secrets" / "erpnext_api_secret").read_text().strip() == bare["WOONEXT_ERPNEXT_API_SECRET"]
    code, out = init(tmp_path, ["--yes"])
    assert code == 2 and "exists; pass --force to overwrite it" in one_line(out)


def test_config_check_online_names_each_url(bare: dict[str, str], tmp_path: Path) -> None:
    code, out = init(tmp_path, ["--yes", *flags(bare, tmp_path)])
    assert code == 0, out
    cfg = str(tmp_path / "cfg.toml")
    plain = runner.invoke(app, ["config", "check", "-c", cfg])
    assert plain.exit_code == 0
    online = runner.invoke(app, ["config", "check", "--online", "-c", cfg])
    line = one_line(online.output)
    assert f"✓ ERPNext 15.92.1 at {bare['WOONEXT_ERPNEXT_URL']}: user Administrator" in line
    assert f"✓ WooCommerce 11.0.1 at {bare['WOONEXT_WOO_URL']} (store main): sells in EGP" in line
    # Nothing is created yet, but the file itself matches the store: the checks pass, stock is a warning.
    assert online.exit_code == 0, online.output
    (tmp_path / "erp.secret").write_text("wrong\n")  # init referenced this very file
    wrong = runner.invoke(app, ["config", "check", "--online", "-c", cfg])
    assert wrong.exit_code == 2  # a configuration problem (README exit codes)
    assert f"✗ ERPNext at {bare['WOONEXT_ERPNEXT_URL']}: the API key or secret is wrong" in one_line(wrong.output)


def test_setup_apply_lists_everything_then_asks_once(
    bare: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = init(tmp_path, ["--yes", *flags(bare, tmp_path)])
    assert code == 0, out
    docs = f"{bare['WOONEXT_ERPNEXT_URL']}/__sim__/docs"
    before = httpx.get(docs).json()
    monkeypatch.setattr(_common, "is_terminal", lambda: True)
    declined = runner.invoke(app, ["--config", str(tmp_path / "cfg.toml"), "setup", "--apply"], input="n\n")
    listing = one_line(declined.output)
    assert "setup --apply creates or changes" in listing and "go ahead? [y/N]: n" in listing
    for line in (
        "create Custom Field 'Sales Invoice-custom_payment_method'",
        "create Account 'WooCommerce Clearing - JT': clearing account for historical payments, Temporary",
        "create Mode of Payment 'Kashier Card': Bank, account Kashier - JT for Jarz Test",
        "set Stock Settings 'Stock Settings': Auto Insert Item Price If Missing off",
    ):
        assert line in listing
    assert listing.index("create Account") < listing.index("go ahead?")
    assert declined.exit_code == 1  # nothing made: the checklist still misses it all
    assert httpx.get(docs).json() == before
