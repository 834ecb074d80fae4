"""Change notifications between sessions: who is told when a folder gains, changes or loses messages.

The mail store publishes a :class:`MailboxEvent` after each commit; IMAP sessions in IDLE (RFC 2177) or
answering NOOP subscribe to their selected folder and, on an event, ask the store what changed since the MODSEQ
they know (:meth:`congvu.mailstore.api.MailStoreApi.changes_since`). Events are wake-ups with hints, not the
source of truth, so a lost or dropped event costs at most a late update, never a wrong one.

:class:`Notifier` is the seam: :class:`LocalNotifier` serves one process (asyncio queues, fed thread-safely
from the store's worker threads); with several processes (``congvu serve --workers``) it also forwards each event
it publishes to the other processes (:mod:`congvu.runtime.relay`), which hand it to their own subscribers with
:meth:`LocalNotifier.publish_local`.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

MAX_PENDING_EVENTS = 1_000


class MailboxEventKind(StrEnum):
    ADDED = "added"  # new messages (delivery, APPEND, COPY, MOVE into the folder)
    FLAGS = "flags"  # flags changed
    EXPUNGED = "expunged"  # messages removed (EXPUNGE, MOVE out of the folder)
    DELETED = "deleted"  # the folder itself was deleted
    RENAMED = "renamed"  # the folder was renamed (same id, same UIDVALIDITY)


@dataclass(frozen=True)
class MailboxEvent:
    folder_id: int
    kind: MailboxEventKind
    uids: tuple[int, ...] = ()
    modseq: int = 0


class Subscription(Protocol):
    """Events of one folder for one session; create it on the event loop that will read it."""

    @property
    def folder_id(self) -> int: ...

    @property
    def overflowed(self) -> bool:
        """Events were dropped since the last read (the reader should resynchronise)."""
        ...

    async def next(self, timeout_s: float | None = None) -> MailboxEvent | None:
        """The next event, waiting at most ``timeout_s`` (None: no limit); None on timeout or when closed."""
        ...

    def drain(self) -> tuple[MailboxEvent, ...]:
        """Every pending event, without waiting."""
        ...

    def close(self) -> None: ...


class Notifier(Protocol):
    def subscribe(self, folder_id: int) -> Subscription:
        """Start receiving the folder's events (call from a running event loop)."""
        ...

    def publish(self, event: MailboxEvent) -> None:
        """Hand an event to every subscriber of its folder; callable from any thread, never blocks."""
        ...


class LocalSubscription:
    def __init__(self, owner: LocalNotifier, folder_id: int, loop: asyncio.AbstractEventLoop) -> None:
        self._owner = owner
        self._folder_id = folder_id
        self.loop = loop
        self._events: deque[MailboxEvent] = deque()
        self._ready = asyncio.Event()
        self._overflowed = False
        self.closed = False

    @property
    def folder_id(self) -> int:
        return self._folder_id

    @property
    def overflowed(self) -> bool:
        return self._overflowed

    def deliver(self, event: MailboxEvent) -> None:
        """Runs on the subscriber's loop."""
        if self.closed:
            return
        if len(self._events) >= MAX_PENDING_EVENTS:
            self._events.popleft()
            self._overflowed = True
        self._events.append(event)
        self._ready.set()

    async def next(self, timeout_s: float | None = None) -> MailboxEvent | None:
        if not self._events and not self.closed:
            self._ready.clear()
            try:
                await asyncio.wait_for(self._ready.wait(), timeout_s)
            except TimeoutError:
                return None
        if not self._events:
            return None
        return self._events.popleft()

    def drain(self) -> tuple[MailboxEvent, ...]:
        events = tuple(self._events)
        self._events.clear()
        self._overflowed = False
        return events

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._ready.set()
            self._owner.unsubscribe(self)


class LocalNotifier:
    """In-process publish/subscribe keyed by folder id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[int, set[LocalSubscription]] = {}
        self._forward: Callable[[MailboxEvent], None] | None = None
        self._observers: list[Callable[[MailboxEvent], None]] = []

    def forward_to(self, forward: Callable[[MailboxEvent], None] | None) -> None:
        """Also hand every event published in this process to ``forward`` (other processes' notifiers)."""
        self._forward = forward

    def subscribe(self, folder_id: int) -> LocalSubscription:
        subscription = LocalSubscription(self, folder_id, asyncio.get_running_loop())
        with self._lock:
            self._subscribers.setdefault(folder_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: LocalSubscription) -> None:
        with self._lock:
            found = self._subscribers.get(subscription.folder_id)
            if found is not None:
                found.discard(subscription)
                if not found:
                    del self._subscribers[subscription.folder_id]

    def observe(self, observer: Callable[[MailboxEvent], None]) -> None:
        """Also show every event this process's subscribers get to ``observer`` (runs in the publishing thread;
        it must be quick and thread-safe)."""
        with self._lock:
            self._observers.append(observer)

    def subscribed_folders(self) -> tuple[int, ...]:
        """The folders some session of this process follows."""
        with self._lock:
            return tuple(self._subscribers)

    def subscriber_count(self, folder_id: int) -> int:
        with self._lock:
            return len(self._subscribers.get(folder_id, ()))

    def publish(self, event: MailboxEvent) -> None:
        self.publish_local(event)
        forward = self._forward
        if forward is not None:
            forward(event)

    def publish_local(self, event: MailboxEvent) -> None:
        """Hand ``event`` to this process's subscribers only (an event that came from another process)."""
        with self._lock:
            targets = tuple(self._subscribers.get(event.folder_id, ()))
            observers = tuple(self._observers)
        for observer in observers:
            observer(event)
        for subscription in targets:
            try:
                subscription.loop.call_soon_threadsafe(subscription.deliver, event)
            except RuntimeError:
                # The subscriber's loop has closed: the session is gone.
                self.unsubscribe(subscription)
