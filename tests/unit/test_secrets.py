"""Secrets never reach a log line, a repr, an error message or the state database."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from woonext.config import load_config
from woonext.erpnext import ErpClient, ErpError
from woonext.logging import REDACTED, configure_logging, get_logger, redactor
from woonext.store import FAILED, Binding, StateDB
from woonext.woo import WooClient, WooError

from .conftest import CONSUMER_KEY, CONSUMER_SECRET, ERP_SECRET, VALID_TOML, WEBHOOK_SECRET, SleepRecorder
from .woo_server import FakeWoo, Scripted

SECRETS = (CONSUMER_KEY, CONSUMER_SECRET, ERP_SECRET, WEBHOOK_SECRET)


@pytest.fixture
def log_stream() -> io.StringIO:
    stream = io.StringIO()
    yield stream
    redactor.clear()
    configure_logging(json=True, stream=io.StringIO())  # detach from the closed test stream


def test_log_lines_redact_values_and_sensitive_keys(
    write_config: Callable[[str], Path], log_stream: io.StringIO
) -> None:
    config = load_config(write_config(VALID_TOML))
    configure_logging(json=True, secrets=config.secret_values(), stream=log_stream)
    log = get_logger("test")
    log.info(f"signed with {CONSUMER_SECRET}", url=f"http://shop/?oauth_consumer_key={CONSUMER_KEY}")
    log.warning("headers", headers={"Authorization": "token erp-key-1234:whatever"}, password="hunter22")
    log.info("config", erpnext=config.erpnext, store=config.stores[0].model_dump())
    try:
        raise RuntimeError(f"boom with {ERP_SECRET} and {WEBHOOK_SECRET}")
    except RuntimeError:
        log.exception("failed")
    logging.getLogger("some.library").error("stdlib says %s", CONSUMER_SECRET)
    logging.getLogger("httpx").info("HTTP Request: GET http://shop/?oauth_consumer_key=%s", CONSUMER_KEY)

    output = log_stream.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    assert len(lines) == 5  # httpx's per-request INFO line is silenced
    for secret in SECRETS:
        assert secret not in output
    assert lines[0]["event"] == f"signed with {REDACTED}"
    assert lines[1]["headers"]["Authorization"] == REDACTED and lines[1]["password"] == REDACTED
    assert "boom with" in lines[3]["exception"]
    assert lines[4]["event"] == f"stdlib says {REDACTED}"


def test_console_rendering_is_redacted_too(log_stream: io.StringIO) -> None:
    configure_logging(json=False, secrets=[CONSUMER_SECRET], stream=log_stream)
    get_logger().info("hello", detail=f"x{CONSUMER_SECRET}y", api_key="plain-key")
    output = log_stream.getvalue()
    assert CONSUMER_SECRET not in output and "plain-key" not in output and "hello" in output


async def test_errors_and_reprs_carry_no_secrets(sleeps: SleepRecorder) -> None:
    fake = FakeWoo("http://shop.test", CONSUMER_KEY, "another-secret").then(Scripted(body={}))
    woo = WooClient(
        fake.home_url,
        CONSUMER_KEY,
        CONSUMER_SECRET,
        transport=httpx.ASGITransport(app=fake.app),
        sleep=sleeps,
    )
    with pytest.raises(WooError) as woo_error:
        await woo.get("orders", {"search": "x"})
    await woo.aclose()

    def reject(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"exc_type": "AuthenticationError"})

    erp = ErpClient("http://erp.test", "erp-key-1234", ERP_SECRET, transport=httpx.MockTransport(reject))
    with pytest.raises(ErpError) as erp_error:
        await erp.get_list("Company")
    await erp.aclose()

    shown = " ".join(
        [
            str(woo_error.value),
            repr(woo_error.value),
            str(erp_error.value),
            repr(erp_error.value),
            repr(woo),
            repr(erp),
            str(vars(woo_error.value)),
            str(vars(erp_error.value)),
        ]
    )
    for secret in (CONSUMER_KEY, CONSUMER_SECRET, ERP_SECRET, "erp-key-1234"):
        assert secret not in shown


def test_state_database_holds_no_secrets(tmp_path: Path, write_config: Callable[[str], Path]) -> None:
    config = load_config(write_config(VALID_TOML))
    db = StateDB.open(f"sqlite:///{tmp_path / 'state.sqlite'}")
    db.save_binding(Binding("main", "order", "1", data={"store": config.stores[0].model_dump(mode="json")}))
    db.record_outcome("main", "order", "1", FAILED, "auth", str(config.erpnext), repr(config))
    db.set_checkpoint("main", "migrate", {"config": config.model_dump(mode="json")})
    db.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("state.sqlite*"))
    assert b"main" in raw  # the grep does see the data…
    for secret in SECRETS:
        assert secret.encode() not in raw  # …but no credential
