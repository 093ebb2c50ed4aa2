"""`woonext sim …`: the simulators' own CLI (`woonext.sim.cli`), mounted here so that only
`woonext sim` pays for importing them."""

from __future__ import annotations

import typer

from woonext.sim.cli import sim_app


def register(app: typer.Typer) -> None:
    app.add_typer(sim_app, name="sim")
