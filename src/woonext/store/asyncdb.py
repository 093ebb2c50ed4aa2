"""`AsyncStateDB`: the one way async code reaches the state database.

Every `StateDB` method and every `store.events` queue function is synchronous and may wait: SQLite
waits up to its 30 s busy timeout while another process holds the write lock. Called on the event
loop, that wait freezes everything else the loop runs — webhook answers, `/healthz`, lease
heartbeats. So async code never calls them directly; it awaits the same-named method here, which
runs the synchronous one on a thread of a bounded pool (a "lane"):

    binding = await ctx.state.get_binding(ctx.store, "order", order_id)
    event = await state.claim(owner, now, lease_until)          # store.events.claim(db, ...)
    ticks = await state.run(queue_due, config, state.db, now)   # any synchronous step that uses the DB

The methods are typed from the synchronous ones (ParamSpec), so mypy checks their arguments.
Lanes keep one caller from starving another: the webhook receiver ("web") never queues behind
workers waiting for the lock ("work"). `tests/unit/test_async_state.py` fails on a direct call from
an `async def` in woonext, and `store/loopguard.py` catches indirect ones while the suite runs.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Concatenate, Final, ParamSpec, TypeVar

from woonext.clock import Clock

from . import events
from .db import StateDB

P = ParamSpec("P")
R = TypeVar("R")

# Threads per lane. Their sum stays under the engine's pool (store/engine.py: 5 + POOL_OVERFLOW) so
# that a thread never waits for a connection.
LANES: Final = {"work": 10, "web": 4, "spool": 1}
_executors: dict[str, ThreadPoolExecutor] = {}
_executors_lock = threading.Lock()


def lane_executor(lane: str) -> ThreadPoolExecutor:
    """The lane's thread pool, shared by every AsyncStateDB of the process (threads start on demand)."""
    if lane not in LANES:
        raise ValueError(f"unknown lane {lane!r}; use one of {', '.join(LANES)}")
    with _executors_lock:
        if lane not in _executors:
            _executors[lane] = ThreadPoolExecutor(LANES[lane], thread_name_prefix=f"woonext-state-{lane}")
        return _executors[lane]


def _in_thread(
    function: Callable[Concatenate[StateDB, P], R],
) -> Callable[Concatenate[AsyncStateDB, P], Coroutine[Any, Any, R]]:
    """`function(db, ...)` as an awaitable method `state.<name>(...)` that runs it on the lane."""

    async def method(self: AsyncStateDB, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return await self.run(function, self.db, *args, **kwargs)

    method.__name__ = function.__name__
    method.__doc__ = function.__doc__
    return method


class AsyncStateDB:
    """The state DB for async code; see the module's docstring. `db` stays available for the
    synchronous steps handed to `run()`, and `clock` is the one clock it carries."""

    def __init__(self, db: StateDB, lane: str = "work") -> None:
        self.db = db
        self.lane = lane
        self._executor = lane_executor(lane)

    @property
    def clock(self) -> Clock:
        return self.db.clock

    def __repr__(self) -> str:
        return f"AsyncStateDB({self.db!r}, lane={self.lane!r})"

    async def run(self, function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run a synchronous function that uses the state DB on this lane's threads.

        The context (structlog's bound fields) goes with it, as with `asyncio.to_thread`."""
        loop = asyncio.get_running_loop()
        call = functools.partial(contextvars.copy_context().run, function, *args, **kwargs)
        return await loop.run_in_executor(self._executor, call)

    # -- StateDB ------------------------------------------------------------------------------
    get_binding = _in_thread(StateDB.get_binding)
    save_binding = _in_thread(StateDB.save_binding)
    bindings = _in_thread(StateDB.bindings)
    bindings_of_remote = _in_thread(StateDB.bindings_of_remote)
    bindings_named = _in_thread(StateDB.bindings_named)
    credited_refund_ids = _in_thread(StateDB.credited_refund_ids)
    last_credit_without_order = _in_thread(StateDB.last_credit_without_order)
    refund_bindings_since = _in_thread(StateDB.refund_bindings_since)
    record_outcome = _in_thread(StateDB.record_outcome)
    outcome = _in_thread(StateDB.outcome)
    outcome_counts = _in_thread(StateDB.outcome_counts)
    latest_failures = _in_thread(StateDB.latest_failures)
    outcomes_of_kind = _in_thread(StateDB.outcomes_of_kind)
    get_cursor = _in_thread(StateDB.get_cursor)
    set_cursor = _in_thread(StateDB.set_cursor)
    get_checkpoint = _in_thread(StateDB.get_checkpoint)
    set_checkpoint = _in_thread(StateDB.set_checkpoint)
    clear_checkpoint = _in_thread(StateDB.clear_checkpoint)
    start_run = _in_thread(StateDB.start_run)
    finish_run = _in_thread(StateDB.finish_run)
    get_run = _in_thread(StateDB.run)

    # -- store.events (the queue) -------------------------------------------------------------
    enqueue = _in_thread(events.enqueue)
    record_rejected = _in_thread(events.record_rejected)
    claim = _in_thread(events.claim)
    extend_lease = _in_thread(events.extend_lease)
    finish = _in_thread(events.finish)
    retry_later = _in_thread(events.retry_later)
    release = _in_thread(events.release)
    get_event = _in_thread(events.get)
    list_events = _in_thread(events.list_events)
    for_object = _in_thread(events.for_object)
    event_counts = _in_thread(events.counts)
    retry_event = _in_thread(events.retry)
    retry_dead_letters = _in_thread(events.retry_dead_letters)
    ping = _in_thread(events.ping)
