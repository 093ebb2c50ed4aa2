"""Fixtures for the ERPNext simulator's engine tests (helpers live in test_engine_support)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from test_engine_support import Api, make_api


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    sim, key, secret = await make_api()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://erp.test") as client:
        yield Api(sim, client, {"Authorization": f"token {key}:{secret}"})
