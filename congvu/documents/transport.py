"""How packages leave: the outbox, the ``Transport`` protocol and the dispatcher that drains the outbox.

A document or status package is written to the blob store and queued in ``doc_outbox`` in the same transaction
that changes the document, so nothing is sent that was not recorded and nothing recorded is forgotten if the
process stops. The dispatcher claims due rows one at a time (``claimed_until`` keeps two processes off the same
row), hands each to the transport named on the row, and marks it sent, or records the error and retries with a
growing delay. Receivers detect a package that arrives twice by its DocumentId, so a retry after a crash between
delivery and marking is harmless.

Transports: ``local`` (an agency of this installation: straight to the arrival entry point), ``http`` (a peer
system, :mod:`congvu.documents.http_exchange`), ``mail`` (the agency's official address,
:mod:`congvu.documents.mail_bridge`). QĐ 28/2018/QĐ-TTg practice keeps transport acknowledgement apart from the
business statuses 01–16: "sent" here means the transport took the package, nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Connection, Row, insert, select, update

from congvu.documents.context import DocContext
from congvu.errors import CongVuError
from congvu.store.schema_documents import doc_outbox, doc_outgoing, doc_recipients

CLAIM_SECONDS = 120
MAX_DELAY = timedelta(hours=6)


class PackageKind(StrEnum):
    EDOC = "edoc"
    STATUS = "status"


@dataclass(frozen=True)
class OutgoingPackage:
    """A package on its way: who sends it, to which agency, and its bytes."""

    outbox_id: int
    kind: PackageKind
    document_id: str
    sender_organ_id: str
    recipient_organ_id: str
    data: bytes


class TransportError(CongVuError):
    """A transport could not hand the package over now; the dispatcher tries again later."""


class Transport(Protocol):
    """Carries a package to the recipient agency's system. Raise TransportError on failure."""

    name: str

    def deliver(self, package: OutgoingPackage) -> None: ...


class LocalTransport:
    """Inside one installation: the package arrives at once through the arrival entry point."""

    name = "local"

    def __init__(self, accept: Callable[[bytes, str, str | None], object]) -> None:
        self._accept = accept

    def deliver(self, package: OutgoingPackage) -> None:
        target = package.recipient_organ_id if package.kind is PackageKind.EDOC else None
        self._accept(package.data, self.name, target)


def enqueue(conn: Connection, ctx: DocContext, *, kind: PackageKind, document_id: str, sender: str,
            recipient: str, transport: str, sha256: str) -> None:
    """Queue a stored package for a recipient agency (inside the caller's transaction)."""
    now = ctx.now()
    conn.execute(insert(doc_outbox).values(
        kind=kind.value, document_id=document_id, sender_organ_id=sender, recipient_organ_id=recipient,
        transport=transport, sha256=sha256, created_at=now, attempts=0, next_attempt_at=now))


@dataclass(frozen=True)
class DispatchReport:
    sent: int
    failed: int
    errors: tuple[str, ...] = ()


class Dispatcher:
    """Drains the outbox through the transports it is given."""

    def __init__(self, ctx: DocContext, transports: Mapping[str, Transport]) -> None:
        self.ctx = ctx
        self.transports = dict(transports)

    def _claim(self, outbox_id: int) -> bool:
        now = self.ctx.now()
        with self.ctx.db.begin() as conn:
            result = conn.execute(update(doc_outbox).where(
                doc_outbox.c.id == outbox_id, doc_outbox.c.sent_at.is_(None),
                doc_outbox.c.claimed_until.is_(None) | (doc_outbox.c.claimed_until < now))
                .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS)))
            return result.rowcount == 1

    def pending(self) -> int:
        with self.ctx.db.read() as conn:
            return len(conn.execute(select(doc_outbox.c.id).where(doc_outbox.c.sent_at.is_(None))).all())

    def run(self, *, max_rounds: int = 20, batch: int = 200) -> DispatchReport:
        """Send what is due; local deliveries queue their statuses, which the next round sends back."""
        sent = failed = 0
        errors: list[str] = []
        tried: set[int] = set()
        for _ in range(max_rounds):
            with self.ctx.db.read() as conn:
                due = conn.execute(select(doc_outbox).where(
                    doc_outbox.c.sent_at.is_(None), doc_outbox.c.next_attempt_at <= self.ctx.now())
                    .order_by(doc_outbox.c.id).limit(batch)).all()
            due = [r for r in due if r.id not in tried]
            if not due:
                break
            for row in due:
                tried.add(row.id)
                if not self._claim(row.id):
                    continue
                ok, error = self._send(row)
                if ok:
                    sent += 1
                else:
                    failed += 1
                    errors.append(error)
        return DispatchReport(sent, failed, tuple(errors))

    def _send(self, r: Row[Any]) -> tuple[bool, str]:
        transport = self.transports.get(r.transport)
        error = ""
        if transport is None:
            error = f"Chưa cấu hình đường truyền «{r.transport}»"
        else:
            try:
                data = self.ctx.blobs.get(r.sha256)
                transport.deliver(OutgoingPackage(
                    r.id, PackageKind(r.kind), r.document_id,
                    r.sender_organ_id, r.recipient_organ_id, data))
            except CongVuError as exc:
                error = exc.message
        now = self.ctx.now()
        with self.ctx.db.begin() as conn:
            if not error:
                conn.execute(update(doc_outbox).where(doc_outbox.c.id == r.id)
                             .values(sent_at=now, claimed_until=None, last_error=None,
                                     attempts=doc_outbox.c.attempts + 1))
                if r.kind == PackageKind.EDOC.value:
                    self._mark_recipient_sent(conn, r.document_id, r.recipient_organ_id, now)
                return True, ""
            attempts = int(r.attempts) + 1
            delay = min(timedelta(seconds=30 * 2 ** min(attempts, 12)), MAX_DELAY)
            conn.execute(update(doc_outbox).where(doc_outbox.c.id == r.id)
                         .values(attempts=attempts, claimed_until=None, last_error=error,
                                 next_attempt_at=now + delay))
        return False, f"{r.recipient_organ_id}: {error}"

    @staticmethod
    def _mark_recipient_sent(conn: Connection, document_id: str, organ_id: str, when: datetime) -> None:
        outgoing_id = conn.execute(select(doc_outgoing.c.id).where(
            doc_outgoing.c.document_id == document_id)).scalar()
        if outgoing_id is not None:
            conn.execute(update(doc_recipients).where(
                doc_recipients.c.outgoing_id == outgoing_id, doc_recipients.c.organ_id == organ_id,
                doc_recipients.c.sent_at.is_(None)).values(sent_at=when))
