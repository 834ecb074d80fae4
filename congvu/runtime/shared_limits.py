"""Limits that hold for the whole ``congvu serve``, not for each of its processes.

The SMTP and IMAP limits (connections in all and per client network or address, signed-in sessions per account,
messages per client network or account in a sliding hour) are counted by each process for the connections it
serves. The kernel spreads one client's connections over the processes, so on its own each process would let a
client have the limit once more. With this module each process keeps its own counts as before and learns the
others' from the bus (:mod:`congvu.runtime.bus`, topic ``limits``); a limit check compares its own count plus the
others' with the limit, synchronously and without asking anyone.

What goes over the bus, as short JSON messages on topic ``limits`` (``origin`` is the process: ``0`` for the main
process, the worker's index otherwise):

- ``["u", origin, [[scope, key, n], …], [[scope, key, accepted], …]]``: what changed in the origin during one turn
  of its event loop (usually one event; a burst goes out as one message): it now has ``n`` open of ``key`` in
  ``scope`` (connections of a network, sessions of an account: a count, not a step, so that a lost message is
  corrected by the next one), and it accepted ``accepted`` more messages of ``key``, which receivers count from
  now. A process that has just started counts those only from an origin it has heard announce itself (``h``)
  or answer its own announcement (the last ``w`` part), so that a message is not counted both ways.
- ``["s", origin, generation, part, parts, [[scope, key, n], …]]``: every open count of the origin, replacing
  what the receivers knew of it (in parts when large). Sent when another process starts and every
  :data:`RESYNC_S` while anything is open, so that a count whose message was dropped does not last.
- ``["w", origin, target, last, [[scope, key, [age_s, …]], …]]``: the messages the origin accepted in the window,
  for a process that has just started (``target``) and knows none of them (``last``: 1 on the last part).
- ``["h", origin]``: the origin has (re)started: its earlier open counts are forgotten, everyone answers with
  ``s`` and ``w``.
- ``["g", origin]``: sent by the main process when the link of a worker is lost (the worker ended): its open
  counts are forgotten. Messages it accepted stay counted for the rest of the window: they did happen.

Messages are handled on the event loop of the process (the bus hands them over), the same thread that admits
connections, so counts need no locks.

How exact it is: a check sees the others' counts as of the last bus message it handled, which lags the truth by
the rest of the sender's event-loop turn plus the trip between processes (well under a millisecond on an idle
server, a few milliseconds on a busy one). Within one process counts are exact. Connections (or messages) of one
key that reach different processes within that lag are each checked without the others, so the whole server may
go over a limit by what the other processes admitted within the lag: by one per process when the arrivals that
race are one per process (the usual case: a client's connections come one after another), by more only when a
burst of one key lands on several processes inside the same lag (at worst the limit once more per process).
Arrivals further apart than the lag see each other and the limit holds exactly. With one process there is no bus
and nothing here runs: the limits are counted as they always were.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from congvu.runtime.bus import ProcessBus
from congvu.runtime.sliding import HOUR_S, SlidingCount

log = logging.getLogger(__name__)

TOPIC = "limits"
RESYNC_S = 30.0
"""How often a process that has anything open sends all its open counts again."""
PART_BYTES = 32 * 1024
"""About how large one part of a snapshot may get (the bus takes up to 64 KiB a message)."""
AGES_PER_RECORD = 2000

LocalCounts = Callable[[], Mapping[str, int]]
LocalEvents = Callable[[], Iterable[tuple[str, list[float]]]]


class PeerGauge:
    """What the other processes have open in one scope (connections per network, sessions per account)."""

    def __init__(self, shared: SharedLimits, scope: str) -> None:
        self._shared = shared
        self.scope = scope
        self.local: LocalCounts | None = None
        self._by_origin: dict[str, dict[str, int]] = {}
        self._sum: dict[str, int] = {}
        self.total = 0
        """Open in all the other processes, every key together."""

    def others(self, key: str) -> int:
        """Open of ``key`` in the other processes."""
        return self._sum.get(key, 0)

    def changed(self, key: str, count: int) -> None:
        """This process now has ``count`` open of ``key``: tell the others."""
        shared = self._shared
        shared._counts_out[(self.scope, key)] = count
        shared._flush_soon()

    def _set(self, origin: str, key: str, count: int) -> None:
        table = self._by_origin.setdefault(origin, {})
        step = count - table.get(key, 0)
        if not step:
            return
        if count > 0:
            table[key] = count
        else:
            table.pop(key, None)
        left = self._sum.get(key, 0) + step
        if left > 0:
            self._sum[key] = left
        else:
            self._sum.pop(key, None)
        self.total += step

    def _replace(self, origin: str, counts: Mapping[str, int]) -> None:
        for key in list(self._by_origin.get(origin, ())):
            self._set(origin, key, 0)
        for key, count in counts.items():
            self._set(origin, key, count)
        if not self._by_origin.get(origin):
            self._by_origin.pop(origin, None)


class PeerWindow:
    """Messages the other processes accepted in the sliding window, per key (client network, account)."""

    def __init__(self, shared: SharedLimits, scope: str, *, window_s: float = HOUR_S) -> None:
        self._shared = shared
        self.scope = scope
        self.local: LocalEvents | None = None
        self.events = SlidingCount(window_s=window_s, clock=shared.clock)

    def others(self, key: str) -> int:
        return self.events.count(key)

    def recorded(self, key: str) -> None:
        """This process accepted a message of ``key``: tell the others."""
        shared = self._shared
        shared._events_out[(self.scope, key)] = shared._events_out.get((self.scope, key), 0) + 1
        shared._flush_soon()


class SharedLimits:
    """This process's side of the shared limits: the others' counts by scope, and what it tells them. Used on the
    thread of ``loop`` only (bus messages are handed over to it)."""

    def __init__(self, bus: ProcessBus, origin: str, *, loop: asyncio.AbstractEventLoop,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.bus = bus
        self.origin = origin
        self.clock = clock
        self._loop = loop
        self._counts_out: dict[tuple[str, str], int] = {}
        self._events_out: dict[tuple[str, str], int] = {}
        self._flushing = False
        self._inbox: deque[bytes] = deque()
        self._draining = False
        self._gauges: dict[str, PeerGauge] = {}
        self._windows: dict[str, PeerWindow] = {}
        self._generation = 0
        self._pending: dict[str, tuple[int, int, dict[str, dict[str, int]]]] = {}
        self._sent_open = False
        self._heard: set[str] = set()
        """The origins whose accepted messages (in ``u``) this process counts: it knows all their earlier ones."""

    def gauge(self, scope: str, local: LocalCounts | None = None) -> PeerGauge:
        """The others' open counts in ``scope``; ``local`` gives this process's own (for snapshots)."""
        gauge = self._gauges.get(scope)
        if gauge is None:
            gauge = self._gauges[scope] = PeerGauge(self, scope)
        if local is not None:
            gauge.local = local
        return gauge

    def window(self, scope: str, local: LocalEvents | None = None) -> PeerWindow:
        """The others' messages in ``scope``; ``local`` gives this process's own with their times."""
        window = self._windows.get(scope)
        if window is None:
            window = self._windows[scope] = PeerWindow(self, scope)
        if local is not None:
            window.local = local
        return window

    def start(self) -> None:
        """Listen to the others; a worker announces itself (and so learns what the others have open)."""
        self.bus.on(TOPIC, self._received)
        if self.bus.hub:
            self.bus.on_link_lost(self._link_lost)
        else:
            self._send(["h", self.origin])
        self.resync()

    def resync(self) -> None:
        """Send every open count, if anything is open or was at the last snapshot."""
        counts = self._local_counts()
        if counts or self._sent_open:
            self._send_snapshot(counts)

    # Receiving, on the event loop.

    def _received(self, body: bytes) -> None:
        # On the bus's reader thread: one wake-up of the loop for all that arrives before it runs.
        self._inbox.append(body)
        if not self._draining:
            self._draining = True
            with contextlib.suppress(RuntimeError):  # the loop has closed: the process is stopping
                self._loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        self._draining = False  # before taking: what arrives from now on schedules another turn
        inbox = self._inbox
        while inbox:
            self._handle(inbox.popleft())

    def _link_lost(self, name: str) -> None:
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(lambda: self._gone(name, tell=True))

    def _handle(self, body: bytes) -> None:
        try:
            message: list[Any] = json.loads(body)
            kind, origin = message[0], str(message[1])
            if origin == self.origin:
                return
            if kind == "u":
                for scope, key, count in message[2]:
                    self.gauge(scope)._set(origin, str(key), int(count))
                if origin in self._heard:
                    for scope, key, accepted in message[3]:
                        events = self.window(scope).events
                        for _ in range(int(accepted)):
                            events.add(str(key))
            elif kind == "s":
                self._snapshot_part(origin, int(message[2]), int(message[3]), int(message[4]), message[5])
            elif kind == "w":
                if str(message[2]) == self.origin and origin not in self._heard:
                    now = self.clock()
                    for scope, key, ages in message[4]:
                        events = self.window(scope).events
                        for age in ages:
                            events.add(str(key), at=now - float(age))
                    if message[3]:
                        self._heard.add(origin)
            elif kind == "h":
                self._heard.add(origin)  # its messages from now on; its earlier ones, if any, are still counted
                self._gone(origin, tell=False)
                self._send_snapshot(self._local_counts())
                self._send_events(origin)
            elif kind == "g":
                self._gone(origin, tell=False)
        except (ValueError, TypeError, IndexError, KeyError):
            log.warning("malformed message on the limits bus: %r", body[:200])

    def _gone(self, origin: str, *, tell: bool) -> None:
        if not origin:
            return
        self._pending.pop(origin, None)
        for gauge in self._gauges.values():
            gauge._replace(origin, {})
        if tell:
            self._send(["g", origin])

    def _snapshot_part(self, origin: str, generation: int, part: int, parts: int, records: list[Any]) -> None:
        if part == 0:
            self._pending[origin] = (generation, 0, {})
        pending = self._pending.get(origin)
        if pending is None or pending[0] != generation or pending[1] != part:
            self._pending.pop(origin, None)  # a part went missing: wait for the next snapshot
            return
        tables = pending[2]
        for scope, key, count in records:
            tables.setdefault(str(scope), {})[str(key)] = int(count)
        if part + 1 < parts:
            self._pending[origin] = (generation, part + 1, tables)
            return
        del self._pending[origin]
        for scope in set(self._gauges) | set(tables):
            self.gauge(scope)._replace(origin, tables.get(scope, {}))

    # Sending.

    def _flush_soon(self) -> None:
        if not self._flushing:
            self._flushing = True
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        """Send what changed since the last time (run at the end of the loop's turn; before any other message)."""
        self._flushing = False
        if not self._counts_out and not self._events_out:
            return
        counts = [[scope, key, n] for (scope, key), n in self._counts_out.items()]
        events = [[scope, key, n] for (scope, key), n in self._events_out.items()]
        self._counts_out.clear()
        self._events_out.clear()
        if len(counts) + len(events) < 200:
            self._publish(["u", self.origin, counts, events])
            return
        for part in _parts(counts):
            self._publish(["u", self.origin, part, []])
        for part in _parts(events):
            self._publish(["u", self.origin, [], part])

    def _send(self, message: list[Any]) -> None:
        self.flush()  # what changed before goes first
        self._publish(message)

    def _publish(self, message: list[Any]) -> None:
        self.bus.publish(TOPIC, json.dumps(message, separators=(",", ":")).encode())

    def _local_counts(self) -> list[list[Any]]:
        records: list[list[Any]] = []
        for scope, gauge in self._gauges.items():
            if gauge.local is not None:
                records.extend([scope, key, count] for key, count in gauge.local().items() if count > 0)
        return records

    def _send_snapshot(self, records: list[list[Any]]) -> None:
        self._generation += 1
        parts = list(_parts(records)) or [[]]
        for index, part in enumerate(parts):
            self._send(["s", self.origin, self._generation, index, len(parts), part])
        self._sent_open = bool(records)

    def _send_events(self, target: str) -> None:
        now = self.clock()
        records: list[list[Any]] = []
        for scope, window in self._windows.items():
            if window.local is None:
                continue
            for key, times in window.local():
                ages = [max(0, int(now - at)) for at in times]
                for start in range(0, len(ages), AGES_PER_RECORD):
                    records.append([scope, key, ages[start:start + AGES_PER_RECORD]])
        parts = list(_parts(records)) or [[]]
        for index, part in enumerate(parts):
            self._send(["w", self.origin, target, int(index + 1 == len(parts)), part])


def _parts(records: list[list[Any]]) -> Iterator[list[list[Any]]]:
    """``records`` in lists of about :data:`PART_BYTES` of JSON each."""
    part: list[list[Any]] = []
    size = 0
    for record in records:
        length = len(json.dumps(record, separators=(",", ":")))
        if part and size + length > PART_BYTES:
            yield part
            part, size = [], 0
        part.append(record)
        size += length + 1
    if part:
        yield part
