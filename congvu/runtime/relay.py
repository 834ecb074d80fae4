"""What the processes of one ``congvu serve`` tell each other over the bus (:mod:`congvu.runtime.bus`).

- ``mailbox``: a mail store change event (a delivery, APPEND, flag change, expunge…), so IMAP sessions in IDLE or
  NOOP in every process learn of it at once, whichever process made the change.
- ``queue``: mail was queued for sending in a worker process; the delivery worker, which runs in the main process,
  wakes up instead of waiting for its next poll.
"""

from __future__ import annotations

import json

from congvu.delivery.queue import OutboundQueue
from congvu.mailstore.notify import LocalNotifier, MailboxEvent, MailboxEventKind
from congvu.runtime.bus import MAX_MESSAGE, ProcessBus

MAILBOX_TOPIC = "mailbox"
QUEUE_TOPIC = "queue"


def encode_event(event: MailboxEvent) -> bytes:
    body = json.dumps([event.folder_id, event.kind.value, event.modseq, list(event.uids)],
                      separators=(",", ":")).encode("ascii")
    if len(body) > MAX_MESSAGE - 64:
        # Too many UIDs for one message: send the event without them (a receiver then resynchronises).
        body = json.dumps([event.folder_id, event.kind.value, event.modseq, []]).encode("ascii")
    return body


def decode_event(body: bytes) -> MailboxEvent:
    folder_id, kind, modseq, uids = json.loads(body)
    return MailboxEvent(folder_id=int(folder_id), kind=MailboxEventKind(kind), uids=tuple(int(u) for u in uids),
                        modseq=int(modseq))


def relay_mailbox_events(notifier: LocalNotifier, bus: ProcessBus) -> None:
    """Events published in this process go to the other processes, and theirs come to this one's sessions."""
    notifier.forward_to(lambda event: bus.publish(MAILBOX_TOPIC, encode_event(event)))
    bus.on(MAILBOX_TOPIC, lambda body: notifier.publish_local(decode_event(body)))


def send_queue_wakeups(queue: OutboundQueue, bus: ProcessBus) -> None:
    """In a worker process: tell the main process's delivery worker whenever mail is queued here."""
    queue.add_listener(lambda: bus.publish(QUEUE_TOPIC))


def receive_queue_wakeups(queue: OutboundQueue, bus: ProcessBus) -> None:
    """In the main process: mail queued by a worker process wakes the delivery worker."""
    bus.on(QUEUE_TOPIC, lambda _body: queue.wake())
