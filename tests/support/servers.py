"""Local HTTP servers for the link checker and monitoring tests (bench/sitegen.py uses them too).

Everything listens on 127.0.0.1 only and stops itself after a bounded
lifetime, so a crashed test or benchmark never leaves a server behind.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable

from aiohttp import web

LOOPBACK = "127.0.0.1"


def bind_loopback() -> socket.socket:
    """A listening socket on a free loopback port (bound now, so no port race)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def closed_port() -> int:
    """A loopback port with nothing listening (connections are refused)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((LOOPBACK, 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


async def start_apps(apps: list[web.Application], socks: list[socket.socket]) -> list[web.AppRunner]:
    runners = []
    for app, sock in zip(apps, socks, strict=True):
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        runners.append(runner)
    return runners


class ServerThread:
    """Serve aiohttp applications from a background thread with its own loop.

    Lets a synchronous test call ``check_site`` (which runs ``asyncio.run``)
    while the servers keep answering on another loop.  ``build`` receives the
    already-bound ports, so pages can link to each other's sites.
    """

    def __init__(
        self,
        build: Callable[[list[int]], list[web.Application]],
        count: int = 1,
        max_lifetime_s: float = 60.0,
    ) -> None:
        self._socks = [bind_loopback() for _ in range(count)]
        self.ports = [s.getsockname()[1] for s in self._socks]
        self._apps = build(self.ports)
        self._max_lifetime_s = max_lifetime_s
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="test-site", daemon=True)
        self._runners: list[web.AppRunner] = []

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._runners = self._loop.run_until_complete(start_apps(self._apps, self._socks))
        # Safety net: the server stops itself even if the caller never does.
        self._loop.call_later(self._max_lifetime_s, self._loop.stop)
        self._ready.set()
        self._loop.run_forever()
        for runner in self._runners:
            self._loop.run_until_complete(runner.cleanup())
        self._loop.close()

    def __enter__(self) -> ServerThread:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("test site did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
