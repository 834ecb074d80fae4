"""Time for the delivery worker: the wall clock in production, a clock tests move by hand.

The worker never calls ``time`` or ``asyncio.sleep`` itself; it asks its :class:`Clock` for the time and waits
through it, so retry schedules and expiry can be tested without sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    async def wait(self, seconds: float, wake: asyncio.Event) -> None:
        """Return after ``seconds`` of this clock's time, or as soon as ``wake`` is set."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def wait(self, seconds: float, wake: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=max(seconds, 0.0))


class FakeClock:
    """A clock that moves only when :meth:`advance` is called; waiters whose deadline passes are released."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
        self._changed = asyncio.Event()

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait(self, seconds: float, wake: asyncio.Event) -> None:
        deadline = self._now + timedelta(seconds=seconds)
        while self._now < deadline and not wake.is_set():
            changed = self._changed
            waiters = [asyncio.ensure_future(changed.wait()), asyncio.ensure_future(wake.wait())]
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()


__all__ = ["Clock", "FakeClock", "SystemClock"]
