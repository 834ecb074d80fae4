"""Limits of the IMAP server: line and literal sizes, timeouts, connections per account and per client address.

RFC 9051 §5.4: a server with an inactivity autologout timer must wait at least 30 minutes in the authenticated
and selected states (the same after IDLE, RFC 2177 §3); before authentication a short wait is allowed, and this
server uses one so that half-open connections do not pile up. RFC 7889: APPENDLIMIT is the largest message
APPEND takes. RFC 9051 §4.3 leaves line and literal sizes to the server; RFC 7888 §4 bounds non-synchronising
literals when only LITERAL- is offered (this server offers LITERAL+ and bounds them by the same APPENDLIMIT).
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from dataclasses import dataclass

from congvu.errors import InvalidInput
from congvu.runtime.shared_limits import PeerGauge, SharedLimits

MIB = 1024 * 1024


@dataclass(frozen=True)
class ImapLimits:
    """Every limit and timeout of the IMAP server; the defaults suit a province's installation."""

    max_line_bytes: int = 64 * 1024
    max_message_bytes: int = 50 * MIB  # APPENDLIMIT (RFC 7889)
    max_preauth_literal_bytes: int = 8 * 1024  # LOGIN with a literal password is all a client needs before auth
    preauth_timeout_s: float = 60.0
    autologout_s: float = 30 * 60.0  # RFC 9051 §5.4: at least 30 minutes once authenticated
    tls_handshake_timeout_s: float = 30.0
    write_timeout_s: float = 300.0  # a client that reads nothing for this long is disconnected
    max_connections_per_account: int = 50
    max_connections_per_address: int = 500  # agencies often share one NAT address
    max_connections: int = 20_000
    max_bad_commands: int = 20  # consecutive BAD answers before the server hangs up
    auth_failure_delay_s: float = 1.0
    shared_rights_check_s: float = 30.0  # how often an IDLE session re-reads its rights on a shared folder
    account_check_s: float = 3.0  # how often open sessions of disabled or removed accounts are looked for
    poll_interval_s: float = 30.0  # NOOP asks the store at least this often even without a change event
    quota_storage_bytes: int | None = None  # None: usage is reported with no limit
    fetch_batch: int = 200  # messages read from the store per round trip in FETCH

    def __post_init__(self) -> None:
        for name in ("max_line_bytes", "max_message_bytes", "max_preauth_literal_bytes", "fetch_batch"):
            if getattr(self, name) <= 0:
                raise InvalidInput(f"Giới hạn IMAP {name} phải lớn hơn 0", message_en=f"IMAP limit {name} must be > 0",
                                   field=name)


def address_key(host: str | None) -> str:
    """The client address a connection counts against: an IPv4 address or an IPv6 /64."""
    if not host:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


class ConnectionCounter:
    """Open connections by client address and by account, for the limits above (one event loop, no locks).

    Under ``congvu serve`` with several processes, :meth:`share` adds what the other processes have open
    (:mod:`congvu.runtime.shared_limits`), so that the limits hold for the whole server.
    """

    def __init__(self, limits: ImapLimits) -> None:
        self.limits = limits
        self.total = 0
        self._by_address: Counter[str] = Counter()
        self._by_account: Counter[int] = Counter()
        self.peers_address: PeerGauge | None = None
        self.peers_account: PeerGauge | None = None

    def share(self, shared: SharedLimits) -> None:
        self.peers_address = shared.gauge("imap.address", lambda: self._by_address)
        self.peers_account = shared.gauge("imap.account", lambda: {str(k): v for k, v in self._by_account.items()})

    def open(self, address: str) -> bool:
        """Count a new connection; False (and nothing counted) when a limit is reached."""
        peers = self.peers_address
        count = self._by_address[address]
        if self.total + (peers.total if peers else 0) >= self.limits.max_connections:
            return False
        if count + (peers.others(address) if peers else 0) >= self.limits.max_connections_per_address:
            return False
        self.total += 1
        self._by_address[address] = count + 1
        if peers is not None:
            peers.changed(address, count + 1)
        return True

    def close(self, address: str) -> None:
        self.total -= 1
        self._by_address[address] -= 1
        left = self._by_address[address]
        if left <= 0:
            del self._by_address[address]
        if self.peers_address is not None:
            self.peers_address.changed(address, max(left, 0))

    def sign_in(self, account_id: int) -> bool:
        count = self._by_account[account_id]
        peers = self.peers_account
        others = 0 if peers is None else peers.others(str(account_id))
        if count + others >= self.limits.max_connections_per_account:
            return False
        self._by_account[account_id] = count + 1
        if peers is not None:
            peers.changed(str(account_id), count + 1)
        return True

    def sign_out(self, account_id: int) -> None:
        self._by_account[account_id] -= 1
        left = self._by_account[account_id]
        if left <= 0:
            del self._by_account[account_id]
        if self.peers_account is not None:
            self.peers_account.changed(str(account_id), max(left, 0))

    def sessions_of(self, account_id: int) -> int:
        return self._by_account[account_id]
