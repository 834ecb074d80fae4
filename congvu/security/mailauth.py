"""Authentication of inbound mail at the MX: SPF, DKIM, DMARC and ARC, recorded as ``Authentication-Results``.

:func:`evaluate_inbound` is what the SMTP server calls after DATA, before the message is stored: it evaluates
SPF for the envelope (RFC 7208 §2.4 MAIL FROM, §2.3 HELO when the reverse-path is null), every DKIM signature
(RFC 6376 §6), the author domain's DMARC policy (RFC 7489 §6.6) and the ARC chain (RFC 8617 §5.2), and returns
the results with the header field value to prepend (RFC 8601 §2.2) and what to do with the message:

- ``disposition`` ``accept``, ``quarantine`` (deliver to the recipient's Junk folder) or ``reject`` (``550
  5.7.1`` at the end of DATA), following the published policy as :class:`InboundPolicy` allows;
- the resolver is injected (:class:`congvu.security.dns.Resolver`); nothing here opens a socket.

``[mailauth]`` in ``congvu.toml``: ``dmarc_reject = true`` (honour ``p=reject``; false turns rejections into
quarantine), ``dmarc_quarantine = true`` (honour ``p=quarantine``; false delivers to the inbox, results still
recorded).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from congvu.security.arc import ArcOutcome, verify_arc
from congvu.security.authresults import format_authentication_results
from congvu.security.dkimverify import DkimOutcome, verify_dkim
from congvu.security.dmarc import DmarcOutcome, DmarcPolicy, evaluate_dmarc
from congvu.security.dns import Resolver
from congvu.security.spf import SpfOutcome, check_host


class Disposition(StrEnum):
    ACCEPT = "accept"
    QUARANTINE = "quarantine"
    REJECT = "reject"


@dataclass(frozen=True)
class InboundPolicy:
    """How far the published DMARC policy is followed."""

    honour_reject: bool = True
    honour_quarantine: bool = True

    @classmethod
    def from_config(cls, raw: Mapping[str, object]) -> InboundPolicy:
        """From the ``[mailauth]`` table of ``congvu.toml`` (``Settings.raw``)."""
        section = raw.get("mailauth", {})
        table = section if isinstance(section, dict) else {}
        return cls(honour_reject=bool(table.get("dmarc_reject", True)),
                   honour_quarantine=bool(table.get("dmarc_quarantine", True)))


@dataclass(frozen=True)
class InboundAuthResult:
    header: str
    """The ``Authentication-Results`` field value (RFC 8601), without the field name."""
    spf: SpfOutcome
    dkim: tuple[DkimOutcome, ...]
    dmarc: DmarcOutcome
    arc: ArcOutcome
    disposition: Disposition

    @property
    def dmarc_policy(self) -> DmarcPolicy | None:
        """The policy the author domain asks for (``none``, ``quarantine``, ``reject``), when it has one."""
        return self.dmarc.policy

    @property
    def header_field(self) -> str:
        """``Authentication-Results: …`` ready for :func:`congvu.mail.compose.prepend_header` (name, value)."""
        return f"Authentication-Results: {self.header}"


def _sampled(raw: bytes, percent: int) -> bool:
    # RFC 7489 §6.6.4: pct<100 applies the policy to that share of failing mail. A hash of the message keeps the
    # choice stable across retries of the same message.
    if percent >= 100:
        return True
    bucket = int.from_bytes(hashlib.sha256(raw).digest()[:2], "big") % 100
    return bucket < percent


def disposition_for(dmarc: DmarcOutcome, policy: InboundPolicy, raw: bytes) -> Disposition:
    """RFC 7489 §6.6.4 / §6.7: what to do with a message whose DMARC evaluation failed."""
    if dmarc.result != "fail" or dmarc.applied_policy is None:
        return Disposition.ACCEPT
    wanted = dmarc.applied_policy
    if not _sampled(raw, dmarc.percent):
        wanted = DmarcPolicy.QUARANTINE if wanted == DmarcPolicy.REJECT else DmarcPolicy.NONE
    if wanted == DmarcPolicy.REJECT:
        if policy.honour_reject:
            return Disposition.REJECT
        wanted = DmarcPolicy.QUARANTINE
    if wanted == DmarcPolicy.QUARANTINE and policy.honour_quarantine:
        return Disposition.QUARANTINE
    return Disposition.ACCEPT


async def evaluate_inbound(*, raw: bytes, client_ip: str, helo: str, mail_from: str, resolver: Resolver,
                           authserv_id: str = "localhost", policy: InboundPolicy | None = None,
                           ) -> InboundAuthResult:
    """Evaluate SPF, DKIM, DMARC and ARC for a message received from ``client_ip``.

    ``mail_from`` is the envelope reverse-path without brackets (``""`` for ``<>``); ``authserv_id`` names this
    server in the header (use the installation's host name).
    """
    spf = await check_host(client_ip=client_ip, mail_from=mail_from, helo=helo, resolver=resolver)
    dkim = await verify_dkim(raw, resolver)
    dmarc = await evaluate_dmarc(raw, spf=spf, dkim=dkim, resolver=resolver)
    arc = await verify_arc(raw, resolver)
    disposition = disposition_for(dmarc, policy or InboundPolicy(), raw)
    header = format_authentication_results(authserv_id, spf=spf, dkim=dkim, dmarc=dmarc, arc=arc)
    return InboundAuthResult(header=header, spf=spf, dkim=dkim, dmarc=dmarc, arc=arc, disposition=disposition)


__all__ = ["Disposition", "InboundAuthResult", "InboundPolicy", "disposition_for", "evaluate_inbound"]
