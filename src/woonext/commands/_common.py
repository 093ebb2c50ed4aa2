"""What every command does the same way: open the store contexts, run a flow, close cleanly."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.markup import escape

from woonext.commands._context import FAILURES, UNREACHABLE, USAGE, CliContext
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
    db = await asyncio.to_thread(cli.state_db)  # opening migrates the schema: not on the event loop
    try:
        stores = select_stores(config, store)
    except KeyError as exc:
        err_console.print(f"[red]{escape(str(exc.args[0]))}[/red]", highlight=False)
        raise typer.Exit(USAGE) from None
    results: list[tuple[StoreContext, T]] = []
    for store_config in stores:
        ctx = open_store(config, store_config, db, transports)
        try:
            results.append((ctx, await flow(ctx)))
        finally:
            await ctx.aclose()
    return results


def is_terminal() -> bool:
    """Questions only when a person is at the keyboard (tests replace this)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def exit_code(exc: ErpError | WooError) -> int:
    """What a failure that stopped a run means: unreachable (3), refused credentials or permissions
    (2, the configuration), or a failure of the data (1)."""
    if isinstance(exc, ErpError):
        if exc.status == 0 or exc.kind == "retryable":
            return UNREACHABLE
        return USAGE if exc.kind == "permanent" else FAILURES
    if exc.status == 0 or exc.retryable:
        return UNREACHABLE
    return USAGE if exc.status in (401, 403) else FAILURES


def explain(exc: ErpError | WooError) -> str:
    code = exit_code(exc)
    system = "ERPNext" if isinstance(exc, ErpError) else "WooCommerce"
    if code == UNREACHABLE:
        return f"{system} could not be reached or kept failing: check that it is up, then run the command again"
    if code == USAGE:
        if isinstance(exc, ErpError):
            return "check the ERPNext URL, API key and secret, and the user's roles"
        return "check the store URL and its consumer key and secret (Read/Write)"
    return ""


def run(cli: CliContext, store: str | None, flow: Flow[T]) -> list[tuple[StoreContext, T]]:
    """Run a flow for the selected stores. A failure that stops the run is printed with what to do, and
    exits 3 (a system unreachable), 2 (not ready, credentials, configuration) or 1."""
    try:
        return asyncio.run(for_each_store(cli, store, flow))
    except NotReady as exc:
        # Messages name config sections ("[erpnext] url"): escaped, or rich would read them as markup.
        err_console.print(f"[red]not ready: {escape(str(exc))}[/red]", highlight=False)
        raise typer.Exit(USAGE) from None
    except (ErpError, WooError) as exc:
        err_console.print(f"[red]stopped: {escape(str(exc))}[/red]", highlight=False)
        if hint := explain(exc):
            err_console.print(hint, highlight=False, markup=False)
        raise typer.Exit(exit_code(exc)) from None
