"""A ready world (setup done, Kashier account set), the webhook app over ASGI, and signed requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from tests.fixtures import WOO_SAMPLES
from tests.sync.world import World, make_world, real_orders
from woonext.runtime.web import create_app
from woonext.runtime.webhooks import sign
from woonext.sync.setup import run_setup

SAMPLES = WOO_SAMPLES
SECRET = "s3cret"
BASE = "http://woonext.test"


async def ready_world(tmp_path: Path, orders: list[dict[str, Any]] | None = None) -> World:
    world = make_world(tmp_path, real_orders() if orders is None else orders)
    ctx = world.context()
    await run_setup(ctx)
    await ctx.erp.update("Company", "Jarz Test", {"custom_kashier_account": "Kashier - JT"})
    await ctx.aclose()
    return world


METRICS_TOKEN = "metrics-scraper-token"


def client(world: World, **kwargs: Any) -> httpx.AsyncClient:
    """The web app over ASGI; it reaches the simulators (/readyz probes them) and scrapes /metrics with
    the configured bearer token, as Prometheus would."""
    kwargs.setdefault("transports", world.transports())
    if world.config.console.metrics_token is None:
        world.config.console.metrics_token = SecretStr(METRICS_TOKEN)
    token = world.config.console.metrics_token.get_secret_value()
    app = create_app(world.config, world.db, **kwargs)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE, headers={"Authorization": f"Bearer {token}"}
    )


def signed(payload: Any, topic: str, delivery: str = "d" * 32, secret: str = SECRET) -> dict[str, Any]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Signature": sign(body, secret),
        "X-WC-Webhook-Delivery-ID": delivery,
    }
    return {"content": body, "headers": headers}


def capture(name: str) -> dict[str, Any]:
    return dict(json.loads((SAMPLES / f"webhook_capture_{name}.json").read_text()))
