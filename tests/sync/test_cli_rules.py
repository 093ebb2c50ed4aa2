"""The CLI as its reader needs it, against `sim up`: `migrate` without page flags says it did page 1
of N; Ctrl-C prints the summary so far and the command that resumes (which then finishes the job,
nothing twice); logs go to stderr — JSON when stderr is not a terminal, readable lines when it is —
never to stdout; a system that does not answer is waited for out loud; tables fit 80 columns."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.simproc import sim_up_process
from tests.unit.test_exit_codes import CONFIG
from tests.unit.test_exit_codes import unavailable as unavailable  # noqa: F401 (a fixture)
from woonext.cli import app
from woonext.store import StateDB

ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "80"}
runner = CliRunner()


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with sim_up_process(tmp_path_factory.mktemp("rules"), orders=60, seed=7) as (cfg, _):
        assert _run(cfg, "setup").returncode in (0, 1)
        yield cfg


def _run(cfg: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "woonext", "--config", str(cfg), *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=timeout,
    )


def _invoices(cfg: Path) -> int:
    db = StateDB.open(cfg.read_text().split('state_url = "')[1].split('"')[0])
    try:
        return sum(1 for b in db.bindings("main", "order") if b.erp_name)
    finally:
        db.close()


def test_migrate_without_page_flags_says_page_1_of_n(sim: Path) -> None:
    done = _run(sim, "migrate", "--per-page", "20", "--dry-run")
    assert done.returncode in (0, 1), done.stderr
    text = " ".join(done.stdout.split())
    assert re.search(r"did page 1 of (\d+) \(\d+ orders in scope\)", text), done.stdout
    assert "`woonext migrate --all` does every page" in text


def test_ctrl_c_prints_the_summary_so_far_and_the_command_that_resumes(sim: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "woonext", "--config", str(sim), "migrate", "--all", "--per-page", "10",
         "--concurrency", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while _invoices(sim) < 12 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert "interrupted (Ctrl-C)" in err and re.search(
        r"so far: \d+ created, \d+ skipped, \d+ failed, page \d+ of", err
    )
    resume = re.search(r"resume with `([^`]+)`", err)
    assert resume and resume.group(1) == "woonext migrate --all --per-page 10", err
    before = _invoices(sim)
    again = _run(sim, *resume.group(1).split()[1:])
    assert again.returncode in (0, 1) and "resumed at page" in again.stdout, again.stdout + again.stderr
    assert _invoices(sim) >= before  # went on, and `migrate --all` once more creates nothing
    assert _run(sim, "migrate", "--all", "--per-page", "10").stdout.strip().splitlines()[-1].startswith("0 created")


def test_logs_go_to_stderr_as_json_when_it_is_not_a_terminal_and_waits_are_said(
    tmp_path: Path,
    unavailable: str,  # noqa: F811
) -> None:
    cfg = tmp_path / "down.toml"
    cfg.write_text(CONFIG.format(state=tmp_path / "state.sqlite", url=unavailable))
    done = _run(cfg, "sync", "orders", "--once")
    assert done.returncode == 3
    assert "{" not in done.stdout  # no log line on stdout
    logs = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    waits = [entry for entry in logs if entry["event"] == "waiting_for_erpnext"]
    assert waits and "ERPNext did not answer GET /api/resource/Custom Field (HTTP 503)" in waits[0]["message"]
    assert "try 2 of 5" in waits[0]["message"] and "s so far" in waits[0]["message"]


def test_on_a_terminal_the_logs_are_readable_lines(tmp_path: Path, unavailable: str) -> None:  # noqa: F811
    cfg = tmp_path / "down.toml"
    cfg.write_text(CONFIG.format(state=tmp_path / "state.sqlite", url=unavailable))
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "woonext", "--config", str(cfg), "sync", "orders", "--once"],
        stdout=subprocess.PIPE, stderr=follower, env=ENV,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    out, _ = proc.communicate(timeout=60)
    os.close(leader)
    terminal = re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode(errors="replace"))
    assert proc.returncode == 3 and not out.strip()
    assert "waiting_for_erpnext" in terminal and "did not answer" in terminal and '{"event"' not in terminal


def test_tables_fit_80_columns(sim: Path) -> None:
    _run(sim, "migrate", "--all")
    for args in (
        ["status"],
        ["status", "--all"],
        ["events", "list"],
        ["dead-letter", "list"],
        ["setup"],
        ["sync", "orders", "--once"],
        ["reconcile", "--from", "2020-01-01", "--to", "2030-12-31", "--limit", "5"],
        ["webhooks", "status", "--no-reactivate"],
        ["users", "list"],
    ):
        result = runner.invoke(app, ["--config", str(sim), *args], env={"COLUMNS": "80"}, terminal_width=80)
        lines = result.output.splitlines()
        assert all(len(line) <= 80 for line in lines), (args, [x for x in lines if len(x) > 80])
        for n, line in enumerate(lines):  # every table's header is one line: no column squeezed to a word
            if line.lstrip().startswith(("┏", "┌")):
                assert lines[n + 2].lstrip().startswith(("┡", "├")), (args, lines[n : n + 4])
            if set(line.strip()) <= {"━", " "} and line.strip() and n >= 1:  # box.SIMPLE_HEAD's rule
                header = lines[n - 1]
                assert "…" not in header and (n < 2 or lines[n - 2].strip() == "" or "─" not in lines[n - 2])
        assert "…" not in "\n".join(x for x in lines if x.lstrip().startswith(("┃",))), args
