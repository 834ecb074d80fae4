"""What the SMTP server tells the message trace (:mod:`congvu.delivery.trace_log`): each refusal at MAIL, RCPT or
DATA with the reply sent, and for an accepted message its queue id, Message-ID and where each recipient's copy
went (local folders, the outbound queue, held). Recording only queues rows in memory; nothing here waits on the
database or can fail a message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from congvu.delivery.trace_log import TraceEvent, TraceRecord
from congvu.mail.fields import HeaderBlock, split_header
from congvu.smtpserver.replies import Reply
from congvu.smtpserver.seams import SmtpServices
from congvu.smtpserver.state import ListenerKind, Transaction

log = logging.getLogger("congvu.smtp")
INBOX = "INBOX"
HELD_FOLDER = "Held"


def message_id_of(raw: bytes) -> bytes | None:
    try:
        return split_header(raw).value("message-id")
    except Exception:  # a trace must never fail the message it describes
        return None


def refused(services: SmtpServices, stage: str, reply: Reply, *, txn: Transaction, kind: ListenerKind,
            client_ip: str | None, sender: str | None = None, recipients: Sequence[str | None] = (None,),
            raw: bytes | None = None) -> None:
    """A negative reply at MAIL, RCPT or DATA, one row per recipient it concerns."""
    sink = services.trace
    if sink is None:
        return
    mail_from = txn.sender if sender is None else sender
    message_id = message_id_of(raw) if raw else None
    try:
        sink.record_many(TraceRecord(
            trace_id=txn.queue_id, event=TraceEvent.REFUSED, stage=stage, sender=mail_from, recipient=recipient,
            message_id=message_id.decode("latin-1") if message_id else None, code=reply.code,
            enhanced=reply.enhanced, text=reply.text, client_ip=client_ip, listener=kind.value)
            for recipient in recipients)
    except Exception:
        log.exception("could not trace a refusal of %s", txn.queue_id)


def accepted(services: SmtpServices, txn: Transaction, raw: bytes, *, kind: ListenerKind, client_ip: str | None,
             folder: str | None, held: Sequence[str], at: datetime | None = None,
             header: HeaderBlock | None = None) -> None:
    """The ``250`` after DATA (dated ``at``, when the message was taken in), then one row per recipient: stored
    (in which folder), queued or held. ``header``, when given, is a split already made whose Message-ID is that of
    ``raw`` (so ``raw`` need not be split again)."""
    sink = services.trace
    if sink is None:
        return
    try:
        found = header.value("message-id") if header is not None else message_id_of(raw)
        message_id = found.decode("latin-1") if found else None

        def hop(event: TraceEvent, recipient: str | None = None, *, folder: str | None = None,
                text: str | None = None, code: int | None = None) -> TraceRecord:
            return TraceRecord(trace_id=txn.queue_id, event=event, sender=txn.sender, recipient=recipient,
                               message_id=message_id, folder=folder, text=text, code=code,
                               enhanced="2.0.0" if code == 250 else None, client_ip=client_ip,
                               listener=kind.value)

        records = [replace(hop(TraceEvent.ACCEPTED, text=f"queued as {txn.queue_id}", code=250), at=at)]
        held_set = set(held)
        for recipient in txn.accepted:
            where = recipient.resolution
            if recipient.address in held_set:
                note = recipient.free_mail or txn.sender_free_mail
                records.append(hop(TraceEvent.HELD, recipient.address, folder=HELD_FOLDER,
                                   text=held_reason(note.domain if note else "")))
                continue
            if where.mailbox_ids:
                count = len(where.mailbox_ids)
                records.append(hop(TraceEvent.STORED, recipient.address, folder=(folder or INBOX).lstrip("\\"),
                                   text=f"{count} hộp thư" if count > 1 else None))
            forwarded = [a for a in where.remote if a.lower() != recipient.address.lower()]
            if forwarded:  # an alias or group member outside; an outside recipient itself is the queue's to record
                records.append(hop(TraceEvent.QUEUED, recipient.address,
                                   text="chuyển tiếp tới " + ", ".join(forwarded[:10])))
        sink.record_many(records)
    except Exception:
        log.exception("could not trace the acceptance of %s", txn.queue_id)


def held_reason(domain: str) -> str:
    return f"giữ lại chờ quản trị xem xét theo quy định về thư điện tử miễn phí ({domain})"


__all__ = ["accepted", "held_reason", "message_id_of", "refused"]
