"""Composition root: builds the services of an installation and runs every listener on one asyncio loop.

Each listener binds its socket first (port 0 picks a free port) and reports the address it got, so tests and
the demo can find it. SIGTERM and SIGINT stop the listeners: requests in flight are finished or safely
abandoned before the process exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import uvicorn

from congvu.installation import Installation
from congvu.security.throttle import SignInThrottle
from congvu.web.app import create_app

AUTO_PORT = -1
"""A port setting meaning "any free port" (``--http-port auto``); 0 turns a listener off."""


@dataclass(frozen=True)
class BoundListener:
    name: str
    host: str
    port: int


def bind_tcp(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


class _QuietUvicorn(uvicorn.Server):
    """Uvicorn without its own signal handling: the application owns SIGTERM/SIGINT for every listener."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class Application:
    inst: Installation
    listeners: list[BoundListener] = field(default_factory=list)
    # One throttle per process: web, SMTP AUTH and IMAP LOGIN count failed sign-ins together.
    throttle: SignInThrottle = field(default_factory=SignInThrottle)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, *, announce: bool = True) -> None:
        listen = self.inst.settings.listen
        tasks: list[asyncio.Task[None]] = []
        web: _QuietUvicorn | None = None
        if listen.http_port != 0:
            sock = bind_tcp(listen.host, max(listen.http_port, 0))
            port = sock.getsockname()[1]
            self.listeners.append(BoundListener("http", listen.host, port))
            config = uvicorn.Config(create_app(self.inst, throttle=self.throttle), log_level="warning",
                                    access_log=False, lifespan="off", timeout_graceful_shutdown=10)
            web = _QuietUvicorn(config)
            tasks.append(asyncio.create_task(web.serve(sockets=[sock])))
        if announce:
            for listener in self.listeners:
                shown = "127.0.0.1" if listener.host in ("0.0.0.0", "") else listener.host
                print(f"congvu: {listener.name} đang nghe tại {shown}:{listener.port}", flush=True)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self._stop.set)
        await self._stop.wait()
        if web is not None:
            web.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        print("congvu: đã dừng.", file=sys.stderr, flush=True)

    def stop(self) -> None:
        self._stop.set()
