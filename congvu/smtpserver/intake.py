"""What happens to a message once its DATA is read: checks, trace fields, local delivery, the outbound queue,
the free-webmail policy and usage events; the reply is ``250`` only when every part is durable.

Order (RFC 5321 §4.1.1.4, §6.1: the ``250`` takes responsibility for the message):

1. Submission: every From/Sender address must be one the account may use; Date and Message-ID are added where
   missing (RFC 6409 §8.2, §8.3). Nothing else is stored for the sender: a Sent copy is the client's (IMAP APPEND).
2. Mail from the Internet: SPF/DKIM/DMARC results (when a verifier is installed) as ``Authentication-Results``
   (RFC 8601); DMARC reject refuses, quarantine files into Junk.
3. ``Received`` on top (RFC 5321 §4.4); local copies also get ``Return-Path``.
4. Local mailboxes through the mail store (durable on return), outside recipients into the outbound queue
   (durable on return), held mail into the ``Held`` folder of the hold mailbox. Outside members of a local alias
   or group are outside recipients too: the outbound free-webmail rule applies to each (forwarded, with a warning,
   held or not forwarded), whether the message came by submission or from the Internet. If any step fails the
   client gets ``451`` and will retry: a retry may duplicate what was already delivered, it never loses anything.
   Once the local copies are durable the after-delivery hook sees them (official documents in agency mailboxes);
   a fault there is logged and never fails the message. Mail filed into Junk is not handed over.
5. Only then: notices, usage events and rate counters, none of which can fail the message.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from congvu.delivery.dsnparams import DsnRecipient
from congvu.directory.resolve import AddressState
from congvu.mail.compose import ensure_standard_headers
from congvu.mail.fields import HeaderBlock, split_header
from congvu.mail.headers import parse_addresses
from congvu.mail.srs import is_srs
from congvu.mailstore.api import SpecialUse
from congvu.smtpserver import replies, tracing
from congvu.smtpserver.dsnreports import local_successes, send_success_report
from congvu.smtpserver.mailauth import rename_forged_results
from congvu.smtpserver.notices import HeldMail, PolicyNotices
from congvu.smtpserver.replies import Reply
from congvu.smtpserver.seams import InboundAction, InboundMessage, InboundVerdict
from congvu.smtpserver.settings import Direction, MailPolicy, PolicyAction
from congvu.smtpserver.state import FreeMailNote, ListenerKind, Transaction
from congvu.smtpserver.trace import TraceInfo, add_field, add_received, add_return_path
from congvu.smtpserver.usage import record, record_free_mail

if TYPE_CHECKING:
    from congvu.smtpserver.connection import SmtpConnection
    from congvu.smtpserver.runtime import ServerState

log = logging.getLogger("congvu.smtp")
DELIVERY_BATCH = 5000  # mailboxes per mail-store call (a province-wide group can be larger)
NO_FROM = Reply(550, "5.6.0", "Message refused: it has no From: field (RFC 5322 section 3.6.2)")
EMPTY = Reply(554, "5.6.0", "Message refused: the message is empty")


class Intake:
    def __init__(self, state: ServerState, kind: ListenerKind) -> None:
        self.state = state
        self.kind = kind
        self.notices = PolicyNotices(state)

    async def accept(self, conn: SmtpConnection, txn: Transaction, raw: bytes) -> Reply:
        services = self.state.services
        if not raw.strip():
            return EMPTY
        now = services.clock()
        session = conn.smtp_session
        user = session.user
        header = split_header(raw)
        folder: SpecialUse | None = None
        free: FreeMailNote | None = None
        if self.kind.submission:
            if user is None:
                return replies.AUTH_REQUIRED
            refusal = await self._check_authors(header, user.account_id, user.address)
            if refusal is not None:
                return refusal
            raw = ensure_standard_headers(raw, domain=txn.sender.rpartition("@")[2] or self.state.addressbook
                                          .primary_domain, now=now)
        else:
            verdict = await self._assess(conn, txn, raw)
            if verdict.action == InboundAction.REJECT:
                return replies.rejected_by_authentication(verdict.reason or "the sender domain's policy")
            if verdict.action == InboundAction.JUNK:
                folder = SpecialUse.JUNK
            raw = rename_forged_results(raw, self.state.hostname)
            if verdict.authentication_results:
                raw = add_field(raw, "Authentication-Results", verdict.authentication_results)
            free = txn.sender_free_mail or self._author_free_mail(header)
            if free is not None and free.action == PolicyAction.REJECT:
                await record_free_mail(services, Direction.INBOUND, free.action, free.domain, account_id=None)
                return replies.free_mail_sender_refused(free.domain)
            if free is not None and free.action == PolicyAction.WARN:
                raw = add_field(raw, "X-CongVu-Mail-Policy", f"warn; sender uses free webmail ({free.domain})")
        info = TraceInfo(server_name=self.state.hostname, client_ip=conn.peer_ip, helo=session.host_name,
                         extended=bool(session.extended_smtp), tls=conn.tls_description(),
                         authenticated=user is not None, utf8=txn.smtp_utf8, queue_id=txn.queue_id)
        single = txn.accepted[0].address if len(txn.accepted) == 1 else None
        raw = add_received(raw, info, recipient=single, now=now)
        plan = _Plan.of(txn, inbound_hold=free is not None and free.action == PolicyAction.HOLD,
                        policy=services.policy)
        try:
            await self._carry_out(plan, txn, raw, folder, user.account_id if user else None, free)
        except Exception:  # the request boundary: whatever failed, the client is told to retry
            log.exception("delivery of %s failed", txn.queue_id)
            return replies.LOCAL_ERROR
        # Fields put in front of a header whose first line is a field leave the rest reading as it did: the split
        # made on arrival still gives the Message-ID (submission may have added one since).
        traced = header if not self.kind.submission and header.fields and header.fields[0].start == 0 else None
        tracing.accepted(services, txn, raw, kind=self.kind, client_ip=conn.peer_ip, folder=folder, held=plan.held,
                         at=now, header=traced)
        if plan.mailboxes:
            await send_success_report(self.state, txn, raw, local_successes(txn.accepted, plan.held), now)
        notes = [f"queued as {txn.queue_id}"]
        notes.extend(await self._afterwards(plan, txn, conn.peer_ip, user.account_id if user else None,
                                            user.address if user else None, free))
        return replies.accepted(tuple(notes))

    async def _check_authors(self, header: HeaderBlock, account_id: int, account_address: str) -> Reply | None:
        """RFC 6409 §7.1 (submission rights): the server checks that the author fields name the signed-in account (or a
        mailbox it may send as)."""
        if not header.all("from"):
            return NO_FROM
        for field in (*header.all("from"), *header.all("sender")):
            for _name, address in parse_addresses(field.value.decode("utf-8", "replace")):
                if address and not await self.state.addressbook.may_send_as(account_id, account_address, address):
                    return replies.sender_not_owned(address)
        return None

    async def _assess(self, conn: SmtpConnection, txn: Transaction, raw: bytes) -> InboundVerdict:
        checker = self.state.services.inbound_auth
        if checker is None:
            return InboundVerdict()
        message = InboundMessage(client_ip=conn.peer_ip, helo=conn.smtp_session.host_name, mail_from=txn.sender,
                                 recipients=tuple(r.address for r in txn.accepted), raw=raw)
        try:
            return await checker.assess(message)
        except Exception:  # a verifier fault must not lose mail: accept unannotated
            log.exception("inbound authentication of %s failed", txn.queue_id)
            return InboundVerdict()

    def _author_free_mail(self, header: HeaderBlock) -> FreeMailNote | None:
        policy = self.state.services.policy
        for field in header.all("from"):
            for _name, address in parse_addresses(field.value.decode("utf-8", "replace")):
                domain = policy.free_mail_domain(address)
                if domain is not None:
                    return FreeMailNote(domain, policy.inbound_free_mail)
        return None

    async def _carry_out(self, plan: _Plan, txn: Transaction, raw: bytes, folder: SpecialUse | None,
                         account_id: int | None, free: FreeMailNote | None) -> None:
        services = self.state.services
        if plan.mailboxes:
            local = add_return_path(raw, txn.sender)
            for start in range(0, len(plan.mailboxes), DELIVERY_BATCH):
                await services.mailstore.deliver(local, plan.mailboxes[start:start + DELIVERY_BATCH], folder=folder)
            if services.after_delivery is not None and folder is None:
                await self._after_delivery(local, plan.mailboxes, txn.queue_id)
        if plan.remote:
            outbound = services.outbound
            if outbound is None:
                raise RuntimeError("outside recipients accepted without an outbound queue")
            # Mail that came in from outside and goes out again (an alias or a group with an outside member, a
            # bounce to an SRS address) leaves with a sender of ours, so the next server's SPF check passes.
            srs = self.state.srs
            mail_from = srs.forward(txn.sender) if srs is not None and not self.kind.submission else txn.sender
            await asyncio.to_thread(outbound.enqueue, mail_from=mail_from, recipients=plan.remote, raw=raw,
                                    submitted_by=account_id, dsn=txn.dsn, recipient_dsn=plan.remote_dsn)
        if plan.held:
            direction = Direction.INBOUND if plan.inbound_hold else Direction.OUTBOUND
            domains = sorted({domain for domain, _action, _count in plan.free_mail_hits()} |
                             ({free.domain} if free and plan.inbound_hold else set()))
            await self.notices.hold(HeldMail(raw=raw, direction=direction, domains=tuple(domains),
                                             mail_from=txn.sender, recipients=plan.held, queue_id=txn.queue_id))

    async def _after_delivery(self, raw: bytes, mailboxes: list[int], queue_id: str) -> None:
        hook = self.state.services.after_delivery
        try:
            might_concern = getattr(hook, "might_concern", None)
            if might_concern is not None and not might_concern(raw):
                return  # ordinary mail: no thread hand-over
            if hook is not None:
                await asyncio.to_thread(hook.delivered, raw, tuple(mailboxes))
        except Exception:  # the message is durable already: a hook fault must not turn into a 451
            log.exception("after-delivery hook failed for %s", queue_id)

    async def _afterwards(self, plan: _Plan, txn: Transaction, ip: str | None, account_id: int | None,
                          address: str | None, free: FreeMailNote | None) -> list[str]:
        services = self.state.services
        notes: list[str] = []
        self.state.rates.record(ip=ip, account_id=account_id)
        if self.kind.submission:
            await record(services, "send", account_id=account_id, detail={
                "recipients": len(txn.accepted), "local_mailboxes": len(plan.mailboxes),
                "remote": len(plan.remote), "held": len(plan.held), "queue_id": txn.queue_id})
        # Outside free-mail recipients: named at RCPT (submission) or members of a local alias or group (either).
        for domain, action, count in plan.free_mail_hits():
            await record_free_mail(services, Direction.OUTBOUND, action, domain, account_id=account_id,
                                   recipients=count)
            notes.extend(_note(Direction.OUTBOUND, action, domain))
        warned = sorted({d for d, a, _ in plan.free_mail_hits() if a == PolicyAction.WARN})
        if self.kind.submission and warned and address is not None and account_id is not None:
            await self.notices.warn_sender(account_id, address, tuple(warned), txn.queue_id)
        if free is not None and not self.kind.submission:
            await record_free_mail(services, Direction.INBOUND, free.action, free.domain, account_id=None,
                                   recipients=len(txn.accepted))
            notes.extend(_note(Direction.INBOUND, free.action, free.domain))
        return notes


def _note(direction: Direction, action: PolicyAction, domain: str) -> tuple[str, ...]:
    """What the final reply says about a free-mail policy hit (nothing when the policy allows it)."""
    if action == PolicyAction.ALLOW:
        return ()
    if action == PolicyAction.HOLD:
        return (f"held for review by an administrator under the province's free webmail policy ({domain})",)
    if action == PolicyAction.REJECT:  # only a forwarding member gets here: a recipient named at RCPT is refused
        return (f"not forwarded to free webmail ({domain}) under the province's policy",)
    if direction == Direction.OUTBOUND:
        return (f"warning: official mail to free webmail ({domain}) is discouraged by the province's policy",)
    return (f"note: mail from free webmail ({domain}) is discouraged by the province's policy",)


class _Plan:
    """Where the message goes: local mailboxes, outside addresses, and recipients whose copy is held."""

    def __init__(self, mailboxes: list[int], remote: list[str], held: list[str],
                 hits: list[tuple[str, PolicyAction]], remote_dsn: dict[str, DsnRecipient] | None = None, *,
                 inbound_hold: bool = False) -> None:
        self.mailboxes = mailboxes
        self.remote = remote
        self.remote_dsn = remote_dsn or {}  # RFC 3461 NOTIFY/ORCPT of recipients addressed outside directly
        self.held = held
        self.inbound_hold = inbound_hold  # the whole message is held: its sender uses free webmail
        self._hits = hits

    @classmethod
    def of(cls, txn: Transaction, *, inbound_hold: bool, policy: MailPolicy) -> _Plan:
        if inbound_hold:
            return cls([], [], [r.address for r in txn.accepted], [], inbound_hold=True)
        mailboxes: dict[int, None] = {}
        remote: dict[str, None] = {}
        requests: dict[str, DsnRecipient] = {}
        held: dict[str, None] = {}
        hits: list[tuple[str, PolicyAction]] = []
        for recipient in txn.accepted:
            if recipient.free_mail is not None:
                hits.append((recipient.free_mail.domain, recipient.free_mail.action))
                if recipient.free_mail.action == PolicyAction.HOLD:
                    held[recipient.address] = None
                    continue
            mailboxes.update(dict.fromkeys(recipient.resolution.mailbox_ids))
            resolution = recipient.resolution
            if resolution.state == AddressState.REMOTE:
                requests[recipient.address] = recipient.dsn
                remote.update(dict.fromkeys(resolution.remote))
                continue
            forwarding = not is_srs(recipient.address)  # a bounce to an SRS address goes back to its sender
            for member in resolution.remote:
                domain = policy.free_mail_domain(member) if forwarding else None
                if domain is None:
                    remote[member] = None
                    continue
                action = policy.outbound_free_mail
                hits.append((domain, action))
                if action == PolicyAction.HOLD:
                    held[member] = None
                elif action != PolicyAction.REJECT:
                    remote[member] = None
        return cls(list(mailboxes), list(remote), list(held), hits, requests)

    def free_mail_hits(self) -> list[tuple[str, PolicyAction, int]]:
        counted: dict[tuple[str, PolicyAction], int] = {}
        for hit in self._hits:
            counted[hit] = counted.get(hit, 0) + 1
        return [(domain, action, count) for (domain, action), count in counted.items()]
