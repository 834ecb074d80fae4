"""Local delivery of the reports the queue generates (DSNs to senders of this installation).

A report for a local sender goes straight into the sender's mailbox through the mail store rather than out
and back in over SMTP; the sender's address is resolved like any incoming recipient (aliases and groups
expand to their mailboxes).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from congvu.directory.resolve import AddressState
from congvu.directory.service import Directory


class MailboxDelivery(Protocol):
    """The part of :class:`congvu.mailstore.api.MailStoreApi` used here."""

    def deliver(self, raw: bytes, mailbox_ids: Sequence[int], *, internal_date: datetime | None = None) -> object:
        ...


class ReportSink(Protocol):
    def deliver_local(self, address: str, raw: bytes) -> bool:
        """Deliver ``raw`` to the local ``address``; False when it has no mailbox to receive it."""
        ...


class MailStoreReports:
    def __init__(self, directory: Directory, store: MailboxDelivery) -> None:
        self.directory = directory
        self.store = store

    def deliver_local(self, address: str, raw: bytes) -> bool:
        with self.directory.ctx.db.read() as conn:
            resolution = self.directory.recipients.resolve(conn, address)
        if resolution.state != AddressState.DELIVERABLE or not resolution.mailbox_ids:
            return False
        self.store.deliver(raw, resolution.mailbox_ids)
        return True


__all__ = ["MailStoreReports", "MailboxDelivery", "ReportSink"]
