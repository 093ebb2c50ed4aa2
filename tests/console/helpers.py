"""The console over ASGI on a world of simulators: users, logging in, forms with their CSRF token."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from pydantic import SecretStr

from tests.runtime.helpers import BASE
from tests.sync.world import World, make_world, real_orders
from woonext.console import accounts
from woonext.runtime.web import create_app
from woonext.sync.setup import run_setup

PASSWORD = "correct horse battery"
METRICS_TOKEN = "scrape-token-0123456789"
_CSRF = re.compile(r'name="(?:csrf|login_csrf)" value="([^"]+)"')


async def console_world(tmp_path: Path) -> World:
    """Setup done, the Kashier account NOT set: the prepaid orders park NeedsReview until a person fixes it."""
    world = make_world(tmp_path, real_orders())
    world.config.console.metrics_token = SecretStr(METRICS_TOKEN)
    ctx = world.context()
    await run_setup(ctx)
    await ctx.aclose()
    accounts.add_user(world.db, "olga", accounts.OPERATOR, PASSWORD)
    accounts.add_user(world.db, "vic", accounts.VIEWER, PASSWORD)
    return world


def browser(world: World, woke: list[int] | None = None) -> httpx.AsyncClient:
    """A client that keeps cookies, as a browser does (no redirects followed: tests look at them)."""
    app = create_app(
        world.config,
        world.db,
        transports=world.transports(),
        on_enqueued=(lambda: woke.append(1)) if woke is not None else None,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


async def login(client: httpx.AsyncClient, name: str, password: str = PASSWORD) -> httpx.Response:
    form = await client.get("/login")
    return await client.post(
        "/login", data={"name": name, "password": password, "login_csrf": csrf_of(form.text), "next": "/"}
    )


async def page_csrf(client: httpx.AsyncClient, path: str = "/") -> str:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return csrf_of(response.text)
