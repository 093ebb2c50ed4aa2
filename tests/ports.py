"""Serve ASGI apps (the simulators) on real loopback ports inside the test's event loop, so a test
talks HTTP over sockets — request lines, Connection: close and all — not through an in-process
transport."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serving(*apps: Any, ports: list[int] | None = None) -> AsyncIterator[list[str]]:
    """Each app on its own port (free ones unless given: a WooCommerce simulator must know its URL
    for OAuth, so pick the port with `free_port()` first); yields their base URLs."""
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []
    urls: list[str] = []
    try:
        for index, app in enumerate(apps):
            port = ports[index] if ports else free_port()
            config = uvicorn.Config(
                app, host="127.0.0.1", port=port, log_level="critical", lifespan="off", timeout_graceful_shutdown=1
            )
            server = uvicorn.Server(config)
            servers.append((server, asyncio.create_task(server.serve())))
            urls.append(f"http://127.0.0.1:{port}")
        for server, task in servers:
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        yield urls
    finally:
        for server, _ in servers:
            server.should_exit = True
        for _, task in servers:
            await task


async def raw_request(url: str, request_line: str) -> tuple[bytes, bytes]:
    """Send one raw HTTP/1.1 request over a socket; returns (status line + headers, body)."""
    host, _, port = url.removeprefix("http://").partition(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"{request_line}\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body
