"""Success notices for mail delivered here (RFC 3461 NOTIFY=SUCCESS, RFC 3464 ``delivered``/``expanded``).

Once a message's local copies are durable, every recipient that asked for SUCCESS and whose mail went into
mailboxes of this installation gets a ``delivered`` line (an alias or group that also sends copies outside gets
``expanded``, RFC 3464 §2.3.3) in one report to the envelope sender, echoing ``ENVID`` and ``ORCPT``; recipients
outside go through the outbound queue, which reports on them. The report goes into the sender's mailbox when the
sender is ours, to the outbound queue otherwise; it is never sent for the null sender. A fault here is logged and
never turns the accepted message into a failure.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from congvu.delivery.dsn import DELIVERED, EXPANDED, RecipientReport, build_dsn
from congvu.delivery.dsnparams import NEVER, SUCCESS
from congvu.directory.resolve import AddressState
from congvu.smtpserver.state import AcceptedRecipient, Transaction

if TYPE_CHECKING:
    from congvu.smtpserver.runtime import ServerState

log = logging.getLogger("congvu.smtp")


def local_successes(recipients: Sequence[AcceptedRecipient], held: Sequence[str]) -> list[RecipientReport]:
    """The report lines for recipients delivered here that asked for SUCCESS (not held ones)."""
    lines = []
    for recipient in recipients:
        notify = recipient.dsn.notify
        if not notify or SUCCESS not in notify or NEVER in notify or recipient.address in held:
            continue
        resolution = recipient.resolution
        if resolution.state == AddressState.REMOTE or not resolution.mailbox_ids:
            continue  # the outbound queue reports on it
        lines.append(RecipientReport(
            recipient=recipient.address, status="2.0.0", diagnostic="250 2.0.0 delivered to the mailbox",
            remote_mta=None, last_attempt=None, from_remote=False,
            action=EXPANDED if resolution.remote else DELIVERED, original_recipient=recipient.dsn.orcpt))
    return lines


async def send_success_report(state: ServerState, txn: Transaction, raw: bytes, lines: list[RecipientReport],
                              now: datetime) -> None:
    if not lines or not txn.sender:
        return
    book = state.addressbook
    services = state.services
    report = build_dsn(original=raw, sender=txn.sender, hostname=state.hostname,
                       postmaster=f"postmaster@{book.primary_domain}", arrival=now, now=now, failures=lines,
                       envelope_id=txn.dsn.envid)
    try:
        if book.is_local(txn.sender):
            found = await book.resolve(txn.sender)
            if found.state == AddressState.DELIVERABLE and found.mailbox_ids:
                await services.mailstore.deliver(report, list(found.mailbox_ids))
            else:
                log.warning("no mailbox for the success report of %s to %s", txn.queue_id, txn.sender)
        elif services.outbound is not None:
            await asyncio.to_thread(services.outbound.enqueue_report, recipient=txn.sender, raw=report)
    except Exception:  # the message itself is durable: a report fault must not turn into a failure
        log.exception("success report of %s could not be sent", txn.queue_id)


__all__ = ["local_successes", "send_success_report"]
