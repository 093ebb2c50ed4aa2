"""`woonext state backup PATH` and `woonext state restore PATH [--force]`: the state database as one
portable file (gzip JSON lines), made while the service runs; restored into a new database (SQLite or
PostgreSQL — also the way from SQLite to PostgreSQL) or over one with --force. Exit 0 done, 2 when
the file or the target database does not fit (the message says what to do)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from woonext.commands._context import cli_context, console, err_console

state_app = typer.Typer(help="Back up and restore the state database.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(state_app, name="state")

    @state_app.command("backup")
    def backup_cmd(
        ctx: typer.Context, path: Path = typer.Argument(..., help="The file to write (e.g. state-2026-11-25.jsonl.gz).")
    ) -> None:
        """Write the state database to PATH in one consistent read (the service may keep running)."""
        from woonext.store import backup

        db = cli_context(ctx).state_db()
        try:
            summary = backup.backup(db.engine, path, db.clock.now())
        except (backup.BackupError, OSError) as exc:
            err_console.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
            raise typer.Exit(2) from None
        console.print(
            f"{path}: {summary.total} rows from {len(summary.rows)} tables, schema {summary.revision}", highlight=False
        )

    @state_app.command("restore")
    def restore_cmd(
        ctx: typer.Context,
        path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A file made by `woonext state backup`."),
        force: bool = typer.Option(False, "--force", help="Replace the data of a database that already has some."),
    ) -> None:
        """Load PATH into the configured state database (a new one, or --force to replace its data)."""
        from woonext.store import backup
        from woonext.store.engine import create_state_engine

        config = cli_context(ctx).config()
        engine = create_state_engine(config.state_url)
        try:
            summary = backup.restore(engine, path, force=force)
        except (backup.BackupError, OSError, ValueError) as exc:
            err_console.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
            raise typer.Exit(2) from None
        finally:
            engine.dispose()
        console.print(
            f"restored {summary.total} rows from {path} (schema {summary.revision}); console users log in again",
            highlight=False,
        )
