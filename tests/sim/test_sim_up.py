"""`woonext sim up` as a real process on free ports, and `build_pair` in-process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import requests
from tests.fixtures import WOO_SAMPLES
from tests.simproc import free_port
from woocommerce import API

from woonext.config import load_config
from woonext.sim.serve import build_pair, config_toml

REF = WOO_SAMPLES


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class WebhookReceiver:
    """A plain HTTP server in a thread that records what it is sent."""

    def __init__(self) -> None:
        received: list[dict] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                received.append({"headers": dict(self.headers), "body": self.rfile.read(length).decode()})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> WebhookReceiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, topic: str, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for item in self.received:
                if item["headers"].get("X-WC-Webhook-Topic") == topic:
                    return item
            time.sleep(0.05)
        raise AssertionError(f"no {topic} delivery; got {[r['headers'] for r in self.received]}")


class SimProcess:
    """`python -m woonext.sim.cli up …` in its own process group, its output collected."""

    def __init__(self, tmp: Path, *extra: str) -> None:
        self.woo_port, self.erp_port = free_port(), free_port()
        self.config_path = tmp / "conf" / "woonext.toml"
        cmd = [
            sys.executable,
            "-m",
            "woonext.sim.cli",
            "up",
            "--woo-port",
            str(self.woo_port),
            "--erpnext-port",
            str(self.erp_port),
            "--write-config",
            str(self.config_path),
            *extra,
        ]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True, cwd=tmp
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if "config written to" in line:
                self.ready.set()

    def wait_ready(self, timeout: float = 90) -> None:
        if not self.ready.wait(timeout):
            self.kill()
            raise AssertionError("sim up did not become ready:\n" + "".join(self.lines))

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def running(tmp_path: Path):
    sim = SimProcess(
        tmp_path,
        "--orders",
        "40",
        "--seed",
        "4",
        "--faults",
        "erpnext:503:GET /api/resource/Warehouse*,woo:lost:POST /wp-json/wc/v3/orders/*/notes",
    )
    sim.wait_ready()
    yield sim
    sim.kill()


def test_sim_up_serves_both_with_the_written_config_and_stops_cleanly(running: SimProcess) -> None:
    raw = tomllib.loads(running.config_path.read_text())
    config = load_config(running.config_path)  # the service itself accepts what we wrote
    assert config.state_url == f"sqlite:///{running.config_path.parent.resolve() / 'state.sqlite'}"
    store = config.store("main")
    assert store.url == f"http://127.0.0.1:{running.woo_port}"
    assert store.company == "Jarz Test" and store.warehouse == "Jarz Main - JT" and store.currency == "EGP"
    assert raw["stores"][0]["tax_accounts"]["1"] == "VAT 14% - JT"
    assert raw["stores"][0]["payment_methods"]["kashier_card"] == "Kashier Card"

    woo = API(
        url=store.url,
        consumer_key=store.consumer_key.get_secret_value(),
        consumer_secret=store.consumer_secret.get_secret_value(),
        version="wc/v3",
        timeout=10,
    )
    listing = woo.get("orders", params={"per_page": 100, "status": "any"})
    assert listing.status_code == 200
    orders = listing.json()
    assert 0 < len(orders) <= 40 and int(listing.headers["X-WP-Total"]) == len(orders)
    first = orders[0]
    parts = sum(Decimal(x["total"]) for k in ("line_items", "shipping_lines", "fee_lines") for x in first[k])
    assert Decimal(first["total"]) == parts + Decimal(first["total_tax"])
    refunded = next(o for o in orders if o["refunds"])  # seed 4 has refunds among its 40 orders
    served_refunds = woo.get(f"orders/{refunded['id']}/refunds").json()
    assert sorted(r["id"] for r in served_refunds) == sorted(s["id"] for s in refunded["refunds"])
    assert all(Decimal(r["amount"]) > 0 for r in served_refunds)
    with WebhookReceiver() as receiver:
        hook = woo.post(
            "webhooks", {"name": "t", "topic": "order.updated", "delivery_url": receiver.url, "secret": "s3cret"}
        )
        assert hook.status_code == 201
        updated = woo.put(f"orders/{first['id']}", {"customer_note": "sim up test"})
        assert updated.status_code == 200 and updated.json()["customer_note"] == "sim up test"
        # The background Action Scheduler delivers it without anyone asking.
        topic = receiver.wait_for("order.updated")
    assert json.loads(topic["body"])["id"] == first["id"]
    wrong = API(
        url=store.url,
        consumer_key=store.consumer_key.get_secret_value(),
        consumer_secret="cs_wrong",
        version="wc/v3",
        timeout=10,
    )
    assert wrong.get("orders").status_code == 401

    # A lost response in server mode: the note is created, the client only sees its own timeout.
    slow = API(
        url=store.url,
        consumer_key=store.consumer_key.get_secret_value(),
        consumer_secret=store.consumer_secret.get_secret_value(),
        version="wc/v3",
        timeout=1,
    )
    with pytest.raises(requests.exceptions.ReadTimeout):
        slow.post(f"orders/{first['id']}/notes", {"note": "applied but unanswered"})
    notes = woo.get(f"orders/{first['id']}/notes").json()
    assert any(n["note"] == "applied but unanswered" for n in notes)

    erp = config.erpnext
    auth = {"Authorization": f"token {erp.api_key.get_secret_value()}:{erp.api_secret.get_secret_value()}"}
    with httpx.Client(base_url=erp.url, timeout=10) as client:
        company = client.get("/api/resource/Company/Jarz Test", headers=auth)
        assert company.status_code == 200 and company.json()["data"]["abbr"] == "JT"
        item = first["line_items"][0]["sku"]
        assert client.get(f"/api/resource/Item/{item}", headers=auth).status_code == 200
        assert client.get("/api/resource/Company", headers={"Authorization": "token x:y"}).status_code == 401
        proxy = client.get("/api/resource/Warehouse", headers=auth)
        assert proxy.status_code == 503 and "nginx" in proxy.text  # the --faults spec is live

    running.proc.send_signal(signal.SIGINT)
    assert running.proc.wait(timeout=20) == 0
    output = "".join(running.lines)
    assert "simulators stopped" in output and "Traceback" not in output
    with pytest.raises(ProcessLookupError):
        os.killpg(running.proc.pid, 0)  # nothing of its process group is left
    assert not port_open(running.woo_port) and not port_open(running.erp_port)


def test_sim_up_stops_on_sigterm_and_rejects_bad_faults(tmp_path: Path) -> None:
    sim = SimProcess(tmp_path, "--orders", "5")
    sim.wait_ready()
    sim.proc.send_signal(signal.SIGTERM)
    assert sim.proc.wait(timeout=20) == 0
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "woonext.sim.cli",
            "up",
            "--woo-port",
            "1",
            "--erpnext-port",
            "2",
            "--write-config",
            str(tmp_path / "x.toml"),
            "--faults",
            "boom@0.1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "unknown fault kind 'boom'" in bad.stderr
    assert not (tmp_path / "x.toml").exists()


def test_build_pair_with_imported_real_orders(tmp_path: Path) -> None:
    if not REF.is_dir():
        raise FileNotFoundError(f"reference samples missing: {REF}")
    for n in range(15, 21):
        shutil.copy(REF / f"order_{n}.json", tmp_path / f"order_{n}.json")
    pair = build_pair(import_orders=tmp_path, woo_url="http://woo.test")
    assert sorted(pair.woo.orders) == [15, 16, 17, 18, 19, 20]
    served = pair.woo.render_order(pair.woo.orders[20])
    real = json.loads((REF / "order_20.json").read_text())
    assert served["total"] == real["total"] and served["line_items"][0]["sku"] == "TSHIRT-EG-001"
    assert pair.erp.db.get("Item", "MUG-CER-003") is not None
    assert pair.store is None and pair.tax_accounts == {}
    text = config_toml(pair.config("http://woo.test", "http://erp.test", "sqlite:////tmp/s.sqlite"))
    parsed = tomllib.loads(text)
    assert parsed["stores"][0]["consumer_key"] == pair.woo_key
    assert parsed["stores"][0]["modes_of_payment"]["Kashier Card"] == "Kashier Card"


def test_build_pair_generated_store_is_consistent() -> None:
    pair = build_pair(seed=2, orders=30)
    assert pair.store is not None and len(pair.woo.orders) == 30
    assert {o["id"]: o["total"] for o in pair.store.orders} == {i: o["total"] for i, o in pair.woo.orders.items()}
    skus = {li["sku"] for o in pair.store.orders for li in o["line_items"]}
    assert all(pair.erp.db.get("Item", sku) for sku in skus)
    assert pair.woo_key.startswith("ck_") and pair.erp_key
