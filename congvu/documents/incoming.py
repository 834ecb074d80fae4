"""Incoming documents (văn bản đến): the register and the handling of each document after it arrived.

NĐ 30/2020/NĐ-CP Điều 22–24 and Phụ lục IV: the Văn thư registers an arrived document the same or the next
working day (urgent ones at once), giving it the next số đến of the agency's one incoming sequence for the year
and its ngày đến; the competent person then sends it (chuyển) to a unit or person with an instruction and a
deadline; the handler works on it and finishes it. Each step is reported to the sender as an edXML status: 03 on
registration, 04 on assignment, 05 while handled, 06 when done, 02 if refused (Điều 21.2.b), 15 or 16 to answer
a recall (13). The order of steps is the table of ``clerical.status_codes.IncomingLifecycle``.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from congvu.clerical.status_codes import IncomingLifecycle, StatusCode, find_status_code
from congvu.documents.arrival_stamp import ArrivalStamp, StampError, find_font, stamp_pdf
from congvu.documents.context import DocContext, as_utc, optional_line, optional_text
from congvu.documents.files import add_file, file_rows, signature_rows
from congvu.documents.models import DocumentLink, IncomingEntry
from congvu.documents.outgoing import status_name
from congvu.documents.registers import RegisterService, allocate_number
from congvu.documents.statuses import StatusDesk
from congvu.errors import Conflict, InvalidInput, NotFound
from congvu.store.schema_documents import (
    doc_assignments,
    doc_files,
    doc_incoming,
    doc_incoming_links,
    doc_signatures,
)
from congvu.vntext.normalize import clean_line

log = logging.getLogger(__name__)
STAMPED = "stamped"
"""Role of the copy of the main PDF bearing the ĐẾN stamp (the main file stays as received)."""


class IncomingService:
    def __init__(self, ctx: DocContext, registers: RegisterService, statuses: StatusDesk) -> None:
        self.ctx = ctx
        self.registers = registers
        self.statuses = statuses

    # -- reading ---------------------------------------------------------------------------------------------

    @staticmethod
    def links(conn: Connection, entry_ids: list[int] | None = None, *,
              agency_id: int | None = None) -> dict[int, list[DocumentLink]]:
        """The links of some entries (or of every entry of an agency), by entry id, in the order they were made."""
        query = select(doc_incoming_links)
        if agency_id is not None:
            query = query.join(doc_incoming, doc_incoming.c.id == doc_incoming_links.c.incoming_id).where(
                doc_incoming.c.agency_id == agency_id)
        if entry_ids is not None:
            query = query.where(doc_incoming_links.c.incoming_id.in_(entry_ids))
        found: dict[int, list[DocumentLink]] = {}
        for r in conn.execute(query.order_by(doc_incoming_links.c.id)):
            found.setdefault(r.incoming_id, []).append(DocumentLink(
                r.kind, r.document_id, r.other_incoming_id, r.reason, as_utc(r.at) or r.at))
        return found

    def _view(self, conn: Connection, row: Row, *, details: bool = False,  # type: ignore[type-arg]
              links: list[DocumentLink] | None = None) -> IncomingEntry:
        agency = self.ctx.agency_by_id(conn, row.agency_id)
        if links is None:
            links = self.links(conn, [row.id]).get(row.id, [])
        return IncomingEntry(
            row.id, agency.code, row.document_id, row.from_organ_id, row.from_name, row.number_text, row.type_name,
            row.subject, row.promulgation_date, row.urgency, row.due_date, as_utc(row.arrived_at) or self.ctx.now(),
            row.arrival_number, row.arrival_date, row.status_code, status_name(row.status_code, True),
            as_utc(row.status_at) or self.ctx.now(), row.handler, row.handling_deadline, row.paper,
            row.signature_summary, tuple(row.warnings or ()), row.cancelled_at is not None,
            tuple(file_rows(conn, "incoming", row.id)) if details else (),
            tuple(signature_rows(conn, "incoming", row.id)) if details else (), tuple(links))

    def entry(self, conn: Connection, entry_id: int, *, details: bool = False) -> IncomingEntry:
        row = conn.execute(select(doc_incoming).where(doc_incoming.c.id == entry_id)).first()
        if row is None:
            raise NotFound(f"Không có văn bản đến số {entry_id}", message_en=f"No incoming entry {entry_id}",
                           field="incoming")
        return self._view(conn, row, details=details)

    def get(self, entry_id: int) -> IncomingEntry:
        with self.ctx.db.read() as conn:
            return self.entry(conn, entry_id, details=True)

    def find(self, agency: str, document_id: str) -> IncomingEntry:
        with self.ctx.db.read() as conn:
            found = self.ctx.agency(conn, agency)
            row = conn.execute(select(doc_incoming).where(doc_incoming.c.agency_id == found.id,
                                                          doc_incoming.c.document_id == document_id.strip())).first()
            if row is None:
                raise NotFound(f"{found.name} chưa nhận văn bản '{document_id}'", field="document_id")
            return self._view(conn, row, details=True)

    def list(self, agency: str, *, year: int | None = None, status: str | None = None) -> list[IncomingEntry]:
        """The incoming register: registered entries by số đến, then those waiting to be registered."""
        with self.ctx.db.read() as conn:
            found = self.ctx.agency(conn, agency)
            query = select(doc_incoming).where(doc_incoming.c.agency_id == found.id)
            if year is not None:
                query = query.where(doc_incoming.c.arrival_year == year)
            if status is not None:
                query = query.where(doc_incoming.c.status_code == status)
            rows = conn.execute(query).all()
            rows.sort(key=lambda r: (r.arrival_number is None, r.arrival_year or 0, r.arrival_number or 0,
                                     as_utc(r.arrived_at), r.id))
            links = self.links(conn, agency_id=found.id)
            return [self._view(conn, r, links=links.get(r.id, [])) for r in rows]

    def package(self, entry_id: int) -> bytes:
        """The edXML package as it arrived."""
        with self.ctx.db.read() as conn:
            sha = conn.execute(select(doc_incoming.c.package_sha256).where(doc_incoming.c.id == entry_id)).scalar()
        if sha is None:
            raise NotFound(f"Không có văn bản đến số {entry_id}", field="incoming")
        return self.ctx.blobs.get(sha)

    # -- steps -----------------------------------------------------------------------------------------------

    def _step(self, entry_id: int, code: StatusCode, *, actor: str, description: str = "",
              values: dict[str, object] | None = None) -> IncomingEntry:
        with self.ctx.db.begin() as conn:
            row = conn.execute(select(doc_incoming).where(doc_incoming.c.id == entry_id).with_for_update()).first()
            if row is None:
                raise NotFound(f"Không có văn bản đến số {entry_id}", field="incoming")
            if row.cancelled_at is not None:
                newer = conn.execute(select(doc_incoming_links.c.document_id).where(
                    doc_incoming_links.c.incoming_id == entry_id, doc_incoming_links.c.kind == "replaced_by")).scalar()
                if newer is not None:
                    raise Conflict(f"Văn bản đã được thay thế bởi văn bản '{newer}': hãy xử lý văn bản thay thế",
                                   message_en=f"The document was replaced by {newer}", field="incoming")
                raise Conflict("Văn bản đã bị hủy theo đề nghị thu hồi của nơi gửi", field="incoming")
            here = IncomingLifecycle(find_status_code(row.status_code), find_status_code(row.before_recall or ""))
            after = here.apply(code)
            extra = dict(values or {})
            if code is StatusCode.ACCEPTED:
                extra.update(self._number(conn, row.agency_id, actor))
            now = self.ctx.now()
            conn.execute(update(doc_incoming).where(doc_incoming.c.id == entry_id).values(
                status_code=(after.current or code).value, status_at=now,
                before_recall=after.before_recall.value if after.before_recall else None, **extra))
            agency = self.ctx.agency_by_id(conn, row.agency_id)
            self.statuses.send(conn, reporter=agency, document_id=row.document_id, to_organ_id=row.from_organ_id,
                               code=code, description=description, staff=actor)
            self.ctx.audit(conn, actor, f"doc.incoming.{code.name.lower()}", row.document_id,
                           {"agency": agency.code, "description": description})
            return self.entry(conn, entry_id)

    def _number(self, conn: Connection, agency_id: int, actor: str) -> dict[str, object]:
        # NĐ 30/2020 Điều 22.2: one số đến sequence a year, in order of registration.
        today = self.ctx.today()
        register_id = self.registers.incoming_register(conn, agency_id)
        number = allocate_number(conn, register_id, today.year, self.ctx)
        return {"register_id": register_id, "arrival_year": today.year, "arrival_number": number,
                "arrival_date": today, "registered_by": actor}

    def register(self, entry_id: int, *, actor: str = "system") -> IncomingEntry:
        """Vào sổ: the next số đến of the year, today's ngày đến; status 03 to the sender; the ĐẾN stamp drawn
        on a copy of the main PDF (after the registration committed: a file that cannot be stamped only adds a
        warning)."""
        self._step(entry_id, StatusCode.ACCEPTED, actor=actor, description="Văn thư đã tiếp nhận, vào sổ")
        self._stamp_after_step(entry_id)
        with self.ctx.db.read() as conn:
            return self.entry(conn, entry_id)

    def _stamp_after_step(self, entry_id: int) -> None:
        # The step has committed: nothing here may undo or hide it.
        try:
            self.stamp(entry_id)
        except Exception:
            log.exception("ĐẾN stamp on incoming entry %s failed", entry_id)

    def stamp(self, entry_id: int) -> None:
        """Draw the ĐẾN stamp (số đến, ngày đến, Chuyển) on a copy of the main PDF, kept as the entry's file of
        role ``stamped`` in place of an earlier one. The main file itself, as received and signed, is kept."""
        with self.ctx.db.read() as conn:
            row = conn.execute(select(doc_incoming).where(doc_incoming.c.id == entry_id)).one()
            main = next((f for f in file_rows(conn, "incoming", entry_id) if f.role == "main"), None)
            agency = self.ctx.agency_by_id(conn, row.agency_id)
        if (row.arrival_number is None or row.arrival_date is None or row.cancelled_at is not None or main is None
                or not (main.content_type == "application/pdf" or main.name.lower().endswith(".pdf"))):
            return
        mark = ArrivalStamp(agency.name, row.arrival_number, row.arrival_date, row.handler or "")
        try:
            stamped = stamp_pdf(self.ctx.blobs.get(main.sha256), mark, font=find_font(self.ctx.stamp_font))
        except StampError as error:
            log.warning("ĐẾN stamp on incoming entry %s failed: %s", entry_id, error)
            with self.ctx.db.begin() as conn:
                now = conn.execute(select(doc_incoming.c.warnings).where(doc_incoming.c.id == entry_id)
                                   .with_for_update()).scalar()
                text = f"Không đóng được dấu Đến lên tệp '{main.name}' (tệp PDF không đọc được đầy đủ); bản gốc vẫn giữ"
                if text not in (now or []):
                    conn.execute(update(doc_incoming).where(doc_incoming.c.id == entry_id).values(
                        warnings=[*(now or []), text]))
            return
        ref = self.ctx.blobs.put(stamped)
        stem = main.name[:-4] if main.name.lower().endswith(".pdf") else main.name
        with self.ctx.db.begin() as conn:
            # One stamping at a time per entry, and only for what the entry still says (a later step stamps anew).
            now = conn.execute(select(doc_incoming.c.arrival_number, doc_incoming.c.handler,
                                      doc_incoming.c.cancelled_at)
                               .where(doc_incoming.c.id == entry_id).with_for_update()).one()
            if (now.arrival_number, now.handler, now.cancelled_at) != (row.arrival_number, row.handler, None):
                return
            conn.execute(delete(doc_files).where(doc_files.c.owner == "incoming", doc_files.c.owner_id == entry_id,
                                                 doc_files.c.role == STAMPED))
            last = conn.execute(select(func.max(doc_files.c.position)).where(
                doc_files.c.owner == "incoming", doc_files.c.owner_id == entry_id)).scalar()
            add_file(conn, owner="incoming", owner_id=entry_id, role=STAMPED, position=(last or 0) + 1,
                     name=f"{stem}-den-{row.arrival_number}.pdf", ref=ref, content_type="application/pdf")

    def assign(self, entry_id: int, *, to_unit: str | None = None, to_person: str | None = None,
               instruction: str = "", deadline: date | None = None, actor: str = "system") -> IncomingEntry:
        """Chuyển: to a unit or a person, with an instruction and a deadline; status 04 to the sender."""
        unit = clean_line(to_unit, field="Đơn vị nhận") if to_unit else None
        person = clean_line(to_person, field="Người nhận") if to_person else None
        if not unit and not person:
            raise InvalidInput("Cần chỉ đơn vị hoặc người xử lý", message_en="A unit or a person is required",
                               field="to")
        note = optional_text(instruction, field="Ý kiến chỉ đạo", max_chars=2000)
        handler = " / ".join(x for x in (unit, person) if x)
        parts = [f"Chuyển {handler}"] + ([note] if note else []) + (
            [f"hạn xử lý {deadline.strftime('%d/%m/%Y')}"] if deadline else [])
        self._step(entry_id, StatusCode.ASSIGNED, actor=actor, description="; ".join(parts),
                   values={"handler": handler, "handling_deadline": deadline})
        with self.ctx.db.begin() as conn:
            conn.execute(insert(doc_assignments).values(
                incoming_id=entry_id, to_unit=unit, to_person=person, instruction=note or None, deadline=deadline,
                assigned_by=actor, assigned_at=self.ctx.now()))
        self._stamp_after_step(entry_id)  # the stamp's «Chuyển» line
        with self.ctx.db.read() as conn:
            return self.entry(conn, entry_id)

    def start(self, entry_id: int, *, note: str = "", actor: str = "system") -> IncomingEntry:
        return self._step(entry_id, StatusCode.PROCESSING, actor=actor,
                          description=optional_line(note, field="Ghi chú", max_chars=500))

    def done(self, entry_id: int, *, note: str = "", actor: str = "system") -> IncomingEntry:
        return self._step(entry_id, StatusCode.DONE, actor=actor,
                          description=optional_line(note, field="Ghi chú", max_chars=500))

    def reject(self, entry_id: int, *, reason: str, actor: str = "system") -> IncomingEntry:
        """Từ chối tiếp nhận (02), with the reason, back to the sender (NĐ 30/2020 Điều 21.2.b)."""
        why = optional_line(reason, field="Lý do", max_chars=500)
        if not why:
            raise InvalidInput("Cần nêu lý do từ chối", message_en="A reason is required", field="reason")
        return self._step(entry_id, StatusCode.REJECTED, actor=actor, description=why)

    def answer_recall(self, entry_id: int, *, accept: bool, note: str = "", actor: str = "system") -> IncomingEntry:
        """Answer the issuer's recall: 15 cancels our copy (NĐ 30/2020 Điều 18.4), 16 keeps it where it was."""
        code = StatusCode.RECALL_ACCEPTED if accept else StatusCode.RECALL_REFUSED
        text = optional_line(note, field="Ghi chú", max_chars=500)
        entry = self._step(entry_id, code, actor=actor, description=text)
        if accept:
            with self.ctx.db.begin() as conn:
                self.cancel(conn, entry_id, reason=text or "Thu hồi theo đề nghị của nơi gửi")
                return self.entry(conn, entry_id)
        return entry

    def cancel(self, conn: Connection, entry_id: int, *, reason: str) -> None:
        """Destroy our copy (its files) and keep the recall's metadata (Phụ lục VI III.8)."""
        file_ids = [r.id for r in conn.execute(select(doc_files.c.id).where(
            doc_files.c.owner == "incoming", doc_files.c.owner_id == entry_id))]
        if file_ids:
            conn.execute(delete(doc_signatures).where(doc_signatures.c.file_id.in_(file_ids)))
            conn.execute(delete(doc_files).where(doc_files.c.id.in_(file_ids)))
        row = conn.execute(select(doc_incoming.c.warnings).where(doc_incoming.c.id == entry_id)).one()
        conn.execute(update(doc_incoming).where(doc_incoming.c.id == entry_id).values(
            cancelled_at=self.ctx.now(), status_code=StatusCode.RECALL_ACCEPTED.value, status_at=self.ctx.now(),
            warnings=[*(row.warnings or []), f"Đã hủy: {reason}" if reason else "Đã hủy theo đề nghị thu hồi"]))
