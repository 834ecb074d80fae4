"""The DNS lookups the mail authentication verifiers and the delivery worker need, as a protocol.

Verifiers take a :class:`Resolver` and do no I/O of their own (the real one, over dnspython, is
:class:`congvu.delivery.resolver.NetworkResolver`); :class:`StaticResolver` answers from a table, for tests and
for checks of a zone before it is published. Conventions shared by every implementation:

- a name that does not exist raises :class:`NxDomain`; a name without records of the type returns ``()``
  (RFC 7208 §4.3 and §4.6.4 count both as "void" lookups; MX delivery tells them apart, RFC 5321 §5.1);
- a server failure or timeout raises :class:`DnsTemporaryError` (SPF ``temperror``, a delivery retry);
- names are given and returned without the trailing dot, lower case.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from congvu.errors import CongVuError


class DnsError(CongVuError):
    """A lookup did not give an answer."""


class NxDomain(DnsError):
    """The name does not exist (RCODE 3)."""


class DnsTemporaryError(DnsError):
    """The lookup failed for now (SERVFAIL, timeout, refused)."""


@dataclass(frozen=True, order=True)
class MxRecord:
    preference: int
    host: str  # "" for the null MX "." (RFC 7505)


class Resolver(Protocol):
    async def txt(self, name: str) -> tuple[str, ...]:
        """TXT records, each with its character-strings joined (RFC 7208 §3.3)."""
        ...

    async def a(self, name: str) -> tuple[str, ...]: ...

    async def aaaa(self, name: str) -> tuple[str, ...]: ...

    async def mx(self, name: str) -> tuple[MxRecord, ...]: ...

    async def ptr(self, address: str) -> tuple[str, ...]:
        """Names of an IPv4 or IPv6 address (the reverse lookup is built here)."""
        ...


def normalise_name(name: str) -> str:
    return name.strip().rstrip(".").lower()


@dataclass
class StaticResolver:
    """Answers from dictionaries keyed by name; names listed in ``temporary`` fail temporarily.

    A name is known (NODATA rather than NXDOMAIN) when any table holds it.
    """

    txt_records: Mapping[str, Sequence[str]] = field(default_factory=dict)
    a_records: Mapping[str, Sequence[str]] = field(default_factory=dict)
    aaaa_records: Mapping[str, Sequence[str]] = field(default_factory=dict)
    mx_records: Mapping[str, Sequence[tuple[int, str]]] = field(default_factory=dict)
    ptr_records: Mapping[str, Sequence[str]] = field(default_factory=dict)
    temporary: frozenset[str] = frozenset()
    queries: list[tuple[str, str]] = field(default_factory=list)

    def _known(self, name: str) -> bool:
        tables: tuple[Mapping[str, object], ...] = (
            self.txt_records, self.a_records, self.aaaa_records, self.mx_records, self.ptr_records)
        return any(name in table for table in tables)

    def _lookup(self, kind: str, name: str, table: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
        key = normalise_name(name)
        self.queries.append((kind, key))
        if key in self.temporary:
            raise DnsTemporaryError(f"Lỗi tạm thời khi tra cứu {kind} {key}")
        if key in table:
            return tuple(table[key])
        if self._known(key):
            return ()
        raise NxDomain(f"Tên miền {key} không tồn tại")

    async def txt(self, name: str) -> tuple[str, ...]:
        return self._lookup("TXT", name, self.txt_records)

    async def a(self, name: str) -> tuple[str, ...]:
        return self._lookup("A", name, self.a_records)

    async def aaaa(self, name: str) -> tuple[str, ...]:
        return self._lookup("AAAA", name, self.aaaa_records)

    async def mx(self, name: str) -> tuple[MxRecord, ...]:
        key = normalise_name(name)
        self.queries.append(("MX", key))
        if key in self.temporary:
            raise DnsTemporaryError(f"Lỗi tạm thời khi tra cứu MX {key}")
        if key in self.mx_records:
            return tuple(sorted(MxRecord(p, normalise_name(h)) for p, h in self.mx_records[key]))
        if self._known(key):
            return ()
        raise NxDomain(f"Tên miền {key} không tồn tại")

    async def ptr(self, address: str) -> tuple[str, ...]:
        return self._lookup("PTR", reverse_name(address), self.ptr_records)


def reverse_name(address: str) -> str:
    """``in-addr.arpa`` / ``ip6.arpa`` name of an address (RFC 1035 §3.5, RFC 3596 §2.5)."""
    return ipaddress.ip_address(address).reverse_pointer


__all__ = ["DnsError", "DnsTemporaryError", "MxRecord", "NxDomain", "Resolver", "StaticResolver",
           "normalise_name", "reverse_name"]
