"""Where mail for a domain goes: a static route, the domain's MX hosts, or the domain itself.

RFC 5321 §5.1: MX records in order of preference (hosts of equal preference in random order), the domain's own
address records when it has no MX (the "implicit MX"), and no delivery at all for a null MX (RFC 7505 §3) or a
domain that does not exist. Each host name is resolved to its IPv6 and IPv4 addresses. A host that is this
server itself is left out, so mail never loops back to us. ``[delivery.routes]`` overrides all of it (a
smarthost, another installation reached over a private link, the tests' peer servers).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import groupby

from congvu.delivery.config import DeliverySettings
from congvu.security.dns import DnsTemporaryError, NxDomain, Resolver

MAX_TARGETS = 10


@dataclass(frozen=True)
class Target:
    name: str  # the host name (TLS server name, MTA-STS matching, DSN Remote-MTA)
    address: str  # what to connect to: an IP address, or a name for static routes
    port: int = 25

    def __str__(self) -> str:
        return f"{self.name}[{self.address}]:{self.port}" if self.name != self.address else \
            f"{self.address}:{self.port}"


class RouteError(Exception):
    def __init__(self, reason: str, *, permanent: bool, enhanced: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.enhanced = enhanced


async def _addresses(resolver: Resolver, host: str) -> tuple[str, ...]:
    found: list[str] = []
    failure: DnsTemporaryError | None = None
    for lookup in (resolver.aaaa, resolver.a):
        try:
            found.extend(await lookup(host))
        except NxDomain:
            return ()
        except DnsTemporaryError as exc:
            failure = exc
    if not found and failure is not None:
        raise failure
    return tuple(found)


async def resolve_targets(domain: str, settings: DeliverySettings, resolver: Resolver,
                          *, rng: random.Random | None = None) -> tuple[Target, ...]:
    """The hosts to try for ``domain``, best first; :class:`RouteError` when there are none."""
    static = settings.route_for(domain)
    if static is not None:
        return (Target(static.host, static.host, static.port),)
    shuffle = rng or random.Random()
    try:
        records = await resolver.mx(domain)
    except NxDomain as exc:
        raise RouteError(f"tên miền {domain} không tồn tại", permanent=True, enhanced="5.1.2") from exc
    except DnsTemporaryError as exc:
        raise RouteError(f"không tra được MX của {domain}: {exc}", permanent=False, enhanced="4.4.3") from exc
    if len(records) == 1 and records[0].host == "":
        raise RouteError(f"{domain} công bố không nhận thư (null MX, RFC 7505)", permanent=True, enhanced="5.1.10")
    hosts: list[str] = []
    if records:
        for _, group in groupby(sorted(records), key=lambda r: r.preference):
            names = [r.host for r in group if r.host]
            shuffle.shuffle(names)
            hosts.extend(names)
    else:
        hosts = [domain]  # RFC 5321 §5.1 implicit MX
    own = settings.hostname.lower()
    targets: list[Target] = []
    temporary = False
    for host in hosts:
        if host == own:
            break  # RFC 5321 §5.1: only hosts more preferred than ourselves
        try:
            addresses = await _addresses(resolver, host)
        except DnsTemporaryError:
            temporary = True
            continue
        targets.extend(Target(host, address) for address in addresses)
        if len(targets) >= MAX_TARGETS:
            break
    if not targets:
        if not records and not temporary:
            raise RouteError(f"{domain} không có MX và không có địa chỉ", permanent=True, enhanced="5.1.2")
        raise RouteError(f"không có máy chủ nhận thư nào của {domain} có địa chỉ", permanent=False,
                         enhanced="4.4.4")
    return tuple(targets[:MAX_TARGETS])


__all__ = ["RouteError", "Target", "resolve_targets"]
