from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from woonext import __version__
from woonext.cli import app

from .conftest import CONSUMER_KEY, CONSUMER_SECRET, ERP_SECRET, VALID_TOML, WEBHOOK_SECRET

SECRETS = (CONSUMER_KEY, CONSUMER_SECRET, ERP_SECRET, WEBHOOK_SECRET)

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0 and __version__ in result.stdout


def test_config_check_ok(write_config: Callable[[str], Path]) -> None:
    path = write_config(VALID_TOML)
    result = runner.invoke(app, ["config", "check", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.stdout


def test_config_check_global_option_and_every_problem(write_config: Callable[[str], Path]) -> None:
    bad = VALID_TOML.replace('url = "http://127.0.0.1:8081"', 'url = "nope"').replace(
        'currency = "egp"', 'currency = "egp"\nspeed = 3'
    )
    path = write_config(bad)
    result = runner.invoke(app, ["--config", str(path), "config", "check"])
    assert result.exit_code == 2  # a configuration problem (README exit codes)
    assert "2 problem(s)" in result.output
    assert '(name "main").url (line 15): must be an http' in result.output
    assert '(name "main").speed (line 22): unknown key' in result.output


def test_config_check_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["config", "check", "--config", str(tmp_path / "none.toml")])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_config_show_masks_secrets(write_config: Callable[[str], Path]) -> None:
    path = write_config(VALID_TOML)
    result = runner.invoke(app, ["--config", str(path), "config", "show"])
    assert result.exit_code == 0, result.output
    assert '"name": "main"' in result.stdout and '"reconcile": "0 * * * *"' in result.stdout
    for secret in SECRETS:
        assert secret not in result.output


def test_commands_needing_config_exit_2_with_every_problem(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--config", str(tmp_path / "none.toml"), "config", "show"])
    assert result.exit_code == 2 and "cannot read the configuration file" in result.output


def test_sim_commands_are_mounted() -> None:
    result = runner.invoke(app, ["sim", "--help"])
    assert result.exit_code == 0 and "up" in result.stdout
