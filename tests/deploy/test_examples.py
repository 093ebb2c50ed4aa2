"""deploy/: the systemd units pass `systemd-analyze verify` (their ExecStart pointed at this checkout's
woonext), the nginx example passes `nginx -t` (in a wrapper with a throw-away certificate); a broken
copy of each fails, so the checks are real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
INSTALLED = "/opt/woonext/venv/bin/woonext"
UNITS = sorted((DEPLOY / "systemd").iterdir())
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _tool(path: str | None, package: str) -> str:
    if path:
        return path
    if os.environ.get("CI"):  # .ci/run installs it: the check must run there
        pytest.fail(f"{package} is required in CI")
    pytest.skip(f"no {package} on this machine")


def _verify(folder: Path) -> subprocess.CompletedProcess[str]:
    analyze = _tool(shutil.which("systemd-analyze"), "systemd (systemd-analyze)")
    names = sorted(p.name for p in folder.iterdir())
    return subprocess.run(
        [analyze, "verify", "--man=no", *names], cwd=folder, capture_output=True, text=True, timeout=60
    )


def _units(tmp_path: Path) -> Path:
    folder = tmp_path / "units"
    folder.mkdir()
    woonext = str(Path(sys.executable).with_name("woonext"))
    for unit in UNITS:
        (folder / unit.name).write_text(unit.read_text().replace(INSTALLED, woonext))
    return folder


def test_systemd_units_verify(tmp_path: Path) -> None:
    assert {u.name for u in UNITS} >= {
        "woonext.service",
        "woonext-web.service",
        "woonext-scheduler.service",
        "woonext-worker@.service",
        "woonext-split.target",
    }
    folder = _units(tmp_path)
    done = _verify(folder)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    for unit in UNITS:
        if unit.suffix == ".service":
            assert "KillSignal=SIGTERM" in unit.read_text() and f"ExecStart={INSTALLED} --json-logs" in unit.read_text()

    broken = folder / "woonext.service"
    broken.write_text(
        broken.read_text().replace(str(Path(sys.executable).with_name("woonext")), "/nonexistent/woonext")
    )
    assert _verify(folder).returncode != 0


def _nginx_check(tmp_path: Path, site: str) -> subprocess.CompletedProcess[str]:
    nginx = _tool(NGINX, "nginx")
    openssl = _tool(shutil.which("openssl"), "openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    if not cert.exists():
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=hooks.example.com"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    text = site
    for name in ("hooks.example.com", "console.example.com"):
        text = text.replace(f"/etc/letsencrypt/live/{name}/fullchain.pem", str(cert))
        text = text.replace(f"/etc/letsencrypt/live/{name}/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(text)
    temp = " ".join(
        f"{kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{\n  {temp}\n  access_log off;\n  include {tmp_path / 'site.conf'};\n}}\n"
    )
    return subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_nginx_example_passes_nginx_t(tmp_path: Path) -> None:
    site = (DEPLOY / "nginx" / "woonext.conf").read_text()
    done = _nginx_check(tmp_path, site)
    assert done.returncode == 0 and "test is successful" in done.stderr, done.stderr
    # only the webhook endpoint on the public name; the console behind an address allow-list
    public = site.split("server_name hooks.example.com;")[1].split("server {")[0]
    assert "location /webhooks/" in public and "return 404" in public and "proxy_pass" in public
    assert "deny all;" in site.split("server_name console.example.com;")[1]
    assert (
        _nginx_check(tmp_path, site.replace("proxy_pass http://woonext;", "proxy_pass http://woonext")).returncode != 0
    )
