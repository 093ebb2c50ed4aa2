"""`woonext alerts test`: one test message through every configured channel ([alerts] email and
webhook). Exit 0 when every channel took it, 2 when no channel is configured, 3 when a channel could
not be reached or refused (each named with the reason)."""

from __future__ import annotations

import asyncio

import typer
from rich.markup import escape

from woonext.alerts.send import Message, SendError, send
from woonext.commands._context import cli_context, console, err_console

alerts_app = typer.Typer(help="Alerts by e-mail and webhook, batched per store.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")

    @alerts_app.command("test")
    def test(ctx: typer.Context) -> None:
        """Send a test message through every configured channel and say what each answered."""
        cli = cli_context(ctx)
        config = cli.config()
        if not config.alerts.enabled:
            err_console.print(
                "[red]no alert channel configured: add [alerts.email] (host, from, to) and/or "
                "[alerts.webhook] (url) to the configuration (docs/alerts.md)[/red]",
                highlight=False,
            )
            raise typer.Exit(2)
        stores = ", ".join(s.name for s in config.stores)
        message = Message(
            "[woonext] test alert",
            f"This is a test from woonext (stores: {stores}). Alerts for new NeedsReview and DeadLetter "
            f"records are batched per store, at most one message every {config.alerts.every}.",
        )
        now = cli.state_db().clock.now()
        try:
            result = asyncio.run(send(config.alerts, message, now))
        except SendError as exc:
            for name, why in exc.failures.items():
                err_console.print(f"[red]{name}: not sent — {escape(why)}[/red]", highlight=False)
            raise typer.Exit(3) from None
        for name in result.sent:
            console.print(f"[green]{name}: sent[/green]", highlight=False)
        for name, why in result.failed.items():
            err_console.print(f"[red]{name}: not sent — {escape(why)}[/red]", highlight=False)
        if result.failed:
            raise typer.Exit(3)
