"""Site policy at MAIL and RCPT (RFC 5321 §4.1.1.2, §4.1.1.3), per listener kind.

- Port 25 (MX) takes mail for local addresses only: any other recipient is refused, so the server is never an
  open relay, whatever the sender claims. A sender from a listed free-mail domain meets the province's inbound
  policy (refused here when the policy says so).
- Submission (587/465) needs a signed-in account; the sender must be the account's own address, an alias of it
  or a mailbox delegated to it (RFC 6409 §7.1; :mod:`congvu.smtpserver.addressbook`); outside recipients go to
  the outbound queue, free-mail ones meeting the outbound policy.
- Recipients are looked up at RCPT (unknown 5.1.1, disabled 5.2.1, closed 5.1.6); aliases and groups are
  expanded then, from the directory as it stands.

Each answer is a :class:`~congvu.smtpserver.replies.Reply` that says why. The ``handle_*`` names are the hooks
the engine calls.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from congvu.delivery.dsnparams import DsnSyntaxError, parse_mail, parse_rcpt
from congvu.directory.resolve import AddressState, Resolution
from congvu.mail.srs import SrsError, is_srs
from congvu.smtpserver import replies, tracing
from congvu.smtpserver.intake import Intake
from congvu.smtpserver.replies import Reply
from congvu.smtpserver.settings import Direction, PolicyAction
from congvu.smtpserver.state import AcceptedRecipient, FreeMailNote, ListenerKind, SmtpSession, Transaction
from congvu.smtpserver.usage import record_free_mail

if TYPE_CHECKING:
    from congvu.smtpserver.connection import SmtpConnection
    from congvu.smtpserver.runtime import ServerState

NULL_PATH = "<>"
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def address_problem(address: str, *, utf8: bool) -> Reply | None:
    """Why an address from MAIL or RCPT cannot be used, or None."""
    if _CONTROL.search(address):
        return replies.malformed_address("control characters")
    if _UNDECODABLE.search(address):  # undecodable octets kept by the engine
        return replies.malformed_address("not valid UTF-8")
    if not address.isascii() and not utf8:
        return replies.NON_ASCII_ADDRESS
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or len(address) > 320:
        return replies.malformed_address("expected local-part@domain")
    return None


class MailHandler:
    def __init__(self, state: ServerState, kind: ListenerKind) -> None:
        self.state = state
        self.kind = kind
        self.intake = Intake(state, kind)

    # -- MAIL ---------------------------------------------------------------------------------------------------

    async def handle_MAIL(self, server: SmtpConnection, session: SmtpSession, envelope: Transaction, address: str,
                          options: list[str]) -> str:
        try:
            dsn = parse_mail(server.dsn_parameters)
        except DsnSyntaxError as exc:
            return str(replies.bad_dsn_parameter(str(exc)))
        reply = await self._mail(server, session, envelope, address)
        if not reply.positive:
            tracing.refused(self.state.services, "MAIL", reply, txn=envelope, kind=self.kind,
                            client_ip=server.peer_ip, sender=address)
        if reply.positive:
            envelope.dsn = dsn
            envelope.mail_from = address
            envelope.mail_options.extend(options)
        return str(reply)

    async def _mail(self, server: SmtpConnection, session: SmtpSession, envelope: Transaction,
                    address: str) -> Reply:
        sender = "" if address == NULL_PATH else address
        if sender:
            problem = address_problem(sender, utf8=envelope.smtp_utf8)
            if problem is not None:
                return problem
        user = session.user
        limited = self.state.rates.check(ip=server.peer_ip, account_id=user.account_id if user else None)
        if limited is not None:
            return limited
        if self.kind.submission:
            if user is None:
                return replies.AUTH_REQUIRED
            if not sender:
                return replies.NULL_SENDER_SUBMISSION
            if not await self.state.addressbook.may_send_as(user.account_id, user.address, sender):
                return replies.sender_not_owned(sender)
        elif sender:
            policy = self.state.services.policy
            domain = policy.free_mail_domain(sender)
            if domain is not None:
                if policy.inbound_free_mail == PolicyAction.REJECT:
                    await record_free_mail(self.state.services, Direction.INBOUND, PolicyAction.REJECT, domain,
                                           account_id=None)
                    return replies.free_mail_sender_refused(domain)
                envelope.sender_free_mail = FreeMailNote(domain, policy.inbound_free_mail)
        envelope.sender = sender
        return replies.sender_ok(sender)

    # -- RCPT ---------------------------------------------------------------------------------------------------

    async def handle_RCPT(self, server: SmtpConnection, session: SmtpSession, envelope: Transaction, address: str,
                          options: list[str]) -> str:
        if "@" not in address and address.lower() == "postmaster":  # RFC 5321 §4.5.1: no domain needed
            address = f"postmaster@{self.state.addressbook.primary_domain}"
        try:
            dsn = parse_rcpt(server.dsn_parameters)
        except DsnSyntaxError as exc:
            return str(replies.bad_dsn_parameter(str(exc)))
        reply, accepted = await self._rcpt(session, envelope, address)
        if accepted is None:
            tracing.refused(self.state.services, "RCPT", reply, txn=envelope, kind=self.kind,
                            client_ip=server.peer_ip, recipients=(address,))
        if accepted is not None:
            accepted = replace(accepted, dsn=dsn)
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(options)
            envelope.accepted.append(accepted)
        return str(reply)

    async def _rcpt(self, session: SmtpSession, envelope: Transaction,
                    address: str) -> tuple[Reply, AcceptedRecipient | None]:
        problem = address_problem(address, utf8=envelope.smtp_utf8)
        if problem is not None:
            return problem, None
        limit = self.state.services.limits.max_recipients
        if len(envelope.accepted) >= limit:
            return replies.too_many_recipients(limit), None
        book = self.state.addressbook
        if not book.is_local(address):
            return await self._remote(session, address)
        if is_srs(address) and self.state.srs is not None:
            return self._srs_bounce(address)
        found = await book.resolve(address)
        refusal = self._local_refusal(found)
        if refusal is not None:
            return refusal, None
        return replies.recipient_ok(address), AcceptedRecipient(address, found)

    def _local_refusal(self, found: Resolution) -> Reply | None:
        if found.state == AddressState.UNKNOWN:
            return replies.unknown_recipient(found.address)
        if found.state == AddressState.DISABLED:
            return replies.disabled_recipient(found.address)
        if found.state == AddressState.REMOVED:
            return replies.removed_recipient(found.address, found.moved_to)
        if not found.mailbox_ids and not found.remote:
            return Reply(550, "5.2.1", f"<{found.address}>: this list has no active members")
        if not found.mailbox_ids and self.state.services.outbound is None:
            return replies.outbound_unavailable(found.address)
        return None

    def _srs_bounce(self, address: str) -> tuple[Reply, AcceptedRecipient | None]:
        """A reply (usually a bounce) to the rewritten sender of mail we forwarded: it goes on to the original
        sender; a forged or expired address is refused."""
        assert self.state.srs is not None
        try:
            original = self.state.srs.reverse(address)
        except SrsError as error:
            return Reply(550, "5.1.1", f"<{address}>: invalid forwarding address ({error})"), None
        if self.state.services.outbound is None:
            return replies.outbound_unavailable(address), None
        found = Resolution(address.lower(), AddressState.DELIVERABLE, remote=(original,))
        return replies.recipient_ok(address), AcceptedRecipient(address, found)

    async def _remote(self, session: SmtpSession, address: str) -> tuple[Reply, AcceptedRecipient | None]:
        services = self.state.services
        if not self.kind.submission or session.user is None:
            return replies.relay_denied(address), None
        if services.outbound is None:
            return replies.outbound_unavailable(address), None
        note = None
        domain = services.policy.free_mail_domain(address)
        action = services.policy.outbound_free_mail
        if domain is not None:  # counted even when allowed
            if action == PolicyAction.REJECT:
                await record_free_mail(services, Direction.OUTBOUND, action, domain,
                                       account_id=session.user.account_id)
                return replies.free_mail_recipient_refused(address, domain), None
            note = FreeMailNote(domain, action)
        remote = Resolution(address.lower(), AddressState.REMOTE, remote=(address,))
        return replies.recipient_ok(address), AcceptedRecipient(address, remote, note)

    # -- DATA ---------------------------------------------------------------------------------------------------

    async def complete(self, server: SmtpConnection, envelope: Transaction, raw: bytes) -> Reply:
        reply = await self.intake.accept(server, envelope, raw)
        if not reply.positive:
            tracing.refused(self.state.services, "DATA", reply, txn=envelope, kind=self.kind,
                            client_ip=server.peer_ip, recipients=[r.address for r in envelope.accepted], raw=raw)
        return reply

    def refused_data(self, server: SmtpConnection, envelope: Transaction, reply: Reply) -> None:
        """A message refused while its DATA was read (too big, NUL octets, overlong lines): traced like the rest."""
        tracing.refused(self.state.services, "DATA", reply, txn=envelope, kind=self.kind, client_ip=server.peer_ip,
                        recipients=[r.address for r in envelope.accepted])
