"""`woonext serve` as a real process against `woonext sim up` on loopback ports: an order created in
the WooCommerce simulator arrives as a signed webhook and becomes an invoice; a wrong signature gets
401; the ping 200; `events list` / `events retry`; SIGTERM stops the service cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.simproc import free_port
from tests.sync.test_cli_end_to_end import erp_invoices
from woonext.cli import app
from woonext.runtime.webhooks import sign

runner = CliRunner()


def cli(cfg: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--config", str(cfg), *args])
    return result.exit_code, result.output


def spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "woonext", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def stop(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    return code, proc.stdout.read().decode() if proc.stdout else ""


def wait_for(check, timeout: float = 20.0, explain=lambda: ""):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out {explain()}")


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[tuple[Path, int, int]]:
    woo_port, erp_port = free_port(), free_port()
    cfg = tmp_path / "cfg.toml"
    proc = spawn(
        "sim",
        "up",
        "--woo-port",
        str(woo_port),
        "--erpnext-port",
        str(erp_port),
        "--orders",
        "20",
        "--seed",
        "5",
        "--write-config",
        str(cfg),
    )
    try:
        wait_for(lambda: cfg.exists() or proc.poll() is not None, 60)
        assert cfg.exists(), stop(proc)[1]
        yield cfg, woo_port, erp_port
    finally:
        stop(proc)


def test_serve_turns_a_webhook_into_an_invoice_and_stops_cleanly_on_sigterm(sims: tuple[Path, int, int]) -> None:
    cfg, woo_port, erp_port = sims
    woo = f"http://127.0.0.1:{woo_port}"
    assert cli(cfg, "setup")[0] in (0, 1)
    port = free_port()
    code, out = cli(cfg, "webhooks", "install", "--url", f"http://127.0.0.1:{port}")
    # 8 WooCommerce topics (orders, customers, products) and 3 ERPNext ones (stock, prices)
    assert code == 0 and out.count("│ created ") == 11, out
    assert cli(cfg, "webhooks", "install", "--url", f"http://127.0.0.1:{port}")[1].count("│ kept ") == 11

    service = spawn("--config", str(cfg), "--json-logs", "serve", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _get(f"{base}/healthz") == 200 or service.poll() is not None)
        assert service.poll() is None
        assert _get(f"{base}/readyz") == 200
        items = set(erp_items(cfg, erp_port))
        known = next(
            o
            for o in httpx.get(f"{woo}/__sim__/orders").json()
            if o["line_items"]
            and o["payment_method"] == "cod"
            and o["line_items"][0]["sku"] in items
            and not o["line_items"][0]["variation_id"]
        )
        spec = {
            "line_items": [{"product_id": known["line_items"][0]["product_id"], "quantity": 1}],
            "payment_method": "cod",
            "payment_method_title": "Cash on delivery",
            "status": "processing",
            "billing": known["billing"],
        }
        created = httpx.post(f"{woo}/__sim__/orders", json={"spec": spec, "created_via": "checkout"})
        assert created.status_code == 201, created.text
        order_id = str(created.json()["id"])
        invoices = wait_for(
            lambda: [i for i in erp_invoices(cfg, erp_port) if i["woo_order_id"] == order_id],
            explain=lambda: cli(cfg, "events", "list", "--json")[1],
        )
        assert len(invoices) == 1 and invoices[0]["docstatus"] == 1
        # the scheduler's first order poll may make the invoice before the simulator delivers the
        # webhook: wait for the webhook's own event to be handled before stopping the service
        wait_for(
            lambda: [
                e
                for e in json.loads(cli(cfg, "events", "list", "--json")[1])
                if e["remote_id"] == order_id and e["status"] not in ("Pending", "Running")
            ],
            explain=lambda: cli(cfg, "events", "list", "--json")[1],
        )

        hook = f"{base}/webhooks/woocommerce/main"
        body = json.dumps({"id": int(order_id)}).encode()
        forged = httpx.post(
            hook,
            content=body,
            headers={"X-WC-Webhook-Topic": "order.updated", "X-WC-Webhook-Signature": sign(body, "guess")},
        )
        assert forged.status_code == 401
        ping = httpx.post(hook, content=b"webhook_id=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert ping.status_code == 200
    finally:
        code, log = stop(service)
    assert code == 0, log
    assert "service_stopping" in log and "worker_stopped" in log
    secret = cfg.read_text().split('webhook_secret = "')[1].split('"')[0]
    assert secret not in log

    code, out = cli(cfg, "events", "list", "--json")
    listed = json.loads(out)
    mine = [e for e in listed if e["remote_id"] == order_id]
    # the webhook's event made the invoice, unless the scheduler's first order poll got there first
    assert [e["status"] for e in mine].count("Succeeded") <= 1
    assert all(
        e["status"] == "Skipped" and "already_synced" in e["last_error"] for e in mine if e["status"] != "Succeeded"
    ), mine
    jobs = {e["remote_id"]: e["status"] for e in listed if e["kind"] == "job"}
    # a job still running at SIGTERM is released for the next start (Pending), never left Running or Failed
    assert jobs["orders"] == "Succeeded" and set(jobs.values()) <= {"Succeeded", "Pending"}, jobs
    code, out = cli(cfg, "events", "retry", str(mine[0]["id"]))
    assert code == 0 and "queued again" in out
    code, out = cli(cfg, "events", "list", "--status", "pending")
    assert code == 0 and f"{mine[0]['id']}" in out
    assert cli(cfg, "events", "list", "--status", "bogus")[0] == 2
    assert cli(cfg, "events", "retry", str(mine[0]["id"]))[0] == 2  # already queued: nothing to retry

    worker = spawn("--config", str(cfg), "--json-logs", "worker", "--concurrency", "2")
    try:
        done = wait_for(
            lambda: [
                e
                for e in json.loads(cli(cfg, "events", "list", "--json")[1])
                if e["id"] == mine[0]["id"] and e["status"] not in ("Pending", "Running")
            ]
        )
    finally:
        code, log = stop(worker)
    assert code == 0 and "worker_stopped" in log, log
    assert done[0]["status"] == "Skipped" and "already_synced" in done[0]["last_error"]
    assert len([i for i in erp_invoices(cfg, erp_port) if i["woo_order_id"] == order_id]) == 1
    assert cli(cfg, "webhooks", "status", "--no-reactivate")[0] == 0


def erp_items(cfg: Path, erp_port: int) -> list[str]:
    text = cfg.read_text()
    key = text.split('api_key = "')[1].split('"')[0]
    secret = text.split('api_secret = "')[1].split('"')[0]
    response = httpx.get(
        f"http://127.0.0.1:{erp_port}/api/resource/Item",
        params={"limit_page_length": 0},
        headers={"Authorization": f"token {key}:{secret}"},
    )
    response.raise_for_status()
    return [str(row["name"]) for row in response.json()["data"]]


def _get(url: str) -> int:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return 0
