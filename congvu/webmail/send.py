"""Sending from the web: the message is composed here, checked like an SMTP submission, delivered into local
mailboxes, queued for outside recipients, and a copy filed in Sent; drafts are kept in Drafts.

The same rules as submission apply (RFC 6409): From must be an address the account may send as
(:func:`congvu.webmail.senders.may_send_as`), the size and recipient limits of ``[smtp]`` hold, unknown or closed
local addresses are refused before anything is sent, and the province's free-webmail policy
(``[mail_policy]``) refuses, holds or warns. Local copies carry ``Received`` and ``Return-Path`` (RFC 5321
§4.4); the outbound queue adds its own trace and the DKIM signature. The Sent copy keeps Bcc (RFC 5322 §3.6.3:
the sender's copy may show them), the delivered ones never do.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from congvu.delivery.queue import OutboundQueue
from congvu.delivery.signing import received_value
from congvu.delivery.trace_log import TraceEvent, TraceRecord
from congvu.directory.models import Account
from congvu.directory.resolve import AddressState
from congvu.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from congvu.installation import Installation
from congvu.mail.compose import Attachment, build_message, make_message_id, prepend_header
from congvu.mailstore.api import DELETED, DRAFT, SEEN, FlagMode, SpecialUse
from congvu.smtpserver.settings import PolicyAction, load_limits, load_mail_policy
from congvu.smtpserver.tracing import held_reason
from congvu.webmail.addressing import Address
from congvu.webmail.mailboxes import special_folder
from congvu.webmail.senders import Identity, identities, may_send_as

HELD_FOLDER = "Held"
DELIVERY_BATCH = 5000


@dataclass(frozen=True)
class Outgoing:
    from_addr: str
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    subject: str = ""
    text: str = ""
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(address.lower() for _, address in (*self.to, *self.cc, *self.bcc)))


@dataclass(frozen=True)
class SendReceipt:
    message_id: str
    local_mailboxes: int
    remote: tuple[str, ...]
    held: tuple[str, ...]
    warned_domains: tuple[str, ...]
    sent_folder_id: int | None
    sent_uid: int | None


@dataclass(frozen=True)
class DraftSaved:
    folder_id: int
    uid: int


@dataclass
class _Plan:
    mailboxes: dict[int, None] = field(default_factory=dict)
    remote: dict[str, None] = field(default_factory=dict)
    held: list[str] = field(default_factory=list)
    warned: set[str] = field(default_factory=set)
    local: dict[str, int] = field(default_factory=dict)  # recipient address → local mailboxes it reaches
    forwarded: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a local alias's outside members


class WebMailer:
    """Sending and drafts for one installation; ``protocol`` names the channel in trace fields and usage."""

    def __init__(self, inst: Installation, *, queue: OutboundQueue | None = None, protocol: str = "web") -> None:
        self.inst = inst
        self.store = inst.mailstore
        self.directory = inst.directory
        self.limits = load_limits(inst.settings.raw)
        self.policy = load_mail_policy(inst.settings.raw, domain=inst.settings.domain)
        self._queue = queue
        self.protocol = protocol

    @property
    def queue(self) -> OutboundQueue:
        if self._queue is None:
            self._queue = OutboundQueue(self.inst)
        return self._queue

    # -- identities ---------------------------------------------------------------------------------------------

    def identities(self, account: Account) -> tuple[Identity, ...]:
        return identities(self.directory, self.store, account)

    def _identity(self, account: Account, address: str) -> Identity:
        wanted = address.strip().lower()
        for identity in self.identities(account):
            if identity.address == wanted:
                return identity
        if may_send_as(self.directory, self.store, account.id, account.address, wanted):
            return Identity(wanted, account.full_name, account.id, False)
        raise PermissionDenied(f"Bạn không được gửi thư với địa chỉ «{address}».",
                               message_en=f"You may not send as {address}.", field="from")

    # -- composing ----------------------------------------------------------------------------------------------

    def _build(self, identity: Identity, message: Outgoing, *, message_id: str, date: datetime,
               keep_bcc: bool) -> bytes:
        return build_message(from_addr=(identity.name, identity.address), to=message.to, cc=message.cc,
                             bcc=message.bcc, subject=message.subject, text=message.text, html=message.html,
                             attachments=message.attachments, in_reply_to=message.in_reply_to or None,
                             references=message.references, message_id=message_id, date=date, keep_bcc=keep_bcc)

    def _check_size(self, raw: bytes) -> None:
        limit = self.limits.max_message_bytes
        if len(raw) > limit:
            raise InvalidInput(f"Thư quá lớn ({len(raw) // 1048576} MB); giới hạn là {limit // 1048576} MB "
                               "kể cả tệp đính kèm.",
                               message_en=f"The message is too large ({len(raw) // 1048576} MB); the limit is "
                                          f"{limit // 1048576} MB including attachments.", field="attachments")

    def _plan(self, recipients: Sequence[str]) -> _Plan:
        if not recipients:
            raise InvalidInput("Hãy nhập ít nhất một người nhận.", message_en="Enter at least one recipient.",
                               field="to")
        if len(recipients) > self.limits.max_recipients:
            raise InvalidInput(f"Quá nhiều người nhận (tối đa {self.limits.max_recipients} địa chỉ một thư).",
                               message_en=f"Too many recipients (at most {self.limits.max_recipients}).", field="to")
        plan = _Plan()
        refused: list[str] = []
        with self.inst.db.read() as conn:
            for address in recipients:
                found = self.directory.recipients.resolve(conn, address)
                if found.state not in (AddressState.DELIVERABLE, AddressState.REMOTE):
                    refused.append(address)
                    continue
                plan.mailboxes.update(dict.fromkeys(found.mailbox_ids))
                plan.remote.update(dict.fromkeys(found.remote))
                if found.mailbox_ids:
                    plan.local[address] = len(found.mailbox_ids)
                outside = tuple(a for a in found.remote if a.lower() != address.lower())
                if outside:
                    plan.forwarded[address] = outside
        if refused:
            listed = ", ".join(refused)
            raise InvalidInput(f"Không có hoặc đã ngừng hoạt động: {listed}. Hãy kiểm tra lại địa chỉ.",
                               message_en=f"No such address, or no longer active: {listed}.", field="to")
        for address in list(plan.remote):
            domain = self.policy.free_mail_domain(address)
            if domain is None:
                continue
            action = self.policy.outbound_free_mail
            if action == PolicyAction.REJECT:
                raise InvalidInput(f"Theo quy định của tỉnh, không gửi thư công vụ tới hộp thư miễn phí ({address}).",
                                   message_en=f"The province's policy forbids official mail to free webmail "
                                              f"({address}).", field="to")
            if action == PolicyAction.HOLD:
                del plan.remote[address]
                plan.held.append(address)
            if action in (PolicyAction.WARN, PolicyAction.HOLD):
                plan.warned.add(domain)
        return plan

    # -- sending ------------------------------------------------------------------------------------------------

    def send(self, account: Account, message: Outgoing, *, client_ip: str | None = None,
             secure: bool = True) -> SendReceipt:
        """Deliver, queue and file ``message``; durable when it returns. Raises before sending anything when
        the sender, a recipient or the size is refused."""
        identity = self._identity(account, message.from_addr)
        plan = self._plan(message.recipients)
        now = datetime.now(UTC)
        message_id = make_message_id(identity.address.rpartition("@")[2])
        raw = self._build(identity, message, message_id=message_id, date=now, keep_bcc=False)
        self._check_size(raw)
        token = secrets.token_hex(6).upper()
        channel = "HTTPS" if secure else "HTTP"
        client = f"webmail ([{client_ip or 'unknown'}])"
        settings = self.inst.settings
        if plan.mailboxes:
            local = prepend_header(raw, "Received", received_value(
                hostname=settings.hostname, client=client, protocol=channel, queue_token=token, when=now,
                recipient=None))
            local = prepend_header(local, "Return-Path", f"<{identity.address}>")
            boxes = list(plan.mailboxes)
            for start in range(0, len(boxes), DELIVERY_BATCH):
                self.store.deliver(local, boxes[start:start + DELIVERY_BATCH])
        if plan.remote:
            self.queue.enqueue(mail_from=identity.address, recipients=list(plan.remote), raw=raw,
                               submitted_by=account.id, client=client, protocol=channel)
        if plan.held:
            self._hold(raw, identity.address, plan.held, token)
        self._trace(token, identity.address, message_id, plan, client_ip=client_ip, at=now)
        sent = self._file_sent(account, identity, message, message_id, now)
        self.inst.usage.record("send", account_id=account.id, protocol=self.protocol, detail={
            "recipients": len(message.recipients), "local_mailboxes": len(plan.mailboxes),
            "remote": len(plan.remote), "held": len(plan.held)})
        return SendReceipt(message_id=message_id, local_mailboxes=len(plan.mailboxes), remote=tuple(plan.remote),
                           held=tuple(plan.held), warned_domains=tuple(sorted(plan.warned)),
                           sent_folder_id=sent[0] if sent else None, sent_uid=sent[1] if sent else None)

    def _trace(self, token: str, sender: str, message_id: str, plan: _Plan, *, client_ip: str | None,
               at: datetime) -> None:
        """The message trace, as for a submission: accepted, then where each recipient's copy went (the outbound
        queue records its own hops for outside recipients)."""
        sink = getattr(self.inst, "trace", None)
        if sink is None:
            return
        mid = message_id.strip("<>")

        def hop(event: TraceEvent, recipient: str | None = None, *, folder: str | None = None,
                text: str | None = None, when: datetime | None = None) -> TraceRecord:
            return TraceRecord(trace_id=token, event=event, sender=sender, recipient=recipient, message_id=mid,
                               folder=folder, text=text, client_ip=client_ip, listener=self.protocol, at=when)

        records = [hop(TraceEvent.ACCEPTED, text=f"gửi từ hộp thư trên web, mã {token}", when=at)]
        for address, count in plan.local.items():
            records.append(hop(TraceEvent.STORED, address, folder="INBOX",
                               text=f"{count} hộp thư" if count > 1 else None))
        for address, outside in plan.forwarded.items():
            records.append(hop(TraceEvent.QUEUED, address, text="chuyển tiếp tới " + ", ".join(outside[:10])))
        for address in plan.held:
            records.append(hop(TraceEvent.HELD, address, folder=HELD_FOLDER,
                               text=held_reason(self.policy.free_mail_domain(address) or "")))
        sink.record_many(records)

    def _hold(self, raw: bytes, mail_from: str, recipients: list[str], token: str) -> None:
        """Free-webmail policy ``hold``: into the Held folder of the hold mailbox, as submission does."""
        with self.inst.db.read() as conn:
            holders = self.directory.recipients.resolve(conn, self.policy.hold_mailbox).mailbox_ids
        if not holders:
            raise InvalidInput("Không giữ được thư chờ duyệt: chưa có hộp thư duyệt.",
                               message_en="No mailbox reviews held mail.", field="to")
        for holder in holders:
            with contextlib.suppress(Conflict):
                self.store.create_folder(holder, HELD_FOLDER)
        held = prepend_header(raw, "X-CongVu-Held-For", ", ".join(recipients))
        held = prepend_header(held, "X-CongVu-Held", f"outbound; free webmail; web {token}")
        self.store.deliver(prepend_header(held, "Return-Path", f"<{mail_from}>"), list(holders), folder=HELD_FOLDER)

    def _file_sent(self, account: Account, identity: Identity, message: Outgoing, message_id: str,
                   now: datetime) -> tuple[int, int] | None:
        """The sender's copy: in the Sent folder of the mailbox it was sent as when the account may add there
        (a clerk's message as the agency stays with the agency), else in the account's own Sent."""
        folder = None
        if identity.account_id != account.id:
            folder = special_folder(self.store, account.id, identity.account_id, SpecialUse.SENT)
            if folder is not None and "i" not in folder.rights:
                folder = None
        folder = folder or special_folder(self.store, account.id, account.id, SpecialUse.SENT)
        if folder is None:
            return None
        copy = self._build(identity, message, message_id=message_id, date=now, keep_bcc=True)
        appended = self.store.append(account.id, folder.id, copy, flags=[SEEN], internal_date=now)
        return folder.id, appended.uid

    # -- drafts -------------------------------------------------------------------------------------------------

    def drafts_folder_id(self, account: Account) -> int:
        folder = special_folder(self.store, account.id, account.id, SpecialUse.DRAFTS)
        if folder is None:
            raise NotFound("Không có thư mục Thư nháp.", message_en="No Drafts folder.")
        return folder.id

    def save_draft(self, account: Account, message: Outgoing, *, replace_uid: int | None = None) -> DraftSaved:
        """File the draft in the account's Drafts (with \\Draft), then remove the version it replaces."""
        identity = self._identity(account, message.from_addr)
        folder_id = self.drafts_folder_id(account)
        now = datetime.now(UTC)
        raw = self._build(identity, message, message_id=make_message_id(identity.address.rpartition("@")[2]),
                          date=now, keep_bcc=True)
        self._check_size(raw)
        appended = self.store.append(account.id, folder_id, raw, flags=[DRAFT, SEEN], internal_date=now)
        if replace_uid is not None and replace_uid != appended.uid:
            self.discard_draft(account, replace_uid)
        return DraftSaved(folder_id, appended.uid)

    def discard_draft(self, account: Account, uid: int) -> None:
        folder_id = self.drafts_folder_id(account)
        self.store.store_flags(account.id, folder_id, [uid], FlagMode.ADD, [DELETED])
        self.store.expunge(account.id, folder_id, [uid])
