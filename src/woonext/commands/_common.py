"""What every command does the same way: open the store contexts, run a flow, close cleanly."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from woonext.commands._context import CliContext
from woonext.commands._context import console as console  # re-exported: commands print through these
from woonext.commands._context import err_console as err_console
from woonext.erpnext.errors import ErpError
from woonext.sync.context import StoreContext, Transports, open_store, select_stores
from woonext.sync.setup import NotReady
from woonext.woo.errors import WooError

T = TypeVar("T")
Flow = Callable[[StoreContext], Awaitable[T]]


async def for_each_store(
    cli: CliContext, store: str | None, flow: Flow[T], transports: Transports | None = None
) -> list[tuple[StoreContext, T]]:
    config = cli.config()
    db = cli.state_db()
    try:
        stores = select_stores(config, store)
    except KeyError as exc:
        err_console.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(2) from None
    results: list[tuple[StoreContext, T]] = []
    for store_config in stores:
        ctx = open_store(config, store_config, db, transports)
        try:
            results.append((ctx, await flow(ctx)))
        finally:
            await ctx.aclose()
    return results


def run(cli: CliContext, store: str | None, flow: Flow[T]) -> list[tuple[StoreContext, T]]:
    """Run a flow for the selected stores; API failures that stop a run are printed, exit 1."""
    try:
        return asyncio.run(for_each_store(cli, store, flow))
    except NotReady as exc:
        err_console.print(f"[red]not ready: {exc}[/red]", highlight=False)
        raise typer.Exit(2) from None
    except (ErpError, WooError) as exc:
        err_console.print(f"[red]stopped: {exc}[/red]", highlight=False)
        if isinstance(exc, ErpError) and exc.kind == "permanent":
            err_console.print("check the ERPNext URL, API key and secret, and the user's roles", highlight=False)
        raise typer.Exit(1) from None
