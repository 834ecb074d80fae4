"""Values of the document services, as they hand them to adapters (CLI, web, exchange endpoints).

Field names follow the registers of NĐ 30/2020/NĐ-CP Phụ lục IV (số, ký hiệu; ngày; trích yếu; người ký; nơi
nhận; số đến, ngày đến…) and the edXML elements of QCVN 102:2016 where they meet (``document_id`` is the
DocumentId, ``status`` the two-digit status code).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Direction(StrEnum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"


class OutgoingState(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    RECALLED = "recalled"


class PaperMode(StrEnum):
    """What a policy period asks for a type of document."""

    ELECTRONIC_ONLY = "electronic_only"
    ELECTRONIC_AND_PAPER = "electronic_and_paper"


@dataclass(frozen=True)
class FileInput:
    """A file handed in by a clerk: its name and bytes (the media type follows the name when not given)."""

    name: str
    data: bytes
    content_type: str = ""


@dataclass(frozen=True)
class Signer:
    """The signer block: ``competence`` is the authority line (``KT. CHỦ TỊCH``), ``position`` their own title."""

    name: str
    position: str
    competence: str = ""


@dataclass(frozen=True)
class DraftInput:
    """Everything a clerk gives to draft (and then issue) an outgoing document.

    ``kinh_gui`` and ``noi_nhan`` hold lines: an agency code (``H19.04``), a group by address or name (``Các sở,
    ban, ngành``), an agency name, ``Như trên``, ``Lưu: VT, TTTH``; a purpose may follow in brackets
    (``(để thực hiện)``). ``response_for`` lists the DocumentIds this document answers (phúc đáp).
    """

    agency: str
    doc_type: str
    subject: str
    signer: Signer
    main_file: FileInput
    kinh_gui: tuple[str, ...] = ()
    noi_nhan: tuple[str, ...] = ()
    drafting_unit: str | None = None
    appendixes: tuple[FileInput, ...] = ()
    secrecy: str | None = None
    urgency: str | None = None
    due_date: date | None = None
    content: str = ""
    response_for: tuple[str, ...] = ()
    place: str | None = None
    replaces: str | None = None  # DocumentId of an issued document of the same agency that this one replaces


@dataclass(frozen=True)
class Register:
    id: int
    agency: str
    direction: Direction
    name: str
    doc_types: tuple[str, ...] | None  # None: every type not numbered by another register
    last_numbers: tuple[tuple[int, int], ...] = ()  # (year, last number issued)


@dataclass(frozen=True)
class FileView:
    id: int
    role: str  # main | appendix
    name: str
    content_type: str
    sha256: str
    size: int


@dataclass(frozen=True)
class SignatureView:
    """What a PDF signature said when checked (NĐ 30/2020 Điều 21.2.a: authenticity and integrity)."""

    file: str
    signer_name: str
    issuer: str
    signing_time: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    summary: str


@dataclass(frozen=True)
class PaperObligation:
    """Whether a paper original must still go to a recipient, and why."""

    required: bool
    note: str


@dataclass(frozen=True)
class RecipientView:
    """Where an outgoing document stands at one recipient agency."""

    agency: str
    name: str
    transport: str
    purpose: str | None
    sent_at: datetime | None
    status: str | None
    status_name: str
    at: datetime | None
    description: str | None
    paper_required: bool
    paper_note: str | None


@dataclass(frozen=True)
class OutgoingDocument:
    id: int
    document_id: str | None
    agency: str
    state: OutgoingState
    doc_type: str
    type_name: str
    number: str | None
    subject: str
    drafting_unit: str | None
    place: str | None
    issued_on: date | None
    signer: Signer
    secrecy: int
    urgency: int
    due_date: date | None
    kinh_gui: tuple[str, ...]
    noi_nhan: tuple[str, ...]
    response_for: tuple[str, ...]
    signed: bool
    recipients: tuple[RecipientView, ...]
    files: tuple[FileView, ...]
    recalled_at: datetime | None = None
    warnings: tuple[str, ...] = ()
    replaces: str | None = None


@dataclass(frozen=True)
class DocumentLink:
    """How an incoming entry relates to another document of the same sender (QCVN 102 ``Bussiness``: 3 thay thế,
    2 cập nhật). ``kind``: ``replaces`` / ``replaced_by`` (the other entry supersedes or is superseded by this
    one), ``updates`` / ``updated_by`` (an update package attached to the earlier entry). ``entry_id`` is the
    other entry of the same agency, when there is one."""

    kind: str
    document_id: str
    entry_id: int | None
    reason: str
    at: datetime


@dataclass(frozen=True)
class IncomingEntry:
    """One row of the incoming register (NĐ 30/2020 Phụ lục IV: sổ đăng ký văn bản đến)."""

    id: int
    agency: str
    document_id: str
    from_agency: str
    from_name: str
    number: str
    type_name: str
    subject: str
    promulgation_date: date | None
    urgency: int
    due_date: date | None
    arrived_at: datetime
    arrival_number: int | None
    arrival_date: date | None
    status: str
    status_name: str
    status_at: datetime
    handler: str | None
    handling_deadline: date | None
    paper: bool
    signature_summary: str
    warnings: tuple[str, ...]
    cancelled: bool
    files: tuple[FileView, ...] = ()
    signatures: tuple[SignatureView, ...] = ()
    links: tuple[DocumentLink, ...] = ()

    @property
    def replaced_by(self) -> str | None:
        """The DocumentId of the document that superseded this one, if any."""
        return next((link.document_id for link in self.links if link.kind == "replaced_by"), None)


@dataclass(frozen=True)
class Arrival:
    """What became of a package that arrived (by any transport).

    ``entries`` are the incoming entries created; ``duplicates`` the agencies that already had the document;
    ``quarantine_id`` and ``problem`` say why the package (or part of it) was refused or flagged;
    ``status_applied`` is set for a status package that was recorded.
    """

    kind: str  # edoc | status | unknown
    document_id: str | None
    entries: tuple[IncomingEntry, ...] = ()
    duplicates: tuple[str, ...] = ()
    quarantine_id: int | None = None
    problem: str | None = None
    status_applied: bool = False

    @property
    def accepted(self) -> bool:
        return bool(self.entries) or self.status_applied


@dataclass(frozen=True)
class StatusEvent:
    """One status sent or received about a document."""

    document_id: str
    agency: str
    status: str
    status_name: str
    at: datetime
    description: str | None
    direction: str  # sent | received


@dataclass(frozen=True)
class QuarantineItem:
    id: int
    received_at: datetime
    transport: str
    reason: str
    message: str
    message_en: str
    kind: str | None
    document_id: str | None
    from_agency: str | None
    sha256: str
    size: int
    resolved_at: datetime | None


@dataclass(frozen=True)
class PaperRule:
    id: int
    doc_type: str | None
    starts_on: date
    ends_on: date | None
    mode: PaperMode
    signed_exempt: bool
    note: str | None
