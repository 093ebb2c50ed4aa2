"""Logging in and out. The login form carries its own CSRF token (a cookie and the same value in the
form), failed attempts are throttled per name and per address (`accounts.py`), and a successful login
starts a session whose token only the cookie holds."""

from __future__ import annotations

import math
import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from woonext.console import accounts
from woonext.console.guard import COOKIE, LOGIN_COOKIE, Console, Handler, action, client_address, secure


def _next(value: str | None) -> str:
    # Only a path of this site: never an absolute or scheme-relative address (an open redirect).
    return value if value and value.startswith("/") and not value.startswith("//") else "/"


def login_form(console: Console, request: Request, code: int = 200, error: str = "", name: str = "") -> Response:
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = console.render(
        request,
        "login.html",
        None,
        code,
        login_csrf=token,
        error=error,
        name=name,
        next=_next(request.query_params.get("next")),
    )
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure(request), path="/login")
    return response


def handlers(console: Console) -> tuple[Handler, Handler, Handler]:
    async def show(request: Request) -> Response:
        if await console.session(request) is not None:
            return RedirectResponse("/", 303)
        return login_form(console, request)

    async def submit(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        name, password = form.get("name", "").strip(), form.get("password", "")
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        if not cookie or not accounts.same_token(cookie, form.get("login_csrf")):
            return login_form(console, request, 403, "The form expired or came from elsewhere: try again.", name)
        address = client_address(request)
        wait = await console.call(accounts.blocked_for, console.db, name, address)
        if wait > 0:
            response = login_form(
                console, request, 429, f"Too many failed logins: try again in {math.ceil(wait)} s.", name
            )
            response.headers["Retry-After"] = str(math.ceil(wait))
            return response
        user = await console.call(accounts.verify, console.db, name, password)
        if user is None:
            wait = await console.call(accounts.record_failure, console.db, name, address)
            message = "Wrong name or password."
            if wait > 0:
                message += f" Too many failed logins: the next try waits {math.ceil(wait)} s."
            return login_form(console, request, 401, message, name)
        await console.call(accounts.clear_failures, console.db, name)
        hours = console.config.console.session_hours
        token, _ = await console.call(accounts.start_session, console.db, user, hours)
        await console.call(accounts.audit, console.db, user.name, "login", "", "", address)
        response = RedirectResponse(_next(form.get("next")), 303)
        response.set_cookie(
            COOKIE, token, max_age=int(hours * 3600), httponly=True, samesite="strict", secure=secure(request), path="/"
        )
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    @action(console, operator=False)
    async def logout(request: Request, session: accounts.Session, form: dict[str, str]) -> Response:
        token = request.cookies.get(COOKIE, "")
        await console.call(accounts.end_session, console.db, token)
        response = RedirectResponse("/login", 303)
        response.delete_cookie(COOKIE, path="/")
        return response

    return show, submit, logout
