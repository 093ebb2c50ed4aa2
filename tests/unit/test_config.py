from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from woonext.config import (
    DEFAULT_PAYMENT_METHODS,
    ConfigError,
    check_config,
    default_state_url,
    load_config,
    resolve_state_url,
    store_env_name,
)

from .conftest import CONSUMER_SECRET, ERP_SECRET, VALID_TOML, WEBHOOK_SECRET

WriteConfig = Callable[..., Path]


def test_valid_config_loads_with_documented_defaults(write_config: WriteConfig) -> None:
    path = write_config(VALID_TOML)
    config = load_config(path)

    assert config.service.host == "0.0.0.0" and config.service.port == 9090
    assert config.erpnext.url == "http://127.0.0.1:8000"  # trailing slash dropped
    assert config.erpnext.api_secret.get_secret_value() == ERP_SECRET
    store = config.store("main")
    assert store.consumer_secret.get_secret_value() == CONSUMER_SECRET
    assert store.webhook_secret is not None and store.webhook_secret.get_secret_value() == WEBHOOK_SECRET
    assert store.currency == "EGP"
    assert store.payment_methods == {
        "instapay": "Instapay",
        "cod": "Cash",
        "kashier_card": "Kashier Card",
        "kashier_wallet": "Kashier Wallet",
    }
    assert store.prepaid == {"kashier_card": "", "kashier_wallet": ""}
    assert store.migrate_statuses == ["completed", "cancelled", "refunded"]
    assert store.wait_statuses == ["pending", "on-hold", "checkout-draft", "failed"]
    assert (store.delivery_meta.date, store.delivery_meta.time_from, store.delivery_meta.duration) == (
        "_delivery_date",
        "_delivery_time_from",
        "_delivery_duration",
    )
    assert store.schedules.orders == "*/2 * * * *"
    assert store.schedules.customers == "*/15 * * * *"
    assert store.schedules.territories == "0 */6 * * *"
    assert store.schedules.reconcile == "0 * * * *"
    assert (store.shipping_item, store.fee_item, store.refund_item) == ("Shipping", "Fee", "Refund")
    assert store.price_list == "Standard Selling"
    assert store.tax_accounts == {"1": "VAT 14% - JT"}
    # Modes of payment default to the payment method's own name.
    assert store.mode_of_payment("Kashier Card") == "Kashier Card"
    assert store.mode_of_payment("Something Else") == "Something Else"
    assert store.uses_oauth
    # A relative SQLite path is relative to the config file's directory.
    assert config.state_url == f"sqlite:///{path.parent.resolve() / 'state.sqlite'}"


def test_defaults_are_not_shared_between_stores(write_config: WriteConfig) -> None:
    text = VALID_TOML + VALID_TOML[VALID_TOML.index("[[stores]]") :].replace('"main"', '"second"')
    config = load_config(write_config(text))
    config.stores[0].payment_methods["x"] = "X"
    assert "x" not in config.stores[1].payment_methods
    assert "x" not in DEFAULT_PAYMENT_METHODS


def test_modes_of_payment_override(write_config: WriteConfig) -> None:
    text = VALID_TOML + '\n[stores.modes_of_payment]\nCash = "Cash Counter"\n'
    store = load_config(write_config(text)).stores[0]
    assert store.mode_of_payment("Cash") == "Cash Counter"
    assert store.mode_of_payment("Instapay") == "Instapay"


def test_check_reports_every_problem_at_once(write_config: WriteConfig, tmp_path: Path) -> None:
    text = """
[erpnext]
url = "ftp://erp"
api_key = "k"

[[stores]]
name = "main"
url = "not a url"
consumer_key = "ck"
consumer_secret_file = "missing-secret.txt"
warehouse = "W"
currency = "EGP"
colour = "blue"

[stores.schedules]
orders = "every two minutes"

[[stores]]
name = "main"
url = "https://shop.example"
consumer_key = "ck2"
consumer_secret = "cs2"
company = "C"
warehouse = "W"
currency = "EGP"
"""
    problems = check_config(write_config(text))
    store1 = '[[stores]] #1 (name "main")'
    assert problems == [
        "erpnext.api_secret (line 2): missing; set api_secret, api_secret_file, "
        "or the environment variable WOONEXT_ERPNEXT_API_SECRET",
        "erpnext.url (line 3): must be an http:// or https:// URL with a host name, got 'ftp://erp'",
        f"{store1}.company (line 6): required key is missing",  # absent: the line of its table
        f"{store1}.url (line 8): must be an http:// or https:// URL with a host name, got 'not a url'",
        f"{store1}.consumer_secret_file (line 10): cannot read the secret file {tmp_path / 'missing-secret.txt'} "
        "(No such file or directory); fix the path or its permissions",
        f"{store1}.colour (line 13): unknown key (check its spelling against docs/architecture.md)",
        f"{store1}.schedules.orders (line 16): is not a valid cron expression: 'every two minutes' "
        "(five fields, e.g. '*/2 * * * *')",
        "[[stores]] #2 (name \"main\").name (line 19): duplicate store name 'main'; store names must be unique",
    ]
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(text))
    assert caught.value.problems == problems


def test_check_of_a_good_file_is_empty(write_config: WriteConfig) -> None:
    assert check_config(write_config(VALID_TOML)) == []


def test_invalid_toml_is_one_located_problem(write_config: WriteConfig) -> None:
    problems = check_config(write_config("[erpnext\nurl = 1\n"))
    assert len(problems) == 1 and "not valid TOML" in problems[0] and "line 1" in problems[0]


def test_missing_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    problems = check_config(tmp_path / "nope.toml")
    assert len(problems) == 1 and "--config" in problems[0] and "WOONEXT_CONFIG" in problems[0]


def test_config_path_from_environment(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = write_config(VALID_TOML, name="elsewhere.toml")
    monkeypatch.setenv("WOONEXT_CONFIG", str(path))
    assert load_config(None).stores[0].name == "main"
    monkeypatch.delenv("WOONEXT_CONFIG")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="woonext.toml"):
        load_config(None)


def test_secrets_from_environment_override_file_and_inline(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = VALID_TOML.replace('[[stores]]\nname = "main"', '[[stores]]\nname = "eg-main"')
    monkeypatch.setenv("WOONEXT_ERPNEXT_API_SECRET", "from-env-erp")
    monkeypatch.setenv("WOONEXT_STORE_EG_MAIN_CONSUMER_SECRET", "from-env-cs")
    monkeypatch.setenv("WOONEXT_STORE_EG_MAIN_WEBHOOK_SECRET", "from-env-wh")
    config = load_config(write_config(text))
    store = config.store("eg-main")
    assert config.erpnext.api_secret.get_secret_value() == "from-env-erp"
    assert store.consumer_secret.get_secret_value() == "from-env-cs"
    assert store.webhook_secret is not None and store.webhook_secret.get_secret_value() == "from-env-wh"
    assert store_env_name("eg-main", "consumer_secret") == "WOONEXT_STORE_EG_MAIN_CONSUMER_SECRET"


def test_secrets_from_files_relative_to_config(write_config: WriteConfig, tmp_path: Path) -> None:
    (tmp_path / "erp.secret").write_text("erp-from-file\n")
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "cs.txt").write_text("cs-from-file")
    text = VALID_TOML.replace(f'api_secret = "{ERP_SECRET}"', 'api_secret_file = "erp.secret"').replace(
        f'consumer_secret = "{CONSUMER_SECRET}"', 'consumer_secret_file = "secrets/cs.txt"'
    )
    config = load_config(write_config(text))
    assert config.erpnext.api_secret.get_secret_value() == "erp-from-file"  # trailing newline dropped
    assert config.stores[0].consumer_secret.get_secret_value() == "cs-from-file"


def test_secret_missing_everywhere_names_all_three_sources(write_config: WriteConfig) -> None:
    text = VALID_TOML.replace(f'consumer_secret = "{CONSUMER_SECRET}"\n', "")
    problems = check_config(write_config(text))
    assert problems == [
        '[[stores]] #1 (name "main").consumer_secret (line 13): missing; set consumer_secret, '
        "consumer_secret_file or the environment variable WOONEXT_STORE_MAIN_CONSUMER_SECRET"
    ]


def test_secrets_do_not_show_in_repr_or_dump(write_config: WriteConfig) -> None:
    config = load_config(write_config(VALID_TOML))
    shown = repr(config) + str(config) + config.model_dump_json()
    for secret in (ERP_SECRET, CONSUMER_SECRET, WEBHOOK_SECRET):
        assert secret not in shown
    assert set(config.secret_values()) >= {ERP_SECRET, CONSUMER_SECRET, WEBHOOK_SECRET}


def test_state_url_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_state_url() == f"sqlite:///{tmp_path / 'data' / 'woonext' / 'state.sqlite'}"
    assert resolve_state_url("", tmp_path) == default_state_url()
    assert resolve_state_url("sqlite:////abs/x.sqlite", tmp_path) == "sqlite:////abs/x.sqlite"
    pg = "postgresql+psycopg://u:p@db/woonext"
    assert resolve_state_url(pg, tmp_path) == pg
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_state_url().endswith("/.local/share/woonext/state.sqlite")


def test_state_url_from_environment(write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WOONEXT_STATE_URL", "postgresql+psycopg://woonext@db/woonext")
    assert load_config(write_config(VALID_TOML)).state_url == "postgresql+psycopg://woonext@db/woonext"
