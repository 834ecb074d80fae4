"""Events per key in a sliding window (messages accepted per client network or account in the last hour)."""

from __future__ import annotations

import bisect
import time
from collections import deque
from collections.abc import Callable, Iterator

HOUR_S = 3600.0


class SlidingCount:
    """How many events each key had in the last ``window_s`` seconds; memory bounded by ``max_keys``."""

    def __init__(self, *, window_s: float = HOUR_S, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self.max_keys = max_keys
        self.clock = clock
        self._events: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float] | None:
        events = self._events.get(key)
        if events is None:
            return None
        while events and now - events[0] >= self.window_s:
            events.popleft()
        if not events:
            del self._events[key]
            return None
        return events

    def count(self, key: str) -> int:
        events = self._recent(key, self.clock())
        return 0 if events is None else len(events)

    def add(self, key: str, at: float | None = None) -> None:
        """Count an event of ``key`` now, or at the earlier time ``at`` (kept in order)."""
        now = self.clock()
        if at is not None and now - at >= self.window_s:
            return
        events = self._recent(key, now)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._forget_idle(now)
            events = self._events[key] = deque()
        if at is None or not events or at >= events[-1]:
            events.append(now if at is None else at)
        else:
            bisect.insort(events, at)

    def recent(self) -> Iterator[tuple[str, list[float]]]:
        """Every key with the times of its events still in the window, oldest first."""
        now = self.clock()
        for key in list(self._events):
            events = self._recent(key, now)
            if events is not None:
                yield key, list(events)

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, ev in self._events.items() if not ev or now - ev[-1] >= self.window_s]:
            del self._events[key]
        while len(self._events) >= self.max_keys:  # still full of active keys: drop the oldest
            del self._events[min(self._events, key=lambda k: self._events[k][-1])]
