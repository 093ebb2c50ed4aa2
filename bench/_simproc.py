"""Shared helpers of the benchmarks: the simulators in a separate process (`woonext sim up`) on free
loopback ports, their CPU time, request logs grouped by route, and small formatting helpers."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_ports(count: int) -> list[int]:
    """`count` distinct free TCP ports on 127.0.0.1 (held open together so they differ)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid: int | str = "self") -> float:
    """Current resident set size in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class SimProcess:
    """`python -m woonext sim up` in a child process; `with SimProcess(...) as sim:`.

    Stopped with SIGTERM (the simulators shut down cleanly); killed only if they hang."""

    def __init__(
        self,
        workdir: Path,
        orders: int,
        seed: int,
        latency_ms: float,
        start_timeout: float = 300,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.workdir = workdir
        self.extra_args = extra_args
        self.orders = orders
        self.seed = seed
        self.latency_ms = latency_ms
        self.start_timeout = start_timeout
        self.woo_port, self.erp_port = free_ports(2)
        self.config_path = workdir / "woonext.toml"
        self.proc: subprocess.Popen[str] | None = None
        self.startup_s = 0.0
        self.output: list[str] = []

    @property
    def woo_url(self) -> str:
        return f"http://127.0.0.1:{self.woo_port}"

    @property
    def erp_url(self) -> str:
        return f"http://127.0.0.1:{self.erp_port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def __enter__(self) -> SimProcess:
        cmd = [
            PYTHON,
            "-m",
            "woonext",
            "sim",
            "up",
            "--woo-port",
            str(self.woo_port),
            "--erpnext-port",
            str(self.erp_port),
            "--orders",
            str(self.orders),
            "--seed",
            str(self.seed),
            "--latency-ms",
            str(self.latency_ms),
            "--write-config",
            str(self.config_path),
            *self.extra_args,
        ]
        started = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=self.workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ready = threading.Event()

        def reader() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                self.output.append(line.rstrip())
                if "simulator on" in line:
                    ready.set()
            ready.set()  # EOF: the process ended

        threading.Thread(target=reader, daemon=True).start()
        if not ready.wait(self.start_timeout) or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError("woonext sim up did not start:\n" + "\n".join(self.output[-20:]))
        self.startup_s = time.perf_counter() - started
        return self

    def stop(self) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(timeout=5)

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- inspection (no auth; each costs one request's injected latency) ------------------
    def erp_request_log(self) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.erp_url}/__sim__/requests", timeout=60).json())

    def woo_request_log(self) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.woo_url}/__sim__/requests", timeout=60).json())


_NAMED = re.compile(r"^(/api/resource/[^/]+)/.+$")
_WOO_ID = re.compile(r"/\d+(?=/|$)")


def route(method: str, path: str) -> str:
    """`METHOD /path` with document names and numeric ids replaced by placeholders."""
    path = unquote(path)
    named = _NAMED.match(path)
    if named:
        path = named.group(1) + "/{name}"
    path = _WOO_ID.sub("/{id}", path)
    return f"{method} {path}"


def by_route(log: list[dict[str, Any]], skip_sim: bool = True) -> Counter[str]:
    counts: Counter[str] = Counter()
    for row in log:
        if skip_sim and "/__sim__/" in str(row["path"]):
            continue
        counts[route(str(row["method"]), str(row["path"]))] += 1
    return counts


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table (also readable as plain text)."""
    cells = [[str(c) for c in r] for r in [headers, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
