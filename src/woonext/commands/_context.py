"""What `woonext.cli` and every command share: the global options (`CliContext`) and the consoles.

Both `cli.py` and the command modules import this module, never each other, so the CLI has no import
cycle. Keep it light: it is imported by `woonext --help`, so no flows, no simulators, no Alembic here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from woonext.config import Config
    from woonext.store import StateDB

console = Console()
err_console = Console(stderr=True)

# Exit codes, the same for every command (README, "Exit codes").
DONE = 0  # done
FAILURES = 1  # done, with failures (listed)
USAGE = 2  # bad usage, configuration, or not ready (setup not run, a prerequisite missing)
UNREACHABLE = 3  # a system (WooCommerce, ERPNext, an alert channel) could not be reached
INTERRUPTED = 130  # Ctrl-C: the summary so far and the command that resumes are printed


@dataclass
class CliContext:
    """Global options, shared by every command through `ctx.obj`."""

    config_path: Path | None = None
    _config: Config | None = field(default=None, repr=False)
    _state: StateDB | None = field(default=None, repr=False)

    def config(self) -> Config:
        """The loaded configuration; on problems prints them all and exits with status 2."""
        if self._config is None:
            # Imported here: `woonext --help` and `woonext version` need neither pydantic nor structlog.
            from woonext.config import ConfigError, load_config
            from woonext.logging import register_secrets

            try:
                self._config = load_config(self.config_path)
            except ConfigError as exc:
                # config problems name their place, e.g. "[[stores]] #2": escaped, not markup
                err_console.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
                raise typer.Exit(2) from None
            register_secrets(self._config.secret_values())
        return self._config

    def state_db(self) -> StateDB:
        """The state database, opened once (SQLAlchemy is imported only by commands that need it)."""
        if self._state is None:
            from woonext.store import StateDB

            self._state = StateDB.open(self.config().state_url)
        return self._state


def cli_context(ctx: typer.Context) -> CliContext:
    """The `CliContext` of this invocation (made on first use when a command runs without the root)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliContext):
        root.obj = CliContext()
    return root.obj
