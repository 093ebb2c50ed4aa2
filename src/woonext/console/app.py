"""The operator console's routes, mounted at `/` of the web app (`runtime/web.py`) after the webhook
endpoint, the health checks and `/metrics`.

Server-rendered (Jinja2), plain HTML forms, one stylesheet, no script: everything works without
JavaScript. Pages for every logged-in user; actions for operators (see `guard.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from woonext.config import Config
from woonext.console import accounts, actions, login, pages
from woonext.console.guard import COOKIE, Console
from woonext.store import StateDB
from woonext.store.asyncdb import AsyncStateDB
from woonext.sync.context import Transports

STATIC = Path(__file__).resolve().parent / "static"
METRICS_REALM = 'Bearer realm="woonext metrics"'


def console_routes(
    config: Config,
    db: StateDB,
    transports: Transports | None = None,
    on_enqueued: Callable[[], None] | None = None,
) -> list[BaseRoute]:
    console = Console(config, db, transports, on_enqueued)
    show, submit, logout = login.handlers(console)
    get: dict[str, Any] = pages.register(console)
    post: dict[str, Any] = actions.register(console)
    return [
        Route("/", get["overview"], methods=["GET"]),
        Route("/login", show, methods=["GET"]),
        Route("/login", submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/needs", get["needs"], methods=["GET"]),
        Route("/needs/{key}", get["group"], methods=["GET"]),
        Route("/needs/{key}/retry", post["retry_group"], methods=["POST"]),
        Route("/orders/{store}/{order_id}", get["order"], methods=["GET"]),
        Route("/orders/{store}/{order_id}/retry", post["retry_order"], methods=["POST"]),
        Route("/orders/{store}/{order_id}/accept", post["accept"], methods=["POST"]),
        Route("/events", get["events"], methods=["GET"]),
        Route("/events/replay", post["replay"], methods=["POST"]),
        Route("/events/{event_id:int}/retry", post["retry_event"], methods=["POST"]),
        Route("/dead-letter", get["dead_letters"], methods=["GET"]),
        Route("/dead-letter/retry-all", post["retry_dead"], methods=["POST"]),
        Route("/reconcile", get["reconcile"], methods=["GET"]),
        Route("/reconcile.csv", get["reconcile_csv"], methods=["GET"]),
        Route("/config", get["configuration"], methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]


async def metrics_allowed(config: Config, state: AsyncStateDB, request: Request) -> bool:
    """A scraper with the configured bearer token, or a logged-in console user."""
    token = config.console.metrics_token
    given = request.headers.get("authorization", "")
    if token is not None and given.lower().startswith("bearer "):
        return accounts.same_token(token.get_secret_value(), given[7:].strip())
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return False
    return await state.run(accounts.session, state.db, cookie) is not None


def metrics_refused() -> Response:
    return Response(
        "metrics need `Authorization: Bearer <[console] metrics_token>` or a console login\n",
        401,
        headers={"WWW-Authenticate": METRICS_REALM},
        media_type="text/plain",
    )
