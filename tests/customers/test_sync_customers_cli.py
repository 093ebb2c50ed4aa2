"""`woonext sync customers` as an operator runs it, against `woonext sim up` on loopback ports."""

from __future__ import annotations

from pathlib import Path

from tests.sync.test_cli_end_to_end import cli, sim_up  # noqa: F401 - the fixture is used by name


def test_sync_customers_command_then_an_idle_run(sim_up: tuple[Path, int]) -> None:  # noqa: F811
    cfg, _ = sim_up
    code, out = cli(cfg, "setup")
    assert "Custom Field Contact-woonext_sync_key" in out and "Custom Field Address-woonext_sync_key" in out, out
    code, out = cli(cfg, "sync", "customers")
    assert code == 0, out
    assert "customer sync" in out
    row = next(line for line in out.splitlines() if "│ main" in line)
    cells = [c.strip() for c in row.split("│")[1:-1]]
    seen, new, changed, unchanged, created, failed = (int(c) for c in cells[1:7])
    assert seen == new == created > 10 and (changed, unchanged, failed) == (0, 0, 0), out
    code, out = cli(cfg, "sync", "customers", "--store", "main")
    assert code == 0, out
    row = next(line for line in out.splitlines() if "│ main" in line)
    cells = [c.strip() for c in row.split("│")[1:-1]]
    assert int(cells[4]) == seen and int(cells[2]) == int(cells[5]) == 0, out
    assert int(cells[7]) == 1 and int(cells[8]) == 1, out  # one WooCommerce page, one ERPNext read
    code, out = cli(cfg, "sync", "customers", "--store", "nope")
    assert code == 2
