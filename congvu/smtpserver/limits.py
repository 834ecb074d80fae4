"""Counters behind the SMTP limits: open connections (in all, per client network, signed in per account) and
messages accepted per client network or account in a sliding hour.

Clients are counted by network as the sign-in throttle does (one IPv4 address, one IPv6 /64), so a host cannot
escape a limit by rotating through the addresses of its own /64. The counters are process-local and take the
clock as an argument; refusals are turned into replies by the caller (:mod:`congvu.smtpserver.replies`).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from congvu.security import throttle
from congvu.smtpserver import replies
from congvu.smtpserver.replies import Reply
from congvu.smtpserver.settings import SmtpLimits

HOUR_S = 3600.0
# The key of a peer's network, asked for at every connection and message: parsing the address each time showed.
network_key = lru_cache(maxsize=4096)(throttle.network_key)


class ConnectionGate:
    """Open connections, in all and per client network."""

    def __init__(self, *, max_total: int, max_per_network: int) -> None:
        self.max_total = max_total
        self.max_per_network = max_per_network
        self._per_network: dict[str, int] = {}
        self._total = 0

    @property
    def total(self) -> int:
        return self._total

    def admit(self, ip: str | None) -> Reply | None:
        """Count a new connection, or return the reply refusing it (then nothing is counted)."""
        key = network_key(ip)
        if self.max_total and self._total >= self.max_total:
            return replies.SERVER_BUSY
        if self.max_per_network and self._per_network.get(key, 0) >= self.max_per_network:
            return replies.too_many_connections(self.max_per_network)
        self._per_network[key] = self._per_network.get(key, 0) + 1
        self._total += 1
        return None

    def release(self, ip: str | None) -> None:
        key = network_key(ip)
        left = self._per_network.get(key, 0) - 1
        if left > 0:
            self._per_network[key] = left
        else:
            self._per_network.pop(key, None)
        self._total = max(self._total - 1, 0)


class AccountSessions:
    """Connections signed in as each account."""

    def __init__(self, *, max_per_account: int) -> None:
        self.max_per_account = max_per_account
        self._open: dict[int, int] = {}

    def claim(self, account_id: int) -> Reply | None:
        if self.max_per_account and self._open.get(account_id, 0) >= self.max_per_account:
            return replies.too_many_sessions(self.max_per_account)
        self._open[account_id] = self._open.get(account_id, 0) + 1
        return None

    def release(self, account_id: int) -> None:
        left = self._open.get(account_id, 0) - 1
        if left > 0:
            self._open[account_id] = left
        else:
            self._open.pop(account_id, None)


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

    def add(self, key: str) -> None:
        now = self.clock()
        events = self._recent(key, now)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._forget_idle(now)
            events = self._events[key] = deque()
        events.append(now)

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, ev in self._events.items() if not ev or now - ev[-1] >= self.window_s]:
            del self._events[key]
        while len(self._events) >= self.max_keys:  # still full of active keys: drop the oldest
            del self._events[min(self._events, key=lambda k: self._events[k][-1])]


@dataclass
class MessageRates:
    """Messages accepted in the last hour per client network (mail from the Internet) and per account
    (submission)."""

    limits: SmtpLimits
    per_network: SlidingCount
    per_account: SlidingCount

    @classmethod
    def create(cls, limits: SmtpLimits, clock: Callable[[], float] = time.monotonic) -> MessageRates:
        return cls(limits, SlidingCount(clock=clock), SlidingCount(clock=clock))

    def check(self, *, ip: str | None, account_id: int | None) -> Reply | None:
        if account_id is not None:
            limit = self.limits.max_messages_per_account_per_hour
            if limit and self.per_account.count(str(account_id)) >= limit:
                return replies.account_rate_exceeded(limit)
            return None
        limit = self.limits.max_messages_per_ip_per_hour
        if limit and self.per_network.count(network_key(ip)) >= limit:
            return replies.ip_rate_exceeded(limit)
        return None

    def record(self, *, ip: str | None, account_id: int | None) -> None:
        if account_id is not None:
            self.per_account.add(str(account_id))
        else:
            self.per_network.add(network_key(ip))
