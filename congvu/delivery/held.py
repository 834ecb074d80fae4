"""Mail held under the free-webmail policy, as administrators review it: list, release, discard.

The SMTP server files a held message into the ``Held`` folder of every mailbox the hold address
(``[mail_policy] hold_mailbox``) delivers to, with the intended envelope on top (``X-CongVu-Held-For``,
``X-CongVu-Held: <direction>; free webmail <domains>; queue <id>``, ``Return-Path``;
:mod:`congvu.smtpserver.notices`). Those folders are the record: a message is known by its queue id (the one in
the sender's ``250`` reply and in the message trace), whichever holders have a copy.

- :meth:`HeldMail.release` sends it on as it would have gone — local recipients into their INBOX, outside ones
  into the outbound queue — then removes every held copy; the trace gets ``released`` and the hops that follow.
  What the SMTP server does after a local delivery happens too: an edXML package for an agency mailbox is taken
  in by the document desk (:class:`congvu.documents.mail_intake.MailIntake`).
- :meth:`HeldMail.discard` removes every held copy and tells the sender why (a notice into their INBOX when the
  sender is ours, else a report from ``postmaster@`` through the outbound queue, null sender so it never bounces).

An agency administrator sees and acts on only messages from or to addresses of their agencies. Both actions are
written to the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from congvu.delivery.forwarding import sender_rewriter
from congvu.delivery.queue import OutboundQueue
from congvu.delivery.trace_log import TraceEvent, TraceRecord
from congvu.errors import InvalidInput, NotFound, PermissionDenied
from congvu.installation import Installation
from congvu.mail.compose import build_message
from congvu.mail.fields import split_header
from congvu.mail.headers import decode_header_value, parse_addresses
from congvu.mailstore.api import FlagMode
from congvu.smtpserver.settings import load_mail_policy
from congvu.smtpserver.trace import add_return_path
from congvu.store.schema import accounts

if TYPE_CHECKING:
    from congvu.documents.mail_intake import MailIntake
    from congvu.documents.service import DocumentService

HELD_FOLDER = "Held"
SYSTEM_NAME = "Hệ thống thư điện tử công vụ"
ENVELOPE_FIELDS = frozenset({"return-path", "x-congvu-held", "x-congvu-held-for"})
_QUEUE = re.compile(r"queue\s+([0-9A-Za-z]+)")
_DOMAINS = re.compile(r"free webmail\s+([^;]+)")
MAX_REASON = 500


@dataclass(frozen=True)
class HeldCopy:
    holder_id: int
    folder_id: int
    uid: int


@dataclass(frozen=True)
class HeldMessage:
    id: str  # the SMTP queue id
    direction: str  # inbound | outbound
    mail_from: str
    recipients: tuple[str, ...]
    domains: tuple[str, ...]
    subject: str
    author: str
    message_id: str | None
    held_at: datetime
    size: int
    copies: tuple[HeldCopy, ...]

    @property
    def reason(self) -> str:
        where = "từ" if self.direction == "inbound" else "tới"
        return f"Thư {where} hộp thư miễn phí ({', '.join(self.domains)})"

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "direction": self.direction, "from": self.mail_from, "to": list(self.recipients),
                "domains": list(self.domains), "subject": self.subject, "author": self.author,
                "message_id": self.message_id, "held_at": self.held_at.isoformat(), "size": self.size,
                "reason": self.reason}


def strip_envelope(raw: bytes) -> bytes:
    """The message as it was before it was held: the envelope fields on top removed."""
    header = split_header(raw)
    cut = header.start
    for field in header.fields:
        if field.key not in ENVELOPE_FIELDS:
            break
        cut = field.end
    return raw[cut:]


class HeldMail:
    def __init__(self, inst: Installation, *, outbound: OutboundQueue | None = None,
                 documents: Callable[[], DocumentService] | None = None) -> None:
        self.inst = inst
        self.store = inst.mailstore
        self.policy = load_mail_policy(inst.settings.raw, domain=inst.settings.domain)
        self._outbound = outbound
        self._documents = documents

    @property
    def outbound(self) -> OutboundQueue:
        if self._outbound is None:
            self._outbound = OutboundQueue(self.inst)
        return self._outbound

    # -- reading --------------------------------------------------------------------------------------------

    def holders(self) -> tuple[int, ...]:
        address = self.policy.hold_mailbox or f"postmaster@{self.inst.settings.domain}"
        with self.inst.db.read() as conn:
            return self.inst.directory.recipients.resolve(conn, address).mailbox_ids

    def _scan(self) -> dict[str, HeldMessage]:
        found: dict[str, HeldMessage] = {}
        for holder in self.holders():
            folder_id = self.store.folder_ids(holder).get(HELD_FOLDER)
            if folder_id is None:
                continue
            snapshot = self.store.snapshot(holder, folder_id)
            for summary in snapshot.messages:
                raw = self.store.read_raw(holder, folder_id, summary.uid)
                copy = HeldCopy(holder, folder_id, summary.uid)
                message = _parse(raw, summary.internal_date, summary.size, copy)
                if message is None:
                    continue
                if message.id in found:
                    earlier = found[message.id]
                    message = replace(earlier, copies=(*earlier.copies, copy))
                found[message.id] = message
        return found

    def _in_scope(self, message: HeldMessage, agency_ids: set[int] | frozenset[int] | None) -> bool:
        if agency_ids is None:
            return True
        addresses = sorted({message.mail_from, *message.recipients} - {""})
        if not addresses or not agency_ids:
            return False
        with self.inst.db.read() as conn:
            hit = conn.execute(select(accounts.c.id).where(accounts.c.address.in_(addresses),
                                                           accounts.c.agency_id.in_(sorted(agency_ids)))
                               .limit(1)).first()
        return hit is not None

    def list(self, *, agency_ids: set[int] | frozenset[int] | None = None) -> list[HeldMessage]:
        """Held messages, newest first (``agency_ids`` None: the whole province)."""
        held = [m for m in self._scan().values() if self._in_scope(m, agency_ids)]
        return sorted(held, key=lambda m: m.held_at, reverse=True)

    def get(self, held_id: str, *, agency_ids: set[int] | frozenset[int] | None = None) -> HeldMessage:
        key = held_id.strip().upper()
        message = self._scan().get(key)
        if message is None:
            raise NotFound(f"Không có thư bị giữ lại mã {key}.", message_en=f"No held message {key}.")
        if not self._in_scope(message, agency_ids):
            raise PermissionDenied(f"Thư bị giữ lại mã {key} không thuộc cơ quan bạn quản trị.",
                                   message_en=f"The held message {key} is outside your administration.")
        return message

    def read(self, message: HeldMessage) -> bytes:
        copy = message.copies[0]
        return strip_envelope(self.store.read_raw(copy.holder_id, copy.folder_id, copy.uid))

    # -- acting ---------------------------------------------------------------------------------------------

    def release(self, held_id: str, *, actor: str, agency_ids: set[int] | frozenset[int] | None = None
                ) -> HeldMessage:
        """Send the message on to its intended recipients, then remove the held copies."""
        message = self.get(held_id, agency_ids=agency_ids)
        raw = self.read(message)
        decided = self.inst.trace.clock()  # the release comes before the hops it causes
        local: dict[int, None] = {}
        remote: list[str] = []
        stored: list[str] = []
        with self.inst.db.read() as conn:
            for recipient in message.recipients:
                found = self.inst.directory.recipients.resolve(conn, recipient)
                if found.mailbox_ids:
                    local.update(dict.fromkeys(found.mailbox_ids))
                    stored.append(recipient)
                remote.extend(found.remote)
        if local:
            stamped = add_return_path(raw, message.mail_from)
            self.store.deliver(stamped, list(local))
            self._intake().delivered(stamped, list(local))
        if remote:
            # Mail from outside that goes out again (a forwarding member of an alias) leaves with a sender of ours,
            # as the SMTP server would have sent it, so the next server's SPF check passes (our own senders stay).
            srs = sender_rewriter(self.inst.settings)
            mail_from = srs.forward(message.mail_from) if srs is not None else message.mail_from
            self.outbound.enqueue(mail_from=mail_from, recipients=remote, raw=raw, submitted_by=None)
        self._remove(message)
        self._trace(message, TraceEvent.RELEASED, f"quản trị {actor} cho đi tiếp", at=decided)
        self._trace(message, TraceEvent.STORED, None, recipients=stored, folder="INBOX")
        self._audit(actor, "held.release", message, {})
        return message

    def discard(self, held_id: str, *, reason: str, actor: str,
                agency_ids: set[int] | frozenset[int] | None = None) -> HeldMessage:
        """Remove the held copies and tell the sender why."""
        why = " ".join(reason.split())[:MAX_REASON]
        if not why:
            raise InvalidInput("Hãy ghi lý do huỷ thư.", message_en="Give a reason for discarding the message.",
                               field="reason")
        message = self.get(held_id, agency_ids=agency_ids)
        self._remove(message)
        self._trace(message, TraceEvent.DISCARDED, f"quản trị {actor} huỷ: {why}")
        self._notify_sender(message, why)
        self._audit(actor, "held.discard", message, {"reason": why})
        return message

    def _intake(self) -> MailIntake:
        """The document desk's look at a delivered message (the document services are made only for a package)."""
        from congvu.documents.mail_intake import MailIntake
        from congvu.documents.service import documents_for

        def open_docs() -> DocumentService:
            if self._documents is not None:
                return self._documents()
            return documents_for(self.inst, outbound=self.outbound)

        return MailIntake(open_docs=open_docs, db=self.inst.db)

    def _remove(self, message: HeldMessage) -> None:
        for copy in message.copies:
            self.store.store_flags(copy.holder_id, copy.folder_id, [copy.uid], FlagMode.ADD, ["\\Deleted"])
            self.store.expunge(copy.holder_id, copy.folder_id, [copy.uid])

    def _notify_sender(self, message: HeldMessage, why: str) -> None:
        sender = message.mail_from
        if not sender:
            return
        domain = self.inst.settings.domain
        listed = ", ".join(message.recipients)
        text = (
            f"Thư của bạn (mã {message.id}) gửi tới {listed}, tiêu đề «{message.subject}», đã bị giữ lại theo quy "
            f"định về thư điện tử miễn phí của tỉnh và đã được quản trị viên huỷ, không chuyển đi.\n\n"
            f"Lý do: {why}\n\n"
            "Nếu thư có nội dung công vụ, vui lòng gửi từ và tới địa chỉ thư điện tử công vụ.\n\n"
            f"Your message (id {message.id}) to {listed} was held under the province's policy on free webmail and "
            "has been discarded by an administrator; it was not delivered.\n\n"
            "Đây là thư tự động, không cần trả lời.\n"
        )
        notice = build_message(from_addr=(SYSTEM_NAME, f"postmaster@{domain}"), to=[sender],
                               subject=f"Thư không được chuyển đi: {message.subject}"[:200], text=text,
                               extra_headers=[("Auto-Submitted", "auto-replied")])  # RFC 3834 §5
        with self.inst.db.read() as conn:
            found = self.inst.directory.recipients.resolve(conn, sender)
        if found.mailbox_ids:
            self.store.deliver(add_return_path(notice, ""), list(found.mailbox_ids))
            how = "báo vào hộp thư người gửi"
        else:
            self.outbound.enqueue_report(recipient=sender, raw=notice)
            how = "báo về địa chỉ người gửi"
        self._trace(message, TraceEvent.REPORTED, how, recipients=[sender])

    def _trace(self, message: HeldMessage, event: TraceEvent, text: str | None, *,
               recipients: list[str] | None = None, folder: str | None = None, at: datetime | None = None) -> None:
        targets = message.recipients if recipients is None else tuple(recipients)
        self.inst.trace.record_many(TraceRecord(
            trace_id=message.id, event=event, sender=message.mail_from, recipient=r, message_id=message.message_id,
            text=text, folder=folder, listener="admin", at=at) for r in targets)

    def _audit(self, actor: str, action: str, message: HeldMessage, details: dict[str, object]) -> None:
        with self.inst.db.begin() as conn:
            self.inst.directory.ctx.audit(conn, actor, action, message.id, {
                "from": message.mail_from, "to": list(message.recipients), "subject": message.subject, **details})


def _parse(raw: bytes, held_at: datetime, size: int, copy: HeldCopy) -> HeldMessage | None:
    header = split_header(raw)
    held = header.value("x-congvu-held")
    if held is None:
        return None
    text = held.decode("utf-8", "replace")
    queue = _QUEUE.search(text)
    if queue is None:
        return None
    domains = _DOMAINS.search(text)
    recipients = tuple(r.strip() for r in (header.value("x-congvu-held-for") or b"").decode("utf-8", "replace")
                       .split(",") if r.strip())
    return_path = (header.value("return-path") or b"<>").decode("utf-8", "replace").strip()
    subject = decode_header_value(header.value("subject") or b"")
    author = ""
    from_field = header.value("from")
    if from_field:
        pairs = parse_addresses(decode_header_value(from_field))
        author = pairs[0][1] if pairs else decode_header_value(from_field)
    message_id = header.value("message-id")
    return HeldMessage(
        id=queue.group(1).upper(), direction="outbound" if text.startswith("outbound") else "inbound",
        mail_from=return_path.strip("<>").lower(), recipients=recipients,
        domains=tuple(d.strip() for d in domains.group(1).split(",")) if domains else (),
        subject=subject, author=author,
        message_id=message_id.decode("latin-1").strip().strip("<>") if message_id else None,
        held_at=held_at, size=size, copies=(copy,))


__all__ = ["HeldMail", "HeldMessage", "strip_envelope"]
