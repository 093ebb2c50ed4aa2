"""Catch state-DB calls that block the event loop, however indirect.

The static test (tests/unit/test_async_state.py) sees a `StateDB` call written inside an
`async def`; it cannot see one made by a synchronous helper that a coroutine calls. This guard
can: whenever the engine hands out a connection on a thread that is running an event loop, it
looks at the innermost coroutine on the stack; when that coroutine is woonext's own, the call
should have gone through `AsyncStateDB` (store/asyncdb.py). A test's coroutine calling the DB to
check a result is not the service blocking its loop, and is let through.

`WOONEXT_LOOP_GUARD`: `warn` (default: log `state_db_on_event_loop` once per call site), `raise`
(`BlockingStateCall`; the test suite forces it with `force("raise")`), `off`.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import structlog
from sqlalchemy import Engine, event

log = structlog.get_logger(__name__)
PACKAGE = str(Path(__file__).resolve().parent.parent) + os.sep  # .../woonext/
_COROUTINE_FLAGS = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | inspect.CO_ITERABLE_COROUTINE
_warned: set[tuple[str, int]] = set()


class BlockingStateCall(RuntimeError):
    """A woonext coroutine called the state DB on the event loop instead of through AsyncStateDB."""


MODES = ("warn", "raise", "off")
_forced: str | None = None


def mode() -> str:
    if _forced is not None:
        return _forced
    value = os.environ.get("WOONEXT_LOOP_GUARD", "warn").strip().lower()
    return value if value in MODES else "warn"


def force(value: str | None) -> None:
    """Set the mode for this process whatever the environment says (the test suite: "raise")."""
    global _forced
    if value is not None and value not in MODES:
        raise ValueError(f"loop guard mode {value!r}: use one of {', '.join(MODES)}")
    _forced = value


def _on_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def offending_coroutine(frame: FrameType | None) -> FrameType | None:
    """The innermost coroutine frame above `frame` when it is woonext's; else None."""
    while frame is not None:
        if frame.f_code.co_flags & _COROUTINE_FLAGS:
            return frame if frame.f_code.co_filename.startswith(PACKAGE) else None
        frame = frame.f_back
    return None


def check(where: str = "state DB") -> None:
    """Raise or log when called on an event loop on behalf of a woonext coroutine."""
    guard = mode()
    if guard == "off" or not _on_loop():
        return
    culprit = offending_coroutine(sys._getframe(1))
    if culprit is None:
        return
    code = culprit.f_code
    site = f"{code.co_name} ({Path(code.co_filename).relative_to(PACKAGE)}:{culprit.f_lineno})"
    message = (
        f"{where} called on the event loop from {site}: it blocks every other task while SQLite waits for "
        "its lock; await the AsyncStateDB method instead (ctx.state.<method>, store/asyncdb.py)"
    )
    if guard == "raise":
        raise BlockingStateCall(message)
    key = (code.co_filename, culprit.f_lineno)
    if key not in _warned:
        _warned.add(key)
        log.warning("state_db_on_event_loop", site=site)


def install(engine: Engine) -> None:
    """Check every connection the engine hands out."""

    def on_checkout(_dbapi: Any, _record: Any, _proxy: Any) -> None:
        check()

    event.listen(engine, "checkout", on_checkout)
