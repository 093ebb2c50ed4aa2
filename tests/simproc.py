"""`woonext sim up` as a real process on free loopback ports, for tests that drive the CLI against it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def sim_up_process(tmp_path: Path, *, orders: int, seed: int, args: tuple[str, ...] = ()) -> Iterator[tuple[Path, int]]:
    """Both simulators serving a generated store (or what `args` say, e.g. `--import-orders DIR`); yields
    the written configuration and the ERPNext port."""
    woo_port, erp_port = free_port(), free_port()
    cfg = tmp_path / "cfg.toml"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "woonext",
            "sim",
            "up",
            "--woo-port",
            str(woo_port),
            "--erpnext-port",
            str(erp_port),
            "--orders",
            str(orders),
            "--seed",
            str(seed),
            "--write-config",
            str(cfg),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        while not cfg.exists() and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            time.sleep(0.2)
        assert cfg.exists(), "sim up did not write its configuration"
        yield cfg, erp_port
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
