"""What `/readyz` answers: ready only when the state database answers and, for every store, ERPNext
answers and has what the sync needs (`woonext setup` ran: the custom fields and payment-method
options, `sync/setup.py ensure_ready`) and WooCommerce answers the store's keys.

Each probe is one light request, given `PROBE_SECONDS` at most (a hung system is "unreachable", not
a hung health check), and a ready answer is kept for `TTL_SECONDS`, so a load balancer polling every
second costs each system one request per half-minute; a store that was not ready is probed again
after `RETRY_SECONDS`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from woonext.config import Config
from woonext.erpnext.errors import ErpError
from woonext.store import StateDB
from woonext.store.asyncdb import AsyncStateDB
from woonext.sync.context import StoreContext, Transports, open_store
from woonext.sync.setup import NotReady, ensure_ready
from woonext.woo.errors import WooError

PROBE_SECONDS = 5.0
TTL_SECONDS = 30.0  # a ready store is probed again after this
RETRY_SECONDS = 5.0  # a store that was not ready, after this: recovery shows within seconds


@dataclass
class _Answer:
    ok: bool
    detail: dict[str, str]
    at: float


@dataclass
class Readiness:
    config: Config
    db: StateDB
    transports: Transports | None = None
    _answers: dict[str, _Answer] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def _erpnext(self, ctx: StoreContext) -> str:
        try:
            ctx.cache.ready = False  # ask again: setup may have been undone, or run since
            await asyncio.wait_for(ensure_ready(ctx), PROBE_SECONDS)
        except NotReady as exc:
            return f"not set up: {exc}"
        except TimeoutError:
            return f"unreachable: no answer within {PROBE_SECONDS:.0f} s"
        except ErpError as exc:
            return f"{'refuses the API key' if exc.kind == 'permanent' else 'unreachable'}: {exc}"
        return "ok"

    async def _woocommerce(self, ctx: StoreContext) -> str:
        try:
            await asyncio.wait_for(ctx.woo.request("GET", "orders", {"per_page": 1, "_fields": "id"}), PROBE_SECONDS)
        except TimeoutError:
            return f"unreachable: no answer within {PROBE_SECONDS:.0f} s"
        except WooError as exc:
            return f"{'refuses the keys' if exc.status in (401, 403) else 'unreachable'}: {exc}"
        return "ok"

    async def _store(self, name: str) -> _Answer:
        ctx = open_store(self.config, self.config.store(name), self.db, self.transports)
        ctx.woo.max_retries = ctx.erp.max_retries = 0  # a probe is one request: the timeout says the rest
        try:
            erp, woo = await asyncio.gather(self._erpnext(ctx), self._woocommerce(ctx))
        finally:
            await ctx.aclose()
        return _Answer(erp == "ok" and woo == "ok", {"erpnext": erp, "woocommerce": woo}, time.monotonic())

    def _stale(self, name: str, now: float) -> bool:
        answer = self._answers.get(name)
        return answer is None or now - answer.at > (TTL_SECONDS if answer.ok else RETRY_SECONDS)

    async def check(self) -> tuple[bool, dict[str, Any]]:
        """(ready, the body of the answer)."""
        try:
            await AsyncStateDB(self.db, lane="web").ping()
        except Exception as exc:  # any failure to reach the state DB means not ready
            return False, {"status": "unavailable", "state_db": f"unreachable: {type(exc).__name__}"}
        async with self._lock:  # concurrent health checks share one round of probes
            stale = [s.name for s in self.config.stores if self._stale(s.name, time.monotonic())]
            for name, answer in zip(stale, await asyncio.gather(*(self._store(n) for n in stale)), strict=True):
                self._answers[name] = answer
        ready = all(self._answers[s.name].ok for s in self.config.stores)
        body = {
            "status": "ready" if ready else "unavailable",
            "state_db": "ok",
            "stores": {s.name: self._answers[s.name].detail for s in self.config.stores},
        }
        return ready, body
