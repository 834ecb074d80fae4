"""The state the SMTP listeners of one process share (services, counters, live connections, deliveries in
progress), and what each listener adds to it (its kind, whether TLS is implicit, its handler).
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from congvu.mail.srs import SenderRewriter
from congvu.runtime.proxy_header import Network
from congvu.runtime.shared_limits import SharedLimits
from congvu.smtpserver import replies
from congvu.smtpserver.addressbook import AddressBook
from congvu.smtpserver.limits import AccountSessions, ConnectionGate, MessageRates
from congvu.smtpserver.replies import Reply
from congvu.smtpserver.seams import SmtpServices
from congvu.smtpserver.settings import SmtpLimits
from congvu.smtpserver.state import ListenerKind

if TYPE_CHECKING:
    from congvu.smtpserver.connection import SmtpConnection
    from congvu.smtpserver.handler import MailHandler


@dataclass(eq=False)
class ServerState:
    services: SmtpServices
    addressbook: AddressBook
    hostname: str
    tls_context: ssl.SSLContext | None
    gate: ConnectionGate
    rates: MessageRates
    sessions: AccountSessions
    connections: set[SmtpConnection] = field(default_factory=set)
    commits: set[asyncio.Task[Reply]] = field(default_factory=set)
    closing: bool = False
    proxy_from: tuple[Network, ...] = ()  # load balancers whose connections start with a PROXY header
    srs: SenderRewriter | None = None  # rewrites the sender of mail forwarded outside, reverses bounces to it

    @classmethod
    def create(cls, services: SmtpServices, addressbook: AddressBook, *, hostname: str,
               tls_context: ssl.SSLContext | None) -> ServerState:
        limits = services.limits
        gate = ConnectionGate(max_total=limits.max_connections, max_per_network=limits.max_connections_per_ip)
        return cls(services, addressbook, hostname, tls_context, gate, MessageRates.create(limits),
                   AccountSessions(max_per_account=limits.max_sessions_per_account))

    def share_limits(self, shared: SharedLimits) -> None:
        """Count the limits together with the other processes of the server (``congvu serve --workers``)."""
        self.gate.share(shared)
        self.sessions.share(shared)
        self.rates.share(shared)


@dataclass(eq=False)
class ListenerRuntime:
    kind: ListenerKind
    implicit_tls: bool
    state: ServerState
    handler: MailHandler

    @property
    def services(self) -> SmtpServices:
        return self.state.services

    @property
    def limits(self) -> SmtpLimits:
        return self.state.services.limits

    @property
    def hostname(self) -> str:
        return self.state.hostname

    @property
    def tls_context(self) -> ssl.SSLContext | None:
        return self.state.tls_context

    @property
    def gate(self) -> ConnectionGate:
        return self.state.gate

    @property
    def connections(self) -> set[SmtpConnection]:
        return self.state.connections

    @property
    def commits(self) -> set[asyncio.Task[Reply]]:
        return self.state.commits

    def admit(self, ip: str | None) -> Reply | None:
        if self.state.closing:
            return replies.SHUTTING_DOWN
        return self.state.gate.admit(ip)
