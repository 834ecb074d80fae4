"""Outgoing documents (văn bản đi): draft, issue with a number, send, follow per recipient, recall.

NĐ 30/2020/NĐ-CP Điều 15–19: the number and time of an electronic document are given by the system at issue, in
the agency's register for the year (:mod:`registers`); the Văn thư applies the agency's digital signature
(Điều 32.2.d); the document is issued the day it is signed and sent to every recipient of "Nơi nhận"; the
original stays in the issuing system, and a recalled document is frozen with its metadata (Phụ lục VI III.8).
Secret documents never enter electronic exchange (QĐ 28/2018/QĐ-TTg; Luật 29/2018/QH14), so they are refused
before anything is stored.

Issuing is one transaction: the number is drawn from the register's counter, the PDF signed, the edXML package
built and stored, one recipient row and one outbox row per recipient agency written. If any step fails the
number goes back with the rollback; once committed it is never reused, even if the document is recalled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from congvu.clerical.doctypes import resolve_type
from congvu.clerical.levels import parse_urgency, refuse_if_secret
from congvu.clerical.numbering import compose_document_id, compose_number, parse_document_id
from congvu.clerical.status_codes import StatusCode, find_status_code
from congvu.documents.context import DocContext, as_utc, optional_line, optional_text
from congvu.documents.files import file_rows, replace_bytes, store_file
from congvu.documents.models import (
    DraftInput,
    OutgoingDocument,
    OutgoingState,
    PaperObligation,
    RecipientView,
    Signer,
)
from congvu.documents.packages import DocumentFacts, PackedFile, build_document, build_status_message, organization
from congvu.documents.policy import PaperPolicy
from congvu.documents.profiles import AgencyProfiles
from congvu.documents.registers import RegisterService, allocate_number
from congvu.documents.routing import RecipientPlanner
from congvu.documents.signatures import check_pdf, sign_pdf
from congvu.documents.transport import PackageKind, enqueue_all
from congvu.edxml.attachments import extension
from congvu.edxml.model import BusinessDocType, Organization, ReplacementInfo
from congvu.errors import Conflict, InvalidInput, NotFound
from congvu.store.schema_documents import doc_events, doc_outgoing, doc_recipients
from congvu.vntext.normalize import clean_line


def status_name(code: str | None, sent: bool) -> str:
    if code is None:
        return "Đã gửi" if sent else "Chờ gửi"
    known = find_status_code(code)
    return known.name_vi if known else f"Mã trạng thái {code}"


class OutgoingService:
    def __init__(self, ctx: DocContext, registers: RegisterService, planner: RecipientPlanner,
                 policy: PaperPolicy, profiles: AgencyProfiles) -> None:
        self.ctx = ctx
        self.registers = registers
        self.planner = planner
        self.policy = policy
        self.profiles = profiles

    # -- drafting --------------------------------------------------------------------------------------------

    def _checked(self, draft: DraftInput) -> DraftInput:
        refuse_if_secret(draft.secrecy)
        kind = resolve_type(draft.doc_type)
        unit = clean_line(draft.drafting_unit, field="Đơn vị soạn thảo", max_chars=60) if draft.drafting_unit else None
        compose_number(1, doc_type=kind, org="X", unit=unit)  # the ký hiệu rules, checked before anything is kept
        subject = clean_line(draft.subject, field="Trích yếu", max_chars=500)
        if not subject:
            raise InvalidInput("Thiếu trích yếu", message_en="The subject is missing", field="subject")
        signer = Signer(clean_line(draft.signer.name, field="Người ký", max_chars=50),
                        clean_line(draft.signer.position, field="Chức vụ người ký", max_chars=100),
                        optional_line(draft.signer.competence, field="Quyền hạn ký", max_chars=200))
        if not signer.name or not signer.position:
            raise InvalidInput("Thiếu họ tên hoặc chức vụ người ký", message_en="Signer name and position required",
                               field="signer")
        check_pdf(draft.main_file.data, draft.main_file.name)
        for appendix in draft.appendixes:
            if extension(appendix.name) == "pdf":
                check_pdf(appendix.data, appendix.name)
        for ref in draft.response_for:
            parse_document_id(ref)
        if draft.replaces:
            parse_document_id(draft.replaces)
        parse_urgency(draft.urgency)
        return replace(draft, doc_type=kind.code, drafting_unit=unit, subject=subject, signer=signer,
                       content=optional_text(draft.content, field="Nội dung", max_chars=5000))

    def draft(self, draft: DraftInput, *, actor: str = "system") -> OutgoingDocument:
        """Keep a draft: checked, its files stored, its recipients resolvable; no number yet."""
        d = self._checked(draft)
        now = self.ctx.now()
        with self.ctx.db.begin() as conn:
            agency = self.ctx.agency(conn, d.agency)
            if d.replaces:
                self._replaceable(conn, d.replaces.strip(), agency.id)
            self.planner.plan(conn, agency, d.kinh_gui, d.noi_nhan, drafting_unit=d.drafting_unit)
            kind = resolve_type(d.doc_type)
            outgoing_id = int(conn.execute(insert(doc_outgoing).values(
                agency_id=agency.id, state=OutgoingState.DRAFT.value, doc_type=kind.code, type_name=kind.name,
                subject=d.subject, content=d.content, drafting_unit=d.drafting_unit, place=d.place,
                signer_competence=d.signer.competence, signer_position=d.signer.position,
                signer_name=d.signer.name, secrecy=0, urgency=int(parse_urgency(d.urgency)), due_date=d.due_date,
                kinh_gui=list(d.kinh_gui), noi_nhan=list(d.noi_nhan), response_for=list(d.response_for),
                replaces=d.replaces.strip() if d.replaces else None, signed=False, paper=False, created_by=actor,
                created_at=now, updated_at=now,
            )).inserted_primary_key[0])
            store_file(conn, self.ctx, owner="outgoing", owner_id=outgoing_id, role="main", position=0,
                       name=d.main_file.name, data=d.main_file.data, content_type=d.main_file.content_type)
            for i, appendix in enumerate(d.appendixes, start=1):
                store_file(conn, self.ctx, owner="outgoing", owner_id=outgoing_id, role="appendix", position=i,
                           name=appendix.name, data=appendix.data, content_type=appendix.content_type)
            self.ctx.audit(conn, actor, "doc.draft", agency.code, {"id": outgoing_id, "subject": d.subject})
            return self._view(conn, self._row(conn, outgoing_id))

    def _replaceable(self, conn: Connection, document_id: str, agency_id: int) -> Row:  # type: ignore[type-arg]
        """The issued document of the same agency that a new one is to replace (NĐ 30/2020 Điều 18: a document
        with wrong content is replaced by one of the same form)."""
        row = self._by_document_id(conn, document_id)
        if row.agency_id != agency_id or row.state != OutgoingState.ISSUED.value:
            raise InvalidInput(f"Chỉ thay thế được văn bản đã ban hành của chính cơ quan: '{document_id}'",
                               message_en="Only an issued document of the same agency can be replaced",
                               field="replaces")
        return row

    # -- issuing ---------------------------------------------------------------------------------------------

    def issue(self, outgoing_id: int, *, actor: str = "system") -> OutgoingDocument:
        """Number, sign, package and queue the draft for every recipient (one transaction)."""
        try:
            with self.ctx.db.begin() as conn:
                return self._issue(conn, outgoing_id, actor)
        except IntegrityError as error:
            # The counter makes this unreachable unless someone numbered by hand: refuse, never renumber.
            raise Conflict("Số văn bản vừa cấp đã có trong sổ (tranh chấp khi cấp số); văn bản chưa được ban hành, "
                           "hãy thử lại", message_en=f"Register race: the number was taken ({error.orig})",
                           field="register") from None

    def _issue(self, conn: Connection, outgoing_id: int, actor: str) -> OutgoingDocument:
        row = conn.execute(select(doc_outgoing).where(doc_outgoing.c.id == outgoing_id).with_for_update()).first()
        if row is None:
            raise NotFound(f"Không có dự thảo số {outgoing_id}", field="document")
        if row.state != OutgoingState.DRAFT.value:
            raise Conflict(f"Văn bản {row.number_text} đã ban hành", message_en="Already issued", field="document")
        agency = self.ctx.agency_by_id(conn, row.agency_id)
        plan = self.planner.plan(conn, agency, row.kinh_gui, row.noi_nhan, drafting_unit=row.drafting_unit)
        if not plan.recipients:
            raise InvalidInput("Không có nơi nhận nào gửi điện tử được", message_en="No electronic recipient",
                               field="recipient")
        now = self.ctx.now()
        today = self.ctx.today()
        register_id = self.registers.outgoing_register(conn, agency.id, row.doc_type)
        number = allocate_number(conn, register_id, today.year, self.ctx)
        number_text = compose_number(number, doc_type=row.doc_type, org=agency.short_name, unit=row.drafting_unit)
        notation = number_text.split("/", 1)[1]
        place = row.place or self.profiles.place(conn, agency.id)
        if not place:
            raise InvalidInput("Chưa có địa danh cho cơ quan: đặt bằng «congvu doc profile»",
                               message_en="No place name for the agency", field="place")
        document_id = compose_document_id(agency.code, today, number, notation)
        files = file_rows(conn, "outgoing", outgoing_id)
        key = self.profiles.signing_key(conn, agency.id)
        packed: list[PackedFile] = []
        for f in files:
            data = self.ctx.blobs.get(f.sha256)
            if key is not None and extension(f.name) == "pdf":
                # NĐ 30/2020 Phụ lục I: the agency signs the main file and each separate attachment file.
                data = sign_pdf(data, key, reason=f"{number_text} {now.isoformat(timespec='seconds')}",
                                location=place)
                replace_bytes(conn, self.ctx, f.id, data)
            packed.append(PackedFile(f.name, data, f.content_type))
        signed = key is not None
        # The obligation depends on the recipient only through its wave and whether it is ours: eighty agencies
        # of a province fall into a handful of such kinds.
        by_kind: dict[tuple[int | None, bool], PaperObligation] = {}
        obligations: list[PaperObligation] = []
        for r in plan.recipients:
            kind_of = (r.wave, r.transport == "local")
            if kind_of not in by_kind:
                by_kind[kind_of] = self.policy.obligation(conn, doc_type=row.doc_type, on=today, signed=signed,
                                                          sender_wave=agency.wave, recipient_wave=r.wave,
                                                          recipient_local=kind_of[1])
            obligations.append(by_kind[kind_of])
        paper = any(o.required for o in obligations)
        facts = DocumentFacts(row.doc_type, number, notation, place, today, row.subject, row.content or "",
                              row.signer_competence, row.signer_position, row.signer_name, row.urgency,
                              row.due_date, plan.noi_nhan,
                              tuple(row.response_for), tuple(f.name for f in files if f.role == "appendix"),
                              row.drafting_unit)
        parent = self.ctx.find_agency(conn, agency.parent_code) if agency.parent_code else None
        sender = organization(agency, in_charge=parent.name if parent else "")
        to = [Organization(r.organ_id, r.organization_in_charge, r.name, "", r.email) for r in plan.recipients]
        replacing: dict[str, object] = {}
        if row.replaces:
            old = self._replaceable(conn, row.replaces, agency.id)
            went_to = tuple(r.organ_id for r in conn.execute(select(doc_recipients.c.organ_id).where(
                doc_recipients.c.outgoing_id == old.id).order_by(doc_recipients.c.id)))
            replacing = {"business": BusinessDocType.REPLACE, "about": old.document_id,
                         "replacements": (ReplacementInfo(old.document_id, went_to),)}
        built_id, package = build_document(facts, sender, to, packed, sent_at=now, paper=paper,
                                           **replacing)  # type: ignore[arg-type]
        assert built_id == document_id
        ref = self.ctx.blobs.put(package)
        conn.execute(update(doc_outgoing).where(doc_outgoing.c.id == outgoing_id).values(
            state=OutgoingState.ISSUED.value, document_id=document_id, register_id=register_id, year=today.year,
            number=number, notation=notation, number_text=number_text, place=place, issued_on=today,
            issued_at=now, signed=signed, paper=paper, edxml_sha256=ref.sha256, updated_at=now))
        # One package for every recipient (QCVN 102: one To per recipient agency), stored once, queued per recipient.
        conn.execute(insert(doc_recipients), [dict(
            outgoing_id=outgoing_id, organ_id=r.organ_id, organ_name=r.name, local_agency_id=r.local_agency_id,
            transport=r.transport, purpose=r.purpose, paper_required=obligation.required, paper_note=obligation.note)
            for r, obligation in zip(plan.recipients, obligations, strict=True)])
        enqueue_all(conn, self.ctx, kind=PackageKind.EDOC, document_id=document_id, sender=agency.code,
                    sha256=ref.sha256, recipients=[(r.organ_id, r.transport) for r in plan.recipients])
        self.ctx.audit(conn, actor, "doc.issue", document_id,
                       {"number": number_text, "recipients": [r.organ_id for r in plan.recipients]})
        return replace(self._view(conn, self._row(conn, outgoing_id)), warnings=plan.warnings)

    def issue_new(self, draft: DraftInput, *, actor: str = "system") -> OutgoingDocument:
        """Draft and issue at once (what ``congvu doc issue`` does)."""
        made = self.draft(draft, actor=actor)
        return self.issue(made.id, actor=actor)

    # -- recall ----------------------------------------------------------------------------------------------

    def recall(self, document_id: str, *, reason: str, actor: str = "system") -> OutgoingDocument:
        """Ask every recipient to give the document back (status 13) and freeze it (NĐ 30/2020 Điều 18.4)."""
        why = optional_line(reason, field="Lý do thu hồi", max_chars=500)
        if not why:
            raise InvalidInput("Cần nêu lý do thu hồi", message_en="A reason is required", field="reason")
        now = self.ctx.now()
        with self.ctx.db.begin() as conn:
            row = self._by_document_id(conn, document_id)
            if row.state != OutgoingState.ISSUED.value:
                raise Conflict(f"Văn bản {row.number_text or row.id} không ở trạng thái đã ban hành",
                               message_en="Only an issued document can be recalled", field="document")
            agency = self.ctx.agency_by_id(conn, row.agency_id)
            reporter = organization(agency)
            data = build_status_message(row.document_id, reporter, StatusCode.RECALL_REQUESTED, at=now,
                                        description=why, staff=actor)
            ref = self.ctx.blobs.put(data)
            recipients = conn.execute(select(doc_recipients).where(doc_recipients.c.outgoing_id == row.id)).all()
            enqueue_all(conn, self.ctx, kind=PackageKind.STATUS, document_id=row.document_id, sender=agency.code,
                        sha256=ref.sha256, recipients=[(r.organ_id, r.transport) for r in recipients])
            if recipients:
                conn.execute(insert(doc_events), [dict(
                    direction="sent", document_id=row.document_id, organ_id=agency.code,
                    status_code=StatusCode.RECALL_REQUESTED.value, description=why, staff=actor, at=now,
                    recorded_at=now) for _ in recipients])
            conn.execute(update(doc_outgoing).where(doc_outgoing.c.id == row.id).values(
                state=OutgoingState.RECALLED.value, recalled_at=now, recall_reason=why, updated_at=now))
            self.ctx.audit(conn, actor, "doc.recall", row.document_id, {"reason": why})
            return self._view(conn, self._row(conn, row.id))

    # -- reading ---------------------------------------------------------------------------------------------

    def _row(self, conn: Connection, outgoing_id: int) -> Row:  # type: ignore[type-arg]
        return conn.execute(select(doc_outgoing).where(doc_outgoing.c.id == outgoing_id)).one()

    def _by_document_id(self, conn: Connection, document_id: str) -> Row:  # type: ignore[type-arg]
        row = conn.execute(select(doc_outgoing).where(doc_outgoing.c.document_id == document_id.strip())).first()
        if row is None:
            raise NotFound(f"Không có văn bản đi '{document_id}'", message_en=f"No outgoing document {document_id!r}",
                           field="document_id")
        return row

    def _recipients(self, conn: Connection, outgoing_id: int) -> tuple[RecipientView, ...]:
        rows = conn.execute(select(doc_recipients).where(doc_recipients.c.outgoing_id == outgoing_id)
                            .order_by(doc_recipients.c.id)).all()
        return tuple(RecipientView(
            r.organ_id, r.organ_name, r.transport, r.purpose, as_utc(r.sent_at), r.status_code,
            status_name(r.status_code, r.sent_at is not None), as_utc(r.status_at), r.status_description,
            r.paper_required, r.paper_note) for r in rows)

    def _view(self, conn: Connection, row: Row) -> OutgoingDocument:  # type: ignore[type-arg]
        agency = self.ctx.agency_by_id(conn, row.agency_id)
        return OutgoingDocument(
            row.id, row.document_id, agency.code, OutgoingState(row.state), row.doc_type, row.type_name,
            row.number_text, row.subject, row.drafting_unit, row.place, row.issued_on,
            Signer(row.signer_name, row.signer_position, row.signer_competence), row.secrecy, row.urgency,
            row.due_date, tuple(row.kinh_gui), tuple(row.noi_nhan), tuple(row.response_for), row.signed,
            self._recipients(conn, row.id), tuple(file_rows(conn, "outgoing", row.id)), as_utc(row.recalled_at),
            replaces=row.replaces)

    def get(self, document_id: str) -> OutgoingDocument:
        with self.ctx.db.read() as conn:
            return self._view(conn, self._by_document_id(conn, document_id))

    def get_by_id(self, outgoing_id: int) -> OutgoingDocument:
        with self.ctx.db.read() as conn:
            row = conn.execute(select(doc_outgoing).where(doc_outgoing.c.id == outgoing_id)).first()
            if row is None:
                raise NotFound(f"Không có văn bản đi số {outgoing_id}", field="document")
            return self._view(conn, row)

    def list(self, agency: str, *, year: int | None = None, states: Sequence[OutgoingState] = ()) -> list[
            OutgoingDocument]:
        """The outgoing register of an agency, in number order (drafts last)."""
        with self.ctx.db.read() as conn:
            found = self.ctx.agency(conn, agency)
            query = select(doc_outgoing).where(doc_outgoing.c.agency_id == found.id)
            if year is not None:
                query = query.where(doc_outgoing.c.year == year)
            if states:
                query = query.where(doc_outgoing.c.state.in_([s.value for s in states]))
            rows = conn.execute(query.order_by(doc_outgoing.c.year, doc_outgoing.c.register_id,
                                               doc_outgoing.c.number, doc_outgoing.c.id)).all()
            return [self._view(conn, r) for r in rows]

    def status(self, document_id: str) -> tuple[RecipientView, ...]:
        with self.ctx.db.read() as conn:
            return self._recipients(conn, self._by_document_id(conn, document_id).id)

    def package(self, document_id: str) -> bytes:
        with self.ctx.db.read() as conn:
            row = self._by_document_id(conn, document_id)
        if row.edxml_sha256 is None:
            raise Conflict("Dự thảo chưa ban hành nên chưa có gói tin edXML", field="document_id")
        return self.ctx.blobs.get(row.edxml_sha256)

