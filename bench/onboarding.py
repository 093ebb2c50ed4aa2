"""Benchmark: from ERPNext right after its setup wizard to the first invoice, as an operator does it.

Starts `python -m woonext sim up --erpnext-state bare --orders N` in a separate process (loopback
ports), then runs the three commands of the README as separate processes, exactly as typed:

    woonext init --yes --write cfg.toml --erpnext-url … --erpnext-secret-file … --woo-url … …
    woonext --config cfg.toml setup --apply --yes
    woonext --config cfg.toml migrate --all

    .venv/bin/python bench/onboarding.py [--orders 500] [--seed 14] [--json]

Prints each command's wall time (Python start-up included), the ERPNext and WooCommerce requests each
made, the time from the start of `init` to the first Sales Invoice ERPNext stored, and the invoices
made. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from _simproc import PYTHON, ROOT, cpu_seconds, free_ports


def _sim(url: str, path: str) -> Any:
    response = httpx.get(f"{url}/__sim__/{path}", timeout=120)
    response.raise_for_status()
    return response.json()


def _requests(woo: str, erp: str) -> tuple[int, int]:
    return len(_sim(erp, "requests")), len(_sim(woo, "requests"))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the woonext process)."""
    started, cpu = time.monotonic(), _children_cpu()
    done = subprocess.run([PYTHON, "-m", "woonext", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"woonext {' '.join(args[:3])} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return time.monotonic() - started, _children_cpu() - cpu


def _start(workdir: Path, orders: int, seed: int) -> tuple[subprocess.Popen[str], dict[str, str]]:
    woo_port, erp_port = free_ports(2)
    env_file = workdir / "sim.env"
    command = [PYTHON, "-m", "woonext", "sim", "up", "--erpnext-state", "bare", "--orders", str(orders)]
    command += ["--seed", str(seed), "--woo-port", str(woo_port), "--erpnext-port", str(erp_port)]
    proc = subprocess.Popen([*command, "--write-env", str(env_file)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    while "simulator on" not in (line := proc.stdout.readline()):
        if not line:
            sys.exit("sim up stopped before it listened")
    return proc, dict(row.split("=", 1) for row in env_file.read_text().splitlines())


def bench(orders: int, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="woonext-onboarding-") as tmp:
        work = Path(tmp)
        proc, env = _start(work, orders, seed)
        try:
            (work / "erp.secret").write_text(env["WOONEXT_ERPNEXT_API_SECRET"] + "\n")
            (work / "woo.secret").write_text(env["WOONEXT_WOO_CONSUMER_SECRET"] + "\n")
            erp, woo = env["WOONEXT_ERPNEXT_URL"], env["WOONEXT_WOO_URL"]
            init = ["init", "--yes", "--write", "cfg.toml", "--erpnext-url", erp, "--erpnext-key"]
            init += [env["WOONEXT_ERPNEXT_API_KEY"], "--erpnext-secret-file", "erp.secret", "--woo-url", woo]
            init += ["--woo-key", env["WOONEXT_WOO_CONSUMER_KEY"], "--woo-secret-file", "woo.secret"]
            init += ["--state-url", "sqlite:///state.sqlite"]
            clock = _sim(erp, "clock")
            site_offset = datetime.fromisoformat(clock["site"]) - datetime.fromisoformat(clock["utc"]).replace(
                tzinfo=None
            )
            started = datetime.fromisoformat(clock["utc"]).replace(tzinfo=None)
            phases: dict[str, dict[str, float]] = {}
            for name, args in (
                ("init", init),
                ("setup --apply", ["--config", "cfg.toml", "setup", "--apply", "--yes"]),
                ("migrate --all", ["--config", "cfg.toml", "migrate", "--all"]),
            ):
                erp_before, woo_before = _requests(woo, erp)
                sim_cpu = cpu_seconds(proc.pid)
                seconds, cpu = _run(args, work)
                erp_after, woo_after = _requests(woo, erp)
                phases[name] = {
                    "seconds": seconds,
                    "woonext_cpu": cpu,
                    "sims_cpu": cpu_seconds(proc.pid) - sim_cpu,
                    "erp": erp_after - erp_before,
                    "woo": woo_after - woo_before,
                }
            invoices = _sim(erp, "docs/Sales Invoice")
            first = datetime.fromisoformat(min(str(i["creation"]) for i in invoices)) - site_offset
            return {
                "orders": orders,
                "phases": phases,
                "init_to_first_invoice_s": (first - started).total_seconds(),
                "invoices": sum(1 for i in invoices if not i.get("is_return")),
                "credit_notes": sum(1 for i in invoices if i.get("is_return")),
            }
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = bench(args.orders, args.seed)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"store: {result['orders']} orders; load average {os.getloadavg()[0]:.1f}")
    for name, phase in result["phases"].items():
        requests = f"ERPNext {phase['erp']:4.0f} requests, WooCommerce {phase['woo']:3.0f}"
        cpu = f"CPU woonext {phase['woonext_cpu']:5.1f} s, simulators {phase['sims_cpu']:5.1f} s"
        print(f"  {name:<15} {phase['seconds']:6.1f} s   {cpu}   {requests}")
    print(f"  init → first invoice: {result['init_to_first_invoice_s']:.1f} s")
    print(f"  invoices {result['invoices']}, credit notes {result['credit_notes']}")


if __name__ == "__main__":
    main()
