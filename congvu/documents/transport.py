"""How packages leave: the outbox, the ``Transport`` protocol and the dispatcher that drains the outbox.

A document or status package is written to the blob store and queued in ``doc_outbox`` in the same transaction
that changes the document, so nothing is sent that was not recorded and nothing recorded is forgotten if the
process stops. A package for many agencies is stored once and queued once per recipient. The dispatcher claims
due rows (``claimed_until`` keeps two processes off the same row), hands each to the transport named on the row,
and marks it sent, or records the error and retries with a growing delay; rows that carry the same package by a
transport able to take them together (``local``) are claimed, delivered and marked as one group, in three
transactions whatever their number. Receivers detect a package that arrives twice by its DocumentId, so a retry
after a crash between delivery and marking is harmless.

Transports: ``local`` (an agency of this installation: straight to the arrival entry point), ``http`` (a peer
system, :mod:`congvu.documents.http_exchange`), ``mail`` (the agency's official address,
:mod:`congvu.documents.mail_bridge`). QĐ 28/2018/QĐ-TTg practice keeps transport acknowledgement apart from the
business statuses 01–16: "sent" here means the transport took the package, nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, cast

from sqlalchemy import Connection, Row, func, insert, select, update

from congvu.documents.context import DocContext
from congvu.errors import CongVuError
from congvu.store.schema_documents import doc_outbox, doc_outgoing, doc_recipients

LOCAL = "local"  # the transport inside one installation
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


class GroupTransport(Transport, Protocol):
    """A transport that hands one package to several recipient agencies at once."""

    def deliver_group(self, packages: Sequence[OutgoingPackage]) -> None:
        """Deliver ``packages``, which all carry the same bytes, or raise TransportError for all of them."""
        ...


class LocalTransport:
    """Inside one installation: the package arrives at once through the arrival entry point.

    A document for eighty agencies of the installation is one package: it is read and its signatures checked
    once, and each agency gets its entry in one transaction.
    """

    name = LOCAL

    def __init__(self, accept: Callable[[bytes, str, tuple[str, ...] | None], object]) -> None:
        self._accept = accept

    def deliver(self, package: OutgoingPackage) -> None:
        self.deliver_group((package,))

    def deliver_group(self, packages: Sequence[OutgoingPackage]) -> None:
        first = packages[0]
        # A status is about the document, not the mailbox: applied once it reaches every copy here.
        targets = tuple(p.recipient_organ_id for p in packages) if first.kind is PackageKind.EDOC else None
        self._accept(first.data, self.name, targets)


def enqueue(conn: Connection, ctx: DocContext, *, kind: PackageKind, document_id: str, sender: str,
            recipient: str, transport: str, sha256: str) -> None:
    """Queue a stored package for a recipient agency (inside the caller's transaction)."""
    enqueue_all(conn, ctx, kind=kind, document_id=document_id, sender=sender, sha256=sha256,
                recipients=((recipient, transport),))


def enqueue_all(conn: Connection, ctx: DocContext, *, kind: PackageKind, document_id: str, sender: str,
                sha256: str, recipients: Sequence[tuple[str, str]]) -> None:
    """Queue one stored package for each ``(recipient agency, transport)``, in one statement."""
    if not recipients:
        return
    now = ctx.now()
    conn.execute(insert(doc_outbox), [dict(
        kind=kind.value, document_id=document_id, sender_organ_id=sender, recipient_organ_id=recipient,
        transport=transport, sha256=sha256, created_at=now, attempts=0, next_attempt_at=now)
        for recipient, transport in recipients])


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

    def pending(self) -> int:
        with self.ctx.db.read() as conn:
            return int(conn.execute(select(func.count()).select_from(doc_outbox)
                                    .where(doc_outbox.c.sent_at.is_(None))).scalar_one())

    def run(self, *, max_rounds: int = 20, batch: int = 200) -> DispatchReport:
        """Send what is due, round after round while a delivery queues more (a status for another system)."""
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
            for group in self._groups(due):
                tried.update(r.id for r in group)
                claimed = self._claim(group)
                if not claimed:
                    continue
                error = self._deliver(claimed)
                self._settle(claimed, error)
                if error:
                    failed += len(claimed)
                    errors.extend(f"{r.recipient_organ_id}: {error}" for r in claimed)
                else:
                    sent += len(claimed)
        return DispatchReport(sent, failed, tuple(errors))

    def _groups(self, rows: Sequence[Row[Any]]) -> list[list[Row[Any]]]:
        """Rows in outbox order; those carrying the same package by a transport that takes groups go together."""
        groups: dict[tuple[object, ...], list[Row[Any]]] = {}
        for r in rows:
            groups_ok = hasattr(self.transports.get(r.transport), "deliver_group")
            key = (r.transport, r.kind, r.sha256, r.sender_organ_id) if groups_ok else (r.id,)
            groups.setdefault(key, []).append(r)
        return list(groups.values())

    def _claim(self, rows: Sequence[Row[Any]]) -> list[Row[Any]]:
        """The rows of ``rows`` this process may send now (``claimed_until`` keeps other processes off them)."""
        now = self.ctx.now()
        with self.ctx.db.begin() as conn:
            taken = set(conn.execute(update(doc_outbox).where(
                doc_outbox.c.id.in_([r.id for r in rows]), doc_outbox.c.sent_at.is_(None),
                doc_outbox.c.claimed_until.is_(None) | (doc_outbox.c.claimed_until < now))
                .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
                .returning(doc_outbox.c.id)).scalars())
        return [r for r in rows if r.id in taken]

    def _deliver(self, rows: Sequence[Row[Any]]) -> str:
        """Hand the package of ``rows`` over; the error message, or "" when the transport took it."""
        transport = self.transports.get(rows[0].transport)
        if transport is None:
            return f"Chưa cấu hình đường truyền «{rows[0].transport}»"
        try:
            data = self.ctx.blobs.get(rows[0].sha256)
            packages = [OutgoingPackage(r.id, PackageKind(r.kind), r.document_id, r.sender_organ_id,
                                        r.recipient_organ_id, data) for r in rows]
            if len(packages) > 1:
                cast(GroupTransport, transport).deliver_group(packages)
            else:
                transport.deliver(packages[0])
        except CongVuError as exc:
            return exc.message
        return ""

    def _settle(self, rows: Sequence[Row[Any]], error: str) -> None:
        now = self.ctx.now()
        with self.ctx.db.begin() as conn:
            if not error:
                conn.execute(update(doc_outbox).where(doc_outbox.c.id.in_([r.id for r in rows]))
                             .values(sent_at=now, claimed_until=None, last_error=None,
                                     attempts=doc_outbox.c.attempts + 1))
                documents: dict[str, list[str]] = {}
                for r in rows:
                    if r.kind == PackageKind.EDOC.value:
                        documents.setdefault(r.document_id, []).append(r.recipient_organ_id)
                for document_id, organ_ids in documents.items():
                    self._mark_recipients_sent(conn, document_id, organ_ids, now)
                return
            for r in rows:
                attempts = int(r.attempts) + 1
                delay = min(timedelta(seconds=30 * 2 ** min(attempts, 12)), MAX_DELAY)
                conn.execute(update(doc_outbox).where(doc_outbox.c.id == r.id)
                             .values(attempts=attempts, claimed_until=None, last_error=error,
                                     next_attempt_at=now + delay))

    @staticmethod
    def _mark_recipients_sent(conn: Connection, document_id: str, organ_ids: Sequence[str], when: datetime) -> None:
        outgoing_id = conn.execute(select(doc_outgoing.c.id).where(
            doc_outgoing.c.document_id == document_id)).scalar()
        if outgoing_id is not None:
            conn.execute(update(doc_recipients).where(
                doc_recipients.c.outgoing_id == outgoing_id, doc_recipients.c.organ_id.in_(list(organ_ids)),
                doc_recipients.c.sent_at.is_(None)).values(sent_at=when))
