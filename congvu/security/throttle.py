"""Sign-in throttling shared by the web, SMTP submission and IMAP: too many failed attempts lock a key for a while.

Two kinds of key are counted: the account (slows down guessing one person's password from many places) and the
client network (one IPv4 address, or one IPv6 /64, which a single client usually owns; slows down spraying many
accounts from one place). Each key keeps the times of its recent failures; reaching ``max_failures`` within
``window_s`` locks the key for ``lockout_s``, doubled at each further lockout up to ``max_lockout_s``. A success
clears the account's record but not the network's.

The logic is pure (the clock is passed in); state lives behind :class:`ThrottleStore`. :class:`MemoryThrottleStore`
serves one process; several nodes share a store backed by Redis or the database with the same protocol.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window_s: float
    lockout_s: float
    max_lockout_s: float


ACCOUNT_POLICY = ThrottlePolicy(max_failures=5, window_s=900, lockout_s=300, max_lockout_s=3600)
NETWORK_POLICY = ThrottlePolicy(max_failures=30, window_s=900, lockout_s=900, max_lockout_s=3600)


@dataclass(frozen=True)
class ThrottleState:
    failures: tuple[float, ...] = ()
    locked_until: float = 0.0
    lockouts: int = 0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_s: int = 0


def after_failure(state: ThrottleState, policy: ThrottlePolicy, now: float) -> ThrottleState:
    recent = (*(t for t in state.failures if now - t < policy.window_s), now)
    if len(recent) < policy.max_failures:
        return replace(state, failures=recent)
    lockout = min(policy.lockout_s * 2 ** state.lockouts, policy.max_lockout_s)
    return ThrottleState(failures=(), locked_until=now + lockout, lockouts=state.lockouts + 1)


def verdict(state: ThrottleState | None, now: float) -> Verdict:
    if state is None or state.locked_until <= now:
        return Verdict(True)
    return Verdict(False, int(state.locked_until - now) + 1)


def retention_s(state: ThrottleState, policy: ThrottlePolicy, now: float) -> float:
    """How long the store must keep the state; lockout history is kept for one window after a lockout ends."""
    return max(state.locked_until - now, 0.0) + policy.window_s


def network_key(ip: str | None) -> str:
    """``net:203.0.113.7`` or ``net:2001:db8:1:2::/64``; unparsable peers share one key."""
    if not ip:
        return "net:unknown"
    try:
        parsed = ipaddress.ip_address(ip.strip())
    except ValueError:
        return "net:unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return f"net:{parsed.ipv4_mapped}"
        return f"net:{ipaddress.ip_network(f'{parsed}/64', strict=False)}"
    return f"net:{parsed}"


def account_key(address: str) -> str:
    return "acct:" + address.strip().lower()


class ThrottleStore(Protocol):
    def get(self, key: str) -> ThrottleState | None: ...

    def put(self, key: str, state: ThrottleState, ttl_s: float) -> None: ...

    def delete(self, key: str) -> None: ...


class MemoryThrottleStore:
    """Process-local store, bounded so that a flood of distinct keys cannot exhaust memory."""

    def __init__(self, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: dict[str, tuple[float, ThrottleState]] = {}
        self._lock = threading.Lock()
        self._max_keys = max_keys
        self._clock = clock

    def get(self, key: str) -> ThrottleState | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= self._clock():
                del self._items[key]
                return None
            return item[1]

    def put(self, key: str, state: ThrottleState, ttl_s: float) -> None:
        with self._lock:
            now = self._clock()
            if key not in self._items and len(self._items) >= self._max_keys:
                for old in [k for k, (expires, _) in self._items.items() if expires <= now]:
                    del self._items[old]
                if len(self._items) >= self._max_keys:
                    del self._items[min(self._items, key=lambda k: self._items[k][0])]
            self._items[key] = (now + ttl_s, state)

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)


class SignInThrottle:
    """The throttle every sign-in path consults: ``check`` before verifying, then ``failure`` or ``success``."""

    def __init__(self, store: ThrottleStore | None = None, *, account_policy: ThrottlePolicy = ACCOUNT_POLICY,
                 network_policy: ThrottlePolicy = NETWORK_POLICY, clock: Callable[[], float] = time.time) -> None:
        self.store: ThrottleStore = store if store is not None else MemoryThrottleStore()
        self.account_policy = account_policy
        self.network_policy = network_policy
        self.clock = clock

    def _keys(self, address: str, ip: str | None) -> tuple[tuple[str, ThrottlePolicy], ...]:
        return ((account_key(address), self.account_policy), (network_key(ip), self.network_policy))

    def check(self, address: str, ip: str | None) -> Verdict:
        now = self.clock()
        worst = Verdict(True)
        for key, _policy in self._keys(address, ip):
            current = verdict(self.store.get(key), now)
            if not current.allowed and current.retry_after_s > worst.retry_after_s:
                worst = current
        return worst

    def failure(self, address: str, ip: str | None) -> Verdict:
        now = self.clock()
        for key, policy in self._keys(address, ip):
            state = after_failure(self.store.get(key) or ThrottleState(), policy, now)
            self.store.put(key, state, retention_s(state, policy, now))
        return self.check(address, ip)

    def success(self, address: str, ip: str | None) -> None:
        self.store.delete(account_key(address))
