"""The DNS resolver over the network (dnspython), implementing :class:`congvu.security.dns.Resolver`.

``[dns] resolver = "host:port"`` sends every query to that server (tests start one on loopback; sites with a
local validating resolver point at it); otherwise the system's ``/etc/resolv.conf`` is used. Errors map to the
protocol's conventions: NXDOMAIN raises :class:`NxDomain`, no records of the type gives ``()``, anything else
(SERVFAIL, timeout, refused) raises :class:`DnsTemporaryError`.
"""

from __future__ import annotations

import dns.asyncresolver
import dns.exception
import dns.rdatatype
import dns.resolver
import dns.reversename

from congvu.config.settings import Settings
from congvu.delivery.config import DnsSettings, dns_settings
from congvu.security.dns import DnsTemporaryError, MxRecord, NxDomain, normalise_name


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

    @classmethod
    def from_settings(cls, settings: Settings) -> NetworkResolver:
        return cls(dns_settings(settings))

    async def _query(self, name: str, rdtype: str) -> dns.resolver.Answer | None:
        try:
            return await self._resolver.resolve(name.rstrip(".") + ".", rdtype, search=False)
        except dns.resolver.NXDOMAIN as exc:
            raise NxDomain(f"Tên miền {name} không tồn tại") from exc
        except dns.resolver.NoAnswer:
            return None
        except (dns.resolver.NoNameservers, dns.exception.Timeout, dns.resolver.LifetimeTimeout) as exc:
            raise DnsTemporaryError(f"Tra cứu {rdtype} {name} thất bại tạm thời: {exc}") from exc
        except dns.exception.DNSException as exc:
            raise DnsTemporaryError(f"Tra cứu {rdtype} {name} thất bại: {exc}") from exc

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
