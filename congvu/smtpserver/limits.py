"""Counters behind the SMTP limits: open connections (in all, per client network, signed in per account) and
messages accepted per client network or account in a sliding hour.

Clients are counted by network as the sign-in throttle does (one IPv4 address, one IPv6 /64), so a host cannot
escape a limit by rotating through the addresses of its own /64. Each process counts what it serves; under
``congvu serve`` with several processes each counter also learns what the others count
(:meth:`congvu.smtpserver.runtime.ServerState.share_limits`, :mod:`congvu.runtime.shared_limits`) and checks its
limit against the sum, so that a limit holds for the whole server. The counters take the clock as an argument;
refusals are turned into replies by the caller (:mod:`congvu.smtpserver.replies`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from congvu.runtime.shared_limits import PeerGauge, PeerWindow, SharedLimits
from congvu.runtime.sliding import HOUR_S, SlidingCount
from congvu.security import throttle
from congvu.smtpserver import replies
from congvu.smtpserver.replies import Reply
from congvu.smtpserver.settings import SmtpLimits

__all__ = ["HOUR_S", "AccountSessions", "ConnectionGate", "MessageRates", "SlidingCount", "network_key"]

# The key of a peer's network, asked for at every connection and message: parsing the address each time showed.
network_key = lru_cache(maxsize=4096)(throttle.network_key)


class ConnectionGate:
    """Open connections, in all and per client network."""

    def __init__(self, *, max_total: int, max_per_network: int) -> None:
        self.max_total = max_total
        self.max_per_network = max_per_network
        self._per_network: dict[str, int] = {}
        self._total = 0
        self.peers: PeerGauge | None = None  # what the other processes of the server have open

    def share(self, shared: SharedLimits) -> None:
        self.peers = shared.gauge("smtp.net", lambda: self._per_network)

    @property
    def total(self) -> int:
        return self._total

    def admit(self, ip: str | None) -> Reply | None:
        """Count a new connection, or return the reply refusing it (then nothing is counted)."""
        key = network_key(ip)
        peers = self.peers
        count = self._per_network.get(key, 0)
        if self.max_total and self._total + (peers.total if peers else 0) >= self.max_total:
            return replies.SERVER_BUSY
        if self.max_per_network and count + (peers.others(key) if peers else 0) >= self.max_per_network:
            return replies.too_many_connections(self.max_per_network)
        self._per_network[key] = count + 1
        self._total += 1
        if peers is not None:
            peers.changed(key, count + 1)
        return None

    def release(self, ip: str | None) -> None:
        key = network_key(ip)
        left = self._per_network.get(key, 0) - 1
        if left > 0:
            self._per_network[key] = left
        else:
            self._per_network.pop(key, None)
        self._total = max(self._total - 1, 0)
        if self.peers is not None:
            self.peers.changed(key, max(left, 0))


class AccountSessions:
    """Connections signed in as each account."""

    def __init__(self, *, max_per_account: int) -> None:
        self.max_per_account = max_per_account
        self._open: dict[int, int] = {}
        self.peers: PeerGauge | None = None

    def share(self, shared: SharedLimits) -> None:
        self.peers = shared.gauge("smtp.account", lambda: {str(k): v for k, v in self._open.items()})

    def claim(self, account_id: int) -> Reply | None:
        count = self._open.get(account_id, 0)
        peers = self.peers
        others = 0 if peers is None else peers.others(str(account_id))
        if self.max_per_account and count + others >= self.max_per_account:
            return replies.too_many_sessions(self.max_per_account)
        self._open[account_id] = count + 1
        if peers is not None:
            peers.changed(str(account_id), count + 1)
        return None

    def release(self, account_id: int) -> None:
        left = self._open.get(account_id, 0) - 1
        if left > 0:
            self._open[account_id] = left
        else:
            self._open.pop(account_id, None)
        if self.peers is not None:
            self.peers.changed(str(account_id), max(left, 0))


@dataclass
class MessageRates:
    """Messages accepted in the last hour per client network (mail from the Internet) and per account
    (submission)."""

    limits: SmtpLimits
    per_network: SlidingCount
    per_account: SlidingCount
    peers_network: PeerWindow | None = None  # what the other processes of the server accepted
    peers_account: PeerWindow | None = None

    @classmethod
    def create(cls, limits: SmtpLimits, clock: Callable[[], float] = time.monotonic) -> MessageRates:
        return cls(limits, SlidingCount(clock=clock), SlidingCount(clock=clock))

    def share(self, shared: SharedLimits) -> None:
        self.peers_network = shared.window("smtp.net", self.per_network.recent)
        self.peers_account = shared.window("smtp.account", self.per_account.recent)

    def check(self, *, ip: str | None, account_id: int | None) -> Reply | None:
        if account_id is not None:
            limit = self.limits.max_messages_per_account_per_hour
            if limit and _seen(self.per_account, self.peers_account, str(account_id)) >= limit:
                return replies.account_rate_exceeded(limit)
            return None
        limit = self.limits.max_messages_per_ip_per_hour
        if limit and _seen(self.per_network, self.peers_network, network_key(ip)) >= limit:
            return replies.ip_rate_exceeded(limit)
        return None

    def record(self, *, ip: str | None, account_id: int | None) -> None:
        if account_id is not None:
            _record(self.per_account, self.peers_account, str(account_id))
        else:
            _record(self.per_network, self.peers_network, network_key(ip))


def _seen(own: SlidingCount, peers: PeerWindow | None, key: str) -> int:
    """Messages of ``key`` in the window, in this process and (when shared) in the others."""
    return own.count(key) + (peers.others(key) if peers is not None else 0)


def _record(own: SlidingCount, peers: PeerWindow | None, key: str) -> None:
    own.add(key)
    if peers is not None:
        peers.recorded(key)
