"""`woonext config check|show` and `woonext version`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from woonext import __version__
from woonext.commands._context import USAGE, cli_context, console, err_console
from woonext.config import check_config, config_path

config_app = typer.Typer(help="Inspect and validate the configuration.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")

    @config_app.command("check")
    def config_check(
        ctx: typer.Context,
        config: Path | None = typer.Option(None, "--config", "-c", help="Config file to check."),
        online: bool = typer.Option(
            False, "--online", help="Also reach both systems (each URL named) and check the store against the file."
        ),
    ) -> None:
        """Validate the configuration and print every problem at once (exit 2 if any)."""
        path = config_path(config or cli_context(ctx).config_path)
        problems = check_config(path)
        if problems:
            err_console.print(f"[red]{len(problems)} problem(s) in {escape(str(path))}:[/red]", highlight=False)
            for problem in problems:
                err_console.print(f"  • {problem}", highlight=False, markup=False, soft_wrap=True)
            raise typer.Exit(USAGE)
        if online:
            from woonext.commands._online_check import check_online  # the clients only when asked for

            found = check_online(path)
            if found:
                console.print(f"[red]{escape(str(path))}: {found} problem(s) online[/red]", highlight=False)
                raise typer.Exit(USAGE)
        console.print(f"[green]{escape(str(path))}: OK{' (online too)' if online else ''}[/green]", highlight=False)

    @config_app.command("show")
    def config_show(ctx: typer.Context) -> None:
        """Print the effective configuration (defaults filled in, secrets masked) as JSON."""
        config = cli_context(ctx).config()
        console.print_json(config.model_dump_json())

    @app.command("version")
    def version() -> None:
        """Print the woonext version."""
        console.print(f"woonext {__version__}")
