"""The ``Authentication-Results`` header field (RFC 8601) written by the MX, and reading it back.

Format (RFC 8601 §2.2): ``authserv-id; method=result [reason="…"] ptype.property=value …`` with one
``resinfo`` per method, ``none`` when nothing was evaluated. Property values that are not a token, an address
or a domain are quoted. DKIM results name the signature with ``header.d``, ``header.s`` and ``header.b``
(RFC 6008), DMARC the author domain with ``header.from`` (RFC 7489 §11.2) and, as a comment, the policy.
"""

from __future__ import annotations

import re

from congvu.security.arc import ArcOutcome
from congvu.security.dkimverify import DkimOutcome
from congvu.security.dmarc import DmarcOutcome
from congvu.security.spf import SpfOutcome

_PVALUE = re.compile(r"^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]*@?[A-Za-z0-9.\-_]+$")


def _value(text: str) -> str:
    if text and _PVALUE.match(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _reason(text: str) -> str:
    # A reason is free text; keep it on one line and ASCII-safe (RFC 8601 §2.2 reasonspec is a value).
    clean = re.sub(r"\s+", " ", text).strip()
    clean = clean.encode("ascii", "replace").decode("ascii")[:200]
    return f' reason="{clean.replace(chr(92), "").replace(chr(34), chr(39))}"' if clean else ""


def spf_resinfo(spf: SpfOutcome) -> str:
    prop = f"smtp.mailfrom={_value(spf.sender)}" if spf.identity == "mailfrom" else f"smtp.helo={_value(spf.domain)}"
    return f"spf={spf.result.value} {prop}"


def dkim_resinfo(outcome: DkimOutcome) -> str:
    parts = [f"dkim={outcome.result.value}"]
    if outcome.result.value not in ("pass", "none") and outcome.reason:
        parts[0] += _reason(outcome.reason)
    if outcome.domain:
        parts.append(f"header.d={_value(outcome.domain)}")
    if outcome.selector:
        parts.append(f"header.s={_value(outcome.selector)}")
    if outcome.signature_prefix:
        parts.append(f"header.b={_value(outcome.signature_prefix)}")
    return " ".join(parts)


def dmarc_resinfo(dmarc: DmarcOutcome) -> str:
    comment = ""
    if dmarc.policy is not None:
        applied = dmarc.applied_policy.value if dmarc.applied_policy else "none"
        comment = f" (p={dmarc.policy.value} sp={applied} pct={dmarc.percent})"
    text = f"dmarc={dmarc.result}{comment}"
    return text + (f" header.from={_value(dmarc.from_domain)}" if dmarc.from_domain else "")


def format_authentication_results(authserv_id: str, *, spf: SpfOutcome, dkim: tuple[DkimOutcome, ...],
                                  dmarc: DmarcOutcome, arc: ArcOutcome) -> str:
    """The field value on one line, without ``Authentication-Results:`` (folded when the field is written)."""
    resinfo = [spf_resinfo(spf)]
    resinfo += [dkim_resinfo(d) for d in dkim] or ["dkim=none"]
    resinfo.append(dmarc_resinfo(dmarc))
    resinfo.append(f"arc={arc.result}")
    return f"{authserv_id}; " + "; ".join(resinfo)


def parse_results(value: str) -> tuple[str, dict[str, str]]:
    """The authserv-id and each method's result (the first per method) of a field value, for checks."""
    text = re.sub(r"\([^)]*\)", "", value.replace("\r\n", " "))
    head, _, rest = text.partition(";")
    results: dict[str, str] = {}
    for item in rest.split(";"):
        match = re.match(r"\s*([a-z0-9-]+)\s*=\s*([a-z]+)", item, re.IGNORECASE)
        if match:
            results.setdefault(match.group(1).lower(), match.group(2).lower())
    return head.strip(), results


__all__ = ["dkim_resinfo", "dmarc_resinfo", "format_authentication_results", "parse_results", "spf_resinfo"]
