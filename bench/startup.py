"""Benchmark: how long `woonext` takes to start, per command, and what it imports on the way.

    .venv/bin/python bench/startup.py [--runs 15] [--src DIR] [--json]

Runs each command below `--runs` times as a fresh process (the installed `woonext` console script, as
a user types it) and prints the wall time: best, median and worst. `status` and `config show` read a
configuration and a state database made once in a temporary folder (migrated by a first `status`, not
timed). Then one run per command under `python -X importtime`: the total import time, the heaviest
top-level imports, and whether the simulators (`woonext.sim`), Alembic or the sync flows were imported.

`--src DIR` runs another checkout's `src/` (e.g. `git archive main | tar -x -C /tmp/main`) with this
virtualenv, to compare before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS: list[list[str]] = [["--help"], ["version"], ["status"], ["config", "show"], ["sync", "--help"]]
WATCHED = ("woonext.sim", "alembic", "woonext.sync", "sqlalchemy", "httpx")
CONFIG = """
state_url = "sqlite:///state.sqlite"

[erpnext]
url = "http://127.0.0.1:9/"
api_key = "bench"
api_secret = "bench-secret"

[[stores]]
name = "main"
url = "http://127.0.0.1:9"
consumer_key = "ck_bench"
consumer_secret = "cs_bench"
webhook_secret = "whsec-bench"
company = "Bench"
warehouse = "Stores - B"
currency = "EGP"
"""

# Runs the CLI like the console script does, then reports which watched packages got imported.
PROBE = """
import sys
from woonext.cli import app
try:
    app(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
watched = {watched!r}
print("IMPORTED=" + ",".join(w for w in watched if any(m == w or m.startswith(w + ".") for m in sys.modules)))
"""


def environment(folder: Path, src: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WOONEXT_")}
    env.update(WOONEXT_CONFIG=str(folder / "woonext.toml"), COLUMNS="100", TERM="dumb")
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


def woonext_command(src: Path | None) -> list[str]:
    script = Path(sys.executable).parent / "woonext"
    if src is None and script.exists():
        return [str(script)]
    return [sys.executable, "-m", "woonext"]  # another checkout: PYTHONPATH decides, not the script


def wall_times(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def import_profile(args: list[str], env: dict[str, str]) -> dict[str, object]:
    probe = PROBE.format(watched=WATCHED)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", probe, *args], env=env, capture_output=True, text=True, check=False
    )
    top: list[tuple[int, str]] = []
    total = 0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        if not name.startswith("  "):  # a top-level import (nested ones are indented further)
            total += int(cumulative)
            top.append((int(cumulative), name.strip()))
    imported = next((ln.removeprefix("IMPORTED=") for ln in done.stdout.splitlines() if ln.startswith("IMPORTED=")), "")
    top.sort(reverse=True)
    return {
        "import_ms": round(total / 1000, 1),
        "heaviest": [f"{name} {us / 1000:.0f} ms" for us, name in top[:5]],
        "imported": [w for w in imported.split(",") if w],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--src", type=Path, default=None, help="another checkout's src/ to measure")
    parser.add_argument("--json", action="store_true")
    opts = parser.parse_args()
    src = opts.src.resolve() if opts.src else None
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "woonext.toml").write_text(CONFIG, encoding="utf-8")
        env = environment(folder, src)
        base = woonext_command(src)
        subprocess.run([*base, "status"], env=env, capture_output=True, check=True)  # creates the state DB
        for args in COMMANDS:
            times = wall_times([*base, *args], env, opts.runs)
            profile = import_profile(args, env)
            results.append(
                {
                    "command": "woonext " + " ".join(args),
                    "best_s": round(min(times), 3),
                    "median_s": round(statistics.median(times), 3),
                    "worst_s": round(max(times), 3),
                    **profile,
                }
            )
    load = os.getloadavg()[0]
    if opts.json:
        print(json.dumps({"runs": opts.runs, "load_average": load, "results": results}, indent=2))
        return
    print(f"{opts.runs} runs per command; load average {load:.2f}; {os.cpu_count()} CPUs")
    print(f"{'command':<24} {'best':>7} {'median':>7} {'worst':>7} {'imports':>9}  imported")
    for r in results:
        watched = ", ".join(r["imported"]) or "-"  # type: ignore[arg-type]
        print(
            f"{r['command']:<24} {r['best_s']:>6.3f}s {r['median_s']:>6.3f}s {r['worst_s']:>6.3f}s "
            f"{r['import_ms']:>7.0f}ms  {watched}"
        )
    for r in results:
        print(f"  {r['command']}: heaviest imports: {'; '.join(r['heaviest'])}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
