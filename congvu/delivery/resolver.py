"""The DNS resolver over the network (dnspython), implementing :class:`congvu.security.dns.Resolver`.

``[dns] resolver = "host:port"`` sends every query to that server (tests start one on loopback; sites with a
local validating resolver point at it); otherwise the system's ``/etc/resolv.conf`` is used. Errors map to the
protocol's conventions: NXDOMAIN raises :class:`NxDomain`, no records of the type gives ``()``, anything else
(SERVFAIL, timeout, refused) raises :class:`DnsTemporaryError`.
"""

from __future__ import annotations

import time
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.message
import dns.rdatatype
import dns.resolver
import dns.reversename

from congvu.config.settings import Settings
from congvu.delivery.config import DnsSettings, dns_settings
from congvu.security.dns import DnsTemporaryError, MxRecord, NxDomain, normalise_name

MAX_REMEMBERED = 20_000
_NXDOMAIN = object()  # a remembered "no such name"


def _negative_ttl(response: dns.message.Message | None) -> float:
    """How long a negative answer may be kept: the SOA's TTL, at most its minimum field (RFC 2308 §5)."""
    if response is None:
        return 0.0
    for rrset in response.authority:
        if rrset.rdtype == dns.rdatatype.SOA and len(rrset):
            return float(min(rrset.ttl, rrset[0].minimum))
    return 0.0


class NetworkResolver:
    def __init__(self, config: DnsSettings | None = None) -> None:
        config = config or DnsSettings()
        if config.server is not None:
            self._resolver = dns.asyncresolver.Resolver(configure=False)
            self._resolver.nameservers = [config.server.host]
            self._resolver.port = config.server.port
        else:
            self._resolver = dns.asyncresolver.Resolver()
        # Answers are kept for their TTL (negative ones for the SOA minimum): SPF/DKIM/DMARC on the MX and MX
        # look-ups for the queue ask the same names again and again.
        self._resolver.cache = dns.resolver.LRUCache()
        self._resolver.lifetime = config.timeout_s
        self._resolver.timeout = config.timeout_s
        # In front of that cache, the outcome per (name, type) until it expires: asking dnspython's cache still
        # parses the name and walks the resolver, and every message on the MX asks the same few names.
        self._remembered: dict[tuple[str, str], tuple[float, Any]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> NetworkResolver:
        return cls(dns_settings(settings))

    async def _query(self, name: str, rdtype: str) -> dns.resolver.Answer | None:
        key = (name.lower().rstrip("."), rdtype)
        now = time.monotonic()
        known = self._remembered.get(key)
        if known is not None and known[0] > now:
            if known[1] is _NXDOMAIN:
                raise NxDomain(f"Tên miền {name} không tồn tại")
            return known[1]
        try:
            answer = await self._resolver.resolve(name.rstrip(".") + ".", rdtype, search=False)
        except dns.resolver.NXDOMAIN as exc:
            qnames = exc.qnames()
            self._remember(key, now + _negative_ttl(exc.response(qnames[0]) if qnames else None), _NXDOMAIN)
            raise NxDomain(f"Tên miền {name} không tồn tại") from exc
        except dns.resolver.NoAnswer as exc:
            self._remember(key, now + _negative_ttl(exc.response()), None)
            return None
        except (dns.resolver.NoNameservers, dns.exception.Timeout, dns.resolver.LifetimeTimeout) as exc:
            raise DnsTemporaryError(f"Tra cứu {rdtype} {name} thất bại tạm thời: {exc}") from exc
        except dns.exception.DNSException as exc:
            raise DnsTemporaryError(f"Tra cứu {rdtype} {name} thất bại: {exc}") from exc
        self._remember(key, now + max(answer.expiration - time.time(), 0.0), answer)
        return answer

    def _remember(self, key: tuple[str, str], until: float, outcome: object) -> None:
        if until <= time.monotonic():
            return
        if len(self._remembered) >= MAX_REMEMBERED:
            self._remembered.clear()
        self._remembered[key] = (until, outcome)

    async def txt(self, name: str) -> tuple[str, ...]:
        answer = await self._query(name, "TXT")
        if answer is None:
            return ()
        return tuple(b"".join(r.strings).decode("utf-8", "replace") for r in answer)

    async def a(self, name: str) -> tuple[str, ...]:
        answer = await self._query(name, "A")
        return () if answer is None else tuple(r.to_text() for r in answer)

    async def aaaa(self, name: str) -> tuple[str, ...]:
        answer = await self._query(name, "AAAA")
        return () if answer is None else tuple(r.to_text() for r in answer)

    async def mx(self, name: str) -> tuple[MxRecord, ...]:
        answer = await self._query(name, "MX")
        if answer is None:
            return ()
        return tuple(sorted(MxRecord(int(r.preference), normalise_name(r.exchange.to_text()))
                            for r in answer))

    async def ptr(self, address: str) -> tuple[str, ...]:
        name = dns.reversename.from_address(address).to_text()
        answer = await self._query(name, "PTR")
        return () if answer is None else tuple(normalise_name(r.to_text()) for r in answer)


__all__ = ["NetworkResolver"]
