"""`woonext serve`, `web`, `worker`, `scheduler`, `webhooks install|status`."""

from __future__ import annotations

import asyncio

import typer
from rich.markup import escape
from rich.table import Table

from woonext.commands._common import console, err_console, run
from woonext.commands._context import USAGE, cli_context
from woonext.runtime import install as hooks
from woonext.runtime.erp_install import erpnext_status, install_erpnext
from woonext.runtime.service import port_problem, schedule, work
from woonext.runtime.service import serve as serve_service
from woonext.runtime.worker import WorkerSettings
from woonext.sync.context import StoreContext

webhooks_app = typer.Typer(help="The WooCommerce and ERPNext webhooks that trigger woonext.", no_args_is_help=True)


def print_hooks(store: str, states: list[hooks.HookState], title: str) -> None:
    table = Table("topic", "result", "id", "status", "delivery url", title=f"{title} — store {store}")
    for s in states:
        colour = "red" if s.action in ("missing", "disabled", "paused") else "green"
        table.add_row(s.topic, f"[{colour}]{s.action}[/{colour}]", str(s.webhook_id or ""), s.status, escape(s.url))
    console.print(table)


def listen_or_exit(host: str, port: int) -> None:
    """One line and exit 2 when the address cannot be listened on (in use, or not allowed), instead
    of uvicorn's traceback-shaped log after the whole service started."""
    problem = port_problem(host, port)
    if problem:
        err_console.print(f"[red]{escape(problem)}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(USAGE)


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")

    @app.command("serve")
    def serve(
        ctx: typer.Context,
        host: str | None = typer.Option(
            None, "--host", help=escape("Listen address (default: [service] host, loopback).")
        ),
        port: int | None = typer.Option(
            None, "--port", min=1, max=65535, help=escape("Port (default: [service] port).")
        ),
        concurrency: int = typer.Option(4, "--concurrency", min=1, max=64, help="Events processed at once."),
        scheduler: bool = typer.Option(True, "--scheduler/--no-scheduler", help="Run the cron jobs too."),
    ) -> None:
        """Web (webhooks, /healthz, /readyz), worker and scheduler in one process; SIGTERM stops it gracefully."""
        cli = cli_context(ctx)
        config = cli.config()
        listen_or_exit(host or config.service.host, port or config.service.port)
        settings = WorkerSettings(concurrency=concurrency, lease_seconds=config.service.lease_seconds)
        asyncio.run(
            serve_service(
                config,
                cli.state_db(),
                host or config.service.host,
                port or config.service.port,
                settings,
                scheduler=scheduler,
            )
        )

    @app.command("web")
    def web(
        ctx: typer.Context,
        host: str | None = typer.Option(
            None, "--host", help=escape("Listen address (default: [service] host, loopback).")
        ),
        port: int | None = typer.Option(
            None, "--port", min=1, max=65535, help=escape("Port (default: [service] port).")
        ),
    ) -> None:
        """The web app alone (webhooks, /healthz, /readyz): events wait for `woonext worker` processes."""
        cli = cli_context(ctx)
        config = cli.config()
        listen_or_exit(host or config.service.host, port or config.service.port)
        asyncio.run(
            serve_service(
                config, cli.state_db(), host or config.service.host, port or config.service.port, with_worker=False
            )
        )

    @app.command("worker")
    def worker(
        ctx: typer.Context,
        concurrency: int = typer.Option(4, "--concurrency", min=1, max=64, help="Events processed at once."),
    ) -> None:
        """The event worker alone (no web server); SIGTERM stops it gracefully."""
        cli = cli_context(ctx)
        config = cli.config()
        settings = WorkerSettings(concurrency=concurrency, lease_seconds=config.service.lease_seconds)
        asyncio.run(work(config, cli.state_db(), settings))

    @app.command("scheduler")
    def scheduler_cmd(ctx: typer.Context) -> None:
        """The scheduler alone: queues each store's cron jobs (once per tick across all processes)."""
        cli = cli_context(ctx)
        asyncio.run(schedule(cli.config(), cli.state_db()))

    @webhooks_app.command("install")
    def install(
        ctx: typer.Context,
        url: str = typer.Option(..., "--url", help="The service's public base URL (or the full endpoint URL)."),
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        erpnext: bool | None = typer.Option(
            None,
            "--erpnext/--no-erpnext",
            help="Also the ERPNext Webhooks for stock and prices (default: when erpnext_webhook_secret is set).",
        ),
    ) -> None:
        """Register the WooCommerce webhooks (orders, customers, products) and the ERPNext Webhooks
        (stock, prices) with the configured secrets (idempotent)."""

        async def flow(sctx: StoreContext) -> tuple[list[hooks.HookState], list[hooks.HookState] | None]:
            woo = await hooks.install(sctx, url)
            wanted = erpnext if erpnext is not None else sctx.config.erpnext_webhook_secret is not None
            return woo, (await install_erpnext(sctx, url) if wanted else None)

        try:
            results = run(cli_context(ctx), store, flow)
        except hooks.InstallError as exc:
            err_console.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
            raise typer.Exit(2) from None
        for sctx, (woo, erp) in results:
            print_hooks(sctx.store, woo, "WooCommerce webhooks")
            if erp is not None:
                print_hooks(sctx.store, erp, "ERPNext webhooks")
            else:
                console.print(
                    f"store {sctx.store}: no ERPNext webhooks (set erpnext_webhook_secret to have stock and price "
                    "changes pushed within seconds; until then the 10-minute sweeps carry them)",
                    highlight=False,
                )

    @webhooks_app.command("status")
    def status(
        ctx: typer.Context,
        store: str | None = typer.Option(None, "--store", "-s", help="Only this store (default: all)."),
        reactivate: bool = typer.Option(
            True, "--reactivate/--no-reactivate", help="Re-activate webhooks WooCommerce disabled or that were paused."
        ),
    ) -> None:
        """woonext's webhooks in each store; exit 1 when a topic has no active webhook."""

        async def flow(sctx: StoreContext) -> list[tuple[str, list[hooks.HookState]]]:
            tables = [("WooCommerce webhooks", await hooks.status(sctx, reactivate))]
            if sctx.config.erpnext_webhook_secret is not None:
                tables.append(("ERPNext webhooks", await erpnext_status(sctx)))
            return tables

        try:
            results = run(cli_context(ctx), store, flow)
        except hooks.InstallError as exc:
            err_console.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
            raise typer.Exit(2) from None
        problems = 0
        for sctx, tables in results:
            for title, states in tables:
                print_hooks(sctx.store, states, title)
                problems += sum(1 for s in states if s.action in ("missing", "disabled", "paused"))
        if problems:
            raise typer.Exit(1)
