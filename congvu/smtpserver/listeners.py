"""Starting and stopping the SMTP listeners of an installation: MX (25), submission with STARTTLS (587, RFC 6409)
and submission over implicit TLS (465, RFC 8314 §3.3).

``await start_smtp_listeners(inst, host=…, smtp_port=…, submission_port=…, smtps_port=…)`` binds each socket
(port 0 leaves a listener off, -1 takes any free port) and returns :class:`SmtpListeners`, which reports the
ports bound; ``await listeners.close()`` stops accepting, tells idle clients ``421`` and closes them, drops
transactions still receiving DATA (nothing of them is delivered), and waits for deliveries already committing
to finish (up to ``smtp.shutdown_grace_s``) so each gets its ``250``.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass, field

from congvu.delivery.forwarding import sender_rewriter
from congvu.errors import ConfigError
from congvu.installation import Installation
from congvu.mailstore.aio import AsyncMailStore
from congvu.runtime.listen import ANY_FREE_PORT, BACKLOG, ListenSockets
from congvu.runtime.proxy_header import trusted_networks
from congvu.security.dmarc import organizational_domain
from congvu.security.dns import Resolver
from congvu.smtpserver.addressbook import AddressBook
from congvu.smtpserver.connection import SmtpConnection
from congvu.smtpserver.handler import MailHandler
from congvu.smtpserver.mailauth import MailAuthChecker
from congvu.smtpserver.runtime import ListenerRuntime, ServerState
from congvu.smtpserver.seams import (
    DeliveredMailHook,
    InboundAuthenticator,
    MailClientSignIn,
    OutboundQueue,
    SmtpServices,
)
from congvu.smtpserver.settings import load_limits, load_mail_policy
from congvu.smtpserver.state import ListenerKind

log = logging.getLogger("congvu.smtp")
TLS_HANDSHAKE_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class BoundSmtp:
    name: str  # "smtp", "submission" or "submissions"
    host: str
    port: int


@dataclass(eq=False)
class SmtpListeners:
    bound: tuple[BoundSmtp, ...]
    state: ServerState
    _servers: list[asyncio.Server] = field(default_factory=list)
    _owned_mailstore: AsyncMailStore | None = None
    _closed: bool = False

    def port(self, name: str) -> int | None:
        """The port the named listener got, or None when it is off."""
        return next((b.port for b in self.bound if b.name == name), None)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        state = self.state
        state.closing = True
        for server in self._servers:
            server.close()
        for conn in list(state.connections):
            conn.request_shutdown()
        grace = state.services.limits.shutdown_grace_s
        if state.commits:
            await asyncio.wait(set(state.commits), timeout=grace)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2.0
        while state.connections and loop.time() < deadline:  # replies to committed messages still flushing
            await asyncio.sleep(0.02)
        for conn in list(state.connections):
            conn.abort_now()
        for server in self._servers:
            await server.wait_closed()
        if self._owned_mailstore is not None:
            await asyncio.to_thread(self._owned_mailstore.close)


def tls_context(inst: Installation) -> ssl.SSLContext | None:
    """The server context from ``[tls]`` (None when no certificate is configured)."""
    cert, key = inst.settings.tls_cert, inst.settings.tls_key
    if cert is None or key is None or not cert.is_file() or not key.is_file():
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # RFC 8996, RFC 8314 §4.1
    try:
        context.load_cert_chain(str(cert), str(key))
    except (OSError, ssl.SSLError) as error:
        raise ConfigError(f"Không đọc được chứng chỉ TLS {cert}: {error}",
                          message_en=f"Cannot load the TLS certificate {cert}: {error}") from error
    return context


def default_services(inst: Installation, *, signin: MailClientSignIn | None = None,
                     outbound: OutboundQueue | None = None, resolver: Resolver | None = None,
                     inbound_auth: InboundAuthenticator | None = None,
                     mailstore: AsyncMailStore | None = None,
                     after_delivery: DeliveredMailHook | None = None) -> SmtpServices:
    """The services of an installation as the SMTP server uses them; any part can be given instead.

    Unless given: sign-in through a fresh :class:`congvu.access.service.Access` (pass the process's shared one
    so web, IMAP and SMTP failures are counted together), the installation's outbound queue, SPF/DKIM/DMARC with
    the network resolver of ``[dns]``, and the installation's usage recorder. ``after_delivery`` (none unless
    given) sees every message once its local copies are durable.
    """
    if signin is None:
        from congvu.access.service import Access

        signin = Access(inst.directory).signin
    if outbound is None:
        from congvu.delivery.queue import OutboundQueue as Queue

        outbound = Queue(inst)
    if inbound_auth is None:
        if resolver is None:
            from congvu.delivery.resolver import NetworkResolver

            resolver = NetworkResolver.from_settings(inst.settings)
        inbound_auth = MailAuthChecker.from_config(resolver, authserv_id=inst.settings.hostname,
                                                   raw=inst.settings.raw)
    if mailstore is None:
        mailstore = AsyncMailStore(inst.mailstore, inst.mailstore.notifier)
    return SmtpServices(mailstore=mailstore, signin=signin, limits=load_limits(inst.settings.raw),
                        policy=load_mail_policy(inst.settings.raw, domain=inst.settings.domain),
                        outbound=outbound, inbound_auth=inbound_auth, usage=inst.usage,
                        after_delivery=after_delivery, trace=inst.trace)


async def start_smtp_listeners(inst: Installation, *, host: str, smtp_port: int, submission_port: int,
                               smtps_port: int, services: SmtpServices | None = None,
                               sockets: ListenSockets | None = None) -> SmtpListeners:
    """Bind and start the SMTP listeners; see the module docstring. ``sockets`` gives inherited sockets (the
    worker processes of ``congvu serve``) and keeps the ones bound here."""
    sockets = sockets if sockets is not None else ListenSockets()
    context = tls_context(inst)
    if smtps_port != 0 and context is None:
        raise ConfigError("Cổng SMTPS (465) cần chứng chỉ TLS ([tls] cert, key).",
                          message_en="The SMTPS port (465) needs a TLS certificate ([tls] cert, key).")
    owned = None
    if services is None:
        services = default_services(inst)
        owned = services.mailstore
    book = AddressBook(inst.db, inst.directory, services.mailstore)
    state = ServerState.create(services, book, hostname=inst.settings.hostname, tls_context=context)
    state.proxy_from = trusted_networks(inst.settings.raw)
    state.srs = sender_rewriter(inst.settings)
    listeners = SmtpListeners(bound=(), state=state, _owned_mailstore=owned)
    if smtp_port != 0:
        # The public suffix list (DMARC's organizational domains) is read once per process, at start rather than
        # while the first message from outside waits (about a tenth of a second).
        await asyncio.to_thread(organizational_domain, inst.settings.domain)
    loop = asyncio.get_running_loop()
    bound: list[BoundSmtp] = []
    plan = ((ListenerKind.MX, smtp_port, False), (ListenerKind.SUBMISSION, submission_port, False),
            (ListenerKind.SUBMISSIONS, smtps_port, True))
    try:
        for kind, port, implicit in plan:
            if port == 0:
                continue
            sock = sockets.get(kind.value, host, port)
            runtime = ListenerRuntime(kind, implicit, state, MailHandler(state, kind))
            server = await loop.create_server(
                lambda runtime=runtime: SmtpConnection(runtime), sock=sock, backlog=BACKLOG,
                ssl=context if implicit else None,
                ssl_handshake_timeout=TLS_HANDSHAKE_TIMEOUT_S if implicit else None)
            listeners._servers.append(server)
            bound.append(BoundSmtp(kind.value, host, sock.getsockname()[1]))
    except BaseException:
        await listeners.close()
        raise
    listeners.bound = tuple(bound)
    return listeners


__all__ = ["ANY_FREE_PORT", "BoundSmtp", "SmtpListeners", "default_services", "start_smtp_listeners",
           "tls_context"]
