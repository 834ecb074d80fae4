"""The edXML packages the document services send: a document package at issue, status packages after.

QCVN 102:2016/BTTTT: ``From`` and one ``To`` per recipient agency (OrganId, name, managing body, official
address), ``DocumentId`` = ``<From OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>``, ``Code`` with số and ký hiệu apart,
``PromulgationInfo``, ``DocumentType``, ``Subject``, ``SignerInfo``, ``DueDate``, ``ToPlaces`` (the printed Nơi
nhận), ``OtherInfo/Priority`` (độ khẩn), ``ResponseFor`` (phúc đáp), a ``TraceHeader`` for the sending agency and
the ``Bussiness`` block (new document, or recall/update/replace, and the Paper flag). Status packages answer a
document with ``ResponseFor``, the reporting agency in ``From``, ``StatusCode``, ``Description`` and
``Timestamp``; the receiver sends 01 automatically on arrival (NĐ 30/2020/NĐ-CP Điều 21.2.c).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from congvu.clerical.doctypes import resolve_type
from congvu.clerical.numbering import parse_document_id
from congvu.clerical.status_codes import StatusCode
from congvu.directory.models import Agency
from congvu.edxml.model import (
    Attachment,
    Business,
    BusinessDocType,
    Code,
    DocumentType,
    EdocPackage,
    MessageHeader,
    Organization,
    OtherInfo,
    PromulgationInfo,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPackage,
    TraceHeader,
)
from congvu.edxml.writer import build_edoc, build_status
from congvu.errors import InvalidInput


def organization(agency: Agency, *, in_charge: str = "") -> Organization:
    """The ``From``/``To`` element of an agency of the directory."""
    return Organization(agency.code, in_charge, agency.name, "", agency.mailbox or "")


@dataclass(frozen=True)
class PackedFile:
    name: str
    data: bytes
    content_type: str


@dataclass(frozen=True)
class DocumentFacts:
    """What goes into the MessageHeader of a document, as the outgoing register holds it."""

    doc_type: str
    number: int
    notation: str
    place: str
    issued_on: date
    subject: str
    content: str
    competence: str
    position: str
    signer_name: str
    urgency: int
    due_date: date | None
    to_places: tuple[str, ...]
    response_for: tuple[str, ...]
    appendix_names: tuple[str, ...]
    drafting_unit: str | None


def response_for(document_id: str) -> ResponseFor:
    """``ResponseFor`` of a document known only by its DocumentId (the key carries the rest)."""
    try:
        key = parse_document_id(document_id)
    except InvalidInput as error:
        raise InvalidInput(f"Văn bản phúc đáp: {error.message}", message_en=error.message_en,
                           field="response_for") from None
    return ResponseFor(key.organ_id, key.code, key.promulgation_date, key.text)


def build_document(facts: DocumentFacts, sender: Organization, to: Sequence[Organization],
                   files: Sequence[PackedFile], *, sent_at: datetime, paper: bool,
                   business: BusinessDocType = BusinessDocType.NEW, about: str = "",
                   replacements: Sequence[ReplacementInfo] = ()) -> tuple[str, bytes]:
    """The DocumentId and bytes of the package of an issued document; a replacement (``business`` 3) names the
    replaced document in ``about`` and in ``replacements`` (with the agencies it had gone to)."""
    kind = resolve_type(facts.doc_type)
    header = MessageHeader(
        sender=sender,
        to=tuple(to),
        code=Code(f"{facts.number:02d}", facts.notation),
        promulgation_info=PromulgationInfo(facts.place, facts.issued_on),
        subject=facts.subject,
        document_type=DocumentType(kind.name, kind.edxml_type or 1, 0),
        content=facts.content or facts.subject,
        signer_info=SignerInfo(facts.competence, facts.position, facts.signer_name),
        due_date=facts.due_date,
        to_places=facts.to_places,
        other_info=OtherInfo(priority=facts.urgency, typer_notation=facts.drafting_unit or "",
                             promulgation_amount=len(to), appendixes=facts.appendix_names),
        response_for=tuple(response_for(d) for d in facts.response_for),
    )
    pkg = EdocPackage(
        header=header,
        traces=(TraceHeader(sender.organ_id, sent_at),),
        business=Business(doc_type=business, document_id=about or header.document_id,
                          reason=business.reason_vi, paper=paper, replacements=tuple(replacements)),
        attachments=tuple(Attachment.create(f.name, f.data, content_type=f.content_type) for f in files),
    )
    return header.document_id, build_edoc(pkg)


def status_message(document_id: str, reporter: Organization, code: StatusCode, *, at: datetime,
                   description: str = "", staff: str = "", department: str = "") -> StatusPackage:
    """The status package about ``document_id`` reported by ``reporter``, as its receiver reads it back
    (QCVN 102 ``Timestamp`` carries whole seconds)."""
    return StatusPackage(
        response_for=response_for(document_id),
        sender=reporter,
        status_code=code.value,
        timestamp=at.replace(microsecond=0),
        staff_info=StaffInfo(department=department, staff=staff),
        description=description or code.info.description_vi,
    )


def build_status_message(document_id: str, reporter: Organization, code: StatusCode, *, at: datetime,
                         description: str = "", staff: str = "", department: str = "") -> bytes:
    """The bytes of a status package about ``document_id`` reported by ``reporter``."""
    return build_status(status_message(document_id, reporter, code, at=at, description=description, staff=staff,
                                       department=department))
