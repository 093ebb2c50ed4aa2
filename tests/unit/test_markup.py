"""Issue 13, item 9: rich markup must not swallow bracketed names. Every message woonext prints may
name a configuration section ("check [erpnext] api_key", "under [stores.payment_methods]"); rich reads
`[word]` as a style tag and drops it unless the text is escaped. This test finds every string in the
source that names a section, renders it through each way the CLI prints hints and errors, renders
every command's --help, and looks for the section name in the output."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.cfg import write_config
from tests.sync.world import make_world
from woonext.cli import COMMANDS, app, load_command
from woonext.commands import migrate as migrate_cmd
from woonext.commands import orders as orders_cmd
from woonext.commands import setup as setup_cmd
from woonext.commands import sync as sync_cmd
from woonext.store import NEEDS_REVIEW
from woonext.sync.accept import OrderFacts
from woonext.sync.live import LiveReport
from woonext.sync.migration import MigrationReport
from woonext.sync.orders import OrderResult
from woonext.sync.setup import Check, NotReady, SetupReport

SRC = Path(__file__).resolve().parents[2] / "src" / "woonext"
SECTION = re.compile(r"\[\[?(?:erpnext|service|stores)(?:\.[a-z_]+)?\]\]?")
WIDE = {"COLUMNS": "3000"}  # nothing wraps: a folded token would not be found


def _rendered(node: ast.AST) -> str | None:
    """A string literal as it reads at run time, placeholders as `X`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)  # type: ignore[misc]
    return None


def section_messages() -> list[str]:
    """Every string (outside the simulators and docstrings) that names a configuration section."""
    found: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        if "sim" in path.relative_to(SRC).parts:
            continue
        tree = ast.parse(path.read_text())
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            text = _rendered(node)
            if text and id(node) not in docstrings and SECTION.search(text) and node not in ():
                found.append(text)
    return sorted(set(found))


MESSAGES = section_messages()


def test_the_source_has_such_messages() -> None:
    assert any("[erpnext]" in m for m in MESSAGES) and any("[stores.payment_methods]" in m for m in MESSAGES)


def _tokens(text: str) -> list[str]:
    return SECTION.findall(text)


def _assert_all_shown(output: str) -> None:
    missing = [t for m in MESSAGES for t in _tokens(m) if t not in output]
    assert not missing, f"swallowed by markup: {sorted(set(missing))}"


def test_status_shows_every_hint_and_detail(tmp_path: Path) -> None:
    world = make_world(tmp_path, [])
    for n, text in enumerate(MESSAGES):
        world.db.record_outcome("main", "order", n, NEEDS_REVIEW, "r", detail=text, hint=text)
    cfg = write_config(world.config, tmp_path / "woonext.toml")
    result = CliRunner().invoke(app, ["--config", str(cfg), "status", "--limit", "500"], env=WIDE)
    _assert_all_shown(result.output)


def test_errors_that_stop_a_run_are_printed_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world(tmp_path, [])
    cfg = write_config(world.config, tmp_path / "woonext.toml")

    async def not_ready(_: Any, **__: Any) -> SetupReport:
        raise NotReady(" | ".join(MESSAGES))

    monkeypatch.setattr(setup_cmd, "run_setup", not_ready)
    result = CliRunner().invoke(app, ["--config", str(cfg), "setup"], env=WIDE)
    assert result.exit_code == 2
    _assert_all_shown(result.stderr)


def test_the_setup_checklist_shows_every_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world(tmp_path, [])
    cfg = write_config(world.config, tmp_path / "woonext.toml")

    async def report(*_: Any, **__: Any) -> Any:
        return setup_cmd.Outcome(SetupReport(checks=[Check(text, False, text) for text in MESSAGES]))

    async def no_store_checks(*_: Any, **__: Any) -> list[Check]:
        return []

    monkeypatch.setattr(setup_cmd, "_check", report)
    monkeypatch.setattr(setup_cmd, "store_checks", no_store_checks)
    result = CliRunner().invoke(app, ["--config", str(cfg), "setup"], env=WIDE)
    _assert_all_shown(result.output)


def test_run_reports_show_every_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", WIDE["COLUMNS"])
    results = [OrderResult(n, NEEDS_REVIEW, "r", text, text) for n, text in enumerate(MESSAGES)]
    output = ""
    for start in range(0, len(results), 20):  # the migration report lists 20 failures in full
        migration = MigrationReport()
        for result in results[start : start + 20]:
            migration.add(result)
        with migrate_cmd.console.capture() as captured:
            migrate_cmd.console.width = 3000
            migrate_cmd.print_report("main", migration, dry_run=False)
        output += captured.get()
    _assert_all_shown(output)
    with sync_cmd.console.capture() as captured:
        sync_cmd.print_live("main", LiveReport(results=results), "order sync")
    _assert_all_shown(captured.get())
    with orders_cmd.console.capture() as captured:
        for text in MESSAGES:
            orders_cmd._say(text)
        orders_cmd.print_facts(OrderFacts("main", 1, True))
    _assert_all_shown(captured.get())


def _commands(group: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    found = [(path, group)]
    if hasattr(group, "commands"):  # a group (typer may carry its own copy of click's classes)
        for name, command in group.commands.items():
            found += _commands(command, [*path, name])
    return found


def every_command() -> list[tuple[list[str], Any]]:
    """Every command and sub-command, each module loaded (the root group loads them only on use)."""
    return [found for name in COMMANDS for found in _commands(load_command(name), [name])]


def test_every_help_text_keeps_its_section_names() -> None:
    checked = 0
    for path, command in every_command():
        texts = [command.help or ""] + [getattr(p, "help", "") or "" for p in command.params]
        wanted = [t for text in texts for t in _tokens(text.replace("\\[", "["))]
        if not wanted:
            continue
        output = CliRunner().invoke(app, [*path, "--help"], env=WIDE).output
        assert all(t in output for t in wanted), (path, wanted, output)
        checked += 1
    assert checked >= 2  # serve and web name [service]
