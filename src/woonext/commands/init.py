"""`woonext init`: read both systems and write a complete, commented configuration (docs/onboarding.md).

Asks only on a terminal and only where no sound default exists (which company when several keep their
books in the store's currency, a gateway nobody can classify, overwriting a file); `--yes` takes the
defaults and lists what is left for a person. Secrets are read from files or the environment (or typed
at a hidden prompt) and written only to files of mode 0600; never to the output."""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path
from typing import Literal

import typer
from pydantic import SecretStr
from rich.markup import escape

from woonext.commands import _common
from woonext.commands._common import console, err_console
from woonext.commands._context import UNREACHABLE, cli_context
from woonext.commands._init_report import print_findings, print_proposal
from woonext.config import ConfigError, config_path, load_config, store_env_name
from woonext.config_render import Connection, render_config
from woonext.logging import register_secrets
from woonext.mapping.onboard_payments import decided
from woonext.mapping.onboard_plan import Proposal
from woonext.sync.onboard import Credentials, Findings, check_company, company_choices, investigate, propose
from woonext.sync.online import OnlineError


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[red]{escape(message)}[/red]", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _value(given: str | None, label: str, flag: str, env: str, ask: bool) -> str:
    if given:
        return given
    if ask:
        return str(typer.prompt(label))
    raise _fail(f"woonext init: {label} missing: pass {flag} or set {env}")


def _secret(file: Path | None, envs: tuple[str, ...], label: str, flag: str, ask: bool) -> tuple[SecretStr, str]:
    """(secret, the file it came from or ""): a file, else the environment, else a hidden prompt."""
    if file is not None:
        try:
            text = file.expanduser().read_text(encoding="utf-8").removesuffix("\n")
        except OSError as exc:
            raise _fail(f"woonext init: cannot read {flag} {file}: {exc.strerror or exc}") from None
        return SecretStr(text), str(file.expanduser().resolve())
    for env in envs:
        if os.environ.get(env):
            return SecretStr(os.environ[env]), ""
    if ask:
        return SecretStr(str(typer.prompt(label, hide_input=True))), ""
    raise _fail(f"woonext init: {label} missing: pass {flag} FILE or set {envs[0]}")


def _keep_secret(directory: Path, name: str, value: str, existing: str) -> str:
    """Where the config finds a secret: its own file when it came from one, else secrets/<name> (mode
    0600). No value: a new random one, unless the file exists (installed webhooks may use it)."""
    if existing:
        return existing
    folder = directory / "secrets"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / name
    if value or not path.exists():
        path.touch(mode=0o600)
        path.write_text((value or secrets.token_urlsafe(32)) + "\n", encoding="utf-8")
    return f"secrets/{name}"


def _choose_company(findings: Findings, wanted: str | None, ask: bool) -> str:
    if wanted:
        return wanted
    choices = company_choices(findings)
    if len(choices) == 1:
        return choices[0]
    if not choices:
        raise _fail(f"ERPNext at {findings.erp.url}: no company yet; finish ERPNext's setup wizard first")
    if ask:
        return str(typer.prompt("company", type=Literal[tuple(choices)]))
    raise _fail(f"ERPNext at {findings.erp.url} has {len(choices)} companies ({', '.join(choices)}): pass --company")


def _decide_gateways(proposal: Proposal, ask: bool) -> None:
    for open_ in list(proposal.undecided):
        g = open_.gateway
        if not ask:
            continue
        console.print(f"[yellow]?[/yellow] gateway {g.id} ({g.title}): {open_.reason}", highlight=False)
        answer = typer.prompt(
            "  [p] paid online at checkout (Payment Entry)  [l] collected later (invoice stays unpaid)  [s] skip",
            type=Literal["p", "l", "s"],
            default="s",
        )
        if answer != "s":
            cash = f"Cash - {proposal.abbr}"
            proposal.decide(decided(g, prepaid=answer == "p", abbr=proposal.abbr, cash_account=cash))


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        ctx: typer.Context,
        erpnext_url: str | None = typer.Option(
            None, "--erpnext-url", envvar="WOONEXT_ERPNEXT_URL", help="The ERPNext site's URL."
        ),
        erpnext_key: str | None = typer.Option(
            None, "--erpnext-key", envvar="WOONEXT_ERPNEXT_API_KEY", help="API key of the user (User → API Access)."
        ),
        erpnext_secret_file: Path | None = typer.Option(
            None, "--erpnext-secret-file", help="File holding the API secret (else env WOONEXT_ERPNEXT_API_SECRET)."
        ),
        woo_url: str | None = typer.Option(None, "--woo-url", envvar="WOONEXT_WOO_URL", help="The shop's home URL."),
        woo_key: str | None = typer.Option(
            None, "--woo-key", envvar="WOONEXT_WOO_CONSUMER_KEY", help="REST consumer key (Read/Write, an admin's)."
        ),
        woo_secret_file: Path | None = typer.Option(
            None, "--woo-secret-file", help="File holding the consumer secret (else env WOONEXT_WOO_CONSUMER_SECRET)."
        ),
        store_name: str = typer.Option("main", "--store-name", help="The store's name in woonext."),
        company: str | None = typer.Option(None, "--company", help="ERPNext company (default: the only fitting one)."),
        write: Path | None = typer.Option(None, "--write", help="Config to write (default: --config, ./woonext.toml)."),
        state_url: str | None = typer.Option(None, "--state-url", help="State database URL to write into the config."),
        yes: bool = typer.Option(False, "--yes", "-y", help="Take every default; ask nothing."),
        force: bool = typer.Option(False, "--force", help="Overwrite an existing config file."),
    ) -> None:
        """Read both systems and write a complete, commented configuration with proposed mappings."""
        ask = _common.is_terminal() and not yes
        target = write or config_path(cli_context(ctx).config_path)
        if target.exists() and not force and not (ask and typer.confirm(f"{target} exists; overwrite?")):
            raise _fail(f"woonext init: {target} exists; pass --force to overwrite it")
        secret_envs = ("WOONEXT_WOO_CONSUMER_SECRET", store_env_name(store_name, "consumer_secret"))
        erp_secret, erp_file = _secret(
            erpnext_secret_file, ("WOONEXT_ERPNEXT_API_SECRET",), "ERPNext API secret", "--erpnext-secret-file", ask
        )
        woo_secret, woo_file = _secret(woo_secret_file, secret_envs, "consumer secret", "--woo-secret-file", ask)
        creds = Credentials(
            erpnext_url=_value(erpnext_url, "ERPNext URL", "--erpnext-url", "WOONEXT_ERPNEXT_URL", ask).rstrip("/"),
            erpnext_key=SecretStr(
                _value(erpnext_key, "ERPNext API key", "--erpnext-key", "WOONEXT_ERPNEXT_API_KEY", ask)
            ),
            erpnext_secret=erp_secret,
            woo_url=_value(woo_url, "WooCommerce URL", "--woo-url", "WOONEXT_WOO_URL", ask).rstrip("/"),
            woo_key=SecretStr(_value(woo_key, "consumer key", "--woo-key", "WOONEXT_WOO_CONSUMER_KEY", ask)),
            woo_secret=woo_secret,
        )
        # Keys and secrets never reach a log line (woonext/logging.py masks what it is told).
        register_secrets([v.get_secret_value() for v in (creds.erpnext_key, erp_secret, creds.woo_key, woo_secret)])
        try:
            findings = asyncio.run(investigate(creds))
            print_findings(findings)
            chosen = _choose_company(findings, company, ask)
            check_company(findings, chosen)
        except (OnlineError, ValueError) as exc:
            failed = _fail(str(exc))
            if isinstance(exc, OnlineError) and exc.unreachable:
                failed = typer.Exit(UNREACHABLE)
            raise failed from None
        proposal = propose(findings, chosen, store_name)
        _decide_gateways(proposal, ask)
        directory = target.resolve().parent
        directory.mkdir(parents=True, exist_ok=True)
        connection = Connection(
            erpnext_url=creds.erpnext_url,
            erpnext_key=creds.erpnext_key.get_secret_value(),
            erpnext_secret_file=_keep_secret(directory, "erpnext_api_secret", erp_secret.get_secret_value(), erp_file),
            woo_url=creds.woo_url,
            woo_key=creds.woo_key.get_secret_value(),
            woo_secret_file=_keep_secret(
                directory, f"{store_name}_consumer_secret", woo_secret.get_secret_value(), woo_file
            ),
            webhook_secret_file=_keep_secret(directory, f"{store_name}_webhook_secret", "", ""),
            state_url=state_url or "",
            header=_header(findings, proposal),
        )
        _write(target, render_config(proposal, connection))
        print_proposal(proposal, target)


def _header(findings: Findings, proposal: Proposal) -> tuple[str, ...]:
    e, s = findings.erp, findings.store
    return (
        "woonext configuration written by `woonext init`.",
        f"ERPNext {e.erpnext_version} (Frappe {e.frappe_version}) at {e.url}: user {e.user}, time zone {e.time_zone}.",
        f"WooCommerce {s.wc_version} (WordPress {s.wp_version}) at {s.url}: sells in {s.currency}.",
        *proposal.notes,
    )


def _write(target: Path, text: str) -> None:
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        load_config(tmp)  # what we write must load; a failure here is a woonext bug
    except ConfigError as exc:
        tmp.unlink()
        raise _fail(f"woonext init: the configuration it made does not load (please report): {exc}") from None
    tmp.replace(target)
