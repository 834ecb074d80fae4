"""What the outbound queue and its worker tell the message trace (:mod:`congvu.delivery.trace_log`): a message
queued for outside recipients, each attempt's outcome with the remote host and its reply (relayed, deferred,
bounced, expired), and the report sent to the sender. Rows are queued in memory and written in batches; nothing
here touches the queue's own transactions.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from congvu.delivery.trace_log import TraceEvent, TraceRecord, TraceSink

if TYPE_CHECKING:
    from congvu.delivery.queue import Batch, Outcome, QueuedMessage

log = logging.getLogger("congvu.delivery")
LISTENER = "queue"


def trace_id(queue_id: int) -> str:
    return f"Q{queue_id}"


def queued(sink: TraceSink | None, queue_id: int, *, sender: str, recipients: Sequence[str],
           message_id: str | None, is_report: bool) -> None:
    if sink is None:
        return
    text = "báo cáo tình trạng gửi (DSN)" if is_report else None
    try:
        sink.record_many(TraceRecord(trace_id=trace_id(queue_id), event=TraceEvent.QUEUED, sender=sender,
                                     recipient=r, message_id=message_id, text=text, listener=LISTENER)
                         for r in recipients)
    except Exception:  # a trace must never fail the message it describes
        log.exception("could not trace queued message %s", queue_id)


def attempts(sink: TraceSink | None, message: QueuedMessage, batch: Batch, outcomes: Sequence[Outcome], *,
             expired_prefix: str) -> None:
    """One row per recipient of an attempt, from the outcomes as stored."""
    if sink is None:
        return
    addresses = {r.id: r.recipient for r in batch.recipients}
    records = []
    for outcome in outcomes:
        if outcome.status == "delivered":
            event = TraceEvent.RELAYED
        elif outcome.status == "failed":
            event = TraceEvent.EXPIRED if outcome.text.startswith(expired_prefix) else TraceEvent.BOUNCED
        else:
            event = TraceEvent.DEFERRED
        records.append(TraceRecord(
            trace_id=trace_id(message.id), event=event, sender=message.mail_from,
            recipient=addresses.get(outcome.recipient_id), message_id=message.message_id, code=outcome.code,
            enhanced=outcome.enhanced, text=outcome.text, remote_host=outcome.remote_host, listener=LISTENER))
    try:
        sink.record_many(records)
    except Exception:
        log.exception("could not trace an attempt of message %s", message.id)


def reported(sink: TraceSink | None, message: QueuedMessage, recipients: Sequence[str], *, how: str) -> None:
    """A delivery status notification about ``recipients`` went to the sender (``how``: where it went)."""
    if sink is None or not recipients:
        return
    try:
        sink.record_many(TraceRecord(trace_id=trace_id(message.id), event=TraceEvent.REPORTED,
                                     sender=message.mail_from, recipient=r, message_id=message.message_id,
                                     text=how, listener=LISTENER) for r in recipients)
    except Exception:
        log.exception("could not trace the report of message %s", message.id)


__all__ = ["attempts", "queued", "reported", "trace_id"]
