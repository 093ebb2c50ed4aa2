"""No blocking state-DB call on the event loop (issue 12, item 4).

Statically: no `async def` in src/woonext calls a `StateDB` method, a `store.events` queue function,
`StateDB.open` or an engine connection directly — it awaits `AsyncStateDB` (store/asyncdb.py).
Dynamically: `store/loopguard.py` raises for the same mistake made through a synchronous helper
(the suite runs with WOONEXT_LOOP_GUARD=raise, tests/conftest.py). `AsyncStateDB` itself: typed
like the synchronous methods, run on its lane's threads.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import woonext
from woonext.store import StateDB
from woonext.store import events as queue
from woonext.store.asyncdb import LANES, AsyncStateDB
from woonext.store.loopguard import PACKAGE, BlockingStateCall, check

SRC = Path(woonext.__file__).resolve().parent
DB_METHODS = {n for n, v in vars(StateDB).items() if callable(v) and not n.startswith("_")} - {"close"}
QUEUE_FUNCTIONS = {
    n for n, v in vars(queue).items() if inspect.isfunction(v) and v.__module__ == queue.__name__ and n[0] != "_"
}
DB_EXPR = ("db", ".db", "_db")  # how a StateDB is spelt at the call sites: db, ctx.db, self.db, world.db


def _queue_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to the store.events module, and to its functions, by this module's imports."""
    modules, functions = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("woonext.store", "store", None) and node.level <= 1:
            modules |= {a.asname or a.name for a in node.names if a.name == "events"}
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("store.events"):
            functions |= {a.asname or a.name for a in node.names if a.name in QUEUE_FUNCTIONS}
        if isinstance(node, ast.Import):
            modules |= {a.asname for a in node.names if a.name == "woonext.store.events" and a.asname}
    return modules, functions


class BlockingCalls(ast.NodeVisitor):
    """Calls that reach the state DB synchronously, written directly inside an `async def`."""

    def __init__(self, tree: ast.Module) -> None:
        self.queue_modules, self.queue_functions = _queue_names(tree)
        self.found: list[tuple[int, str]] = []
        self._async = [False]

    def _nested(self, node: ast.AST, is_async: bool) -> None:
        self._async.append(is_async)
        self.generic_visit(node)
        self._async.pop()

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._nested(node, True)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._nested(node, False)  # a synchronous helper: judged where it runs (the loop guard)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._nested(node, False)

    def visit_Call(self, node: ast.Call) -> None:
        if self._async[-1] and self._blocking(node.func):
            self.found.append((node.lineno, ast.unparse(node.func)))
        self.generic_visit(node)

    def _blocking(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in self.queue_functions or func.id == "write_transaction"
        if not isinstance(func, ast.Attribute):
            return False
        owner = ast.unparse(func.value)
        if func.attr in DB_METHODS and (owner == "db" or owner.endswith(DB_EXPR)):
            return True
        if func.attr in QUEUE_FUNCTIONS and owner in self.queue_modules:
            return True
        if owner == "StateDB" and func.attr == "open":
            return True
        return func.attr in ("connect", "begin") and owner.endswith(".engine")


def blocking_calls(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    visitor = BlockingCalls(tree)
    visitor.visit(tree)
    return visitor.found


def test_no_async_def_in_woonext_calls_the_state_db_directly() -> None:
    offenders = [
        f"{path.relative_to(SRC.parent)}:{line}: {call}(...)"
        for path in sorted(SRC.rglob("*.py"))
        for line, call in blocking_calls(path.read_text())
    ]
    assert not offenders, (
        "state-DB calls on the event loop (SQLite may wait 30 s for its lock, freezing webhooks, "
        "/healthz and lease heartbeats); await the AsyncStateDB method instead (ctx.state.<name>, "
        "store/asyncdb.py):\n" + "\n".join(offenders)
    )


def test_the_scan_finds_each_form_of_a_direct_call() -> None:
    source = """
from woonext.store import events as queue
from woonext.store.events import enqueue

async def flow(ctx, db, self):
    ctx.db.get_binding("s", "order", 1)
    db.record_outcome("s", "order", 1, "Succeeded")
    self.db.set_cursor("s", "orders", {})
    queue.claim(db, "me", now, later)
    enqueue(db, "s", "order", 1, "t", now)
    StateDB.open("sqlite:///x")
    with ctx.db.engine.connect() as connection:
        pass
    await ctx.state.get_binding("s", "order", 1)      # the right way: not reported
    await ctx.state.run(queue.enqueue, db, "s", "order", 1, "t", now)   # a reference, not a call

    def helper():
        return ctx.db.get_binding("s", "order", 1)    # synchronous: the loop guard's business
"""
    found = [call for _, call in blocking_calls(source)]
    assert found == [
        "ctx.db.get_binding",
        "db.record_outcome",
        "self.db.set_cursor",
        "queue.claim",
        "enqueue",
        "StateDB.open",
        "ctx.db.engine.connect",
    ]


def test_async_state_db_offers_every_state_db_method_and_queue_function() -> None:
    renamed = {"run": "get_run", "get": "get_event", "counts": "event_counts", "retry": "retry_event"}
    wanted = {renamed.get(n, n) for n in (DB_METHODS - {"begin"}) | QUEUE_FUNCTIONS}
    assert wanted <= set(dir(AsyncStateDB)), wanted - set(dir(AsyncStateDB))


async def test_async_state_db_runs_the_call_on_its_lane(tmp_path: Path) -> None:
    db = StateDB.open(f"sqlite:///{tmp_path / 'state.sqlite'}")
    state = AsyncStateDB(db, lane="web")
    seen: list[str] = []

    def where() -> str:
        seen.append(threading.current_thread().name)
        return "done"

    assert await state.run(where) == "done"
    assert seen[0].startswith("woonext-state-web")
    assert await state.get_cursor("main", "orders") is None
    await state.set_cursor("main", "orders", {"modified_gmt": "2026-11-25T10:00:00"})
    assert await state.get_cursor("main", "orders") == {"modified_gmt": "2026-11-25T10:00:00"}
    with pytest.raises(ValueError, match="unknown lane"):
        AsyncStateDB(db, lane="elsewhere")
    assert sum(LANES.values()) < 5 + 20  # the engine's pool: a lane thread never waits for a connection
    db.close()


def test_mypy_checks_the_arguments_of_the_async_methods(tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "from woonext.store.asyncdb import AsyncStateDB\n"
        "async def f(state: AsyncStateDB) -> None:\n"
        "    await state.get_binding('main', 'order', 15)\n"
        "    await state.get_binding('main', 'order', None)\n"
        "    await state.set_cursor('main', 'orders', value='x')\n"
        "    await state.enqueue('main', 'order', 15, 'order.created', now='today')\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(snippet)],
        capture_output=True,
        text=True,
        cwd=SRC.parent.parent,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["4", "5", "6"], result.stdout


# -- the loop guard -------------------------------------------------------------------------------


def _woonext_coroutine(db: StateDB) -> object:
    """A coroutine that looks like woonext's own (its code claims a file in the package)."""
    namespace: dict[str, object] = {}
    code = compile(
        "async def flow(db):\n    return db.get_cursor('main', 'orders')\n", PACKAGE + "sync/imagined.py", "exec"
    )
    exec(code, namespace)
    flow = namespace["flow"]
    assert callable(flow)
    return flow(db)


async def test_the_loop_guard_stops_a_woonext_coroutine_calling_the_db_on_the_loop(tmp_path: Path) -> None:
    db = StateDB.open(f"sqlite:///{tmp_path / 'state.sqlite'}")
    with pytest.raises(BlockingStateCall, match=r"flow \(sync/imagined.py:2\).*AsyncStateDB"):
        await _woonext_coroutine(db)  # type: ignore[misc]
    # the same call from a thread, or from a test's own coroutine, is fine
    assert await asyncio.to_thread(db.get_cursor, "main", "orders") is None
    assert db.get_cursor("main", "orders") is None
    check()  # nothing of woonext's on the stack
    db.close()
