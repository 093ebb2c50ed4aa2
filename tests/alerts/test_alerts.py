"""Alerts against a local SMTP sink (aiosmtpd) and a local webhook sink: 30 orders parked at once are
one message per channel, not 30; what arrives later waits for the batch window; lag, a failing job
and the daily digest; `woonext alerts test`."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from typer.testing import CliRunner

from tests.alerts.sinks import smtp_sink, webhook_sink
from tests.sync.world import World, make_world, real_orders
from woonext.alerts import tick
from woonext.cli import app
from woonext.config_ops import AlertsConfig, EmailAlerts, WebhookAlerts
from woonext.store import NEEDS_REVIEW, SUCCEEDED
from woonext.store import events as queue
from woonext.sync.live import sync_orders_once
from woonext.sync.setup import run_setup


def _valu_orders(count: int, first_id: int = 7000) -> list[dict[str, Any]]:
    """Copies of a real order paid with valU, a method the store has not mapped: each parks NeedsReview."""
    model = next(o for o in real_orders() if o["status"] == "processing" and o["payment_method"] == "cod")
    orders = []
    for n in range(count):
        order = copy.deepcopy(model)
        order.update(id=first_id + n, number=str(first_id + n), payment_method="valu", payment_method_title="valU")
        orders.append(order)
    return orders


def _alerts(smtp_port: int, hook: str, **settings: Any) -> AlertsConfig:
    return AlertsConfig(
        email=EmailAlerts.model_validate(
            {"host": "127.0.0.1", "port": smtp_port, "security": "none", "from": "w@shop.test", "to": ["ops@shop.test"]}
        ),
        webhook=WebhookAlerts(url=SecretStr(hook)),
        console_url="https://woonext.shop.test",
        **{"digest_at": "", **settings},
    )


def _run(world: World, job: str, result: str) -> None:
    """A scheduled job's event taken by a worker and ended: Succeeded, or failed for a retry."""
    now = world.clock.now()
    queue.enqueue(world.db, "main", "job", job, "schedule", now, f"tick:{job}:{now.isoformat()}")
    event = queue.claim(world.db, "w", now, now)
    assert event is not None and event.remote_id == job
    if result == "retry":
        queue.retry_later(world.db, event.id, "w", now, now, "woocommerce_http_502: Bad Gateway")
    else:
        queue.finish(world.db, event.id, "w", result, now)


async def _sync(world: World) -> None:
    ctx = world.context()
    try:
        await sync_orders_once(ctx)
    finally:
        await ctx.aclose()


async def _world(tmp_path: Path, orders: list[dict[str, Any]]) -> World:
    world = make_world(tmp_path, orders)
    ctx = world.context()
    await run_setup(ctx)
    await ctx.erp.update("Company", "Jarz Test", {"custom_kashier_account": "Kashier - JT"})
    await ctx.aclose()
    return world


async def test_thirty_new_needs_review_orders_are_one_message_per_channel(tmp_path: Path) -> None:
    world = await _world(tmp_path, _valu_orders(30))
    with smtp_sink() as (port, mails), webhook_sink() as (hook, posts):
        world.config.alerts = _alerts(port, hook)
        await _sync(world)
        parked = [o for o in world.db.latest_failures(100) if o.status == NEEDS_REVIEW]
        assert len(parked) == 30 and {o.reason for o in parked} == {"unknown_payment_method"}

        sent = await tick(world.config, world.db, world.clock.now())
        assert [s.stream for s in sent] == ["batch"] and sent[0].channels is not None
        assert len(mails) == 1 and len(posts) == 1
        mail, post = mails[0], posts[0]["text"]
        assert mail["Subject"] == "[woonext] store main: 30 new need a person"
        body = mail.get_payload()
        assert "30 orders: payment method 'valu' (valU) has no mapping" in body
        assert body.count("what to do:") == 1 and "[stores.payment_methods]" in body  # the hint once
        assert "7000, 7001" not in body or "and 22 more" in body  # ids shortened, never 30 lines
        assert body.count("\n") < 12 and "https://woonext.shop.test/needs/" in body
        assert "30 orders: payment method 'valu'" in post

        # nothing new: no message; the same orders parked again are not new either
        await _sync(world)
        assert await tick(world.config, world.db, world.clock.now()) == []

        # new ones within the window wait for it, then go out together
        for order in _valu_orders(5, first_id=8000):
            world.woo.import_order(order)
        await _sync(world)
        assert await tick(world.config, world.db, world.clock.now()) == []
        world.clock.advance(15 * 60)
        [later] = await tick(world.config, world.db, world.clock.now())
        assert later.message.subject == "[woonext] store main: 5 new need a person"
        assert len(mails) == 2 and len(posts) == 2


async def test_lag_a_failing_job_and_the_daily_digest(tmp_path: Path) -> None:
    world = await _world(tmp_path, real_orders())
    with smtp_sink() as (port, mails), webhook_sink() as (hook, posts):
        world.config.alerts = _alerts(port, hook, lag="30m", job_failures=3, digest_at="08:00")
        _run(world, "orders", SUCCEEDED)  # a successful order poll, then nothing for 45 minutes
        for _ in range(3):  # the customers job failed three times in a row
            _run(world, "customers", "retry")
        world.clock.advance(45 * 60)
        [batch] = await tick(world.config, world.db, world.clock.now())
        text = batch.message.text
        assert "lag 45 min" in batch.message.subject and "job customers failing" in batch.message.subject
        assert "failed 3 times in a row; last error: woocommerce_http_502" in text
        # said once: the next window has nothing new to say about either
        world.clock.advance(16 * 60)
        assert [s.stream for s in await tick(world.config, world.db, world.clock.now())] == []
        # the lag ends (the jobs succeed): one line saying so
        _run(world, "customers", SUCCEEDED)
        _run(world, "orders", SUCCEEDED)
        t = world.clock.now()
        [recovered] = [s for s in await tick(world.config, world.db, t) if s.stream == "batch"]
        assert "lag back to normal" in recovered.message.subject

        # the digest: once after 08:00 UTC, not twice the same day
        moment = world.clock.now()
        assert moment.hour < 8  # the world starts early in the morning (UTC)
        world.clock.set(moment.replace(hour=8, minute=1))
        _run(world, "orders", SUCCEEDED)  # polls went on meanwhile: no lag to report
        digests = [s for s in await tick(world.config, world.db, world.clock.now()) if s.stream == "digest"]
        assert len(digests) == 1 and "daily digest, store main" in digests[0].message.subject
        assert [s for s in await tick(world.config, world.db, world.clock.now()) if s.stream == "digest"] == []
        assert len(mails) == len(posts) == 3


async def test_a_failed_send_is_tried_again_and_nothing_is_lost(tmp_path: Path) -> None:
    world = await _world(tmp_path, _valu_orders(3))
    with webhook_sink(status=500) as (hook, posts):
        world.config.alerts = AlertsConfig(webhook=WebhookAlerts(url=SecretStr(hook)), digest_at="")
        await _sync(world)
        [failed] = await tick(world.config, world.db, world.clock.now())
        assert failed.channels is None and "HTTP 500" in failed.error and "secret-token" not in failed.error
        assert await tick(world.config, world.db, world.clock.now()) == []  # waits a minute before trying again
    with webhook_sink() as (hook, posts):
        world.config.alerts = AlertsConfig(webhook=WebhookAlerts(url=SecretStr(hook)), digest_at="")
        world.clock.advance(61)
        [sent] = await tick(world.config, world.db, world.clock.now())
        assert sent.channels is not None and "3 orders" in posts[0]["text"]


def test_alerts_test_command_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    cfg = tmp_path / "cfg.toml"
    state = tmp_path / "state.sqlite"
    common = f"""state_url = "sqlite:///{state}"
[erpnext]
url = "http://127.0.0.1:9"
api_key = "k"
api_secret = "s"
[[stores]]
name = "main"
url = "http://127.0.0.1:9"
consumer_key = "ck"
consumer_secret = "cs"
company = "C"
warehouse = "W"
currency = "EGP"
"""
    cfg.write_text(common)
    result = runner.invoke(app, ["--config", str(cfg), "alerts", "test"])
    assert result.exit_code == 2 and "no alert channel configured" in result.output
    with smtp_sink() as (port, mails), webhook_sink() as (hook, posts):
        cfg.write_text(
            common
            + f'[alerts.email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
            + 'from = "w@shop.test"\nto = ["ops@shop.test"]\n'
            + f'[alerts.webhook]\nurl = "{hook}"\n'
        )
        result = runner.invoke(app, ["--config", str(cfg), "alerts", "test"])
        assert result.exit_code == 0, result.output
        assert "email: sent" in result.output and "webhook: sent" in result.output
        assert mails[0]["Subject"] == "[woonext] test alert" and "test" in posts[0]["text"]
    cfg.write_text(common + '[alerts.webhook]\nurl = "http://127.0.0.1:9/unreachable"\n')
    result = runner.invoke(app, ["--config", str(cfg), "alerts", "test"])
    assert result.exit_code == 3 and "webhook: not sent" in result.output
