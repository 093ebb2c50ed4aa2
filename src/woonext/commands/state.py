"""`woonext state …`: the state database itself.

- `show`: which ERPNext site and which store each scope belongs to (sync/identity.py; offline).
- `reset --store S --yes`: start a fresh state for the store — its records are archived under
  `@archived:S:<time>` (kept, never used again), and the shared customers' too when they were made with
  another ERPNext site. The next `woonext setup` and run start from nothing (ERPNext's own sync keys
  still keep a document that exists there from being made twice).
- `adopt --store S`: a person says it is the same site and shop at a new address (or a site restored
  from before its marker): the current ERPNext and store are recorded as the state's own.
- `backup PATH` / `restore PATH [--force]`: the state database as one portable file (gzip JSON lines),
  made while the service runs; restored into a new database (SQLite or PostgreSQL — also the way from
  SQLite to PostgreSQL) or over one with --force. Exit 2 when the file or the target database does not
  fit (the message says what to do).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from woonext.commands._common import console, err_console, run
from woonext.commands._context import cli_context
from woonext.store import identities
from woonext.sync.context import StoreContext
from woonext.sync.identity import adopt, marker_field, new_site, read_site, reset

state_app = typer.Typer(
    help="The state database: which ERPNext site and store it belongs to, a fresh state for a store, backup and "
    "restore.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(state_app, name="state")

    @state_app.command("show")
    def show_cmd(ctx: typer.Context) -> None:
        """The ERPNext site (URL and marker) and store URL each scope of the state database belongs to."""
        rows = identities.all_identities(cli_context(ctx).state_db())
        table = Table("scope", "ERPNext", "site marker", "WooCommerce", "recorded", title="state identities")
        for i in rows:
            table.add_row(
                *(Text(v) for v in (i.scope, i.erp_url, i.erp_site, i.woo_url, f"{i.recorded_at:%Y-%m-%d %H:%M}"))
            )
        console.print(table if rows else "nothing recorded yet: the first run records it", highlight=False)

    @state_app.command("reset")
    def reset_cmd(
        ctx: typer.Context,
        store: str = typer.Option(..., "--store", "-s", help="The store whose state starts afresh."),
        yes: bool = typer.Option(False, "--yes", help="Do it (without: say what would happen)."),
    ) -> None:
        """Start a fresh state for a store: its records are archived (kept aside, never used again)."""
        cli = cli_context(ctx)
        if not yes:
            db = cli.state_db()
            err_console.print(
                f"this archives store {store}'s records (bindings, outcomes, cursors, checkpoints) in "
                f"{cli.config().state_url or 'the state database'}; woonext then treats every order of the store "
                "as new. Run again with --yes to do it.",
                highlight=False,
                markup=False,
            )
            raise typer.Exit(1 if identities.has_records(db, store) else 0)

        async def flow(sctx: StoreContext) -> list[tuple[str, int]]:
            return await reset(sctx, await read_site(sctx))

        for _, archived in run(cli, store, flow):
            for name, moved in archived:
                console.print(Text(f"archived {moved} record(s) as {name}"), highlight=False)
        console.print(
            f"store {store} starts afresh: run `woonext setup`, then migrate or sync", highlight=False, markup=False
        )

    @state_app.command("adopt")
    def adopt_cmd(
        ctx: typer.Context,
        store: str = typer.Option(..., "--store", "-s", help="The store whose state is kept."),
    ) -> None:
        """Keep the state: the configured ERPNext site and store are the same as before (a new address)."""

        async def flow(sctx: StoreContext) -> str:
            site = await read_site(sctx)
            if not site:  # a site restored from before its marker: mark it now
                site = new_site()
                await sctx.erp.insert("Custom Field", marker_field(site))
            await adopt(sctx, site)
            return site

        for sctx, site in run(cli_context(ctx), store, flow):
            console.print(
                Text(
                    f"store {sctx.store}: the state now belongs to {sctx.erp.url} (marker {site}) and {sctx.config.url}"
                ),
                highlight=False,
            )

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
