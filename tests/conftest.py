"""Fixtures shared by every test package: a real PostgreSQL server started by the suite itself."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.unit import pg
from woonext.store import loopguard

# A woonext coroutine that calls the state DB on the event loop fails the test that reaches it
# (store/loopguard.py), in this process and in the processes tests start.
loopguard.force("raise")
os.environ.setdefault("WOONEXT_LOOP_GUARD", "raise")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The SQLAlchemy URL of the `postgres` database of a server started for this test session."""
    reason = pg.available()
    if reason:
        # CI must prove the PostgreSQL path; only a developer's machine without the binaries may skip.
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {reason}")
        pytest.skip(reason)
    with pg.postgres_server() as url:
        yield url
