"""DKIM verification (RFC 6376 §6) of every signature of a message, the key records fetched through the
injected resolver.

dkimpy does the cryptography and canonicalisation; its synchronous DNS callback is served from records fetched
beforehand (one TXT lookup per ``s=``/``d=`` pair, RFC 6376 §3.6.2.1), so nothing blocks the event loop and the
verifier does no I/O. Results follow RFC 8601 §2.7.1: ``pass``, ``fail`` (the signature does not verify),
``neutral`` (a syntactically wrong signature), ``temperror`` (key lookup failed for now), ``permerror`` (no
key, bad key, unsupported algorithm).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import dkim

from congvu.mail.fields import split_header, unfold
from congvu.security.dns import DnsTemporaryError, NxDomain, Resolver, normalise_name

MAX_SIGNATURES = 10  # bound the work one message can cause


class DkimResult(StrEnum):
    NONE = "none"
    PASS = "pass"
    FAIL = "fail"
    NEUTRAL = "neutral"
    TEMPERROR = "temperror"
    PERMERROR = "permerror"


@dataclass(frozen=True)
class DkimOutcome:
    result: DkimResult
    domain: str  # d=
    selector: str  # s=
    identity: str = ""  # i=
    signature_prefix: str = ""  # first characters of b= (RFC 6008 header.b)
    reason: str = ""


def tag_list(value: bytes) -> dict[str, str]:
    """RFC 6376 §3.2 tag=value list (whitespace around tags and values dropped)."""
    tags: dict[str, str] = {}
    for item in unfold(value).decode("ascii", "replace").split(";"):
        name, eq, text = item.partition("=")
        if eq:
            tags.setdefault(name.strip(), re.sub(r"\s+", "", text) if name.strip() in ("b", "bh") else text.strip())
    return tags


KeyRecords = Mapping[str, bytes | DnsTemporaryError | None]


async def fetch_keys(resolver: Resolver, pairs: set[tuple[str, str]]) -> dict[str, bytes | DnsTemporaryError | None]:
    """``selector._domainkey.domain`` → TXT bytes (None when absent, the error when it failed for now)."""
    records: dict[str, bytes | DnsTemporaryError | None] = {}
    for selector, domain in sorted(pairs):
        name = normalise_name(f"{selector}._domainkey.{domain}")
        try:
            texts = await resolver.txt(name)
            records[name] = texts[0].encode("utf-8") if texts else None
        except NxDomain:
            records[name] = None
        except DnsTemporaryError as exc:
            records[name] = exc
    return records


def dns_callback(records: KeyRecords) -> Callable[..., bytes | None]:
    """A dkimpy ``dnsfunc`` answering from prefetched records."""
    def lookup(name: bytes, timeout: float = 5) -> bytes | None:
        key = normalise_name(name.decode("ascii", "replace"))
        value = records.get(key)
        if isinstance(value, DnsTemporaryError):
            raise dkim.DnsTimeoutError(str(value))
        return value
    return lookup


def _verify_one(raw: bytes, index: int, tags: dict[str, str], records: KeyRecords) -> DkimOutcome:
    domain, selector = tags.get("d", "").lower(), tags.get("s", "")
    prefix = tags.get("b", "")[:8]
    base = {"domain": domain, "selector": selector, "identity": tags.get("i", ""), "signature_prefix": prefix}
    if not domain or not selector or "b" not in tags or "bh" not in tags:
        return DkimOutcome(DkimResult.NEUTRAL, reason="chữ ký thiếu thẻ bắt buộc (RFC 6376 §3.5)", **base)
    key = records.get(normalise_name(f"{selector}._domainkey.{domain}"))
    if isinstance(key, DnsTemporaryError):
        return DkimOutcome(DkimResult.TEMPERROR, reason=f"tra cứu khoá tạm thời thất bại: {key}", **base)
    if key is None:
        return DkimOutcome(DkimResult.PERMERROR, reason="không có khoá công khai trong DNS", **base)
    verifier = dkim.DKIM(raw)
    try:
        ok = verifier.verify(idx=index, dnsfunc=dns_callback(records))
    except dkim.KeyFormatError as exc:
        return DkimOutcome(DkimResult.PERMERROR, reason=f"khoá sai: {exc}", **base)
    except dkim.ValidationError as exc:  # body hash mismatch, expired signature, From not signed
        return DkimOutcome(DkimResult.FAIL, reason=str(exc), **base)
    except dkim.DKIMException as exc:  # a signature that cannot be parsed
        return DkimOutcome(DkimResult.NEUTRAL, reason=str(exc), **base)
    except (ValueError, TypeError, KeyError, IndexError) as exc:  # malformed input reaching the library
        return DkimOutcome(DkimResult.NEUTRAL, reason=f"chữ ký không đọc được: {exc}", **base)
    if ok:
        return DkimOutcome(DkimResult.PASS, **base)
    return DkimOutcome(DkimResult.FAIL, reason="chữ ký không khớp nội dung", **base)


async def verify_dkim(raw: bytes, resolver: Resolver) -> tuple[DkimOutcome, ...]:
    """One outcome per ``DKIM-Signature`` field (top first); empty when the message is unsigned."""
    fields = split_header(raw).all("dkim-signature")[:MAX_SIGNATURES]
    if not fields:
        return ()
    signatures = [tag_list(f.value) for f in fields]
    pairs = {(t["s"], t["d"].lower()) for t in signatures if t.get("s") and t.get("d")}
    records = await fetch_keys(resolver, pairs)
    return tuple(_verify_one(raw, i, tags, records) for i, tags in enumerate(signatures))


__all__ = ["DkimOutcome", "DkimResult", "dns_callback", "fetch_keys", "tag_list", "verify_dkim"]
