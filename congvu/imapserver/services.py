"""What the IMAP server needs from the rest of the installation, and what its connections share at run time.

- :class:`ImapServices`: the dependencies, as small protocols where the real thing lives in a service: the mail
  store (:class:`congvu.mailstore.aio.AsyncMailStore`), the sign-in check mail clients go through
  (:meth:`congvu.access.signin.SignInService.mail_client`, which passes the throttle shared with SMTP submission
  and the web, accepts app passwords and records the last login), the usage recorder and the limits.
- :class:`ImapServer`: one per set of listeners: the services, the TLS context, the connection counters, the
  header sections already cut for FETCH (:class:`congvu.imapserver.fetching.SectionCache`) and the commands
  already parsed (:class:`congvu.imapserver.parsecache.ParseCache`), and the signed-in sessions by account
  (:mod:`congvu.imapserver.accountwatch` ends those of disabled or removed accounts).

Blocking calls (password hashing, the sign-in record) run on threads so the loop never waits on them.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from congvu.access.models import SignInResult
from congvu.imapserver.accountwatch import SignedInSessions
from congvu.imapserver.fetching import SectionCache
from congvu.imapserver.limits import ConnectionCounter, ImapLimits
from congvu.imapserver.parsecache import ParseCache
from congvu.installation import Installation
from congvu.mailstore.aio import AsyncMailStore
from congvu.mailstore.usage import UsageKind
from congvu.runtime.proxy_header import Network

log = logging.getLogger("congvu.imapserver")

PROTOCOL = "imap"


class MailClientSignIn(Protocol):
    def mail_client(self, address: str, secret: str, *, ip: str | None, protocol: str) -> SignInResult: ...


class UsageSink(Protocol):
    def record(self, kind: UsageKind | str, *, account_id: int | None, protocol: str,
               detail: Mapping[str, str | int | bool | None] | None = None) -> None: ...


@dataclass(frozen=True)
class ImapServices:
    """Everything the listeners call; tests build one with the parts they want to control."""

    mailstore: AsyncMailStore
    signin: MailClientSignIn
    usage: UsageSink | None = None
    limits: ImapLimits = field(default_factory=ImapLimits)


def default_services(inst: Installation, *, limits: ImapLimits | None = None) -> ImapServices:
    """Services over the installation's own mail store, sign-in service (with a throttle of its own) and usage
    recorder. A process that also runs SMTP should build one :class:`congvu.access.service.Access` and pass its
    ``signin`` to both, so failed sign-ins are counted together."""
    from congvu.access.service import Access

    return ImapServices(mailstore=AsyncMailStore(inst.mailstore, inst.mailstore.notifier),
                        signin=Access(inst.directory).signin, usage=inst.usage, limits=limits or ImapLimits())


@dataclass
class ImapServer:
    services: ImapServices
    tls: ssl.SSLContext | None
    hostname: str
    version: str
    counter: ConnectionCounter = field(init=False)
    connections: set[asyncio.Task[None]] = field(default_factory=set)
    sections: SectionCache = field(default_factory=SectionCache)
    commands: ParseCache = field(default_factory=ParseCache)
    sessions: SignedInSessions = field(default_factory=SignedInSessions)
    proxy_from: tuple[Network, ...] = ()  # load balancers whose connections start with a PROXY header

    def __post_init__(self) -> None:
        self.counter = ConnectionCounter(self.services.limits)

    @property
    def store(self) -> AsyncMailStore:
        return self.services.mailstore

    @property
    def limits(self) -> ImapLimits:
        return self.services.limits

    async def sign_in(self, address: str, secret: str, ip: str | None) -> SignInResult:
        """The shared sign-in check, off the event loop (argon2id takes tens of milliseconds on purpose)."""
        return await asyncio.to_thread(self.services.signin.mail_client, address, secret, ip=ip, protocol=PROTOCOL)

    def record_usage(self, kind: UsageKind, account_id: int, detail: dict[str, str | int | bool | None]) -> None:
        """Queue a usage event (never blocks: the recorder writes in batches from its own thread)."""
        usage = self.services.usage
        if usage is None:
            return
        try:
            usage.record(kind, account_id=account_id, protocol=PROTOCOL, detail=detail)
        except Exception:
            log.warning("usage event dropped", exc_info=True)
