"""The bus between the processes of ``congvu serve``: the hub passes a worker's messages to the others."""

from __future__ import annotations

import socket
import threading
import time

from congvu.runtime.bus import MAX_MESSAGE, ProcessBus


class Inbox:
    def __init__(self) -> None:
        self.items: list[bytes] = []
        self.arrived = threading.Event()

    def __call__(self, body: bytes) -> None:
        self.items.append(body)
        self.arrived.set()

    def wait(self, count: int = 1, timeout: float = 5.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while len(self.items) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.items


def _worker(hub: ProcessBus, lost: threading.Event | None = None) -> ProcessBus:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    hub.attach(ours)
    worker = ProcessBus(hub=False)
    worker.attach(theirs)
    if lost is not None:
        worker._on_hub_lost = lost.set
    return worker


def test_a_workers_message_reaches_the_hub_and_the_other_workers_but_not_itself() -> None:
    hub = ProcessBus(hub=True)
    first, second = _worker(hub), _worker(hub)
    at_hub, at_first, at_second = Inbox(), Inbox(), Inbox()
    hub.on("mailbox", at_hub)
    first.on("mailbox", at_first)
    second.on("mailbox", at_second)
    try:
        first.publish("mailbox", b'[7,"added",3,[1]]')
        assert at_hub.wait() == [b'[7,"added",3,[1]]']
        assert at_second.wait() == [b'[7,"added",3,[1]]']
        hub.publish("mailbox", b"from-hub")
        assert at_first.wait() == [b"from-hub"]
        assert at_second.wait(2) == [b'[7,"added",3,[1]]', b"from-hub"]
        assert at_first.items == [b"from-hub"]  # its own message did not come back
    finally:
        for bus in (first, second, hub):
            bus.close()


def test_topics_are_kept_apart_and_an_unknown_topic_is_ignored() -> None:
    hub = ProcessBus(hub=True)
    worker = _worker(hub)
    queue, mailbox = Inbox(), Inbox()
    hub.on("queue", queue)
    hub.on("mailbox", mailbox)
    try:
        worker.publish("nobody-listens", b"x")
        worker.publish("queue")
        assert queue.wait() == [b""]
        assert mailbox.items == []
    finally:
        worker.close()
        hub.close()


def test_a_message_too_large_is_not_sent() -> None:
    hub = ProcessBus(hub=True)
    worker = _worker(hub)
    got = Inbox()
    hub.on("mailbox", got)
    try:
        worker.publish("mailbox", b"x" * (MAX_MESSAGE + 1))
        worker.publish("mailbox", b"small")
        assert got.wait() == [b"small"]
    finally:
        worker.close()
        hub.close()


def test_a_worker_learns_when_the_main_process_is_gone() -> None:
    hub = ProcessBus(hub=True)
    lost = threading.Event()
    worker = _worker(hub, lost)
    assert hub.link_count == 1
    hub.close()
    assert lost.wait(5)
    assert worker.link_count == 0


def test_the_hub_forgets_a_worker_that_went_away() -> None:
    hub = ProcessBus(hub=True)
    gone, staying = _worker(hub), _worker(hub)
    got = Inbox()
    staying.on("mailbox", got)
    try:
        gone.close()
        deadline = time.monotonic() + 5
        while hub.link_count != 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert hub.link_count == 1
        hub.publish("mailbox", b"still-here")
        assert got.wait() == [b"still-here"]
    finally:
        staying.close()
        hub.close()


def test_the_hub_names_the_link_it_lost_but_not_when_it_closes() -> None:
    hub = ProcessBus(hub=True)
    lost = Inbox()
    hub.on_link_lost(lambda name: lost(name.encode()))
    first, second = ProcessBus(hub=False), ProcessBus(hub=False)
    for index, worker in ((1, first), (2, second)):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        hub.attach(ours, name=str(index))
        worker.attach(theirs)
    try:
        second.close()
        assert lost.wait() == [b"2"]
    finally:
        hub.close()
        first.close()
    time.sleep(0.1)
    assert lost.items == [b"2"]
