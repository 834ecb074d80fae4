"""Messages between the processes of one ``congvu serve``: wake-ups that one process owes the others.

A message is a topic and a small body (``mailbox`` + a change event, ``queue`` when mail was queued for
sending). The main process is the hub: it holds one end of a ``SOCK_SEQPACKET`` socket pair per worker process,
delivers what a worker sends to its own subscribers and passes it on to every other worker. A worker holds the
other end and talks to the hub alone. Messages are hints that spare a wait, never the source of truth (the
database is): a full socket drops the message rather than block the sender, and a receiver resynchronises from
the database as it would after any missed wake-up.

Handlers run on the link's reader thread; they must be thread-safe and quick (hand over to an event loop with
``call_soon_threadsafe``, as :class:`congvu.mailstore.notify.LocalNotifier` does).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024
"""A message larger than this is not sent (callers shrink their bodies to fit: an event without its UIDs)."""
BUS_FD_ENV = "CONGVU_BUS_FD"

Handler = Callable[[bytes], None]


class _Link:
    def __init__(self, bus: ProcessBus, sock: socket.socket, name: str) -> None:
        self.bus = bus
        self.sock = sock
        self.name = name
        self.closed = False
        self._send_lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, name="congvu-bus", daemon=True)

    def send(self, data: bytes) -> None:
        if self.closed:
            return
        with self._send_lock:
            try:
                self.sock.send(data, socket.MSG_DONTWAIT)
            except BlockingIOError:
                pass  # the peer is not reading: the message is dropped and the peer resynchronises on its own
            except OSError:
                self.bus._lost(self)

    def _read(self) -> None:
        while not self.closed:
            try:
                data = self.sock.recv(MAX_MESSAGE + 64)
            except OSError:
                data = b""
            if not data:
                self.bus._lost(self)
                return
            self.bus._received(self, data)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class ProcessBus:
    """One process's side of the bus: the hub (main process) or a worker's single link to it."""

    def __init__(self, *, hub: bool) -> None:
        self.hub = hub
        self._links: list[_Link] = []
        self._handlers: dict[str, list[Handler]] = {}
        self._lock = threading.Lock()
        self._on_hub_lost: Callable[[], None] | None = None
        self._on_link_lost: list[Callable[[str], None]] = []

    @classmethod
    def worker_from_environment(cls, fd_text: str, on_hub_lost: Callable[[], None]) -> ProcessBus:
        """A worker's bus over the socket inherited from the main process; ``on_hub_lost`` runs (on the reader
        thread) if the main process goes away."""
        bus = cls(hub=False)
        bus._on_hub_lost = on_hub_lost
        bus.attach(socket.socket(fileno=int(fd_text)))
        return bus

    def attach(self, sock: socket.socket, name: str = "") -> None:
        """Start exchanging messages over ``sock`` (one end of a ``SOCK_SEQPACKET`` pair); ``name`` (the hub
        names each link after its worker) is what :meth:`on_link_lost` handlers are told."""
        sock.setblocking(True)
        link = _Link(self, sock, name)
        with self._lock:
            self._links.append(link)
        link.thread.start()

    def on(self, topic: str, handler: Handler) -> None:
        with self._lock:
            self._handlers.setdefault(topic, []).append(handler)

    def on_link_lost(self, handler: Callable[[str], None]) -> None:
        """On the hub: ``handler(name)`` runs (on the reader thread) when a link is lost, that is when the worker
        process at its other end has ended (not when the bus is closed)."""
        with self._lock:
            self._on_link_lost.append(handler)

    def publish(self, topic: str, body: bytes = b"") -> None:
        """Send to the other processes (not to this one's own handlers); never blocks."""
        data = topic.encode("ascii") + b"\n" + body
        if len(data) > MAX_MESSAGE:
            log.warning("bus message on %r too large (%d bytes), not sent", topic, len(data))
            return
        self._send(data, skip=None)

    @property
    def link_count(self) -> int:
        with self._lock:
            return len(self._links)

    def close(self) -> None:
        with self._lock:
            links, self._links = self._links, []
            self._on_hub_lost = None
        for link in links:
            link.close()

    def _send(self, data: bytes, *, skip: _Link | None) -> None:
        with self._lock:
            targets = [link for link in self._links if link is not skip]
        for link in targets:
            link.send(data)

    def _received(self, link: _Link, data: bytes) -> None:
        topic, _, body = data.partition(b"\n")
        with self._lock:
            handlers = list(self._handlers.get(topic.decode("ascii", "replace"), ()))
        for handler in handlers:
            try:
                handler(body)
            except Exception:  # one bad handler must not stop the bus
                log.exception("bus handler for %r failed", topic)
        if self.hub:
            self._send(data, skip=link)

    def _lost(self, link: _Link) -> None:
        with self._lock:
            known = link in self._links
            if known:
                self._links.remove(link)
            on_lost = self._on_hub_lost if not self.hub else None
            on_link_lost = list(self._on_link_lost) if self.hub and known else []
        link.close()
        if on_lost is not None:
            on_lost()
        for handler in on_link_lost:
            try:
                handler(link.name)
            except Exception:
                log.exception("bus handler for a lost link failed")
