"""`ErpSim`: the ERPNext 15.92 simulator, its configuration and its public inspection surface."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..clock import SimClock
from ..masters import Masters
from .app import FrappeApp
from .auth import Users
from .base import Controller, Ctx, Doc, MethodFn
from .client_methods import FRAPPE_METHODS, Method
from .controllers import CONTROLLERS as MASTER_CONTROLLERS
from .db import Database, Txn, clone
from .documents import DocCtx, Engine
from .inspect import Inspector
from .items import CONTROLLERS as ITEM_CONTROLLERS
from .items import METHODS as ITEM_METHODS
from .ratelimit import MethodRateLimits, SiteRateLimit
from .seed import seed_masters, seed_site
from .site_methods import SITE_METHODS
from .stock.entries import CONTROLLERS as STOCK_CONTROLLERS
from .webhooks import Delivery, WebhookController, WebhookQueue


@dataclass
class ErpSimConfig:
    timezone: str = "Africa/Cairo"
    allow_error_traceback: bool = True
    frappe_version: int = 15  # 14: no `exc_type`, DELETE answers {"message": "ok"}; 16: compact messages
    # `site_config.json` "rate_limit": processing seconds allowed per window (None = off)
    rate_limit: tuple[float, float] | None = None
    rate_limit_cost_s: float = 0.0  # simulated processing time charged per request
    method_rate_limits: dict[str, tuple[int, float]] = field(default_factory=dict)
    write_hold_ms: float = 0.0  # how long a write holds its document lock (simulated DB time)
    lock_wait_timeout_s: float = 50.0  # innodb_lock_wait_timeout: then QueryTimeoutError (500)
    faults: str = ""  # FaultPlan spec for woonext.sim.faults (empty = none)
    fault_seed: int = 0
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    fault_server_mode: bool = False  # True when served on a real port (`sim up`): faults act on sockets
    admin_password: str = "admin"
    with_accounting: bool = True  # register woonext.sim.erpnext.accounting when importable
    webhook_delay_s: float = 0.15  # Webhook doctype: commit → the background worker sends (observed 0.1–0.7 s)
    webhook_retry_after_s: tuple[float, ...] = (1.0, 4.0)  # a failed try is repeated after 1 s, then 4 s


class ErpSim:
    def __init__(self, config: ErpSimConfig | None = None, clock: SimClock | None = None) -> None:
        self.config = config or ErpSimConfig()
        self.clock = clock or SimClock()
        self.db = Database()
        self.users = Users()
        self.users.set_password("Administrator", self.config.admin_password)
        self.engine = Engine(self.clock.now, self.config.timezone)
        self.methods: dict[str, Method] = {**FRAPPE_METHODS, **SITE_METHODS}
        self.daily_jobs: list[Callable[[Ctx], None]] = []
        self.request_log: list[tuple[str, str, int]] = []
        # documents "being submitted in a background job": writes to them get DocumentLockedError
        self.queued_documents: set[tuple[str, str]] = set()
        self.site_rate_limit = (
            SiteRateLimit(*self.config.rate_limit, cost_s=self.config.rate_limit_cost_s)
            if self.config.rate_limit
            else None
        )
        self.method_rate_limits = (
            MethodRateLimits(dict(self.config.method_rate_limits)) if self.config.method_rate_limits else None
        )
        for controller in [*MASTER_CONTROLLERS, *ITEM_CONTROLLERS, *STOCK_CONTROLLERS, WebhookController()]:
            self.engine.register(controller)
        for path, fn in ITEM_METHODS.items():
            self.register_method(path, fn, frozenset({"GET", "POST"}))
        self.webhooks = WebhookQueue(
            self, delay_s=self.config.webhook_delay_s, retry_after_s=self.config.webhook_retry_after_s
        )
        if self.config.with_accounting:
            self._load_accounting()
        self.inspector = Inspector(self)
        self.frappe_app = FrappeApp(self)
        self.faults: Any = None
        self.app: Any = self._wrap_faults(self.frappe_app)
        self._last_job_day: date | None = None
        seed_site(self)

    # -- plumbing -----------------------------------------------------------------------------------
    def _load_accounting(self) -> None:
        try:
            from . import accounting
        except ImportError:
            return
        for controller in getattr(accounting, "CONTROLLERS", []):
            self.register_controller(controller)
        for path, fn in getattr(accounting, "METHODS", {}).items():
            self.register_method(path, fn)
        self.daily_jobs.extend(getattr(accounting, "DAILY_JOBS", []))

    def _wrap_faults(self, app: Any) -> Any:
        try:
            from ..faults import FaultMiddleware, FaultPlan
        except ImportError:
            return app
        self.faults = FaultPlan.parse(self.config.faults, seed=self.config.fault_seed, target="erpnext")
        return FaultMiddleware(
            app,
            self.faults,
            flavor="erpnext",
            latency_ms=self.config.latency_ms,
            jitter_ms=self.config.jitter_ms,
            server_mode=self.config.fault_server_mode,
            now=self.clock.now,
            timezone=self.config.timezone,
        )

    def register_controller(self, controller: Controller) -> None:
        self.engine.register(controller)

    def register_method(self, path: str, fn: MethodFn, methods: frozenset[str] | None = None) -> None:
        self.methods[path] = Method(fn, methods or frozenset({"GET", "POST", "PUT"}))

    def new_ctx(self, user: str = "Administrator") -> DocCtx:
        return DocCtx(self.engine, Txn(self.db), user)

    def run_daily_jobs(self) -> None:
        """ERPNext's daily scheduler: run once each time the site-local date moves on."""
        today = self.engine.now().date()
        if self._last_job_day is None or today <= self._last_job_day:
            self._last_job_day = self._last_job_day or today
            return
        self._last_job_day = today
        for job in self.daily_jobs:
            ctx = self.new_ctx()
            job(ctx)
            ctx.txn.commit()

    # -- public API -------------------------------------------------------------------------------
    def queue_document(self, doctype: str, name: str, queued: bool = True) -> None:
        """Mark a document as queued for background submission (or release it)."""
        key = (doctype, name.casefold())
        if queued:
            self.queued_documents.add(key)
        else:
            self.queued_documents.discard(key)

    def create_api_user(self, user: str = "Administrator") -> tuple[str, str]:
        return self.users.create_api_user(user)

    def seed(self, masters: Masters) -> None:
        seed_masters(self, masters)
        self._last_job_day = self.engine.now().date()

    def insert(self, doctype: str, doc: Doc, events: bool = True) -> Doc:
        """Insert through the full document path (validation, controllers) and commit."""
        ctx = self.new_ctx()
        out = self.engine.insert(ctx, doctype, dict(doc))
        ctx.txn.commit()
        if events:
            self.webhooks.after_commit(ctx.events)
        return clone(out)

    # -- the Webhook doctype's background worker -------------------------------------------------------
    @property
    def webhook_transport(self) -> Any:
        """How deliveries reach their URL (an in-process ASGI transport in tests; None = the network)."""
        return self.webhooks.transport

    @webhook_transport.setter
    def webhook_transport(self, transport: Any) -> None:
        self.webhooks.transport = transport

    async def run_webhooks(self, now: bool = True) -> list[Delivery]:
        """Run the background worker once: every queued delivery (`now`), or those due by the clock."""
        return await self.webhooks.run(now=now)

    async def webhook_worker(self, poll_s: float = 0.05) -> None:
        """The RQ worker, forever: send what is due (`sim up` and tests with a running clock)."""
        while True:
            await asyncio.sleep(poll_s)
            await self.webhooks.run(now=False)

    @property
    def gl_entries(self) -> list[Doc]:
        return self.db.gl_entries

    @property
    def stock_ledger(self) -> list[Doc]:
        return self.db.stock_ledger
