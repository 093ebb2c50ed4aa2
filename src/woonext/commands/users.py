"""`woonext users add|list|passwd|remove`: the people who may log in to the console.

A viewer sees every page; an operator also acts (retry, replay, accept an edit). The password is
asked twice without echo, or read from standard input with `--password-stdin` (for scripts); only
its argon2id hash is stored. Exit 0 done, 2 bad usage (unknown role, short password, a name taken or
unknown).
"""

from __future__ import annotations

import sys

import typer
from rich.markup import escape
from rich.table import Table

from woonext.commands._context import cli_context, console, err_console
from woonext.console import accounts

users_app = typer.Typer(help="Console users: who may log in, viewer or operator.", no_args_is_help=True)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _fail(message: str) -> None:
    err_console.print(f"[red]{escape(message)}[/red]", highlight=False)
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")

    @users_app.command("add")
    def add(
        ctx: typer.Context,
        name: str = typer.Argument(..., help="The login name."),
        role: str = typer.Option(..., "--role", help="viewer (sees everything) or operator (also acts)."),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    ) -> None:
        """Add a console user."""
        if role not in accounts.ROLES:
            _fail(f"unknown role {role!r}; use one of {', '.join(accounts.ROLES)}")
        db = cli_context(ctx).state_db()
        try:
            user = accounts.add_user(db, name, role, _password(password_stdin))
        except accounts.AccountError as exc:
            _fail(str(exc))
            return
        accounts.audit(db, "cli", "user_added", "", f"user:{user.name}", user.role)
        console.print(f"user {escape(user.name)} added ({user.role}); log in at the console's address", highlight=False)

    @users_app.command("list")
    def list_cmd(ctx: typer.Context) -> None:
        """The console users and their roles."""
        rows = accounts.list_users(cli_context(ctx).state_db())
        if not rows:
            console.print("no console users yet: `woonext users add NAME --role operator`", highlight=False)
            return
        table = Table("name", "role", "added")
        for u in rows:
            table.add_row(escape(u.name), u.role, u.created_at.strftime("%Y-%m-%d %H:%M"))
        console.print(table)

    @users_app.command("passwd")
    def passwd(
        ctx: typer.Context,
        name: str = typer.Argument(..., help="The login name."),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    ) -> None:
        """Set a new password (the user's sessions end)."""
        db = cli_context(ctx).state_db()
        try:
            accounts.set_password(db, name, _password(password_stdin))
        except accounts.AccountError as exc:
            _fail(str(exc))
        accounts.audit(db, "cli", "password_set", "", f"user:{name}")
        console.print(f"new password set for {escape(name)}; their sessions ended", highlight=False)

    @users_app.command("remove")
    def remove(ctx: typer.Context, name: str = typer.Argument(..., help="The login name.")) -> None:
        """Remove a console user (their sessions end)."""
        db = cli_context(ctx).state_db()
        try:
            accounts.remove_user(db, name)
        except accounts.AccountError as exc:
            _fail(str(exc))
        accounts.audit(db, "cli", "user_removed", "", f"user:{name}")
        console.print(f"user {escape(name)} removed", highlight=False)
