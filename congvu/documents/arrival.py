"""Arrival of a package, whatever carried it (local delivery, a file import, mail, the HTTP exchange).

NĐ 30/2020/NĐ-CP Điều 21: on arrival the Văn thư checks the document's authenticity and integrity; an invalid or
misaddressed one goes back to the sender through the system (status 02) and the sender is told the same day that
the document arrived (status 01, sent here automatically). Phụ lục VI III.1.h: a document whose identifier was
already received is flagged, not registered twice.

:meth:`ArrivalDesk.receive` is the single entry point. It never raises for a bad package: what it cannot accept
is kept in quarantine with the reason, and the returned :class:`Arrival` says what happened. A document package
creates one incoming entry per agency of ours among its ``To`` (or only for those the transport addressed it to);
a package with ``BussinessDocType`` 1 (thu hồi) cancels the copies it names; 3 (thay thế) is registered as a new
document linked to the one it replaces, which is kept, closed and marked "thay thế bởi …"; 2 (cập nhật) is
attached to the earlier entry it names (its files and package kept beside the earlier ones, no new số đến), or
registered as a new entry linked to that document where the earlier one never arrived. However many agencies of ours it
is for, a package is read and its signatures checked once, its files stored once, and the entries (with their
status 01) written in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Row, func, insert, select, update

from congvu.clerical.agency_codes import is_agency_code
from congvu.clerical.status_codes import StatusCode
from congvu.directory.models import Agency
from congvu.documents import quarantine
from congvu.documents.context import DocContext, to_utc
from congvu.documents.files import add_file
from congvu.documents.incoming import IncomingService
from congvu.documents.models import Arrival, IncomingEntry
from congvu.documents.signatures import SignatureCheck, check_pdf, summarise, verify_pdf_signatures
from congvu.documents.statuses import StatusDesk
from congvu.documents.trust import TrustList
from congvu.edxml.attachments import extension
from congvu.edxml.errors import EdxmlError
from congvu.edxml.model import BusinessDocType, EdocPackage, StatusPackage
from congvu.edxml.reader import parse_package
from congvu.edxml.validate import validate_edoc
from congvu.errors import InvalidInput
from congvu.store.blobs import BlobRef
from congvu.store.schema_documents import doc_files, doc_incoming, doc_incoming_links, doc_signatures


class _Refusal(Exception):
    def __init__(self, reason: str, message: str, message_en: str) -> None:
        super().__init__(message)
        self.reason, self.message, self.message_en = reason, message, message_en


def _fatal_faults(pkg: EdocPackage) -> None:
    """What makes a document package unusable (anything else is kept as a warning)."""
    h = pkg.header
    if not h.to:
        raise _Refusal("malformed", "Gói tin không có nơi nhận (To)", "No To element")
    if not is_agency_code(h.sender.organ_id):
        raise _Refusal("malformed", f"Mã cơ quan gửi '{h.sender.organ_id}' không hợp lệ",
                       f"Invalid sender code {h.sender.organ_id!r}")
    if not h.code.code_number.isdigit() or not h.code.code_notation:
        raise _Refusal("malformed", f"Số, ký hiệu '{h.code.text}' không hợp lệ", "Invalid number/notation")
    if not h.subject:
        raise _Refusal("malformed", "Gói tin không có trích yếu (Subject)", "No Subject")
    if not pkg.attachments:
        raise _Refusal("invalid", "Gói tin không kèm tệp văn bản nào", "No attached file")


class ArrivalDesk:
    def __init__(self, ctx: DocContext, incoming: IncomingService, statuses: StatusDesk, trust: TrustList) -> None:
        self.ctx = ctx
        self.incoming = incoming
        self.statuses = statuses
        self.trust = trust

    def receive(self, data: bytes, *, transport: str, for_agency: str | None = None,
                for_agencies: Sequence[str] | None = None) -> Arrival:
        """Take in a package that arrived, for ``for_agency`` or ``for_agencies`` when the transport addressed it
        (else every agency of ours among its ``To``); see the module notes."""
        try:
            pkg = parse_package(data)
        except EdxmlError as error:
            message = f"Gói tin edXML không đọc được: {error.message}"
            with self.ctx.db.begin() as conn:
                item = quarantine.keep(conn, self.ctx, data=data, transport=transport, reason="malformed",
                                       message=message, message_en=f"Unreadable edXML package: {error.message_en}")
            return Arrival("unknown", None, quarantine_id=item, problem=message)
        if isinstance(pkg, StatusPackage):
            return self.statuses.receive(pkg, data, transport)
        addressed = None if for_agency is None and for_agencies is None else (
            *([for_agency] if for_agency is not None else []), *(for_agencies or ()))
        return self._document(pkg, data, transport, addressed)

    def _targets(self, conn: Connection, pkg: EdocPackage, addressed: Sequence[str] | None) -> list[Agency]:
        self.ctx.preload_agencies(conn, [*(o.organ_id for o in pkg.header.to), *(addressed or ())])
        found: dict[str, Agency] = {}
        for org in pkg.header.to:
            agency = self.ctx.find_agency(conn, org.organ_id)
            if agency is not None:
                found.setdefault(agency.code, agency)
        if addressed is None:
            return list(found.values())
        wanted = (self.ctx.find_agency(conn, code) for code in addressed)
        return list({a.code: a for a in wanted if a is not None and a.code in found}.values())

    def _quarantine(self, pkg: EdocPackage, data: bytes, transport: str, refusal: _Refusal,
                    return_from: list[Agency]) -> Arrival:
        with self.ctx.db.begin() as conn:
            item = quarantine.keep(conn, self.ctx, data=data, transport=transport, reason=refusal.reason,
                                   message=refusal.message, message_en=refusal.message_en, kind="edoc",
                                   document_id=pkg.document_id, from_organ_id=pkg.header.sender.organ_id)
            # NĐ 30/2020 Điều 21.2.b: an invalid document goes back to the sender through the system.
            for agency in return_from:
                self.statuses.send(conn, reporter=agency, document_id=pkg.document_id,
                                   to_organ_id=pkg.header.sender.organ_id, code=StatusCode.REJECTED,
                                   description=refusal.message)
        return Arrival("edoc", pkg.document_id, quarantine_id=item, problem=refusal.message)

    def _checked_files(self, conn: Connection, pkg: EdocPackage) -> tuple[dict[int, tuple[SignatureCheck, ...]],
                                                                           list[str]]:
        roots = self.trust.roots(conn)
        checks: dict[int, tuple[SignatureCheck, ...]] = {}
        warnings: list[str] = []
        for i, attachment in enumerate(pkg.attachments):
            is_pdf = extension(attachment.name) == "pdf" or attachment.content_type == "application/pdf"
            if not is_pdf:
                if i == 0:
                    warnings.append(f"Tệp chính '{attachment.name}' không phải PDF")
                continue
            try:
                check_pdf(attachment.data, attachment.name)
                checks[i] = verify_pdf_signatures(attachment.data, roots)
            except InvalidInput as error:
                raise _Refusal("invalid", error.message, error.message_en) from None
            if any(not c.intact or not c.valid for c in checks[i]):
                raise _Refusal("invalid", f"Chữ ký số trên tệp '{attachment.name}' không hợp lệ: nội dung đã bị "
                               "thay đổi sau khi ký", f"Broken signature on {attachment.name!r}")
            if not checks[i]:
                warnings.append(f"Tệp '{attachment.name}' không có chữ ký số")
            elif not all(c.trusted for c in checks[i]):
                warnings.append(f"Chữ ký trên tệp '{attachment.name}' không thuộc danh sách tin cậy")
        return checks, warnings

    def _document(self, pkg: EdocPackage, data: bytes, transport: str, addressed: Sequence[str] | None) -> Arrival:
        with self.ctx.db.read() as conn:
            targets = self._targets(conn, pkg, addressed)
        try:
            _fatal_faults(pkg)
        except _Refusal as refusal:
            return self._quarantine(pkg, data, transport, refusal, [])
        if not targets:
            codes = ", ".join(o.organ_id for o in pkg.header.to)
            return self._quarantine(pkg, data, transport, _Refusal(
                "misaddressed", f"Không cơ quan nhận nào ({codes}) thuộc hệ thống này",
                f"None of the recipients ({codes}) belongs to this installation"), [])
        if pkg.business_doc_type is BusinessDocType.REVOKE:
            return self._revoke(pkg, data, transport, targets)
        if pkg.business_doc_type is BusinessDocType.UPDATE:
            about = _updated(pkg)
            with self.ctx.db.read() as conn:
                earlier = {a.id: row for a in targets if (row := self._earlier(conn, pkg, a, about)) is not None}
            if earlier:
                attached = self._attach_update(pkg, data, transport, [a for a in targets if a.id in earlier],
                                               earlier)
                rest = [a for a in targets if a.id not in earlier]
                refused = attached.problem is not None and not attached.duplicates
                if not rest or refused:
                    return attached
                fresh = self._register(pkg, data, transport, rest)
                return Arrival("edoc", pkg.document_id, attached.entries + fresh.entries,
                               attached.duplicates + fresh.duplicates, fresh.quarantine_id or attached.quarantine_id,
                               fresh.problem or attached.problem)
        return self._register(pkg, data, transport, targets)

    def _register(self, pkg: EdocPackage, data: bytes, transport: str, targets: list[Agency]) -> Arrival:
        """A new entry per target agency that does not have the document yet (a replacement linked to the one it
        replaces, an update whose earlier document never arrived linked to it)."""
        try:
            with self.ctx.db.read() as conn:
                checks, warnings = self._checked_files(conn, pkg)
                seen = self._arrived(conn, pkg, targets)
        except _Refusal as refusal:
            return self._quarantine(pkg, data, transport, refusal, targets)
        warnings.extend(str(p) for p in validate_edoc(pkg))
        # The bytes reach the disk before the transaction, which would otherwise hold every other writer up through
        # their fsyncs; a blob left by a transaction that then fails is collected like any unreferenced one.
        package_ref: BlobRef | None = None
        file_refs: list[BlobRef] = []
        if any(a.id not in seen for a in targets):
            package_ref = self.ctx.blobs.put(data)
            file_refs = [self.ctx.blobs.put(a.data) for a in pkg.attachments]
        created: list[IncomingEntry] = []
        duplicates: list[str] = []
        with self.ctx.db.begin() as conn:
            have = self._arrived(conn, pkg, targets)
            for agency in targets:
                if agency.id in have:
                    duplicates.append(agency.code)
                    continue
                assert package_ref is not None  # entries are never deleted: ``have`` holds all of ``seen``
                entry_id = self._insert(conn, agency, pkg, package_ref.sha256, transport, warnings, checks,
                                        file_refs)
                if pkg.business_doc_type in (BusinessDocType.REPLACE, BusinessDocType.UPDATE):
                    self._link_new(conn, pkg, agency, entry_id, package_ref.sha256)
                routed = self.statuses.send(conn, reporter=agency, document_id=pkg.document_id,
                                            to_organ_id=pkg.header.sender.organ_id, code=StatusCode.ARRIVED)
                if not routed:
                    conn.execute(update(doc_incoming).where(doc_incoming.c.id == entry_id).values(
                        warnings=[*warnings, "Không có đường gửi trạng thái về cơ quan gửi"]))
                created.append(self.incoming.entry(conn, entry_id))
            quarantine_id = None
            problem = None
            if duplicates:
                problem = (f"Văn bản '{pkg.document_id}' đã đến {', '.join(duplicates)} trước đó: "
                           "không vào sổ lần nữa")
                quarantine_id = quarantine.keep(
                    conn, self.ctx, data=data, transport=transport, reason="duplicate", message=problem,
                    message_en=f"{pkg.document_id} already arrived at {', '.join(duplicates)}", kind="edoc",
                    document_id=pkg.document_id, from_organ_id=pkg.header.sender.organ_id)
        return Arrival("edoc", pkg.document_id, tuple(created), tuple(duplicates), quarantine_id, problem)

    @staticmethod
    def _arrived(conn: Connection, pkg: EdocPackage, targets: list[Agency]) -> set[int]:
        """The agencies among ``targets`` that have this document already (Phụ lục VI III.1.h)."""
        return {r.agency_id for r in conn.execute(select(doc_incoming.c.agency_id).where(
            doc_incoming.c.agency_id.in_([a.id for a in targets]), doc_incoming.c.document_id == pkg.document_id))}

    def _insert(self, conn: Connection, agency: Agency, pkg: EdocPackage, package_sha: str, transport: str,
                warnings: list[str], checks: dict[int, tuple[SignatureCheck, ...]], refs: list[BlobRef]) -> int:
        h = pkg.header
        now = self.ctx.now()
        all_checks = [c for group in checks.values() for c in group]
        entry_id = int(conn.execute(insert(doc_incoming).values(
            agency_id=agency.id, document_id=pkg.document_id[:120], from_organ_id=h.sender.organ_id[:35],
            from_name=(h.sender.organ_name or h.sender.organ_id)[:300], number_text=h.code.text[:80],
            type_name=h.document_type.type_name[:100], subject=h.subject[:500], place=h.promulgation_info.place[:100],
            promulgation_date=h.promulgation_info.promulgation_date, signer_competence=h.signer_info.competence[:200],
            signer_position=h.signer_info.position[:100], signer_name=h.signer_info.full_name[:50],
            urgency=h.other_info.priority, due_date=h.due_date, business_doc_type=int(pkg.business_doc_type),
            paper=bool(pkg.business and pkg.business.paper), package_sha256=package_sha, transport=transport,
            arrived_at=now, warnings=list(warnings), signature_summary=summarise(all_checks),
            status_code=StatusCode.ARRIVED.value, status_at=now)).inserted_primary_key[0])
        self._files(conn, entry_id, pkg, checks, refs)
        return entry_id

    def _files(self, conn: Connection, entry_id: int, pkg: EdocPackage, checks: dict[int, tuple[SignatureCheck, ...]],
               refs: list[BlobRef], *, role: str | None = None, start: int = 0) -> None:
        """List the package's files on an entry (``role`` for all of them, else main then appendixes)."""
        now = self.ctx.now()
        for i, (attachment, ref) in enumerate(zip(pkg.attachments, refs, strict=True)):
            file_id = add_file(conn, owner="incoming", owner_id=entry_id,
                               role=role or ("main" if i == 0 else "appendix"), position=start + i,
                               name=attachment.name, ref=ref, content_type=attachment.content_type)
            for c in checks.get(i, ()):
                conn.execute(insert(doc_signatures).values(
                    file_id=file_id, field_name=c.field_name[:200], signer_name=c.signer_name[:300],
                    signer_subject=c.signer_subject, issuer=c.issuer, serial=c.serial[:100],
                    signing_time=to_utc(c.signing_time) if c.signing_time else None, intact=c.intact,
                    valid=c.valid, trusted=c.trusted,
                    covers_whole_file=c.covers_whole_file, summary=c.summary, checked_at=now))

    def _revoke(self, pkg: EdocPackage, data: bytes, transport: str, targets: list[Agency]) -> Arrival:
        """BussinessDocType 1: the issuer takes the document back; our copies are cancelled (NĐ 30 Điều 18.4)."""
        about = (pkg.business.document_id if pkg.business and pkg.business.document_id else pkg.document_id)
        cancelled: list[IncomingEntry] = []
        with self.ctx.db.begin() as conn:
            for agency in targets:
                row = conn.execute(select(doc_incoming).where(
                    doc_incoming.c.agency_id == agency.id, doc_incoming.c.document_id == about)).first()
                if row is None or row.cancelled_at is not None:
                    continue
                self.incoming.cancel(conn, row.id, reason=pkg.business.reason if pkg.business else "")
                self.statuses.send(conn, reporter=agency, document_id=about, to_organ_id=row.from_organ_id,
                                   code=StatusCode.RECALL_ACCEPTED, description="Đã hủy văn bản theo đề nghị thu hồi")
                cancelled.append(self.incoming.entry(conn, row.id))
            if not cancelled:
                item = quarantine.keep(conn, self.ctx, data=data, transport=transport, reason="unknown_document",
                                       message=f"Đề nghị thu hồi văn bản '{about}' chưa từng nhận",
                                       message_en=f"Revocation of {about}, never received", kind="edoc",
                                       document_id=about, from_organ_id=pkg.header.sender.organ_id)
                return Arrival("edoc", about, quarantine_id=item, problem=f"Chưa từng nhận văn bản '{about}'")
        return Arrival("edoc", about, tuple(cancelled))

    # -- replacement (BussinessDocType 3) and update (2) -------------------------------------------------------

    @staticmethod
    def _earlier(conn: Connection, pkg: EdocPackage, agency: Agency,
                 document_id: str) -> Row | None:  # type: ignore[type-arg]
        """The entry of ``agency`` for an earlier document of the same sender."""
        if not document_id:
            return None
        return conn.execute(select(doc_incoming).where(
            doc_incoming.c.agency_id == agency.id, doc_incoming.c.document_id == document_id,
            doc_incoming.c.from_organ_id == pkg.header.sender.organ_id)).first()

    def _link(self, conn: Connection, entry_id: int, kind: str, document_id: str, other: int | None,
              package_sha: str | None, reason: str) -> None:
        conn.execute(insert(doc_incoming_links).values(
            incoming_id=entry_id, kind=kind, document_id=document_id[:120], other_incoming_id=other,
            package_sha256=package_sha, reason=reason[:500], at=self.ctx.now()))

    @staticmethod
    def _warn(conn: Connection, entry_id: int, text: str, **values: object) -> None:
        row = conn.execute(select(doc_incoming.c.warnings).where(doc_incoming.c.id == entry_id)).one()
        conn.execute(update(doc_incoming).where(doc_incoming.c.id == entry_id).values(
            warnings=[*(row.warnings or []), text], **values))

    def _link_new(self, conn: Connection, pkg: EdocPackage, agency: Agency, entry_id: int, package_sha: str) -> None:
        """Link a new entry to the earlier documents its package replaces or updates."""
        reason = _reason(pkg)
        if pkg.business_doc_type is BusinessDocType.UPDATE:
            about = _updated(pkg)
            if about and about != pkg.document_id:
                self._link(conn, entry_id, "updates", about, None, package_sha, reason)
                self._warn(conn, entry_id, f"Bản cập nhật của văn bản '{about}' mà cơ quan chưa nhận")
            return
        for about in _replaced(pkg):
            old = self._earlier(conn, pkg, agency, about)
            self._link(conn, entry_id, "replaces", about, old.id if old is not None else None, package_sha, reason)
            if old is None:
                self._warn(conn, entry_id, f"Văn bản này thay thế văn bản '{about}' mà cơ quan chưa nhận")
                continue
            self._link(conn, old.id, "replaced_by", pkg.document_id, entry_id, package_sha, reason)
            self._warn(conn, entry_id, f"Thay thế văn bản số {old.number_text} ({about})")
            # The earlier entry is kept with its files, closed: nothing more is done on it (its handling moves to
            # the new document), and it leaves the open and overdue lists.
            self._warn(conn, old.id, f"Đã được thay thế bởi văn bản số {pkg.header.code.text} ({pkg.document_id})",
                       **({"cancelled_at": self.ctx.now()} if old.cancelled_at is None else {}))

    def _attach_update(self, pkg: EdocPackage, data: bytes, transport: str, targets: list[Agency],
                       earlier: dict[int, Row]) -> Arrival:  # type: ignore[type-arg]
        """Attach an update to the earlier entry of each target: its files (role ``update``), the link and a note;
        the same package arriving again is a duplicate."""
        try:
            with self.ctx.db.read() as conn:
                checks, warnings = self._checked_files(conn, pkg)
        except _Refusal as refusal:
            return self._quarantine(pkg, data, transport, refusal, targets)
        package_ref = self.ctx.blobs.put(data)
        file_refs = [self.ctx.blobs.put(a.data) for a in pkg.attachments]
        reason = _reason(pkg)
        about = _updated(pkg)
        day = self.ctx.today().strftime("%d/%m/%Y")
        attached: list[IncomingEntry] = []
        duplicates: list[str] = []
        with self.ctx.db.begin() as conn:
            for agency in targets:
                old = earlier[agency.id]
                seen = conn.execute(select(doc_incoming_links.c.id).where(
                    doc_incoming_links.c.incoming_id == old.id, doc_incoming_links.c.kind == "updated_by",
                    doc_incoming_links.c.package_sha256 == package_ref.sha256)).first()
                if seen is not None:
                    duplicates.append(agency.code)
                    continue
                start = conn.execute(select(func.max(doc_files.c.position)).where(
                    doc_files.c.owner == "incoming", doc_files.c.owner_id == old.id)).scalar()
                self._files(conn, old.id, pkg, checks, file_refs, role="update",
                            start=(start if start is not None else -1) + 1)
                self._link(conn, old.id, "updated_by", pkg.document_id, None, package_ref.sha256, reason)
                note = "; ".join(x for x in (f"Cập nhật ngày {day}", reason, *warnings) if x)
                self._warn(conn, old.id, note)
                if about != pkg.document_id:
                    self.statuses.send(conn, reporter=agency, document_id=pkg.document_id,
                                       to_organ_id=pkg.header.sender.organ_id, code=StatusCode.ARRIVED,
                                       description="Đã nhận bản cập nhật")
                attached.append(self.incoming.entry(conn, old.id))
            quarantine_id = None
            problem = None
            if duplicates:
                problem = (f"Bản cập nhật '{pkg.document_id}' đã đến {', '.join(duplicates)} trước đó: "
                           "không ghi lần nữa")
                quarantine_id = quarantine.keep(
                    conn, self.ctx, data=data, transport=transport, reason="duplicate", message=problem,
                    message_en=f"The update {pkg.document_id} already arrived at {', '.join(duplicates)}",
                    kind="edoc", document_id=pkg.document_id, from_organ_id=pkg.header.sender.organ_id)
        return Arrival("edoc", pkg.document_id, tuple(attached), tuple(duplicates), quarantine_id, problem)


def _reason(pkg: EdocPackage) -> str:
    business = pkg.business
    return (business.reason if business and business.reason else pkg.business_doc_type.reason_vi)


def _updated(pkg: EdocPackage) -> str:
    """The DocumentId an update names (``Bussiness/DocumentId``; the package's own when it is not given)."""
    return (pkg.business.document_id if pkg.business and pkg.business.document_id else pkg.document_id).strip()


def _replaced(pkg: EdocPackage) -> list[str]:
    """The DocumentIds a replacement names: ``ReplacementInfoList``, and ``Bussiness/DocumentId`` when it names
    another document than the package's own."""
    found: list[str] = []
    business = pkg.business
    if business is not None:
        for item in business.replacements:
            if item.document_id.strip() and item.document_id.strip() not in found:
                found.append(item.document_id.strip())
        own = business.document_id.strip()
        if own and own != pkg.document_id and own not in found:
            found.append(own)
    return found
