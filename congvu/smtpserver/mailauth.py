"""The MX's inbound authentication: :func:`congvu.security.mailauth.evaluate_inbound` (SPF, DKIM, DMARC, ARC)
behind the server's :class:`~congvu.smtpserver.seams.InboundAuthenticator` seam.

The DMARC disposition maps to what the server does: ``reject`` refuses with ``550 5.7.1`` at the end of DATA,
``quarantine`` files the message into the recipients' Junk folder (RFC 7489 §6.3), ``accept`` delivers; the
``Authentication-Results`` field (RFC 8601) is added in every case. ``[mailauth]`` in ``congvu.toml`` says how far
published policies are followed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from congvu.mail.fields import split_header, unfold
from congvu.security.dns import Resolver
from congvu.security.mailauth import Disposition, InboundPolicy, evaluate_inbound
from congvu.smtpserver.seams import InboundAction, InboundMessage, InboundVerdict

FORGED_PREFIX = b"X-Forged-"
_COMMENT = re.compile(rb"\([^()]*\)")


def rename_forged_results(raw: bytes, authserv_id: str) -> bytes:
    """RFC 8601 section 5: an ``Authentication-Results`` field that arrives claiming to be ours is a forgery; it is
    renamed ``X-Forged-Authentication-Results`` (so nothing downstream trusts it) and otherwise kept as it was."""
    wanted = authserv_id.lower().encode("ascii", "replace")
    out = raw
    for field in reversed(split_header(raw).fields):
        if field.key != "authentication-results":
            continue
        value = _COMMENT.sub(b"", unfold(field.value)).strip().lower()
        claimed = re.split(rb"[;\s]", value, maxsplit=1)[0]
        if claimed == wanted:
            out = out[:field.start] + FORGED_PREFIX + out[field.start:]
    return out


_ACTIONS = {Disposition.ACCEPT: InboundAction.ACCEPT, Disposition.QUARANTINE: InboundAction.JUNK,
            Disposition.REJECT: InboundAction.REJECT}


class MailAuthChecker:
    def __init__(self, resolver: Resolver, *, authserv_id: str, policy: InboundPolicy | None = None) -> None:
        self.resolver = resolver
        self.authserv_id = authserv_id
        self.policy = policy or InboundPolicy()

    @classmethod
    def from_config(cls, resolver: Resolver, *, authserv_id: str, raw: Mapping[str, object]) -> MailAuthChecker:
        return cls(resolver, authserv_id=authserv_id, policy=InboundPolicy.from_config(raw))

    async def assess(self, message: InboundMessage) -> InboundVerdict:
        result = await evaluate_inbound(raw=message.raw, client_ip=message.client_ip or "0.0.0.0",
                                        helo=message.helo or "", mail_from=message.mail_from,
                                        resolver=self.resolver, authserv_id=self.authserv_id, policy=self.policy)
        reason = ""
        if result.disposition == Disposition.REJECT:
            domain = result.dmarc.from_domain.encode("ascii", "replace").decode("ascii")
            reason = (f"the DMARC policy of {domain} asks to reject mail that fails authentication "
                      "(RFC 7489 section 6.3)")
        return InboundVerdict(action=_ACTIONS[result.disposition], authentication_results=result.header,
                              reason=reason)
