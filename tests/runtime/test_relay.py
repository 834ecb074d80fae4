"""Mailbox events and queue wake-ups carried between processes: what one process publishes, the others' sessions
and delivery worker hear."""

from __future__ import annotations

import asyncio
import socket

from congvu.mailstore.notify import LocalNotifier, MailboxEvent, MailboxEventKind
from congvu.runtime.bus import MAX_MESSAGE, ProcessBus
from congvu.runtime.relay import decode_event, encode_event, receive_queue_wakeups, relay_mailbox_events


def _pair() -> tuple[ProcessBus, ProcessBus]:
    hub, worker = ProcessBus(hub=True), ProcessBus(hub=False)
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    hub.attach(ours)
    worker.attach(theirs)
    return hub, worker


def test_an_event_survives_the_trip() -> None:
    event = MailboxEvent(folder_id=12, kind=MailboxEventKind.FLAGS, uids=(3, 4, 9), modseq=77)
    assert decode_event(encode_event(event)) == event


def test_an_event_with_too_many_uids_travels_without_them() -> None:
    event = MailboxEvent(folder_id=5, kind=MailboxEventKind.EXPUNGED, uids=tuple(range(1, 40_000)), modseq=9)
    body = encode_event(event)
    assert len(body) < MAX_MESSAGE
    assert decode_event(body) == MailboxEvent(folder_id=5, kind=MailboxEventKind.EXPUNGED, uids=(), modseq=9)


async def test_a_change_published_in_one_process_wakes_a_session_in_another() -> None:
    hub_bus, worker_bus = _pair()
    main_notifier, worker_notifier = LocalNotifier(), LocalNotifier()
    relay_mailbox_events(main_notifier, hub_bus)
    relay_mailbox_events(worker_notifier, worker_bus)
    in_worker = worker_notifier.subscribe(42)
    in_main = main_notifier.subscribe(42)
    try:
        event = MailboxEvent(folder_id=42, kind=MailboxEventKind.ADDED, uids=(8,), modseq=31)
        await asyncio.to_thread(main_notifier.publish, event)  # as the store does, from a worker thread
        assert await in_worker.next(5) == event
        assert await in_main.next(5) == event
        # The worker's own change comes back to the main process, never twice to the worker itself.
        flags = MailboxEvent(folder_id=42, kind=MailboxEventKind.FLAGS, uids=(8,), modseq=32)
        await asyncio.to_thread(worker_notifier.publish, flags)
        assert await in_main.next(5) == flags
        assert await in_worker.next(5) == flags
        assert await in_worker.next(0.3) is None
    finally:
        in_worker.close()
        in_main.close()
        worker_bus.close()
        hub_bus.close()


async def test_mail_queued_in_a_worker_wakes_the_main_delivery_worker() -> None:
    hub_bus, worker_bus = _pair()
    woken = asyncio.Event()
    loop = asyncio.get_running_loop()

    class Queue:
        def wake(self) -> None:
            loop.call_soon_threadsafe(woken.set)

    receive_queue_wakeups(Queue(), hub_bus)  # type: ignore[arg-type]
    try:
        worker_bus.publish("queue")
        await asyncio.wait_for(woken.wait(), 5)
    finally:
        worker_bus.close()
        hub_bus.close()
