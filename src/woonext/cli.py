"""The one entry point: `woonext …`.

Commands live in modules of the `woonext.commands` package; each exposes
`register(app: typer.Typer) -> None` and is picked up here automatically (none need exist).
A command reaches the global options through `cli_context(ctx)`:

    def register(app: typer.Typer) -> None:
        @app.command("status")
        def status(ctx: typer.Context) -> None:
            cli = cli_context(ctx)
            config = cli.config()          # loaded once; problems printed, exit 2
            db = cli.state_db()            # StateDB.open(config.state_url)
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import ModuleType

import typer
from rich.console import Console
from rich.markup import escape

from woonext import __version__
from woonext.config import Config, ConfigError, check_config, config_path, load_config
from woonext.logging import configure_logging, register_secrets
from woonext.sim.cli import sim_app
from woonext.store import StateDB

app = typer.Typer(
    name="woonext",
    help="Keeps ERPNext in step with WooCommerce stores over both REST APIs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals would include credentials
)
config_app = typer.Typer(help="Inspect and validate the configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")

console = Console()
err_console = Console(stderr=True)


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


@dataclass
class CliContext:
    """Global options, shared by every command through `ctx.obj`."""

    config_path: Path | None = None
    _config: Config | None = field(default=None, repr=False)
    _state: StateDB | None = field(default=None, repr=False)

    def config(self) -> Config:
        """The loaded configuration; on problems prints them all and exits with status 2."""
        if self._config is None:
            try:
                self._config = load_config(self.config_path)
            except ConfigError as exc:
                err_console.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
                raise typer.Exit(2) from None
            register_secrets(self._config.secret_values())
        return self._config

    def state_db(self) -> StateDB:
        if self._state is None:
            self._state = StateDB.open(self.config().state_url)
        return self._state


def cli_context(ctx: typer.Context) -> CliContext:
    root = ctx.find_root()
    if not isinstance(root.obj, CliContext):
        root.obj = CliContext()
    return root.obj


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
    ctx.obj = CliContext(config_path=config)
    configure_logging(json=json_logs, level=log_level.value)


@config_app.command("check")
def config_check(
    ctx: typer.Context,
    config: Path | None = typer.Option(None, "--config", "-c", help="Config file to check."),
) -> None:
    """Validate the configuration and print every problem at once (exit 1 if any)."""
    path = config_path(config or cli_context(ctx).config_path)
    problems = check_config(path)
    if problems:
        err_console.print(f"[red]{len(problems)} problem(s) in {escape(str(path))}:[/red]", highlight=False)
        for problem in problems:
            err_console.print(f"  • {problem}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(1)
    console.print(f"[green]{escape(str(path))}: OK[/green]", highlight=False)


@config_app.command("show")
def config_show(ctx: typer.Context) -> None:
    """Print the effective configuration (defaults filled in, secrets masked) as JSON."""
    config = cli_context(ctx).config()
    console.print_json(config.model_dump_json())


@app.command()
def version() -> None:
    """Print the woonext version."""
    console.print(f"woonext {__version__}")


def command_modules() -> list[ModuleType]:
    """Every `woonext.commands.<module>` (not starting with `_`), imported; [] if the package is absent."""
    try:
        package = importlib.import_module("woonext.commands")
    except ModuleNotFoundError as exc:
        if exc.name == "woonext.commands":
            return []
        raise
    modules = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            modules.append(importlib.import_module(f"woonext.commands.{info.name}"))
    return modules


def _register_commands(target: typer.Typer) -> None:
    for module in command_modules():
        register = getattr(module, "register", None)
        if callable(register):
            register(target)


app.add_typer(sim_app, name="sim")
_register_commands(app)


if __name__ == "__main__":
    app()
