"""Business statuses of edXML (01–06, 13, 15, 16): sending our own, and applying those that come back.

QCVN 102:2016/BTTTT status packages and the platform's code list (``clerical.status_codes``). The receiver of a
document reports 01 on arrival (automatically, NĐ 30/2020/NĐ-CP Điều 21.2.c), 02 when it refuses it (Điều
21.2.b), 03 when registered, 04 when assigned, 05 while handled, 06 when done; the issuer sends 13 to take a
document back and the receiver answers 15 or 16. Each status is kept in ``doc_events``, which is the history a
sender reads per recipient (Phụ lục VI: the sender can see the receiver's handling status). A status for another
system travels like a document (outbox, transport). One for an agency of this installation is applied in the
transaction of the step that gives rise to it, exactly as its arrival would apply it: there is nothing to carry,
and a document sent to eighty agencies of the province would otherwise store, queue and read back eighty status
packages one after the other.

A status that arrives is matched by ``ResponseFor/DocumentId`` as an opaque key and by the reporting agency
(``From/OrganId``). One about a document we never sent, or from an agency that was not a recipient, is kept in
quarantine; the same status arriving twice is recorded once. Statuses may arrive out of order (two mails of one
second): a recipient's current status is the latest by time, and within one second the later step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from congvu.clerical.status_codes import StatusCode
from congvu.directory.models import Agency
from congvu.documents import quarantine
from congvu.documents.context import DocContext, as_utc, to_utc
from congvu.documents.models import Arrival, StatusEvent
from congvu.documents.outgoing import status_name
from congvu.documents.packages import organization, status_message
from congvu.documents.routing import RecipientPlanner
from congvu.documents.transport import LOCAL, PackageKind, enqueue
from congvu.edxml.model import StatusPackage
from congvu.edxml.writer import build_status
from congvu.errors import CongVuError
from congvu.store.schema_documents import doc_events, doc_incoming, doc_outgoing, doc_recipients


class StatusDesk:
    """Sends our statuses and applies the ones that arrive."""

    def __init__(self, ctx: DocContext, planner: RecipientPlanner) -> None:
        self.ctx = ctx
        self.planner = planner

    # -- sending ---------------------------------------------------------------------------------------------

    def route(self, conn: Connection, organ_id: str) -> str | None:
        """The transport that reaches an agency, or None when nothing does."""
        try:
            return self.planner.by_code(conn, organ_id).transport
        except CongVuError:
            return None

    def send(self, conn: Connection, *, reporter: Agency, document_id: str, to_organ_id: str, code: StatusCode,
             description: str = "", staff: str = "", department: str = "") -> bool:
        """Send a status about ``document_id`` from ``reporter`` to ``to_organ_id``: queued for another system,
        applied at once for an agency of ours; False when nothing reaches that agency."""
        now = self.ctx.now()
        pkg = status_message(document_id, organization(reporter), code, at=now, description=description,
                             staff=staff, department=department)
        data = build_status(pkg)
        conn.execute(insert(doc_events).values(
            direction="sent", document_id=document_id, organ_id=reporter.code, status_code=code.value,
            description=description or code.info.description_vi, staff=staff or None, at=now, recorded_at=now))
        transport = self.route(conn, to_organ_id)
        if transport is None:
            return False
        if transport == LOCAL:
            self.take(conn, pkg, data, LOCAL)
            return True
        ref = self.ctx.blobs.put(data)
        enqueue(conn, self.ctx, kind=PackageKind.STATUS, document_id=document_id, sender=reporter.code,
                recipient=to_organ_id, transport=transport, sha256=ref.sha256)
        return True

    # -- receiving -------------------------------------------------------------------------------------------

    def receive(self, pkg: StatusPackage, data: bytes, transport: str) -> Arrival:
        with self.ctx.db.begin() as conn:
            return self.take(conn, pkg, data, transport)

    def take(self, conn: Connection, pkg: StatusPackage, data: bytes, transport: str) -> Arrival:
        """Apply an arrived status inside the caller's transaction (``data`` is what quarantine keeps)."""
        document_id = pkg.response_for.document_id
        reporter = pkg.sender.organ_id.strip().upper()
        if pkg.status_code == StatusCode.RECALL_REQUESTED.value:
            applied = self._recall_request(conn, pkg, reporter)
            if applied:
                return Arrival("status", document_id, status_applied=True)
        else:
            outcome = self._on_outgoing(conn, pkg, reporter)
            if outcome is not None:
                return outcome
        known = conn.execute(select(doc_outgoing.c.id).where(doc_outgoing.c.document_id == document_id)).first()
        if known is None:
            message = (f"Trạng thái {pkg.status_code} cho văn bản '{document_id}' mà hệ thống chưa từng gửi "
                       "(hoặc chưa từng nhận)")
            reason, message_en = "unknown_document", f"Status for a document never sent: {document_id}"
        else:
            message = f"Cơ quan {reporter} không phải nơi nhận của văn bản '{document_id}'"
            reason, message_en = "unexpected_status", f"{reporter} is not a recipient of {document_id}"
        item = quarantine.keep(conn, self.ctx, data=data, transport=transport, reason=reason, message=message,
                               message_en=message_en, kind="status", document_id=document_id,
                               from_organ_id=reporter)
        return Arrival("status", document_id, quarantine_id=item, problem=message)

    def _seen(self, conn: Connection, document_id: str, organ_id: str, code: str, at: datetime) -> bool:
        return conn.execute(select(doc_events.c.id).where(
            doc_events.c.direction == "received", doc_events.c.document_id == document_id,
            doc_events.c.organ_id == organ_id, doc_events.c.status_code == code, doc_events.c.at == at)).first() \
            is not None

    def _record(self, conn: Connection, pkg: StatusPackage, organ_id: str) -> None:
        conn.execute(insert(doc_events).values(
            direction="received", document_id=pkg.response_for.document_id, organ_id=organ_id,
            status_code=pkg.status_code, description=pkg.description or None,
            staff=pkg.staff_info.staff or None, at=to_utc(pkg.timestamp), recorded_at=self.ctx.now()))

    def _on_outgoing(self, conn: Connection, pkg: StatusPackage, reporter: str) -> Arrival | None:
        """Apply a receiver's status to our outgoing document; None when it is not about one of ours."""
        document_id = pkg.response_for.document_id
        doc = conn.execute(select(doc_outgoing.c.id).where(doc_outgoing.c.document_id == document_id)).first()
        if doc is None:
            return None
        agency = self.ctx.find_agency(conn, reporter)
        codes = {reporter} | ({agency.code, agency.legacy_code} - {None} if agency else set())
        recipient = conn.execute(select(doc_recipients).where(
            doc_recipients.c.outgoing_id == doc.id, doc_recipients.c.organ_id.in_(codes))).first()
        if recipient is None:
            return None
        if self._seen(conn, document_id, recipient.organ_id, pkg.status_code, to_utc(pkg.timestamp)):
            return Arrival("status", document_id, duplicates=(recipient.organ_id,))
        self._record(conn, pkg, recipient.organ_id)
        last = as_utc(recipient.status_at)
        at = to_utc(pkg.timestamp)
        # Status times carry whole seconds (QCVN 102 Timestamp) and mail may bring two of one second out of order:
        # within a second the later step of the handling (03 → 04 → 05 → 06) wins.
        if last is None or at > last or (at == last and pkg.status_code > (recipient.status_code or "")):
            conn.execute(update(doc_recipients).where(doc_recipients.c.id == recipient.id).values(
                status_code=pkg.status_code, status_at=to_utc(pkg.timestamp),
                status_description=pkg.description or None))
        return Arrival("status", document_id, status_applied=True)

    def _recall_request(self, conn: Connection, pkg: StatusPackage, issuer: str) -> bool:
        """Status 13 from the issuer: each of our copies waits for the clerk's answer (15 or 16)."""
        document_id = pkg.response_for.document_id
        rows = conn.execute(select(doc_incoming).where(doc_incoming.c.document_id == document_id)).all()
        issuer_agency = self.ctx.find_agency(conn, issuer)
        codes = {issuer} | ({issuer_agency.code} if issuer_agency else set())
        rows = [r for r in rows if r.from_organ_id in codes and r.cancelled_at is None]
        if not rows:
            return False
        for row in rows:
            if row.status_code == StatusCode.RECALL_REQUESTED.value:
                continue
            conn.execute(update(doc_incoming).where(doc_incoming.c.id == row.id).values(
                before_recall=row.status_code, status_code=StatusCode.RECALL_REQUESTED.value,
                status_at=self.ctx.now()))
        if not self._seen(conn, document_id, issuer, pkg.status_code, to_utc(pkg.timestamp)):
            self._record(conn, pkg, issuer)
        return True

    def history(self, document_id: str) -> list[StatusEvent]:
        with self.ctx.db.read() as conn:
            rows = conn.execute(select(doc_events).where(doc_events.c.document_id == document_id.strip())
                                .order_by(doc_events.c.at, doc_events.c.status_code, doc_events.c.id)).all()
        return [StatusEvent(r.document_id, r.organ_id, r.status_code, status_name(r.status_code, True),
                            as_utc(r.at) or self.ctx.now(), r.description, r.direction) for r in rows]
