"""Who is calling (B1): API key/secret as `token` or `Basic`, or a session cookie from /login."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass

from .base import FrappeError, throw
from .errors import raised

GUEST = "Guest"


@dataclass
class User:
    name: str
    full_name: str
    api_key: str = ""
    api_secret: str = ""
    password: str = ""
    enabled: bool = True


def authentication_error() -> FrappeError:
    return FrappeError(status=401, exc_type="AuthenticationError")


class Users:
    def __init__(self) -> None:
        self.users: dict[str, User] = {"Administrator": User("Administrator", "Administrator")}
        self.sessions: dict[str, str] = {}

    def create_api_user(self, name: str) -> tuple[str, str]:
        user = self.users.setdefault(name, User(name, name.split("@")[0]))
        user.api_key = secrets.token_hex(8)[:15]
        user.api_secret = secrets.token_hex(8)[:15]
        return user.api_key, user.api_secret

    def set_password(self, name: str, password: str) -> None:
        self.users.setdefault(name, User(name, name.split("@")[0])).password = password

    def _by_key(self, api_key: str, api_secret: str) -> str:
        for user in self.users.values():
            if user.api_key and secrets.compare_digest(user.api_key, api_key):
                if user.enabled and secrets.compare_digest(user.api_secret, api_secret):
                    return user.name
                break
        raise authentication_error()

    def resolve(self, authorization: str, sid: str | None) -> str:
        """The session user for a request, or FrappeError (401/400) for bad credentials."""
        parts = authorization.split(" ") if authorization else []
        if len(parts) == 2:
            scheme, token = parts
            try:
                if scheme.lower() == "basic":
                    try:
                        decoded = base64.b64decode(token).decode()
                    except (binascii.Error, UnicodeDecodeError) as exc:
                        raise throw(
                            "Failed to decode token, please provide a valid base64-encoded token.",
                            "InvalidAuthorizationToken",
                            400,
                        ) from exc
                    key, secret = decoded.split(":")
                    return self._by_key(key, secret)
                if scheme.lower() == "token":
                    key, secret = token.split(":")
                    return self._by_key(key, secret)
            except ValueError:
                pass
            # two parts but nothing authenticated the request (v15+)
            raise authentication_error()
        if sid and sid in self.sessions:
            return self.sessions[sid]
        return GUEST

    def login(self, usr: str, pwd: str) -> tuple[str, User]:
        if not usr or not pwd:
            raise _login_error("Incomplete login details")
        user = next((u for u in self.users.values() if u.name.casefold() == usr.casefold()), None)
        if user is None or not user.enabled:
            raise _login_error("Invalid login credentials")
        if not user.password or not secrets.compare_digest(user.password, pwd):
            raise _login_error("Invalid login credentials")
        sid = secrets.token_hex(28)
        self.sessions[sid] = user.name
        return sid, user

    def logout(self, sid: str | None) -> None:
        if sid:
            self.sessions.pop(sid, None)


def _login_error(message: str) -> FrappeError:
    err = raised("AuthenticationError", message, 401)
    err.messages = []
    return err
