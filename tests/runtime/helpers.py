"""A ready world (setup done, Kashier account set), the webhook app over ASGI, and signed requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

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


def client(world: World, **kwargs: Any) -> httpx.AsyncClient:
    app = create_app(world.config, world.db, **kwargs)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


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
