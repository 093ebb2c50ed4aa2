"""Who is asking: the session cookie, the CSRF check on every action, the roles, and the shared
state of the console's handlers (`Console`).

Every page needs a logged-in user; every action (a POST) needs an operator and the session's CSRF
token in the form. The cookie is HttpOnly, SameSite=Strict, and Secure when the request came over
HTTPS (directly, or through a proxy that says so in X-Forwarded-Proto and that uvicorn trusts).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from woonext.config import Config
from woonext.console import accounts
from woonext.console.queries import ago
from woonext.store import StateDB
from woonext.store.asyncdb import AsyncStateDB
from woonext.sync.context import Transports

T = TypeVar("T")
COOKIE = "woonext_session"
LOGIN_COOKIE = "woonext_login"  # the login form's CSRF token (double submit: cookie and field)
TEMPLATES = Path(__file__).resolve().parent / "templates"
Handler = Callable[[Request], Awaitable[Response]]
ActionHandler = Callable[[Request, accounts.Session, dict[str, str]], Awaitable[Response]]


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["ago"] = ago
    env.filters["when"] = lambda v: v.strftime("%Y-%m-%d %H:%M:%S") if v else ""
    return env


@dataclass
class Console:
    config: Config
    db: StateDB
    transports: Transports | None = None
    on_enqueued: Callable[[], None] | None = None
    env: Environment = field(default_factory=_environment)
    state: AsyncStateDB = field(init=False)

    def __post_init__(self) -> None:
        # The web lane: the webhook receiver's, never queued behind workers waiting for the lock.
        self.state = AsyncStateDB(self.db, lane="web")

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """State-DB work (a function of `woonext.store`, `accounts` or `queries`) off the event loop."""
        return await self.state.run(fn, *args)

    def now(self) -> datetime:
        return self.db.clock.now()

    def render(
        self, request: Request, template_name: str, session: accounts.Session | None, code: int = 200, **context: Any
    ) -> HTMLResponse:
        template = self.env.get_template(template_name)
        body = template.render(
            request=request,
            session=session,
            user=session.user if session else None,
            csrf=session.csrf if session else "",
            note=request.query_params.get("note", ""),
            stores=[s.name for s in self.config.stores],
            now=self.now(),
            **context,
        )
        return HTMLResponse(body, code)

    def refuse(self, request: Request, session: accounts.Session | None, code: int, message: str) -> HTMLResponse:
        return self.render(request, "refused.html", session, code, message=message)

    async def session(self, request: Request) -> accounts.Session | None:
        token = request.cookies.get(COOKIE)
        return await self.call(accounts.session, self.db, token) if token else None

    def woke(self) -> None:
        if self.on_enqueued is not None:
            self.on_enqueued()


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def back(path: str, note: str = "") -> RedirectResponse:
    """After an action: back to a page (303, so a reload does not post again), with a one-line note."""
    return RedirectResponse(f"{path}?note={quote(note)}" if note else path, 303)


def page(console: Console) -> Callable[[Callable[[Request, accounts.Session], Awaitable[Response]]], Handler]:
    """A page for any logged-in user; others go to the login form (and come back after)."""

    def wrap(handler: Callable[[Request, accounts.Session], Awaitable[Response]]) -> Handler:
        async def run(request: Request) -> Response:
            session = await console.session(request)
            if session is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target)}", 303)
            return await handler(request, session)

        return run

    return wrap


def action(console: Console, *, operator: bool = True) -> Callable[[ActionHandler], Handler]:
    """A POST that changes something: a session, its CSRF token in the form, and (unless `operator`
    is False, as for logging out) the operator role."""

    def wrap(handler: ActionHandler) -> Handler:
        async def run(request: Request) -> Response:
            session = await console.session(request)
            if session is None:
                return console.refuse(request, None, 401, "Log in first: your session has ended.")
            form = {k: str(v) for k, v in (await request.form()).items()}
            if not accounts.same_token(session.csrf, form.get("csrf")):
                return console.refuse(
                    request, session, 403, "Refused: the form's security token is missing or wrong. Reload the page."
                )
            if operator and not session.user.can_act:
                return console.refuse(
                    request, session, 403, f"Refused: {session.user.name} is a viewer; only an operator can do this."
                )
            return await handler(request, session, form)

        return run

    return wrap
