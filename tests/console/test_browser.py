"""The console in a real browser (Debian's headless Chromium, driven by selenium) against `woonext
serve` on the simulators: log in → overview → a needs-a-person group → fix in ERPNext and retry →
an order's story → a dead letter retried. Screenshots go to a temporary folder, or to the folder
named by WOONEXT_SCREENSHOTS (`WOONEXT_SCREENSHOTS=docs/console ./run test -k browser` refreshes
the README's)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.runtime.test_serve import spawn, stop
from tests.simproc import free_port, sim_up_process
from woonext.store import DEAD_LETTER, SUCCEEDED, StateDB
from woonext.store import events as queue

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
PASSWORD = "a long console password"


def _needs_browser() -> None:
    if CHROMIUM and DRIVER:
        return
    if os.environ.get("CI"):  # CI installs them (.ci/run): the test must run there
        pytest.fail("chromium and chromium-driver are required in CI (apt-get install chromium chromium-driver)")
    pytest.skip("no chromium / chromedriver on this machine")


def wait_for(check: Callable[[], Any], what: str, timeout: float = 30.0, explain: Callable[[], Any] = str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what} {explain()}")


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[Any]:
    _needs_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    browser.set_page_load_timeout(30)
    browser.implicitly_wait(10)  # a loaded CI machine: elements may take a moment after a navigation
    try:
        yield browser
    finally:
        browser.quit()


def _cli(cfg: Path, *args: str, stdin: str = "", ok: tuple[int, ...] = (0,)) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "woonext", "--config", str(cfg), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in ok, done.stderr + done.stdout
    return done.stdout


def _erp(cfg: Path, erp_port: int) -> httpx.Client:
    text = cfg.read_text()
    key = text.split('api_key = "')[1].split('"')[0]
    secret = text.split('api_secret = "')[1].split('"')[0]
    return httpx.Client(base_url=f"http://127.0.0.1:{erp_port}", headers={"Authorization": f"token {key}:{secret}"})


def _kashier_orders(woo: str, items: set[str], count: int) -> list[str]:
    """New prepaid (Kashier card) orders in the store: they park until the company has a Kashier account."""
    known = next(
        o
        for o in httpx.get(f"{woo}/__sim__/orders").json()
        if o["line_items"] and o["line_items"][0]["sku"] in items and not o["line_items"][0]["variation_id"]
    )
    ids = []
    for n in range(count):
        spec = {
            "line_items": [{"product_id": known["line_items"][0]["product_id"], "quantity": 1 + n}],
            "payment_method": "kashier_card",
            "payment_method_title": "Kashier card",
            "transaction_id": f"KSH-{9000 + n}",
            "status": "processing",
            "billing": known["billing"],
        }
        created = httpx.post(f"{woo}/__sim__/orders", json={"spec": spec, "created_via": "checkout"})
        assert created.status_code == 201, created.text
        ids.append(str(created.json()["id"]))
    return ids


def _dead_letter(db: StateDB, order_id: str) -> int:
    """An order event that gave up during an outage (the worker's own path, without the hours of backoff)."""
    now = db.clock.now()
    event_id = queue.enqueue(db, "main", "order", order_id, "order.updated", now, "browser-test-outage").event_id
    held = queue.claim(db, "outage", now, now)
    assert held is not None and held.id == event_id
    queue.finish(
        db, event_id, "outage", DEAD_LETTER, now, "gave up after 10 attempts; last error: HTTP 502 Bad Gateway"
    )
    return event_id


def _arrive(driver: Any, path: str, heading: str) -> None:
    """Wait until a click's navigation has landed: the address and the page's heading (a form's POST
    and its redirect may still be under way when `click()` returns)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def landed(d: Any) -> bool:
        headings = d.find_elements(By.TAG_NAME, "h1")
        return path in d.current_url and bool(headings) and headings[0].text.startswith(heading)

    WebDriverWait(driver, 30).until(landed, f"{path} with heading {heading!r}")


def _note(driver: Any) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    return str(WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".note"))[0].text)


def test_an_operator_walks_the_console_in_a_real_browser(tmp_path: Path, driver: Any) -> None:
    from selenium.webdriver.common.by import By

    shots = Path(os.environ.get("WOONEXT_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with sim_up_process(tmp_path, orders=20, seed=5) as (cfg, erp_port):
        woo = "http://127.0.0.1:" + cfg.read_text().split('url = "http://127.0.0.1:')[2].split('"')[0]
        _cli(cfg, "setup", ok=(0, 1))  # 1: a Stock Settings advice, not needed here
        _cli(cfg, "users", "add", "olga", "--role", "operator", "--password-stdin", stdin=PASSWORD + "\n")
        company = cfg.read_text().split('company = "')[1].split('"')[0]
        with _erp(cfg, erp_port) as erp:
            items = {
                row["name"] for row in erp.get("/api/resource/Item", params={"limit_page_length": 0}).json()["data"]
            }
            # the shop has not set its Kashier account yet: prepaid orders will wait for a person
            account = erp.get(f"/api/resource/Company/{company}").json()["data"]["custom_kashier_account"]
            assert erp.put(f"/api/resource/Company/{company}", json={"custom_kashier_account": ""}).status_code == 200
        parked_ids = _kashier_orders(woo, items, 3)
        state_url = cfg.read_text().split('state_url = "')[1].split('"')[0]
        db = StateDB.open(state_url)
        completed = next(o["id"] for o in httpx.get(f"{woo}/__sim__/orders").json() if o["status"] == "completed")
        dead = _dead_letter(db, str(completed))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        service = spawn("--config", str(cfg), "--json-logs", "serve", "--port", str(port))
        try:
            wait_for(lambda: _status(base) == 200 or service.poll() is not None, "the service")
            assert service.poll() is None, stop(service)[1]
            # the scheduler's first order poll at start parks the Kashier orders
            wait_for(
                lambda: all(_outcome(db, i) == "NeedsReview" for i in parked_ids),
                "the orders to park",
                40,
                lambda: ([db.outcome("main", "order", i) for i in parked_ids], queue.list_events(db, limit=20)),
            )

            driver.get(f"{base}/")  # → the login form
            assert "/login" in driver.current_url
            driver.find_element(By.ID, "name").send_keys("olga")
            driver.find_element(By.ID, "password").send_keys(PASSWORD)
            driver.find_element(By.CSS_SELECTOR, "form.login button").click()
            _arrive(driver, "/", "Overview")
            assert "need a person" in driver.page_source
            driver.save_screenshot(str(shots / "1-overview.png"))

            driver.find_element(By.LINK_TEXT, "Needs a person").click()
            _arrive(driver, "/needs", "Needs a person")
            headline = driver.find_element(By.PARTIAL_LINK_TEXT, "prepaid method 'kashier_card'")
            assert headline.text.startswith("3 orders: prepaid method 'kashier_card' needs an account")
            driver.save_screenshot(str(shots / "2-needs-a-person.png"))
            headline.click()
            _arrive(driver, "/needs/", "3 orders")
            assert len(driver.find_elements(By.CSS_SELECTOR, "table a[href^='/orders/main/']")) == 3
            driver.save_screenshot(str(shots / "3-group.png"))

            with _erp(cfg, erp_port) as erp:  # the fix, where it belongs: ERPNext's company
                fixed = erp.put(f"/api/resource/Company/{company}", json={"custom_kashier_account": account})
                assert fixed.status_code == 200, fixed.text
            driver.find_element(By.XPATH, "//button[starts-with(., 'Retry these 3')]").click()
            assert "3 orders queued again" in _note(driver)
            wait_for(lambda: all(_outcome(db, i) == SUCCEEDED for i in parked_ids), "the retried orders", 30)
            driver.refresh()
            assert "3 orders: prepaid method" not in driver.page_source

            driver.get(f"{base}/orders/main/{parked_ids[0]}")
            _arrive(driver, f"/orders/main/{parked_ids[0]}", f"Order {parked_ids[0]}")
            assert "Sales Invoice" in driver.page_source and "/app/payment-entry/" in driver.page_source
            assert "retry of the cause" in driver.page_source  # who did it, in the order's story
            driver.save_screenshot(str(shots / "4-order-story.png"))

            driver.find_element(By.LINK_TEXT, "Dead letter").click()
            _arrive(driver, "/dead-letter", "Dead letter")
            assert "HTTP 502 Bad Gateway" in driver.page_source
            driver.save_screenshot(str(shots / "5-dead-letter.png"))
            row = driver.find_element(By.XPATH, f"//tr[td[1][normalize-space()='{dead}']]")
            row.find_element(By.TAG_NAME, "button").click()
            assert f"event {dead} (order {completed}) queued again" in _note(driver)
            wait_for(
                lambda: (e := queue.get(db, dead)) is not None and e.status not in ("Pending", "Running"), "the event"
            )
            assert queue.get(db, dead).status in (SUCCEEDED, "Skipped")  # type: ignore[union-attr]
        finally:
            code, log = stop(service)
            db.close()
        assert code == 0, log
        secret = cfg.read_text().split('webhook_secret = "')[1].split('"')[0]
        assert secret not in log and PASSWORD not in log
        assert json.loads(log.splitlines()[0])  # JSON lines, as asked with --json-logs


def _status(url: str) -> int:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code
    except httpx.HTTPError:
        return 0


def _outcome(db: StateDB, order_id: str) -> str:
    found = db.outcome("main", "order", order_id)
    return found.status if found else ""
