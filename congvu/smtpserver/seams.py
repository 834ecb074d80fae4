"""What the SMTP server needs from the rest of the installation, as small protocols, and the bundle of them a
listener runs with.

- :class:`MailClientSignIn`: the sign-in check behind AUTH (:meth:`congvu.access.signin.SignInService.mail_client`,
  which passes the shared sign-in throttle first).
- :class:`OutboundQueue`: the durable queue for recipients outside the installation
  (:class:`congvu.delivery.queue.OutboundQueue`); ``enqueue`` returns once the message is durable.
- :class:`InboundAuthenticator`: SPF, DKIM and DMARC results for mail from the Internet (RFC 7208, RFC 6376,
  RFC 7489), as an ``Authentication-Results`` field (RFC 8601) and what to do with the message.
- :class:`UsageRecorder`: usage and monitoring events (``send``, ``free_mail``).
- ``trace``: the message trace (:class:`congvu.delivery.trace_log.TraceSink`), told of refusals, acceptance and
  where each copy went (:mod:`congvu.smtpserver.tracing`).
- :class:`DeliveredMailHook`: told of each message once it is durably in local mailboxes (the official documents
  take in the edXML packages that arrive in agency mailboxes, :class:`congvu.documents.mail_intake.MailIntake`).

The mail store itself is :class:`congvu.mailstore.aio.AsyncMailStore`; blocking calls (directory look-ups, the
queue, usage events) run on threads so the listeners' loop never waits on the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from congvu.access.models import SignInResult
from congvu.delivery.dsnparams import DsnEnvelope, DsnRecipient
from congvu.delivery.trace_log import TraceSink
from congvu.mailstore.aio import AsyncMailStore
from congvu.smtpserver.settings import MailPolicy, SmtpLimits


class MailClientSignIn(Protocol):
    def mail_client(self, address: str, secret: str, *, ip: str | None, protocol: str) -> SignInResult: ...


class OutboundQueue(Protocol):
    def enqueue(self, *, mail_from: str, recipients: Sequence[str], raw: bytes, submitted_by: int | None,
                dsn: DsnEnvelope | None = None, recipient_dsn: Mapping[str, DsnRecipient] | None = None) -> int: ...

    def enqueue_report(self, *, recipient: str, raw: bytes) -> int: ...


class InboundAction(StrEnum):
    ACCEPT = "accept"
    JUNK = "junk"  # deliver into the recipients' Junk folder (DMARC p=quarantine, RFC 7489 §6.3)
    REJECT = "reject"  # refuse after DATA with 550 5.7.1 (DMARC p=reject)


@dataclass(frozen=True)
class InboundVerdict:
    action: InboundAction = InboundAction.ACCEPT
    authentication_results: str | None = None  # the value of an Authentication-Results field to add
    reason: str = ""  # ASCII; said in the refusal


@dataclass(frozen=True)
class InboundMessage:
    client_ip: str | None
    helo: str | None
    mail_from: str  # "" for the null reverse-path
    recipients: tuple[str, ...]
    raw: bytes


class InboundAuthenticator(Protocol):
    async def assess(self, message: InboundMessage) -> InboundVerdict: ...


class UsageRecorder(Protocol):
    def record(self, kind: str, *, protocol: str, account_id: int | None,
               detail: Mapping[str, str | int | None]) -> None: ...


class DeliveredMailHook(Protocol):
    """Called in a worker thread after a local delivery has committed; it must not raise (the server logs it if
    it does) and it cannot change or refuse the message. A hook may also offer ``might_concern(raw) -> bool``, a
    cheap test run first on the server's own thread: when it says no, the message is not handed over."""

    def delivered(self, raw: bytes, mailbox_ids: Sequence[int]) -> object: ...


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SmtpServices:
    """Everything a listener calls; tests build one with doubles for the parts they do not exercise."""

    mailstore: AsyncMailStore
    signin: MailClientSignIn
    limits: SmtpLimits = field(default_factory=SmtpLimits)
    policy: MailPolicy = field(default_factory=MailPolicy)
    outbound: OutboundQueue | None = None
    inbound_auth: InboundAuthenticator | None = None
    usage: UsageRecorder | None = None
    after_delivery: DeliveredMailHook | None = None
    trace: TraceSink | None = None  # the message trace (congvu.delivery.trace_log)
    clock: Callable[[], datetime] = utcnow


__all__ = [
    "DeliveredMailHook", "InboundAction", "InboundAuthenticator", "InboundMessage", "InboundVerdict",
    "MailClientSignIn", "OutboundQueue", "SmtpServices", "UsageRecorder", "utcnow",
]
