"""ARC chain validation (RFC 8617 §5.2) through dkimpy, the key records fetched through the injected resolver.

The result is recorded as ``arc=`` in ``Authentication-Results`` (RFC 8617 §10.1); local policy may use a
passing chain from a trusted forwarder to override a DMARC failure, which CôngVụ does not do by default.
"""

from __future__ import annotations

from dataclasses import dataclass

import dkim

from congvu.mail.fields import split_header
from congvu.security.dkimverify import dns_callback, fetch_keys, tag_list
from congvu.security.dns import Resolver

MAX_ARC_SETS = 50  # RFC 8617 §4.2.1


@dataclass(frozen=True)
class ArcOutcome:
    result: str  # none | pass | fail
    instances: int = 0
    reason: str = ""


async def verify_arc(raw: bytes, resolver: Resolver) -> ArcOutcome:
    header = split_header(raw)
    seals = header.all("arc-seal")
    if not seals:
        return ArcOutcome("none")
    if len(seals) > MAX_ARC_SETS:
        return ArcOutcome("fail", len(seals), "quá nhiều bộ ARC")
    pairs: set[tuple[str, str]] = set()
    for field in (*seals, *header.all("arc-message-signature")):
        tags = tag_list(field.value)
        if tags.get("s") and tags.get("d"):
            pairs.add((tags["s"], tags["d"].lower()))
    records = await fetch_keys(resolver, pairs)
    try:
        cv, _results, reason = dkim.ARC(raw).verify(dnsfunc=dns_callback(records))
    except dkim.DKIMException as exc:
        return ArcOutcome("fail", len(seals), str(exc))
    except (ValueError, TypeError, KeyError, IndexError) as exc:  # malformed input reaching the library
        return ArcOutcome("fail", len(seals), f"chuỗi ARC không đọc được: {exc}")
    result = {dkim.CV_Pass: "pass", dkim.CV_None: "none"}.get(cv, "fail")
    return ArcOutcome(result, len(seals), reason if result != "pass" else "")


__all__ = ["ArcOutcome", "verify_arc"]
