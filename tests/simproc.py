"""`woonext sim up` as a real process on free loopback ports, for tests that drive the CLI against it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sim_up(*args: str, orders: int, seed: int) -> subprocess.Popen[bytes]:
    """`python -m woonext sim up` on two free ports with these extra arguments."""
    command = [sys.executable, "-m", "woonext", "sim", "up", "--woo-port", str(free_port())]
    command += ["--erpnext-port", str(free_port()), "--orders", str(orders), "--seed", str(seed), *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


@contextmanager
def sim_up_process(tmp_path: Path, *, orders: int, seed: int, args: tuple[str, ...] = ()) -> Iterator[tuple[Path, int]]:
    """Both simulators serving a generated store (or what `args` say, e.g. `--import-orders DIR`); yields
    the written configuration and the ERPNext port."""
    cfg = tmp_path / "cfg.toml"
    proc = _sim_up("--write-config", str(cfg), *args, orders=orders, seed=seed)
    try:
        deadline = time.monotonic() + 60
        while not cfg.exists() and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            time.sleep(0.2)
        assert cfg.exists(), "sim up did not write its configuration"
        yield cfg, int(tomllib.loads(cfg.read_text())["erpnext"]["url"].rsplit(":", 1)[1])
    finally:
        _stop(proc)


@contextmanager
def bare_sim_process(tmp_path: Path, *, orders: int, seed: int = 1) -> Iterator[dict[str, str]]:
    """`sim up --erpnext-state bare` on free ports; yields the environment it wrote (URLs, keys, secrets)."""
    env_file = tmp_path / "sim.env"
    proc = _sim_up("--erpnext-state", "bare", "--write-env", str(env_file), orders=orders, seed=seed)
    try:
        assert proc.stdout is not None
        seen = ""
        while "simulator on" not in seen:  # that line comes once both servers listen
            line = proc.stdout.readline().decode()
            assert line, f"sim up stopped: {seen}"
            seen += line
        assert env_file.exists(), seen
        yield dict(row.split("=", 1) for row in env_file.read_text().splitlines())
    finally:
        _stop(proc)
