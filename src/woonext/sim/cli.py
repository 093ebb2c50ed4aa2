"""`woonext sim …` commands (the main CLI mounts `sim_app` as `sim`; also `python -m woonext.sim.cli`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from .faults import FaultPlan

sim_app = typer.Typer(help="Simulated WooCommerce and ERPNext servers for tests and demos.", no_args_is_help=True)


@sim_app.callback()
def _sim() -> None:
    """Simulators of WooCommerce 11 and ERPNext 15."""


@sim_app.command("up")
def up(
    woo_port: int = typer.Option(..., "--woo-port", help="Port for the WooCommerce simulator (127.0.0.1)."),
    erpnext_port: int = typer.Option(..., "--erpnext-port", help="Port for the ERPNext simulator (127.0.0.1)."),
    write_config: Path | None = typer.Option(None, "--write-config", help="Where to write the woonext TOML config."),
    write_env: Path | None = typer.Option(
        None, "--write-env", help="Where to write the URLs, keys and secrets `woonext init` reads (a shell env file)."
    ),
    erpnext_state: str = typer.Option(
        "seeded",
        "--erpnext-state",
        help="seeded: ERPNext holds every master woonext needs; bare: as ERPNext's setup wizard leaves it "
        "(then use --write-env and `woonext init`).",
    ),
    orders: int = typer.Option(200, "--orders", min=0, help="Orders to generate."),
    seed: int = typer.Option(1, "--seed", help="Seed of the generated store and of the faults."),
    latency_ms: float = typer.Option(0, "--latency-ms", min=0, help="Latency added to every request."),
    faults: str = typer.Option("", "--faults", help="Fault spec, e.g. '429@0.05,erpnext:lost@0.02'."),
    import_orders: Path | None = typer.Option(
        None,
        "--import-orders",
        help="Serve these *.json orders instead (products*.json and variations*.json beside them: the catalog).",
    ),
    seed_items: bool = typer.Option(
        False, "--seed-items", help="With --import-orders: also make ERPNext Items for the imported catalog."
    ),
    fault_hold_s: float = typer.Option(
        300,
        "--fault-hold-s",
        min=0,
        help="How long a timeout / lost-response fault holds the socket before the proxy's 504.",
    ),
) -> None:
    """Serve both simulators on 127.0.0.1 until stopped (Ctrl-C / SIGTERM) and write a config for them."""
    # Imported here so that `woonext --help` does not load both simulators.
    from .serve import build_pair, serve_async
    from .serve import write_config as write_toml
    from .serve import write_env as write_environment

    try:
        FaultPlan.parse(faults)  # a bad spec is a usage error, before anything starts
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--faults") from exc
    _check_outputs(erpnext_state, write_config, write_env)
    host = "127.0.0.1"
    woo_url, erp_url = f"http://{host}:{woo_port}", f"http://{host}:{erpnext_port}"
    try:
        pair = build_pair(
            seed,
            orders,
            woo_url=woo_url,
            latency_ms=latency_ms,
            faults=faults,
            import_orders=import_orders,
            server_mode=True,
            fault_hold_s=fault_hold_s,
            erpnext_state=erpnext_state,
            seed_items=seed_items,
        )
    except (FileNotFoundError, ValueError) as exc:
        typer.echo(f"woonext sim up: {exc}", err=True)
        raise typer.Exit(2) from exc
    written = []
    if write_env is not None:
        write_environment(pair, write_env, woo_url, erp_url)
        written.append(f"environment written to {write_env.resolve()}")
    if write_config is not None:
        write_toml(pair, write_config, woo_url, erp_url)
        written.append(f"config written to {write_config.resolve()}")

    def ready() -> None:
        count = len(pair.woo.orders)
        typer.echo(
            f"WooCommerce simulator on {woo_url} ({count} orders); ERPNext simulator ({erpnext_state}) on "
            f"{erp_url}; " + "; ".join(written),
            err=False,
        )

    asyncio.run(serve_async(pair, woo_port, erpnext_port, host, on_ready=ready))
    typer.echo("simulators stopped")


def _check_outputs(state: str, write_config: Path | None, write_env: Path | None) -> None:
    if state not in ("seeded", "bare"):
        raise typer.BadParameter(f"{state!r} is not one of: seeded, bare", param_hint="--erpnext-state")
    if write_config is None and write_env is None:
        raise typer.BadParameter("give --write-config PATH or --write-env PATH (or both)", param_hint="--write-config")
    if state == "bare" and write_config is not None:
        raise typer.BadParameter(
            "a bare ERPNext has no woonext configuration yet: use --write-env PATH, then `woonext init`",
            param_hint="--write-config",
        )


if __name__ == "__main__":
    sim_app()
