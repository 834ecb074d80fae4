"""Usage and monitoring events of the SMTP server: ``send`` for each accepted submission, ``free_mail`` for each
message the free-webmail policy applied to (allowed or not), recorded on a thread through the installation's
usage recorder. A recorder failure is logged and never fails the mail it describes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from congvu.smtpserver.seams import SmtpServices
from congvu.smtpserver.settings import Direction, PolicyAction

log = logging.getLogger("congvu.smtp")
PROTOCOL = "smtp"


async def record(services: SmtpServices, kind: str, *, account_id: int | None,
                 detail: Mapping[str, str | int | None]) -> None:
    recorder = services.usage
    if recorder is None:
        return
    try:
        await asyncio.to_thread(recorder.record, kind, protocol=PROTOCOL, account_id=account_id, detail=detail)
    except Exception:  # a monitoring hiccup must not refuse or lose mail
        log.exception("could not record usage event %s", kind)


async def record_free_mail(services: SmtpServices, direction: Direction, action: PolicyAction, domain: str, *,
                           account_id: int | None, recipients: int | None = None) -> None:
    detail: dict[str, str | int | None] = {"direction": direction.value, "action": action.value, "domain": domain}
    if recipients is not None:
        detail["recipients"] = recipients
    await record(services, "free_mail", account_id=account_id, detail=detail)
