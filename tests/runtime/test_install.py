"""`webhooks install` / `status` against the WooCommerce simulator: idempotent, re-activating."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.runtime.helpers import SECRET
from tests.sync.world import make_world, real_orders
from woonext.runtime import install as hooks
from woonext.runtime.web import create_app

BASE = "http://woonext.test"
ENDPOINT = f"{BASE}/webhooks/woocommerce/main"


async def test_install_creates_each_topic_once_with_the_secret_and_keeps_them_next_time(tmp_path: Path) -> None:
    world = make_world(tmp_path, real_orders())
    world.woo.webhook_transport = httpx.ASGITransport(app=create_app(world.config, world.db))
    world.woo.add_webhook("order.updated", "http://elsewhere.test/hook", "other")  # not ours: left alone
    ctx = world.context()
    first = await hooks.install(ctx, BASE + "/")
    assert [(s.topic, s.action, s.url) for s in first] == [(t, "created", ENDPOINT) for t in hooks.TOPICS]
    ours = [w for w in world.woo.hub.webhooks.values() if w.delivery_url == ENDPOINT]
    assert sorted(w.topic for w in ours) == sorted(hooks.TOPICS)
    assert all(w.secret == SECRET and w.status == "active" for w in ours)
    assert all(not w.pending_delivery for w in ours)  # each creation ping was answered 200 by our endpoint

    second = await hooks.install(ctx, ENDPOINT)
    assert [s.action for s in second] == ["kept"] * len(hooks.TOPICS)
    assert len(world.woo.hub.webhooks) == len(hooks.TOPICS) + 1

    disabled = next(w for w in ours if w.topic == "order.created")
    disabled.status, disabled.secret = "disabled", "stale"
    third = await hooks.install(ctx, BASE)
    assert {s.topic: s.action for s in third}["order.created"] == "reactivated"
    assert (disabled.status, disabled.secret) == ("active", SECRET)
    assert len(world.woo.hub.webhooks) == len(hooks.TOPICS) + 1
    await ctx.aclose()


async def test_status_lists_ours_reactivates_disabled_ones_and_reports_missing_topics(tmp_path: Path) -> None:
    world = make_world(tmp_path, real_orders())
    paused = world.woo.add_webhook("order.created", ENDPOINT, "old", status="disabled")
    world.woo.add_webhook("order.updated", ENDPOINT, SECRET)
    world.woo.add_webhook("product.updated", "http://elsewhere.test/x", "zzz")
    ctx = world.context()
    looked = await hooks.status(ctx, reactivate=False)
    assert {(s.topic, s.action) for s in looked if s.webhook_id} == {
        ("order.created", "disabled"),
        ("order.updated", "active"),
    }
    assert paused.status == "disabled"
    states = await hooks.status(ctx)
    assert {(s.topic, s.action) for s in states if s.webhook_id} == {
        ("order.created", "reactivated"),
        ("order.updated", "active"),
    }
    assert (paused.status, paused.secret) == ("active", SECRET)
    assert sorted(s.topic for s in states if s.action == "missing") == sorted(
        set(hooks.TOPICS) - {"order.created", "order.updated"}
    )
    await ctx.aclose()


async def test_install_without_a_webhook_secret_or_with_another_stores_url_is_a_clear_error(tmp_path: Path) -> None:
    world = make_world(tmp_path, real_orders(), store={"webhook_secret": None})
    ctx = world.context()
    with pytest.raises(hooks.InstallError, match="no webhook_secret"):
        await hooks.install(ctx, BASE)
    await ctx.aclose()
    world = make_world(tmp_path / "other", real_orders())
    ctx = world.context()
    with pytest.raises(hooks.InstallError, match="endpoint of another store"):
        await hooks.install(ctx, f"{BASE}/webhooks/woocommerce/eu")
    assert world.woo.hub.webhooks == {}
    await ctx.aclose()
