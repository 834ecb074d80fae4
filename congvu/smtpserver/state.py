"""Per-connection and per-transaction state of the SMTP server, apart from each other as RFC 5321 §3 separates a
session from its mail transactions.

A session (:class:`SmtpSession`) lives until QUIT or until STARTTLS, after which everything learnt before is
forgotten (RFC 3207 §4.2); it holds the signed-in account. A transaction (:class:`Transaction`) runs from MAIL
to the end of DATA or RSET; it holds the sender, the recipients accepted with where each one's mail goes, and
the policy notes gathered on the way.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from enum import StrEnum

from aiosmtpd.smtp import Envelope, Session

from congvu.delivery.dsnparams import NO_REQUEST, NOT_SAID, DsnEnvelope, DsnRecipient
from congvu.directory.resolve import Resolution
from congvu.smtpserver.settings import PolicyAction


class ListenerKind(StrEnum):
    MX = "smtp"  # port 25: mail from the Internet for local domains only
    SUBMISSION = "submission"  # port 587: STARTTLS then AUTH (RFC 6409)
    SUBMISSIONS = "submissions"  # port 465: implicit TLS then AUTH (RFC 8314 §3.3)

    @property
    def submission(self) -> bool:
        return self != ListenerKind.MX


@dataclass(frozen=True)
class AuthenticatedUser:
    account_id: int
    address: str


class SmtpSession(Session):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.user: AuthenticatedUser | None = None


@dataclass(frozen=True)
class FreeMailNote:
    """A free-mail policy hit: the domain, and what the policy says to do."""

    domain: str
    action: PolicyAction


@dataclass(frozen=True)
class AcceptedRecipient:
    address: str
    resolution: Resolution
    free_mail: FreeMailNote | None = None  # an outside free-mail recipient (submission)
    dsn: DsnRecipient = NOT_SAID  # NOTIFY and ORCPT (RFC 3461)


def new_queue_id() -> str:
    """A short identifier for logs, the ``Received`` field and the final reply."""
    return secrets.token_hex(6).upper()


class Transaction(Envelope):
    def __init__(self) -> None:
        super().__init__()
        self.sender = ""  # the reverse-path; "" is the null sender <> (RFC 5321 §4.5.5)
        self.accepted: list[AcceptedRecipient] = []
        self.sender_free_mail: FreeMailNote | None = None
        self.dsn: DsnEnvelope = NO_REQUEST  # RET and ENVID (RFC 3461)
        self.queue_id = new_queue_id()
