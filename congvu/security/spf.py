"""Sender Policy Framework: the ``check_host()`` function of RFC 7208, with the resolver injected.

Implements record selection (§4.5), the mechanisms ``all``, ``include``, ``a``, ``mx``, ``ptr``, ``ip4``,
``ip6``, ``exists`` (§5) with dual CIDR lengths, the ``redirect`` modifier (§6.1; ``exp`` is parsed and not
evaluated, since rejections carry our own text), macros (§7) and the processing limits: 10 terms that query DNS
(§4.6.4), 10 names per ``mx`` or ``ptr``, 2 void lookups. Results are the seven of §2.6.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from enum import StrEnum

from congvu.security.dns import DnsTemporaryError, NxDomain, Resolver, normalise_name

MAX_DNS_TERMS = 10  # RFC 7208 §4.6.4
MAX_VOID_LOOKUPS = 2
MAX_NAMES_PER_TERM = 10


class SpfResult(StrEnum):
    NONE = "none"
    NEUTRAL = "neutral"
    PASS = "pass"
    FAIL = "fail"
    SOFTFAIL = "softfail"
    TEMPERROR = "temperror"
    PERMERROR = "permerror"


_MECHANISMS = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})
_QUALIFIERS = {"+": SpfResult.PASS, "-": SpfResult.FAIL, "~": SpfResult.SOFTFAIL, "?": SpfResult.NEUTRAL}


@dataclass(frozen=True)
class SpfOutcome:
    result: SpfResult
    identity: str  # "mailfrom" or "helo" (RFC 8601 §2.7.2 smtp.mailfrom / smtp.helo)
    domain: str  # the domain checked
    sender: str  # the identity as checked: mail_from, or postmaster@helo
    reason: str = ""


class _Error(Exception):
    def __init__(self, result: SpfResult, reason: str) -> None:
        super().__init__(reason)
        self.result = result
        self.reason = reason


@dataclass
class _State:
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    sender: str
    helo: str
    resolver: Resolver
    dns_terms: int = 0
    void_lookups: int = 0
    trail: list[str] = field(default_factory=list)

    def count_term(self) -> None:
        self.dns_terms += 1
        if self.dns_terms > MAX_DNS_TERMS:
            raise _Error(SpfResult.PERMERROR, "quá 10 lượt tra cứu DNS (RFC 7208 §4.6.4)")

    async def query(self, kind: str, name: str) -> tuple[str, ...]:
        try:
            if kind == "TXT":
                answer = await self.resolver.txt(name)
            elif kind == "A":
                answer = await self.resolver.a(name)
            elif kind == "AAAA":
                answer = await self.resolver.aaaa(name)
            elif kind == "MX":
                answer = tuple(mx.host for mx in await self.resolver.mx(name) if mx.host)
            else:
                answer = await self.resolver.ptr(name)
        except NxDomain:
            answer = ()
        except DnsTemporaryError as exc:
            raise _Error(SpfResult.TEMPERROR, f"DNS {kind} {name}: {exc}") from exc
        if not answer:
            self.void_lookups += 1
            if self.void_lookups > MAX_VOID_LOOKUPS:
                raise _Error(SpfResult.PERMERROR, "quá 2 lượt tra cứu không có kết quả (RFC 7208 §4.6.4)")
        return answer

    async def addresses(self, name: str) -> tuple[str, ...]:
        return await self.query("A" if self.ip.version == 4 else "AAAA", name)


_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}$")
_MACRO_RE = re.compile(r"%(?:\{([slodiphcrtvSLODIPHCRTV])(\d*)(r?)([.\-+,/_=]*)\}|(%)|(_)|(-))")


def _valid_domain(name: str) -> bool:
    return bool(_DOMAIN_RE.match(name.lower()))


def _macro_value(letter: str, state: _State, domain: str) -> str:
    local, _, sender_domain = state.sender.rpartition("@")
    ip = state.ip
    values = {
        "s": state.sender, "l": local or "postmaster", "o": sender_domain, "d": domain, "h": state.helo,
        "i": ".".join(ip.exploded.replace(":", "")) if ip.version == 6 else str(ip),
        "v": "in-addr" if ip.version == 4 else "ip6", "p": "unknown",
        "c": str(ip), "r": "unknown", "t": "0",
    }
    return values[letter.lower()]


def expand(spec: str, state: _State, domain: str) -> str:
    """RFC 7208 §7.3 macro expansion."""
    def replace(match: re.Match[str]) -> str:
        if match.group(5):
            return "%"
        if match.group(6):
            return " "
        if match.group(7):
            return "%20"
        letter, digits, reverse, delimiters = match.group(1), match.group(2), match.group(3), match.group(4)
        value = _macro_value(letter, state, domain)
        parts = re.split("[" + re.escape(delimiters or ".") + "]", value)
        if reverse:
            parts.reverse()
        if digits:
            count = int(digits)
            if count == 0:
                raise _Error(SpfResult.PERMERROR, "macro với số 0 (RFC 7208 §7.3)")
            parts = parts[-count:]
        return ".".join(parts)

    if re.search(r"%[^{%_-]|%$", spec):
        raise _Error(SpfResult.PERMERROR, f"macro sai cú pháp: {spec!r}")
    expanded = _MACRO_RE.sub(replace, spec)
    while len(expanded) > 253 and "." in expanded:  # §7.3: drop labels from the left
        expanded = expanded.split(".", 1)[1]
    return expanded


def _split_cidr(text: str) -> tuple[str, int | None, int | None]:
    """``domain-spec/24//64`` → (domain-spec, 24, 64)."""
    v6: int | None = None
    v4: int | None = None
    if "//" in text:
        text, _, v6_text = text.rpartition("//")
        v6 = _cidr(v6_text, 128)
    match = re.search(r"/(\d+)$", text)
    if match:
        v4 = _cidr(match.group(1), 32)
        text = text[: match.start()]
    return text, v4, v6


def _cidr(text: str, top: int) -> int:
    if not text.isdigit() or int(text) > top or (len(text) > 1 and text.startswith("0")):
        raise _Error(SpfResult.PERMERROR, f"độ dài CIDR sai: /{text}")
    return int(text)


def _in_network(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, address: str, v4: int | None,
                v6: int | None) -> bool:
    try:
        candidate = ipaddress.ip_address(address)
    except ValueError:
        return False
    if candidate.version != ip.version:
        return False
    prefix = (v4 if v4 is not None else 32) if ip.version == 4 else (v6 if v6 is not None else 128)
    return ip in ipaddress.ip_network(f"{candidate}/{prefix}", strict=False)


async def _record(state: _State, domain: str) -> str | None:
    try:
        texts = await state.resolver.txt(domain)
    except NxDomain:
        return None
    except DnsTemporaryError as exc:
        raise _Error(SpfResult.TEMPERROR, f"DNS TXT {domain}: {exc}") from exc
    records = [t for t in texts if t.lower() == "v=spf1" or t.lower().startswith("v=spf1 ")]
    if len(records) > 1:
        raise _Error(SpfResult.PERMERROR, f"{domain} có nhiều bản ghi SPF (RFC 7208 §4.5)")
    return records[0] if records else None


async def _evaluate(state: _State, domain: str, depth: int) -> SpfResult:
    if depth > 20:
        raise _Error(SpfResult.PERMERROR, "include/redirect lồng nhau quá sâu")
    record = await _record(state, domain)
    if record is None:
        return SpfResult.NONE
    terms = record.split()[1:]
    redirect: str | None = None
    seen_modifiers: set[str] = set()
    directives: list[tuple[SpfResult, str, str]] = []
    for term in terms:
        modifier = re.match(r"^([a-z][a-z0-9_.-]*)=(.*)$", term, re.IGNORECASE)
        if modifier:
            name = modifier.group(1).lower()
            if name in ("redirect", "exp"):
                if name in seen_modifiers:
                    raise _Error(SpfResult.PERMERROR, f"«{name}» xuất hiện hai lần (RFC 7208 §6)")
                seen_modifiers.add(name)
                if name == "redirect":
                    redirect = modifier.group(2)
            continue
        qualifier = SpfResult.PASS
        if term[:1] in _QUALIFIERS:
            qualifier, term = _QUALIFIERS[term[0]], term[1:]
        parsed = re.match(r"^([a-z0-9]+)([:/].*)?$", term, re.IGNORECASE)
        if parsed is None:
            raise _Error(SpfResult.PERMERROR, f"từ SPF không hợp lệ: {term!r}")
        if parsed.group(1).lower() not in _MECHANISMS:
            raise _Error(SpfResult.PERMERROR, f"cơ chế SPF không biết: {term!r} (RFC 7208 §4.6)")
        rest = parsed.group(2) or ""
        directives.append((qualifier, parsed.group(1).lower(), rest[1:] if rest.startswith(":") else rest))
    for qualifier, mechanism, argument in directives:
        if await _matches(state, mechanism, argument, domain, depth):
            return qualifier
    if redirect is not None:
        state.count_term()
        target = expand(redirect, state, domain)
        if not _valid_domain(target):
            raise _Error(SpfResult.PERMERROR, f"redirect tới tên miền sai: {target!r}")
        result = await _evaluate(state, target, depth + 1)
        if result == SpfResult.NONE:
            raise _Error(SpfResult.PERMERROR, f"redirect tới {target} không có bản ghi SPF")
        return result
    return SpfResult.NEUTRAL


async def _matches(state: _State, mechanism: str, argument: str, domain: str, depth: int) -> bool:
    ip = state.ip
    if mechanism == "all":
        return True
    if mechanism in ("ip4", "ip6"):
        try:
            network = ipaddress.ip_network(argument, strict=False)
        except ValueError as exc:
            raise _Error(SpfResult.PERMERROR, f"{mechanism}:{argument} không hợp lệ") from exc
        if network.version != (4 if mechanism == "ip4" else 6):
            raise _Error(SpfResult.PERMERROR, f"{mechanism}:{argument} sai họ địa chỉ")
        return ip.version == network.version and ip in network
    if mechanism in ("a", "mx"):
        spec, v4, v6 = _split_cidr(argument)
        state.count_term()
        target = expand(spec, state, domain) if spec else domain
        if mechanism == "a":
            return any(_in_network(ip, address, v4, v6) for address in await state.addresses(target))
        hosts = await state.query("MX", target)
        if len(hosts) > MAX_NAMES_PER_TERM:
            raise _Error(SpfResult.PERMERROR, f"{target} có quá 10 bản ghi MX (RFC 7208 §4.6.4)")
        for host in hosts:
            if any(_in_network(ip, address, v4, v6) for address in await state.addresses(host)):
                return True
        return False
    if mechanism == "include":
        state.count_term()
        target = expand(argument, state, domain)
        if not argument or not _valid_domain(target):
            raise _Error(SpfResult.PERMERROR, f"include sai: {argument!r}")
        result = await _evaluate(state, target, depth + 1)
        if result == SpfResult.PASS:
            return True
        if result in (SpfResult.FAIL, SpfResult.SOFTFAIL, SpfResult.NEUTRAL):
            return False
        if result == SpfResult.TEMPERROR:
            raise _Error(SpfResult.TEMPERROR, f"include:{target} lỗi tạm thời")
        raise _Error(SpfResult.PERMERROR, f"include:{target} không có bản ghi SPF hợp lệ")
    if mechanism == "exists":
        state.count_term()
        if not argument:
            raise _Error(SpfResult.PERMERROR, "exists thiếu tên miền")
        target = expand(argument, state, domain)
        try:
            return bool(await state.resolver.a(target))
        except NxDomain:
            return False
        except DnsTemporaryError as exc:
            raise _Error(SpfResult.TEMPERROR, f"DNS A {target}: {exc}") from exc
    if mechanism == "ptr":
        state.count_term()
        target = expand(argument, state, domain) if argument else domain
        names = (await state.query("PTR", str(ip)))[:MAX_NAMES_PER_TERM]
        for name in names:
            name = normalise_name(name)
            if name != target and not name.endswith("." + target):
                continue
            if str(ip) in {str(ipaddress.ip_address(a)) for a in await state.addresses(name)}:
                return True
        return False
    raise _Error(SpfResult.PERMERROR, f"cơ chế SPF không biết: {mechanism!r}")


async def check_host(*, client_ip: str, mail_from: str, helo: str, resolver: Resolver) -> SpfOutcome:
    """SPF for the MAIL FROM identity, or for HELO when the reverse-path is null (RFC 7208 §2.4)."""
    helo_name = normalise_name(helo)
    if mail_from:
        identity, sender = "mailfrom", mail_from
        domain = normalise_name(mail_from.rpartition("@")[2])
        if "@" not in mail_from or not mail_from.rpartition("@")[0]:
            sender = f"postmaster@{domain}"
    else:
        identity, sender, domain = "helo", f"postmaster@{helo_name}", helo_name
    try:
        ip = ipaddress.ip_address(client_ip)
    except ValueError:
        return SpfOutcome(SpfResult.NONE, identity, domain, sender, "địa chỉ máy khách không hợp lệ")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not _valid_domain(domain):
        return SpfOutcome(SpfResult.NONE, identity, domain, sender, "tên miền không hợp lệ (RFC 7208 §4.3)")
    state = _State(ip=ip, sender=sender, helo=helo_name, resolver=resolver)
    try:
        result = await _evaluate(state, domain, 0)
    except _Error as error:
        return SpfOutcome(error.result, identity, domain, sender, error.reason)
    return SpfOutcome(result, identity, domain, sender)


__all__ = ["SpfOutcome", "SpfResult", "check_host", "expand"]
