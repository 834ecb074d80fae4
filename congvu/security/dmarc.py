"""DMARC evaluation (RFC 7489): the author domain's policy record, identifier alignment and the result.

Policy discovery (§6.6.3): ``_dmarc.<author domain>``, else ``_dmarc.<organizational domain>``, the
organizational domain found with the Public Suffix List (§3.2). Alignment (§3.1): a passing SPF or DKIM
identifier in the same organizational domain (relaxed, the default) or the very same domain (strict). The
policy applied is ``p``, or ``sp`` when the record was found for the organizational domain of a sub-domain
(§6.3); ``pct`` is reported for :func:`congvu.security.mailauth.disposition_for`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from publicsuffix2 import PublicSuffixList

from congvu.mail.fields import split_header
from congvu.mail.headers import parse_addresses
from congvu.security.dkimverify import DkimOutcome, DkimResult
from congvu.security.dns import DnsTemporaryError, NxDomain, Resolver, normalise_name
from congvu.security.spf import SpfOutcome, SpfResult


class DmarcPolicy(StrEnum):
    NONE = "none"
    QUARANTINE = "quarantine"
    REJECT = "reject"


@dataclass(frozen=True)
class DmarcRecord:
    policy: DmarcPolicy
    subdomain_policy: DmarcPolicy | None
    dkim_strict: bool
    spf_strict: bool
    percent: int


@dataclass(frozen=True)
class DmarcOutcome:
    result: str  # none | pass | fail | temperror | permerror
    from_domain: str
    policy: DmarcPolicy | None = None  # the record's p=
    applied_policy: DmarcPolicy | None = None  # p= or sp= as it applies to from_domain
    percent: int = 100
    spf_aligned: bool = False
    dkim_aligned: bool = False
    record_domain: str = ""
    reason: str = ""


@cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the list shipped with the package: no network


def organizational_domain(domain: str) -> str:
    """RFC 7489 §3.2: the public suffix plus one label."""
    name = normalise_name(domain)
    suffix = _suffixes().get_tld(name) or name.rpartition(".")[2]
    if name == suffix or not name.endswith("." + suffix):
        return name
    head = name[: -len(suffix) - 1]
    return f"{head.rpartition('.')[2]}.{suffix}"


def aligned(identifier: str, author: str, *, strict: bool) -> bool:
    identifier, author = normalise_name(identifier), normalise_name(author)
    if strict:
        return identifier == author
    return organizational_domain(identifier) == organizational_domain(author)


def _policy(value: str | None) -> DmarcPolicy | None:
    try:
        return DmarcPolicy(value.strip().lower()) if value is not None else None
    except ValueError:
        return None


def parse_record(text: str) -> DmarcRecord | None:
    """RFC 7489 §6.3; None when the record is not usable."""
    tags: dict[str, str] = {}
    for item in text.split(";"):
        name, eq, value = item.partition("=")
        if eq:
            tags.setdefault(name.strip().lower(), value.strip())
    if tags.get("v") != "DMARC1":
        return None
    policy = _policy(tags.get("p"))
    if policy is None:
        # §6.6.3: a record with a bad or missing p= but a rua= is read as p=none.
        if "rua" not in tags:
            return None
        policy = DmarcPolicy.NONE
    try:
        percent = min(max(int(tags.get("pct", "100")), 0), 100)
    except ValueError:
        percent = 100
    return DmarcRecord(policy=policy, subdomain_policy=_policy(tags.get("sp")),
                       dkim_strict=tags.get("adkim", "r").lower() == "s",
                       spf_strict=tags.get("aspf", "r").lower() == "s", percent=percent)


async def _lookup(resolver: Resolver, domain: str) -> DmarcRecord | None:
    try:
        texts = await resolver.txt(f"_dmarc.{domain}")
    except NxDomain:
        return None
    records = [t for t in texts if t.replace(" ", "").startswith("v=DMARC1")]
    if len(records) != 1:  # §6.6.3: none, or more than one, means no policy
        return None
    return parse_record(records[0])


def author_domain(raw: bytes) -> tuple[str | None, str]:
    """The RFC5322.From domain, or (None, reason) when there is not exactly one author address."""
    header = split_header(raw)
    froms = header.all("from")
    if len(froms) != 1:
        return None, "thư phải có đúng một trường From (RFC 7489 §6.6.1)"
    pairs = parse_addresses((header.value("from") or b"").decode("utf-8", "replace"))
    if len(pairs) != 1 or "@" not in pairs[0][1]:
        return None, "trường From phải có đúng một địa chỉ"
    return normalise_name(pairs[0][1].rpartition("@")[2]), ""


async def evaluate_dmarc(raw: bytes, *, spf: SpfOutcome, dkim: tuple[DkimOutcome, ...],
                         resolver: Resolver) -> DmarcOutcome:
    domain, reason = author_domain(raw)
    if domain is None:
        return DmarcOutcome("permerror", "", reason=reason)
    org = organizational_domain(domain)
    try:
        record = await _lookup(resolver, domain)
        record_domain = domain
        if record is None and org != domain:
            record = await _lookup(resolver, org)
            record_domain = org
    except DnsTemporaryError as exc:
        return DmarcOutcome("temperror", domain, reason=str(exc))
    if record is None:
        return DmarcOutcome("none", domain, reason="tên miền không công bố chính sách DMARC")
    applied = record.policy
    if record_domain != domain and record.subdomain_policy is not None:
        applied = record.subdomain_policy
    # RFC 7489 §3.1.2: with a null reverse-path the SPF identity checked is the HELO name.
    spf_ok = spf.result == SpfResult.PASS and aligned(
        spf.domain, domain, strict=record.spf_strict)
    dkim_ok = any(d.result == DkimResult.PASS and aligned(d.domain, domain, strict=record.dkim_strict) for d in dkim)
    return DmarcOutcome("pass" if spf_ok or dkim_ok else "fail", domain, policy=record.policy,
                        applied_policy=applied, percent=record.percent, spf_aligned=spf_ok, dkim_aligned=dkim_ok,
                        record_domain=record_domain)


__all__ = ["DmarcOutcome", "DmarcPolicy", "DmarcRecord", "aligned", "author_domain", "evaluate_dmarc",
           "organizational_domain", "parse_record"]
