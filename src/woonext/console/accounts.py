"""Console users, their sessions, failed-login throttling and the audit log, on the state database.

Passwords are hashed with argon2id (argon2-cffi); a session cookie carries a random token of which
the database keeps only the SHA-256, with the session's CSRF token beside it. Failed logins are
counted per user name and per client address: from the fifth within a quarter of an hour, further
attempts are refused for a while that doubles each time (30 s, 60 s, … at most 15 minutes), whether
the password is right or not — guessing costs time, and the answer does not say which names exist.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from woonext.clock import as_utc
from woonext.store import StateDB
from woonext.store.engine import write_transaction
from woonext.store.tables_ops import audit_log, console_sessions, login_failures, users

VIEWER: Final = "viewer"
OPERATOR: Final = "operator"
ROLES: Final = (VIEWER, OPERATOR)
MIN_PASSWORD = 10
FREE_FAILURES = 5  # failed logins allowed in WINDOW before attempts are refused
WINDOW = timedelta(minutes=15)
FIRST_BLOCK = timedelta(seconds=30)
MAX_BLOCK = timedelta(minutes=15)

_hasher = PasswordHasher()
# Verified when the name is unknown, so that an unknown name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountError(Exception):
    """A user cannot be added or changed as asked (the message says why and what to do)."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    created_at: datetime

    @property
    def can_act(self) -> bool:
        return self.role == OPERATOR


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    user: str
    action: str
    store: str
    target: str
    detail: str


def _user(row: Any) -> User:
    return User(int(row.id), str(row.name), str(row.role), as_utc(row.created_at))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


# -- users ------------------------------------------------------------------------------------


def add_user(db: StateDB, name: str, role: str, password: str) -> User:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise AccountError("a user name has 1 to 100 characters and no spaces")
    check_password(password)
    now = db.clock.now()
    values = {"name": name, "role": role, "password_hash": _hasher.hash(password), "created_at": now, "updated_at": now}
    try:
        with write_transaction(db.engine) as connection:
            result = connection.execute(insert(users).values(**values))
    except IntegrityError:
        raise AccountError(f"a user named {name!r} exists; `woonext users passwd {name}` sets a new password") from None
    key = result.inserted_primary_key
    assert key is not None
    return User(int(key[0]), name, role, now)


def get_user(db: StateDB, name: str) -> User | None:
    with db.engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.name == name)).first()
    return _user(row) if row is not None else None


def list_users(db: StateDB) -> list[User]:
    with db.engine.connect() as connection:
        return [_user(row) for row in connection.execute(select(users).order_by(users.c.name))]


def set_password(db: StateDB, name: str, password: str) -> None:
    """A new password; every session of the user ends."""
    check_password(password)
    with write_transaction(db.engine) as connection:
        uid = connection.execute(select(users.c.id).where(users.c.name == name)).scalar()
        if uid is None:
            raise AccountError(f"no user named {name!r} (`woonext users list` shows them)")
        connection.execute(
            update(users)
            .where(users.c.id == uid)
            .values(password_hash=_hasher.hash(password), updated_at=db.clock.now())
        )
        connection.execute(delete(console_sessions).where(console_sessions.c.user_id == uid))


def remove_user(db: StateDB, name: str) -> None:
    with write_transaction(db.engine) as connection:
        uid = connection.execute(select(users.c.id).where(users.c.name == name)).scalar()
        if uid is None:
            raise AccountError(f"no user named {name!r} (`woonext users list` shows them)")
        connection.execute(delete(console_sessions).where(console_sessions.c.user_id == uid))
        connection.execute(delete(users).where(users.c.id == uid))


def verify(db: StateDB, name: str, password: str) -> User | None:
    """The user when the password is right; None otherwise (in about the same time either way)."""
    with db.engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.name == name)).first()
    stored = str(row.password_hash) if row is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return _user(row) if row is not None else None


# -- failed logins ----------------------------------------------------------------------------


def _keys(name: str, address: str) -> list[str]:
    return [f"user:{name.lower()[:150]}", f"ip:{address[:150]}"]


def blocked_for(db: StateDB, name: str, address: str) -> float:
    """Seconds until this user name or address may try again (0: now)."""
    now = db.clock.now()
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(login_failures.c.blocked_until).where(login_failures.c.key.in_(_keys(name, address)))
        ).scalars()
        until = [as_utc(r) for r in rows if r is not None]
    return max([0.0, *((u - now).total_seconds() for u in until)])


def record_failure(db: StateDB, name: str, address: str) -> float:
    """Count a failed login; returns how long the next attempt must wait (0 while under the limit)."""
    now = db.clock.now()
    wait = 0.0
    with write_transaction(db.engine) as connection:
        for key in _keys(name, address):
            row = connection.execute(select(login_failures).where(login_failures.c.key == key)).first()
            fresh = row is None or now - as_utc(row.first_at) > WINDOW  # a new window of 15 minutes
            failures = 1 if fresh else int(row.failures) + 1  # type: ignore[union-attr]
            blocked = None
            if failures >= FREE_FAILURES:
                block = min(MAX_BLOCK, FIRST_BLOCK * 2 ** (failures - FREE_FAILURES))
                blocked = now + block
                wait = max(wait, block.total_seconds())
            if row is None:
                connection.execute(
                    insert(login_failures).values(key=key, failures=failures, first_at=now, blocked_until=blocked)
                )
                continue
            values: dict[str, Any] = {"failures": failures, "blocked_until": blocked}
            if fresh:
                values["first_at"] = now
            connection.execute(update(login_failures).where(login_failures.c.key == key).values(**values))
    return wait


def clear_failures(db: StateDB, name: str) -> None:
    with write_transaction(db.engine) as connection:
        connection.execute(delete(login_failures).where(login_failures.c.key == _keys(name, "")[0]))


# -- sessions ---------------------------------------------------------------------------------


def start_session(db: StateDB, user: User, hours: float) -> tuple[str, Session]:
    """A new session; returns the cookie token (shown once, stored hashed) and the session."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = db.clock.now()
    expires = now + timedelta(hours=hours)
    with write_transaction(db.engine) as connection:
        connection.execute(delete(console_sessions).where(console_sessions.c.expires_at < now))
        connection.execute(
            insert(console_sessions).values(
                token_hash=_digest(token), user_id=user.id, csrf=csrf, created_at=now, expires_at=expires
            )
        )
    return token, Session(user, csrf, expires)


def session(db: StateDB, token: str) -> Session | None:
    """The live session for a cookie token, or None (unknown, expired, or its user removed)."""
    query = (
        select(console_sessions, users.c.name, users.c.role, users.c.created_at.label("user_created"))
        .join(users, users.c.id == console_sessions.c.user_id)
        .where(console_sessions.c.token_hash == _digest(token))
    )
    with db.engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None or as_utc(row.expires_at) <= db.clock.now():
        return None
    user = User(int(row.user_id), str(row.name), str(row.role), as_utc(row.user_created))
    return Session(user, str(row.csrf), as_utc(row.expires_at))


def end_session(db: StateDB, token: str) -> None:
    with write_transaction(db.engine) as connection:
        connection.execute(delete(console_sessions).where(console_sessions.c.token_hash == _digest(token)))


def same_token(expected: str, given: str | None) -> bool:
    return bool(given) and secrets.compare_digest(expected.encode(), (given or "").encode())


# -- audit ------------------------------------------------------------------------------------


def audit(db: StateDB, user: str, action: str, store: str = "", target: str = "", detail: str = "") -> None:
    with write_transaction(db.engine) as connection:
        connection.execute(
            insert(audit_log).values(
                at=db.clock.now(), user=user, action=action, store=store, target=target[:200], detail=detail
            )
        )


def audit_entries(
    db: StateDB, store: str | None = None, target: str | None = None, limit: int = 50
) -> list[AuditEntry]:
    query = select(audit_log)
    if store is not None:
        query = query.where(audit_log.c.store == store)
    if target is not None:
        query = query.where(audit_log.c.target == target)
    with db.engine.connect() as connection:
        rows = connection.execute(query.order_by(audit_log.c.id.desc()).limit(limit))
        return [AuditEntry(as_utc(r.at), r.user, r.action, r.store, r.target, r.detail) for r in rows]
