"""`woonext state show|reset|adopt`: which ERPNext site and which store the state database belongs to
(sync/identity.py), and what to do when a run refuses because it is pointed at another one.

- `show`: the identities recorded (offline).
- `reset --store S --yes`: start a fresh state for the store — its records are archived under
  `@archived:S:<time>` (kept, never used again), and the shared customers' too when they were made with
  another ERPNext site. The next `woonext setup` and run start from nothing (ERPNext's own sync keys
  still keep a document that exists there from being made twice).
- `adopt --store S`: a person says it is the same site and shop at a new address (or a site restored
  from before its marker): the current ERPNext and store are recorded as the state's own.
"""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from woonext.commands._common import console, err_console, run
from woonext.commands._context import cli_context
from woonext.store import identities
from woonext.sync.context import StoreContext
from woonext.sync.identity import adopt, marker_field, new_site, read_site, reset

state_app = typer.Typer(
    help="The state database: which ERPNext site and store it belongs to; start a fresh state for a store.",
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
