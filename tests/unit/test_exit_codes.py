"""Exit codes, the same for every command (README): 0 done, 1 done with failures, 2 bad usage,
configuration or not ready, 3 a system unreachable. One case per command; the 0/1 cases of the
commands that talk to both systems are in their own tests (tests/sync, tests/reconcile, …), here each
meets a WooCommerce and an ERPNext that answer 503 (Retry-After: 0, so the retries are instant)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.simproc import free_port
from woonext.cli import COMMANDS, app

runner = CliRunner()
CONFIG = """state_url = "sqlite:///{state}"
[erpnext]
url = "{url}"
api_key = "k"
api_secret = "s"
[[stores]]
name = "main"
url = "{url}"
consumer_key = "ck"
consumer_secret = "cs"
company = "C"
warehouse = "W"
currency = "EGP"
"""


@pytest.fixture(scope="module")
def unavailable() -> Iterator[str]:
    """A server that answers everything 503 with Retry-After: 0 (a system down behind its proxy)."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            self.send_response(503)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"code": "unavailable", "message": "down for maintenance"}')

        do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815 (http.server's names)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def busy_port() -> Iterator[int]:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield int(held.getsockname()[1])


@pytest.fixture
def configs(tmp_path: Path, unavailable: str) -> dict[str, Path]:
    good = tmp_path / "down.toml"
    good.write_text(CONFIG.format(state=tmp_path / "state.sqlite", url=unavailable))
    bad = tmp_path / "bad.toml"
    bad.write_text(CONFIG.format(state=tmp_path / "state.sqlite", url=unavailable).replace('currency = "EGP"', ""))
    return {"down": good, "bad": bad}


# (command row, config, arguments, exit code, words the output must have)
CASES: list[tuple[str, str, list[str], int, str]] = [
    ("init", "down", ["init", "--yes", "--write", "{missing}"], 2, "missing: pass"),
    ("setup", "down", ["setup"], 3, "ERPNext could not be reached"),
    ("migrate", "down", ["migrate"], 3, "could not be reached"),
    ("sync", "down", ["sync", "orders", "--once"], 3, "could not be reached"),
    ("pull-recent", "down", ["pull-recent"], 3, "could not be reached"),
    ("serve", "down", ["serve", "--port", "{busy}"], 2, "already in use"),
    ("web", "down", ["web", "--port", "{busy}"], 2, "already in use"),
    ("worker", "bad", ["worker"], 2, "required key is missing"),
    ("scheduler", "bad", ["scheduler"], 2, "required key is missing"),
    ("webhooks", "down", ["webhooks", "status"], 3, "could not be reached"),
    ("items", "down", ["items", "sync"], 3, "could not be reached"),
    ("stock", "down", ["stock", "push"], 3, "could not be reached"),
    ("prices", "down", ["prices", "push"], 3, "could not be reached"),
    ("events", "down", ["events", "retry", "999"], 2, "no event with id 999"),
    ("dead-letter", "down", ["dead-letter", "retry"], 2, "give an event id or --all"),
    ("orders", "down", ["orders", "show", "5"], 3, "could not be reached"),
    ("customers", "down", ["customers", "dedupe"], 3, "could not be reached"),
    ("reconcile", "down", ["reconcile", "--from", "2026-11-01", "--to", "2026-11-02"], 3, "could not be reached"),
    ("status", "down", ["status", "--store", "nope"], 2, "no store named 'nope'"),
    ("config", "bad", ["config", "check"], 2, "1 problem(s)"),
    ("users", "down", ["users", "add", "x", "--role", "admin"], 2, "unknown role"),
    ("state", "down", ["state", "restore", "{missing}"], 2, "Invalid value for 'path'"),
    ("alerts", "down", ["alerts", "test"], 2, "no alert channel configured"),
    ("demo", "down", ["demo", "--orders", "5"], 2, "greater than or equal to 10"),
    (
        "sim",
        "down",
        ["sim", "up", "--woo-port", "1", "--erpnext-port", "2", "--faults", "nonsense", "--write-config", "{missing}"],
        2,
        "nonsense",
    ),
    ("version", "down", ["version"], 0, "woonext"),
]


def test_every_command_has_a_case() -> None:
    assert {case[0] for case in CASES} == set(COMMANDS)


@pytest.mark.parametrize(("row", "config", "args", "code", "words"), CASES, ids=[c[0] for c in CASES])
def test_exit_code(
    row: str, config: str, args: list[str], code: int, words: str, configs: dict[str, Path], busy_port: int
) -> None:
    argv = [a.format(busy=busy_port, missing=configs["down"].parent / "missing.file") for a in args]
    result = runner.invoke(app, ["--config", str(configs[config]), *argv])
    assert result.exit_code == code, result.output
    assert words in " ".join(result.output.split()), result.output
