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
    write_config: Path = typer.Option(..., "--write-config", help="Where to write the woonext TOML config."),
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

    try:
        FaultPlan.parse(faults)  # a bad spec is a usage error, before anything starts
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--faults") from exc
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
            seed_items=seed_items,
        )
    except (FileNotFoundError, ValueError) as exc:
        typer.echo(f"woonext sim up: {exc}", err=True)
        raise typer.Exit(2) from exc
    write_toml(pair, write_config, woo_url, erp_url)

    def ready() -> None:
        count = len(pair.woo.orders)
        typer.echo(
            f"WooCommerce simulator on {woo_url} ({count} orders); ERPNext simulator on {erp_url}; "
            f"config written to {write_config.resolve()}",
            err=False,
        )

    asyncio.run(serve_async(pair, woo_port, erpnext_port, host, on_ready=ready))
    typer.echo("simulators stopped")


if __name__ == "__main__":
    sim_app()
