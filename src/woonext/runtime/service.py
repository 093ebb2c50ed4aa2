"""Processes: `serve` (web app + worker + scheduler in one process on uvicorn), and each part alone:
the web app (`web`), the worker (`work`), the scheduler (`schedule`).

SIGTERM / SIGINT stop gracefully: uvicorn stops accepting and finishes open requests, then the
worker lets in-flight events finish within its grace period or releases them (claimable at once).
"""

from __future__ import annotations

import asyncio
import errno
import signal
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

import structlog
import uvicorn
from starlette.applications import Starlette

from woonext.config import Config
from woonext.store import StateDB
from woonext.sync.context import Transports

from .scheduler import run_scheduler
from .web import create_app
from .worker import Worker, WorkerSettings

log = structlog.get_logger(__name__)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _Server(uvicorn.Server):
    """uvicorn without its own signal capture (it re-raises SIGTERM after shutdown, killing the
    process with status 143): `serve` installs handlers that only ask for a clean exit."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def on_stop_signals(callback: Callable[[], None]) -> None:
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, callback)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread / not supported
            return


def port_problem(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on, in one line; None when it can. Binds the way uvicorn does
    (SO_REUSEADDR), so a port in TIME_WAIT is not reported busy."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is already in use (another woonext serve or web?): stop it, or "
                    f"choose another port with --port or [service] port"
                )
            if exc.errno == errno.EACCES:
                return f"not allowed to listen on port {port} (ports below 1024 need privileges): use --port 8080"
            return f"cannot listen on {host}:{port}: {exc.strerror or exc} (check --host / [service] host)"
    return None


def service_app(config: Config, db: StateDB, worker: Worker, *, scheduler: bool = True) -> Starlette:
    """The web app with the worker loop (and the scheduler) as background tasks for the app's lifetime."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(worker.run(stop))]
        if scheduler:
            tasks.append(asyncio.create_task(run_scheduler(config, db, stop, on_queued=worker.notify)))
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks)

    return create_app(config, db, on_enqueued=worker.notify, lifespan=lifespan, transports=worker.transports)


def build_server(
    config: Config,
    db: StateDB,
    host: str,
    port: int,
    worker: Worker | None,
    *,
    scheduler: bool = True,
    transports: Transports | None = None,
) -> uvicorn.Server:
    """The uvicorn server for the web app; with `worker`, the worker (and the scheduler) run inside it."""
    if worker is not None:
        app = service_app(config, db, worker, scheduler=scheduler)
    else:
        app = create_app(config, db, transports=transports)
    return _Server(
        uvicorn.Config(
            app, host=host, port=port, lifespan="on", log_config=None, access_log=False, timeout_graceful_shutdown=10
        )
    )


async def serve(
    config: Config,
    db: StateDB,
    host: str,
    port: int,
    settings: WorkerSettings | None = None,
    transports: Transports | None = None,
    *,
    with_worker: bool = True,
    scheduler: bool = True,
) -> None:
    """`woonext serve` (web + worker + scheduler) or, without the worker, `woonext web`; until SIGTERM / SIGINT."""
    worker = Worker(config, db, transports, settings or WorkerSettings()) if with_worker else None
    server = build_server(config, db, host, port, worker, scheduler=scheduler, transports=transports)

    def stop() -> None:
        log.info("service_stopping")
        server.should_exit = True

    on_stop_signals(stop)
    log.info(
        "service_listening",
        host=host,
        port=port,
        stores=[s.name for s in config.stores],
        worker=with_worker,
        scheduler=with_worker and scheduler,
    )
    await server.serve()


async def work(
    config: Config, db: StateDB, settings: WorkerSettings | None = None, transports: Transports | None = None
) -> None:
    """The worker loop alone, until SIGTERM / SIGINT."""
    stop = asyncio.Event()
    on_stop_signals(stop.set)
    await Worker(config, db, transports, settings or WorkerSettings()).run(stop)


async def schedule(config: Config, db: StateDB) -> None:
    """The scheduler alone, until SIGTERM / SIGINT."""
    stop = asyncio.Event()
    on_stop_signals(stop.set)
    await run_scheduler(config, db, stop)
