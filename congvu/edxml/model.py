"""Values of the QCVN 102:2016/BTTTT edXML package: document ("edoc") and status packages.

Field names follow the XML element names (``OrganId`` → ``organ_id``); ``From`` is
:attr:`MessageHeader.sender` since ``from`` is a Python keyword. Every value is normalised on construction so
that what is built, sent and read back compares equal: text in NFC with the eth look-alike replaced by Đ and
the ends trimmed, lists turned into tuples, times in Vietnam time (UTC+7, no daylight saving) to the second,
as the wire carries them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, timezone
from enum import IntEnum

from congvu.clerical.status_codes import StatusCode, find_status_code, normalize_status_code
from congvu.clerical.textkey import clean_text
from congvu.edxml.attachments import media_type_for

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")


def vietnam_time(moment: datetime) -> datetime:
    """``moment`` in Vietnam time, without microseconds; a naive value is taken as Vietnam time already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM_TIME)
    return moment.astimezone(VIETNAM_TIME).replace(microsecond=0)


class _Normalised:
    """Mixin: cleans text fields, turns lists into tuples and brings datetimes to Vietnam time."""

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, str):
                object.__setattr__(self, f.name, clean_text(value).strip())
            elif isinstance(value, list | tuple):
                items = tuple(clean_text(v).strip() if isinstance(v, str) else v for v in value)
                object.__setattr__(self, f.name, items)
            elif isinstance(value, datetime):
                object.__setattr__(self, f.name, vietnam_time(value))


@dataclass(frozen=True)
class Organization(_Normalised):
    """``From`` or ``To``: an agency identified by its code (mã định danh)."""

    organ_id: str
    organization_in_charge: str = ""
    organ_name: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class Code(_Normalised):
    """Số and ký hiệu, separately and without the slash."""

    code_number: str
    code_notation: str

    @property
    def text(self) -> str:
        return f"{self.code_number}/{self.code_notation}"


@dataclass(frozen=True)
class PromulgationInfo(_Normalised):
    place: str
    promulgation_date: date


@dataclass(frozen=True)
class DocumentType(_Normalised):
    """``Type`` (disputed integer codes, kept as given), ``TypeDetail`` and ``TypeName`` (tên loại)."""

    type_name: str = "Công văn"
    type_code: int = 1
    type_detail: int = 0


@dataclass(frozen=True)
class SignerInfo(_Normalised):
    """``Competence`` is the authority line (``KT. CHỦ TỊCH``), ``Position`` the signer's own title."""

    competence: str = ""
    position: str = ""
    full_name: str = ""


@dataclass(frozen=True)
class OtherInfo(_Normalised):
    """``Priority`` 0 thường … 3 hỏa tốc (4 legacy); amounts 0 when unknown."""

    priority: int = 0
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int = 0
    page_amount: int = 0
    direction: bool = False
    appendixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResponseFor(_Normalised):
    """The document answered or reported on; ``code`` is the joined ``số/ký hiệu``."""

    organ_id: str
    code: str
    promulgation_date: date | None
    document_id: str


@dataclass(frozen=True)
class MessageHeader(_Normalised):
    """The metadata of a document package. ``document_id`` is composed from the other fields when empty."""

    sender: Organization
    to: tuple[Organization, ...]
    code: Code
    promulgation_info: PromulgationInfo
    subject: str
    document_type: DocumentType = DocumentType()
    content: str = ""
    signer_info: SignerInfo = SignerInfo()
    due_date: date | None = None
    to_places: tuple[str, ...] = ()
    other_info: OtherInfo = OtherInfo()
    response_for: tuple[ResponseFor, ...] = ()
    steering_type: int = 1
    document_id: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.document_id:
            # QCVN 102:2016 MessageHeader/DocumentId = <From/OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>
            day = self.promulgation_info.promulgation_date.strftime("%Y/%m/%d")
            object.__setattr__(self, "document_id", f"{self.sender.organ_id},{day},{self.code.text}")


@dataclass(frozen=True)
class TraceHeader(_Normalised):
    """One hop: the agency that handled the package and when (Vietnam time)."""

    organ_id: str
    timestamp: datetime


@dataclass(frozen=True)
class StaffInfo(_Normalised):
    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""


class BusinessDocType(IntEnum):
    """``BussinessDocType``: what the package does to the document it names."""

    NEW = 0
    REVOKE = 1
    UPDATE = 2
    REPLACE = 3

    @property
    def reason_vi(self) -> str:
        return (
            "Văn bản điện tử mới",
            "Thu hồi văn bản điện tử",
            "Cập nhật văn bản điện tử",
            "Văn bản thay thế",
        )[self.value]


@dataclass(frozen=True)
class Receiver(_Normalised):
    """A change of recipients in an update: ``receiver_type`` 0 removed, 1 added."""

    organ_id: str
    receiver_type: int


@dataclass(frozen=True)
class ReplacementInfo(_Normalised):
    """In a replacement: the replaced document and the agencies it had been sent to."""

    document_id: str
    organ_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Business(_Normalised):
    """The ``Bussiness`` block (double s on the wire). ``paper`` tells whether a paper copy also goes out."""

    doc_type: BusinessDocType = BusinessDocType.NEW
    document_id: str = ""
    reason: str = ""
    paper: bool = False
    staff_info: tuple[StaffInfo, ...] = ()
    content_changed: bool = False
    receivers_changed: bool = False
    receivers: tuple[Receiver, ...] = ()
    replacements: tuple[ReplacementInfo, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "doc_type", BusinessDocType(self.doc_type))


@dataclass(frozen=True)
class Attachment(_Normalised):
    """One attached file as the user sees it: real name, real bytes, real media type.

    On the wire, formats other than pdf/doc/docx/xls/xlsx/zip travel zipped; the codec zips and unzips.
    ``content_id`` joins the manifest ``Reference`` and the encoded ``Attachment`` (``cid:`` + UUID).
    """

    content_id: str
    name: str
    data: bytes
    content_type: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.content_type:
            object.__setattr__(self, "content_type", media_type_for(self.name))

    @classmethod
    def create(cls, name: str, data: bytes, *, content_type: str = "", description: str = "") -> Attachment:
        """A new attachment with a fresh ``cid:`` + UUID content id."""
        return cls(f"cid:{uuid.uuid4()}", name, data, content_type, description or name)


@dataclass(frozen=True)
class EdocPackage(_Normalised):
    """A document package. ``business`` None means the block was absent: a new document."""

    header: MessageHeader
    traces: tuple[TraceHeader, ...] = ()
    business: Business | None = None
    attachments: tuple[Attachment, ...] = ()

    @property
    def document_id(self) -> str:
        return self.header.document_id

    @property
    def business_doc_type(self) -> BusinessDocType:
        return self.business.doc_type if self.business is not None else BusinessDocType.NEW


@dataclass(frozen=True)
class StatusPackage(_Normalised):
    """A status package: the receiver (or, for 13, the issuer) reports on the document of ``response_for``."""

    response_for: ResponseFor
    sender: Organization
    status_code: str
    timestamp: datetime
    staff_info: StaffInfo = StaffInfo()
    description: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "status_code", normalize_status_code(self.status_code))

    @property
    def status(self) -> StatusCode | None:
        """The known status, or None for a code outside the published list."""
        return find_status_code(self.status_code)


Package = EdocPackage | StatusPackage
