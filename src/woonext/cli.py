"""The one entry point: `woonext …`.

Every command is a row of `COMMANDS`: its name, the line `woonext --help` shows for it, and the
modules of `woonext.commands` that define it. A module is imported only when one of its commands runs
(or its own `--help` is asked for), so `woonext --help` and light commands such as `status` start
without loading the flows, the simulators or Alembic. A command module exposes
`register(app: typer.Typer) -> None` and reaches the global options through `cli_context(ctx)` from
`woonext.commands._context` — never by importing this module, which imports no command module:

    def register(app: typer.Typer) -> None:
        @app.command("status")
        def status(ctx: typer.Context) -> None:
            cli = cli_context(ctx)
            config = cli.config()          # loaded once; problems printed, exit 2
            db = cli.state_db()            # StateDB.open(config.state_url)

Adding a command: write the module, add its row here. A sub-command of an existing group (say
`sync items`) registers on that group's Typer (`from woonext.commands.sync import sync_app`) and its
module joins the group's row. tests/unit/test_cli_layout.py checks that every module has a row, each
row loads, and each help line matches the command's own.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

from woonext.commands._context import CliContext

if TYPE_CHECKING:
    from typer._click import Command, Context  # typer's bundled click; for the type checker only


@dataclass(frozen=True)
class Row:
    help: str  # the first paragraph of the command's help, shown by `woonext --help`
    modules: tuple[str, ...]  # modules of woonext.commands whose register(app) define it


def _row(help: str, *modules: str) -> Row:
    return Row(help, modules)


SYNC_MODULES = ("sync", "sync_customers", "sync_territories")
SERVICE_MODULES = ("serve",)

COMMANDS: dict[str, Row] = {
    "init": _row("Read both systems and write a complete, commented configuration with proposed mappings.", "init"),
    "setup": _row(
        "Create the custom fields the sync needs, check every prerequisite; --apply creates what is missing.",
        "setup",
    ),
    "migrate": _row(
        "Historical orders (completed / cancelled / refunded) → paid report-only Sales Invoices.", "migrate"
    ),
    "sync": _row("Sync WooCommerce into ERPNext.", *SYNC_MODULES),
    "pull-recent": _row(
        "The latest orders by date through the live path (a quick catch-up or a check).", *SYNC_MODULES
    ),
    "serve": _row(
        "Web (webhooks, /healthz, /readyz), worker and scheduler in one process; SIGTERM stops it gracefully.",
        *SERVICE_MODULES,
    ),
    "web": _row(
        "The web app alone (webhooks, /healthz, /readyz): events wait for `woonext worker` processes.",
        *SERVICE_MODULES,
    ),
    "worker": _row("The event worker alone (no web server); SIGTERM stops it gracefully.", *SERVICE_MODULES),
    "scheduler": _row(
        "The scheduler alone: queues each store's cron jobs (once per tick across all processes).", *SERVICE_MODULES
    ),
    "webhooks": _row("The WooCommerce and ERPNext webhooks that trigger woonext.", *SERVICE_MODULES),
    "items": _row("WooCommerce products and variations → ERPNext Items.", "catalog"),
    "stock": _row("ERPNext stock → WooCommerce stock quantities.", "catalog"),
    "prices": _row("ERPNext Item Prices → WooCommerce prices.", "catalog"),
    "events": _row("The event queue: what webhooks triggered and how each ended.", "events"),
    "dead-letter": _row("Events that gave up (DeadLetter): list them, queue them again.", "events"),
    "orders": _row(
        "Orders: what woonext knows about one, accept an edit corrected by hand, sync one again, "
        "write back what ERPNext settled.",
        "orders",
        "orders_writeback",
    ),
    "customers": _row("Customers in ERPNext: find and merge duplicates.", "customers"),
    "reconcile": _row(
        "Orders created in the period against ERPNext: missing, duplicate, total, tax, payment and status "
        "mismatches. Exit 0 when everything matches, 1 on a mismatch or a parked order, 2 when no verdict could "
        "be reached, 3 when a system could not be reached.",
        "reconcile",
    ),
    "status": _row(
        "Counts per status, the scheduled jobs (a job failing again and again shows here), what needs a "
        "person (NeedsReview, DeadLetter) by cause with the fix, and the event queue with its retention.",
        "status",
    ),
    "config": _row("Inspect and validate the configuration.", "config"),
    "users": _row("Console users: who may log in, viewer or operator.", "users"),
    "state": _row(
        "The state database: which ERPNext site and store it belongs to, a fresh state for a store, backup and "
        "restore.",
        "state",
    ),
    "alerts": _row("Alerts by e-mail and webhook, batched per store.", "alerts"),
    "demo": _row("Run the whole job against the built-in simulators and print what happened.", "demo"),
    "sim": _row("Simulated WooCommerce and ERPNext servers for tests and demos.", "sim"),
    "version": _row("Print the woonext version.", "config"),
}

# Every command module registered so far, each once per process (registering twice would add the
# commands of a shared group such as `sync` twice).
_registry = typer.Typer()
_registered: set[str] = set()


def load_command(name: str) -> Command:
    """Import the modules of `COMMANDS[name]` and return the command they define."""
    for module in COMMANDS[name].modules:
        if module not in _registered:
            importlib.import_module(f"woonext.commands.{module}").register(_registry)
            _registered.add(module)
    command = typer.main.get_group(_registry).commands.get(name)
    if command is None:
        raise LookupError(f"woonext.commands.{'/'.join(COMMANDS[name].modules)} defines no command {name!r}")
    return command


class _Unloaded(TyperCommand):
    """Stands for a command whose module is not imported yet: its name and help line only."""


class LazyGroup(TyperGroup):
    """The root group: knows every command by its row and imports one only when it is used."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, row in COMMANDS.items():
            self.commands.setdefault(name, _Unloaded(name, short_help=row.help))
        self._listing = False

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = self.commands.get(cmd_name)
        if isinstance(command, _Unloaded) and not self._listing:
            command = self.commands[cmd_name] = load_command(cmd_name)
        return command

    def format_help(self, ctx: Context, formatter: Any) -> None:
        # `woonext --help` lists the rows' help lines without importing a single command module.
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="woonext",
    cls=LazyGroup,
    help="Keeps ERPNext in step with WooCommerce stores over both REST APIs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals would include credentials
)


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


@app.callback()
def main(
    ctx: typer.Context,
    config: Path | None = typer.Option(
        None, "--config", "-c", help="Config file (default: $WOONEXT_CONFIG, else ./woonext.toml)."
    ),
    log_level: LogLevel = typer.Option(LogLevel.INFO, "--log-level", case_sensitive=False, help="Log level."),
    json_logs: bool | None = typer.Option(
        None, "--json-logs/--console-logs", help="Log format (default: console on a terminal, else JSON)."
    ),
) -> None:
    from woonext.logging import configure_logging  # not needed by --help, which never gets here

    ctx.obj = CliContext(config_path=config)
    configure_logging(json=json_logs, level=log_level.value)


if __name__ == "__main__":
    app()
