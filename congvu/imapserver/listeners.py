"""Starting and stopping the IMAP listeners: port 143 (IMAP with STARTTLS) and 993 (IMAPS, implicit TLS, RFC
8314 §3.3), each bound before the call returns so the caller can report the port it got.

Port 0 turns a listener off and -1 asks for any free port. :meth:`ImapListeners.close` stops accepting, tells
every open session ``* BYE`` (RFC 9051 §7.1.5) and waits for them to end. While they run, a task ends the
sessions of accounts disabled or removed meanwhile (:mod:`congvu.imapserver.accountwatch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from congvu import __version__
from congvu.errors import ConfigError
from congvu.imapserver.accountwatch import watch_accounts
from congvu.imapserver.channel import Channel
from congvu.imapserver.connection import ImapConnection
from congvu.imapserver.services import ImapServer, ImapServices, default_services, log
from congvu.imapserver.tls import server_context
from congvu.installation import Installation
from congvu.mailstore.aio import AsyncMailStore
from congvu.runtime.listen import BACKLOG, ListenSockets
from congvu.runtime.proxy_header import trusted_networks

SHUTDOWN_GRACE_S = 5.0


def tls_context(cert: Path | None, key: Path | None) -> ssl.SSLContext | None:
    """The server's TLS context (see :func:`congvu.imapserver.tls.server_context`); None without a certificate."""
    if cert is None or key is None:
        return None
    try:
        return server_context(str(cert), str(key))
    except (OSError, ssl.SSLError) as error:
        raise ConfigError(f"Không đọc được chứng chỉ TLS {cert}: {error}",
                          message_en=f"Cannot load the TLS certificate {cert}: {error}") from error


@dataclass
class ImapListeners:
    """The running IMAP listeners; ``imap_port`` / ``imaps_port`` are the bound ports (0 when off)."""

    server: ImapServer
    imap_port: int = 0
    imaps_port: int = 0
    servers: list[asyncio.Server] = field(default_factory=list)
    watcher: asyncio.Task[None] | None = None
    _owned_store: AsyncMailStore | None = None

    @property
    def connection_count(self) -> int:
        return len(self.server.connections)

    async def close(self) -> None:
        """Stop listening, say BYE to every session, and wait (briefly) for them to finish."""
        for listening in self.servers:
            listening.close()
        if self.watcher is not None:
            self.watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watcher
        tasks = list(self.server.connections)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_S)
        for listening in self.servers:
            with contextlib.suppress(Exception):
                await listening.wait_closed()
        if self._owned_store is not None:
            await asyncio.to_thread(self._owned_store.close)


async def _serve(server: ImapServer, channel: Channel, *, implicit_tls: bool) -> None:
    connection = ImapConnection(server, channel, implicit_tls=implicit_tls)
    try:
        await connection.run()
    except asyncio.CancelledError:
        channel.abort()  # the BYE went out in run(); a client that does not read it is not waited for


def _accept(server: ImapServer, *, implicit_tls: bool) -> Channel:
    def connected(channel: Channel) -> None:
        task = asyncio.get_running_loop().create_task(_serve(server, channel, implicit_tls=implicit_tls))
        server.connections.add(task)
        task.add_done_callback(server.connections.discard)

    return Channel(connected, write_timeout_s=server.limits.write_timeout_s)


async def start_imap_listeners(inst: Installation, *, host: str, imap_port: int, imaps_port: int,
                               services: ImapServices | None = None,
                               sockets: ListenSockets | None = None) -> ImapListeners:
    """Bind and start the IMAP (STARTTLS) and IMAPS listeners of an installation.

    Without ``services`` the listeners use :func:`default_services` and close the thread pool of the mail store
    they made when they close.
    """
    sockets = sockets if sockets is not None else ListenSockets()
    settings = inst.settings
    context = tls_context(settings.tls_cert, settings.tls_key)
    if imaps_port != 0 and context is None:
        raise ConfigError("IMAPS cần chứng chỉ TLS ([tls] cert, key)",
                          message_en="IMAPS needs a TLS certificate ([tls] cert, key)")
    owned = None
    if services is None:
        services = default_services(inst)
        owned = services.mailstore
    server = ImapServer(services, context, settings.hostname, __version__)
    server.proxy_from = trusted_networks(settings.raw)
    listeners = ImapListeners(server, _owned_store=owned)
    loop = asyncio.get_running_loop()
    try:
        if imap_port != 0:
            sock = sockets.get("imap", host, imap_port)
            listening = await loop.create_server(lambda: _accept(server, implicit_tls=False), sock=sock,
                                                 backlog=BACKLOG)
            listeners.servers.append(listening)
            listeners.imap_port = sock.getsockname()[1]
        if imaps_port != 0:
            sock = sockets.get("imaps", host, imaps_port)
            # TLS is run by the channel itself (congvu.imapserver.tls), not by the transport.
            listening = await loop.create_server(lambda: _accept(server, implicit_tls=True), sock=sock,
                                                 backlog=BACKLOG)
            listeners.servers.append(listening)
            listeners.imaps_port = sock.getsockname()[1]
    except BaseException:
        await listeners.close()
        raise
    listeners.watcher = loop.create_task(watch_accounts(server))
    log.info("IMAP listening on %s: imap=%s imaps=%s", host, listeners.imap_port, listeners.imaps_port)
    return listeners
