"""The CLI's shape: no import cycle, every command a row of `woonext.cli.COMMANDS`, and a start-up that
imports only what the command needs (the figures are in docs/benchmarks.md, bench/startup.py)."""

from __future__ import annotations

import inspect
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import woonext.commands
from woonext.cli import COMMANDS, app, load_command
from woonext.store import StateDB
from woonext.store.migrate import alembic_config, script_head

from .conftest import VALID_TOML

COMMAND_MODULES = sorted(info.name for info in pkgutil.iter_modules(woonext.commands.__path__))
HEAVY = ("woonext.sim", "alembic", "woonext.sync", "woonext.runtime", "httpx", "sqlalchemy")

# Runs the CLI in a fresh interpreter, then prints which of HEAVY it imported, as JSON.
PROBE = f"""
import json, sys
from woonext.cli import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
print("IMPORTED=" + json.dumps([h for h in {HEAVY!r} if any(m == h or m.startswith(h + ".") for m in sys.modules)]))
"""

# Imports the libraries, then imports each module named in argv in a child forked for it; prints the
# modules that imported, and the tracebacks of those that did not.
FORK_EACH = """
import importlib, os, sys, traceback
for library in ("sqlalchemy", "alembic", "httpx", "starlette.applications", "uvicorn", "pydantic", "structlog",
                "rich.console", "rich.table", "rich.progress", "typer", "croniter", "prometheus_client",
                "phonenumbers"):
    importlib.import_module(library)
assert not any(m == "woonext" or m.startswith("woonext.") for m in sys.modules)
children = {}
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module("woonext.commands." + name)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    children[name] = pid
failed = False
for name, pid in children.items():
    if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0:
        print(name)
    else:
        failed = True
sys.exit(1 if failed else 0)
"""


def _python(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _imported_by(args: list[str], env: dict[str, str] | None = None) -> list[str]:
    out, err = _python("-c", PROBE, *args, env=env).communicate(timeout=120)
    marked = [line for line in out.splitlines() if line.startswith("IMPORTED=")]
    if not marked:
        pytest.fail(f"the probe did not finish: {err}")
    return list(json.loads(marked[-1].removeprefix("IMPORTED=")))


def test_each_command_module_imports_on_its_own() -> None:
    # A cycle only shows when its module is the first one imported, so each module needs an interpreter
    # that has imported nothing of woonext: children forked from one that loaded the libraries only.
    process = _python("-c", FORK_EACH, *COMMAND_MODULES)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert out.split() == COMMAND_MODULES, err


def test_no_command_module_imports_the_cli() -> None:
    for name in COMMAND_MODULES:
        source = Path(woonext.commands.__path__[0], f"{name}.py").read_text(encoding="utf-8")
        assert "from woonext.cli " not in source and "import woonext.cli" not in source, name


def test_importing_the_cli_and_its_help_load_no_flow_simulator_or_alembic() -> None:
    assert _imported_by([]) == []
    assert _imported_by(["--help"]) == []


def test_status_on_a_current_database_does_not_load_alembic(tmp_path: Path) -> None:
    config = tmp_path / "woonext.toml"
    config.write_text(VALID_TOML, encoding="utf-8")
    env = {**os.environ, "WOONEXT_CONFIG": str(config)}
    first = _imported_by(["status"], env)  # creates the database: Alembic migrates it
    assert "alembic" in first
    again = _imported_by(["status"], env)
    assert "alembic" not in again and "woonext.sim" not in again and "woonext.sync" not in again


def test_every_command_module_has_a_row_and_every_row_loads_with_its_help() -> None:
    in_rows = {module for row in COMMANDS.values() for module in row.modules}
    assert in_rows == {name for name in COMMAND_MODULES if not name.startswith("_")}
    for name, row in COMMANDS.items():
        command = load_command(name)
        own = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0].replace("\n", " ")
        assert row.help == own, f"the help line of {name!r} in COMMANDS differs from the command's own"


def test_help_lists_every_command_and_a_typo_gets_a_suggestion() -> None:
    runner = CliRunner()
    listing = runner.invoke(app, ["--help"], terminal_width=200)
    assert listing.exit_code == 0
    for name in COMMANDS:
        assert f" {name} " in listing.output
    typo = runner.invoke(app, ["stauts"])
    assert typo.exit_code == 2 and "Did you mean 'status'" in typo.output


def test_schema_head_read_without_alembic_matches_alembic(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    assert script_head() == ScriptDirectory.from_config(alembic_config()).get_current_head()
    db = StateDB.open(f"sqlite:///{tmp_path / 'state.sqlite'}")
    with db.engine.connect() as connection:
        from sqlalchemy import text

        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == script_head()
    db.close()
