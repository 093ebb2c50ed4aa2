"""woonext configuration: a TOML file (see docs/architecture.md, "Configuration") plus secrets.

Where the file comes from: `load_config(path)` → `path`, else `$WOONEXT_CONFIG`, else `./woonext.toml`.

Secrets (`erpnext.api_secret`, each store's `consumer_secret`, `webhook_secret` and
`erpnext_webhook_secret`) come from, in order of precedence:

1. the environment: `WOONEXT_ERPNEXT_API_SECRET`, `WOONEXT_STORE_<NAME>_CONSUMER_SECRET`,
   `WOONEXT_STORE_<NAME>_WEBHOOK_SECRET`, `WOONEXT_STORE_<NAME>_ERPNEXT_WEBHOOK_SECRET` (`<NAME>` =
   the store name upper-cased, every character that is not a letter or digit replaced by `_`);
2. a file named by `<secret>_file` (relative paths are relative to the config file; one trailing
   newline is dropped, so `echo secret > file` works);
3. the value written in the TOML file itself.

Every secret (and the key halves, which are credentials too) is held as a `SecretStr`, so it never
shows in a repr, a log line or an error message.

State database (`state_url`, overridden by `$WOONEXT_STATE_URL`): any SQLAlchemy URL. When neither
sets one, the state lives in `default_state_url()`: `$XDG_DATA_HOME/woonext/state.sqlite`
(`~/.local/share/woonext/state.sqlite` when `XDG_DATA_HOME` is unset) — a per-user place that
survives reboots, unlike /tmp. A relative
SQLite path (`sqlite:///state.sqlite`) is taken relative to the directory of the config file, so a
config and its state can travel together.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from woonext.config_catalog import CatalogConfig, PricesConfig, StockConfig
from woonext.config_ops import OPS_SECRETS, AlertsConfig, ConsoleConfig
from woonext.config_problems import Loc, Problems
from woonext.config_writeback import WritebackConfig

DEFAULT_CONFIG_NAME = "woonext.toml"
CONFIG_ENV = "WOONEXT_CONFIG"
STATE_URL_ENV = "WOONEXT_STATE_URL"

DEFAULT_PAYMENT_METHODS: dict[str, str] = {
    "instapay": "Instapay",
    "cod": "Cash",
    "kashier_card": "Kashier Card",
    "kashier_wallet": "Kashier Wallet",
}
# "" means: the company's `custom_kashier_account`.
DEFAULT_PREPAID: dict[str, str] = {"kashier_card": "", "kashier_wallet": ""}
DEFAULT_MIGRATE_STATUSES = ["completed", "cancelled", "refunded"]
DEFAULT_WAIT_STATUSES = ["pending", "on-hold", "checkout-draft", "failed"]


class ConfigError(Exception):
    """The configuration cannot be used; `problems` lists every problem found, one per entry."""

    def __init__(self, problems: list[str], source: Path | None = None) -> None:
        self.problems = problems
        self.source = source
        where = f" in {source}" if source else ""
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} configuration problem(s){where}:\n{lines}")


class _Strict(BaseModel):
    # Unknown keys are errors: a typo in a key name must not silently fall back to a default.
    model_config = ConfigDict(extra="forbid", frozen=False)


def _check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http:// or https:// URL with a host name, got {value!r}")
    return value.rstrip("/")


def _check_cron(value: str) -> str:
    from croniter import croniter  # here: a configuration with the default schedules never needs it

    if not croniter.is_valid(value):
        raise ValueError(f"is not a valid cron expression: {value!r} (five fields, e.g. '*/2 * * * *')")
    return value


class ServiceConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # How long a worker holds an event without a heartbeat before another process may take it over:
    # the time a SIGKILLed worker's events wait. Shorter recovers sooner; longer tolerates slow pauses.
    lease_seconds: float = Field(default=60.0, ge=5, le=3600)


class ErpnextConfig(_Strict):
    url: str
    api_key: SecretStr
    api_secret: SecretStr
    api_secret_file: Path | None = None

    _url = field_validator("url")(_check_http_url)


class DeliveryMetaKeys(_Strict):
    date: str = "_delivery_date"
    time_from: str = "_delivery_time_from"
    duration: str = "_delivery_duration"


class Schedules(_Strict):
    orders: str = "*/2 * * * *"
    customers: str = "*/15 * * * *"
    territories: str = "0 */6 * * *"
    reconcile: str = "0 * * * *"
    items: str = "0 * * * *"
    stock: str = "*/10 * * * *"
    prices: str = "*/10 * * * *"
    prune: str = "17 3 * * *"  # finished events older than `retention_days` leave the state DB
    writeback: str = "0 * * * *"  # the sweep behind the ERPNext webhooks (docs/writeback.md); off unless enabled

    _cron = field_validator(
        "orders", "customers", "territories", "reconcile", "items", "stock", "prices", "prune", "writeback"
    )(_check_cron)


class StoreConfig(_Strict):
    name: str = Field(min_length=1)
    url: str
    consumer_key: SecretStr
    consumer_secret: SecretStr
    consumer_secret_file: Path | None = None
    webhook_secret: SecretStr | None = None
    webhook_secret_file: Path | None = None
    # The secret of the Webhooks `woonext webhooks install` creates in ERPNext (stock, prices, …).
    erpnext_webhook_secret: SecretStr | None = None
    erpnext_webhook_secret_file: Path | None = None
    company: str = Field(min_length=1)
    warehouse: str = Field(min_length=1)
    currency: str = Field(min_length=3, max_length=3)
    price_list: str = "Standard Selling"
    shipping_item: str = "Shipping"
    fee_item: str = "Fee"
    refund_item: str = "Refund"
    migrate_statuses: list[str] = Field(default_factory=lambda: list(DEFAULT_MIGRATE_STATUSES))
    wait_statuses: list[str] = Field(default_factory=lambda: list(DEFAULT_WAIT_STATUSES))
    payment_methods: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_PAYMENT_METHODS))
    # custom_payment_method → Mode of Payment; any method not listed maps to itself.
    modes_of_payment: dict[str, str] = Field(default_factory=dict)
    # Mode of Payment → its default account for the company (`setup --apply` creates and sets it).
    mode_of_payment_accounts: dict[str, str] = Field(default_factory=dict)
    # custom_payment_method → the account historical (migrated) payments are booked to.
    migration_accounts: dict[str, str] = Field(default_factory=dict)
    # A history account that is a live Cash or Bank account is refused by `setup` / `config check
    # --online` unless this is true: migrated orders would move real balances.
    allow_live_accounts_for_history: bool = False
    # The company's Kashier account (Company.custom_kashier_account) `setup --apply` creates and sets
    # when the company has none ("" = leave the company as it is).
    kashier_account: str = ""
    prepaid: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_PREPAID))
    tax_accounts: dict[str, str] = Field(default_factory=dict)
    delivery_meta: DeliveryMetaKeys = Field(default_factory=DeliveryMetaKeys)
    schedules: Schedules = Field(default_factory=Schedules)
    # Succeeded and Skipped events are kept this many days, then pruned (the `prune` job);
    # NeedsReview and DeadLetter events stay until they are resolved.
    retention_days: int = Field(default=30, ge=1, le=3650)
    # Mirror each new failure into ERPNext's Error Log under the titles the seed used.
    error_log: bool = False
    # An order trashed in WooCommerce after it was invoiced: "cancel" its invoice like a cancelled order's,
    # or "review": leave the invoice as it is and park the order NeedsReview for a person.
    trashed_orders: Literal["cancel", "review"] = "cancel"
    # A cancelled order's Payment Entry: ERPNext unlinks it by default (it stays as an unallocated
    # advance to refund or reuse); true cancels it with the invoice.
    cancel_payment_entries: bool = False
    # ISO 3166 alpha-2 country for phone numbers written without a country code; "" = the store's
    # own country as WooCommerce reports it (Settings → General → store address).
    country: str = ""
    # Customers, contacts and territories (issue 5): new Customers go to this group; the Territory
    # tree woonext maintains hangs under `territory_root`; `territory_rules` maps "zone:<zone name>",
    # "state:<CC:STATE>", "postcode:<pattern>" or "city:<name>" to a territory name (default: the zone name).
    customer_group: str = ""
    # One person, one Customer across the stores of one ERPNext ("erpnext", the default: identity by
    # e-mail and phone spans every store), or kept apart per store ("store").
    customer_scope: Literal["erpnext", "store"] = "erpnext"
    territory_root: str = "All Territories"
    territory_rules: dict[str, str] = Field(default_factory=dict)
    # The catalog bridge (docs/catalog.md): products → Items, stock and prices → WooCommerce.
    catalog: CatalogConfig = Field(default_factory=CatalogConfig)
    stock: StockConfig = Field(default_factory=StockConfig)
    prices: PricesConfig = Field(default_factory=PricesConfig)
    # Orders back to WooCommerce (docs/writeback.md): off unless enabled.
    writeback: WritebackConfig = Field(default_factory=WritebackConfig)

    _url = field_validator("url")(_check_http_url)

    @property
    def stock_warehouses(self) -> list[str]:
        return list(self.stock.warehouses) or [self.warehouse]

    @property
    def regular_price_list(self) -> str:
        return self.prices.regular_price_list or self.price_list

    @field_validator("currency", "country")
    @classmethod
    def _upper_currency(cls, value: str) -> str:
        return value.upper()

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        # "@erpnext" is the state database's scope of people shared by all stores (sync/party_scope.py)
        if value.startswith("@"):
            raise ValueError(f"must not start with '@' (reserved), got {value!r}")
        return value

    @model_validator(mode="after")
    def _identity_modes(self) -> StoreConfig:
        # Default Mode of Payment = the payment method's own name (ERPNext ships "Cash" etc.).
        for method in self.payment_methods.values():
            self.modes_of_payment.setdefault(method, method)
        return self

    def mode_of_payment(self, custom_payment_method: str) -> str:
        """The ERPNext Mode of Payment for a Sales Invoice `custom_payment_method` value."""
        return self.modes_of_payment.get(custom_payment_method, custom_payment_method)

    @property
    def uses_oauth(self) -> bool:
        """WooCommerce accepts only OAuth 1.0a over plain http://; https:// uses Basic."""
        return urlsplit(self.url).scheme == "http"


class Config(_Strict):
    state_url: str = ""
    service: ServiceConfig = Field(default_factory=ServiceConfig)
    erpnext: ErpnextConfig
    stores: list[StoreConfig] = Field(min_length=1)
    console: ConsoleConfig = Field(default_factory=ConsoleConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)

    def store(self, name: str) -> StoreConfig:
        for store in self.stores:
            if store.name == name:
                return store
        known = ", ".join(s.name for s in self.stores)
        raise KeyError(f"no store named {name!r} in the configuration (known: {known})")

    def secret_values(self) -> list[str]:
        """Every credential in clear, for log redaction. Never print the result."""
        values = [self.erpnext.api_key, self.erpnext.api_secret]
        for store in self.stores:
            values += [store.consumer_key, store.consumer_secret]
            values += [secret for secret in (store.webhook_secret, store.erpnext_webhook_secret) if secret is not None]
        email, hook = self.alerts.email, self.alerts.webhook
        ops = (self.console.metrics_token, email.password if email else None, hook.url if hook else None)
        values += [v for v in ops if v is not None]
        return [v.get_secret_value() for v in values if v.get_secret_value()]


def default_state_url() -> str:
    """`sqlite:///$XDG_DATA_HOME/woonext/state.sqlite` (XDG default `~/.local/share`)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return f"sqlite:///{Path(base) / 'woonext' / 'state.sqlite'}"


def resolve_state_url(state_url: str, config_dir: Path | None) -> str:
    """Empty → `default_state_url()`; a relative SQLite path → relative to the config file."""
    if not state_url:
        return default_state_url()
    prefix = "sqlite:///"
    if config_dir is not None and state_url.startswith(prefix):
        rest = state_url[len(prefix) :]
        if rest and not rest.startswith("/") and not rest.startswith(":memory:"):
            return f"{prefix}{(config_dir / rest).resolve()}"
    return state_url


def config_path(path: Path | None = None) -> Path:
    """The file to read: `path`, else `$WOONEXT_CONFIG`, else `./woonext.toml`."""
    if path is not None:
        return Path(path)
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else Path.cwd() / DEFAULT_CONFIG_NAME


def store_env_name(store_name: str, secret: str) -> str:
    """`WOONEXT_STORE_<NAME>_<SECRET>` for a store name such as "eg-main" → `WOONEXT_STORE_EG_MAIN_…`."""
    return f"WOONEXT_STORE_{re.sub(r'[^A-Za-z0-9]', '_', store_name).upper()}_{secret.upper()}"


def _read_secret_file(section: dict[str, Any], key: str, base_dir: Path, loc: Loc, problems: Problems) -> None:
    file_key = f"{key}_file"
    file_value = section.get(file_key)
    if file_value is None:
        return
    if not isinstance(file_value, str) or not file_value:
        problems.add((*loc, file_key), "must be a path string")
        return
    path = Path(file_value).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problems.add(
            (*loc, file_key),
            f"cannot read the secret file {path} ({exc.strerror or exc}); fix the path or its permissions",
        )
        return
    text = text[:-1] if text.endswith("\n") else text
    if not text:
        problems.add((*loc, file_key), f"the secret file {path} is empty")
        return
    section[key] = text


def _apply_env(section: dict[str, Any], key: str, env_name: str) -> None:
    value = os.environ.get(env_name)
    if value:
        section[key] = value


def _resolve_secrets(raw: dict[str, Any], base_dir: Path, problems: Problems) -> None:
    """Fill secret values from files and the environment (env > file > inline), in place."""
    erp = raw.get("erpnext")
    if isinstance(erp, dict):
        _read_secret_file(erp, "api_secret", base_dir, ("erpnext",), problems)
        _apply_env(erp, "api_secret", "WOONEXT_ERPNEXT_API_SECRET")
        if "api_secret" not in erp and "api_secret_file" not in erp:
            problems.add(
                ("erpnext", "api_secret"),
                "missing; set api_secret, api_secret_file, or the environment variable WOONEXT_ERPNEXT_API_SECRET",
            )
    for path, key, env in OPS_SECRETS:  # [console] and [alerts]: only when their table is there
        section: Any = raw
        for part in path:
            section = section.get(part) if isinstance(section, dict) else None
        if isinstance(section, dict):
            _read_secret_file(section, key, base_dir, path, problems)
            _apply_env(section, key, env)
    stores = raw.get("stores")
    if not isinstance(stores, list):
        return
    for index, store in enumerate(stores):
        if not isinstance(store, dict):
            continue
        name = store.get("name") if isinstance(store.get("name"), str) else None
        for key in ("consumer_secret", "webhook_secret", "erpnext_webhook_secret"):
            _read_secret_file(store, key, base_dir, ("stores", index), problems)
            if name:
                _apply_env(store, key, store_env_name(name, key))
        if "consumer_secret" not in store and "consumer_secret_file" not in store:
            env_hint = f" or the environment variable {store_env_name(name, 'consumer_secret')}" if name else ""
            problems.add(
                ("stores", index, "consumer_secret"),
                f"missing; set consumer_secret, consumer_secret_file{env_hint}",
            )


def _duplicate_store_names(raw: dict[str, Any], problems: Problems) -> None:
    stores = raw.get("stores")
    if not isinstance(stores, list):
        return
    seen: set[str] = set()
    for index, store in enumerate(stores):
        name = store.get("name") if isinstance(store, dict) else None
        if isinstance(name, str):
            if name in seen:
                problems.add(("stores", index, "name"), f"duplicate store name {name!r}; store names must be unique")
            seen.add(name)


def _pydantic_problems(exc: ValidationError, problems: Problems) -> None:
    # A missing secret is already reported with a better hint (and its *_file problem) above.
    reported = {(*loc[:-1], str(loc[-1]).removesuffix("_file")) for loc in problems.locations() if loc}
    for err in exc.errors(include_input=False, include_url=False):
        loc: Loc = tuple(err["loc"])
        if loc in reported:
            continue
        kind = err["type"]
        if kind == "missing":
            problems.add(loc, "required key is missing")
        elif kind == "extra_forbidden":
            problems.add(loc, "unknown key (check its spelling against docs/architecture.md)")
        else:
            problems.add(loc, str(err["msg"]).removeprefix("Value error, "))


def _parse(path: Path) -> tuple[Config | None, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [
            f"{path}: cannot read the configuration file ({exc.strerror or exc}); "
            f"pass --config PATH or set {CONFIG_ENV}"
        ]
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{path}: not valid TOML: {exc}"]
    problems = Problems()
    base_dir = path.resolve().parent
    _resolve_secrets(raw, base_dir, problems)
    _duplicate_store_names(raw, problems)
    config: Config | None = None
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        _pydantic_problems(exc, problems)
    if config is not None:
        config.state_url = resolve_state_url(os.environ.get(STATE_URL_ENV) or config.state_url, base_dir)
    return config, problems.render(raw, text)


def check_config(path: Path | None = None) -> list[str]:
    """Every problem in the configuration at once (empty list = usable)."""
    _, problems = _parse(config_path(path))
    return problems


def load_config(path: Path | None = None) -> Config:
    """Read, resolve secrets, validate. Raises `ConfigError` listing every problem."""
    source = config_path(path)
    config, problems = _parse(source)
    if problems or config is None:
        raise ConfigError(problems, source)
    return config
