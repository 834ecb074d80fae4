"""The JSON shapes of ``/api/v1/documents`` (they make the OpenAPI document).

The answers are the objects of :mod:`congvu.documents.views`, the same the CLI prints with ``--json``; these
models describe them field by field, and the request bodies.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, WithJsonSchema

# Times are given as the views write them (``datetime.isoformat()``, UTC with ``+00:00``), so that the API and
# the CLI answer byte for byte alike.
Moment = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class SignerOut(BaseModel):
    name: str
    position: str
    competence: str = Field(description="Quyền hạn ký: KT. CHỦ TỊCH, TM. UBND…")


class FileOut(BaseModel):
    id: int
    role: str = Field(description="main | appendix | update (a file brought by an update package) | stamped (a copy of "
                      "the main PDF bearing the ĐẾN stamp; the main file is kept as received)")
    name: str
    content_type: str
    sha256: str
    size: int


class SignatureOut(BaseModel):
    file: str
    signer_name: str
    issuer: str
    signing_time: Moment | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    summary: str


class LinkOut(BaseModel):
    kind: str = Field(description="replaces | replaced_by | updates | updated_by")
    document_id: str = Field(description="the other document's DocumentId")
    entry_id: int | None = Field(description="the other incoming entry of the same agency, if there is one")
    reason: str
    at: Moment


class RecipientOut(BaseModel):
    agency: str
    name: str
    status: str | None = Field(description="the last edXML status code reported (01 đã đến … 06 hoàn thành)")
    status_name: str
    at: Moment | None
    sent_at: Moment | None
    transport: str
    purpose: str | None
    description: str | None
    paper_required: bool
    paper_note: str | None


class OutgoingOut(BaseModel):
    id: int
    document_id: str | None = Field(description="QCVN 102 DocumentId, set at issue")
    number: str | None = Field(description="Số, ký hiệu")
    agency: str
    state: str = Field(description="draft | issued | recalled")
    type: str
    type_name: str
    subject: str
    place: str | None
    issued_on: date | None
    signer: SignerOut
    urgency: int
    due_date: date | None
    signed: bool
    kinh_gui: list[str]
    noi_nhan: list[str]
    response_for: list[str]
    replaces: str | None
    recipients: list[RecipientOut]
    files: list[FileOut]
    recalled_at: Moment | None
    warnings: list[str]


class IncomingOut(BaseModel):
    id: int
    agency: str
    document_id: str
    arrival_number: int | None = Field(description="Số đến (set at registration)")
    arrival_date: date | None
    number: str = Field(description="Số, ký hiệu of the sender")
    from_: str = Field(alias="from", description="the sender's agency code")
    from_name: str
    type_name: str
    subject: str
    promulgation_date: date | None
    urgency: int
    due_date: date | None
    arrived_at: Moment
    status: str = Field(description="edXML status code")
    status_name: str
    status_at: Moment
    handler: str | None
    handling_deadline: date | None
    paper: bool
    signature_summary: str
    warnings: list[str]
    cancelled: bool
    replaced_by: str | None
    links: list[LinkOut]
    files: list[FileOut]
    signatures: list[SignatureOut]

    model_config = {"populate_by_name": True}


class IncomingPage(BaseModel):
    items: list[IncomingOut]
    total: int
    offset: int
    limit: int


class OutgoingPage(BaseModel):
    items: list[OutgoingOut]
    total: int
    offset: int
    limit: int


class MonthOut(BaseModel):
    month: int
    incoming: int
    outgoing: int


class DashboardOut(BaseModel):
    agency: str
    year: int
    incoming_total: int
    incoming_by_status: dict[str, int]
    waiting_registration: int
    open_incoming: int
    overdue: int
    due_within_3_days: int
    outgoing_issued: int
    outgoing_drafts: int
    recipients_pending: int
    by_month: list[MonthOut]


class FileIn(BaseModel):
    filename: str = Field(max_length=255)
    content_type: str = Field(default="", max_length=100, description="default: from the file name")
    data_base64: str = Field(description="the file's bytes, base64")


class IssueIn(BaseModel):
    """What ``congvu doc issue`` takes, with the files in base64."""

    agency: str = Field(max_length=60, description="mã cơ quan ban hành")
    type: str = Field(max_length=100, description="cong_van, quyet_dinh, QĐ, \"Thông báo\"…")
    unit: str | None = Field(default=None, max_length=60, description="đơn vị soạn thảo (bắt buộc với công văn)")
    subject: str = Field(max_length=500)
    content: str = Field(default="", max_length=5000)
    signer_name: str = Field(max_length=50)
    signer_position: str = Field(max_length=100)
    signer_authority: str = Field(default="", max_length=200)
    to: list[str] = Field(min_length=1, max_length=500, description="Kính gửi: agency codes, names or groups")
    noi_nhan: list[str] = Field(default_factory=list, max_length=500, description="lines of Nơi nhận")
    file: FileIn = Field(description="the main file (PDF)")
    attachments: list[FileIn] = Field(default_factory=list, max_length=20)
    secrecy: str | None = Field(default=None, max_length=40, description="a secret level is refused (422)")
    urgency: str | None = Field(default=None, max_length=40)
    due_date: date | None = None
    reply_to: list[str] = Field(default_factory=list, max_length=20, description="DocumentIds answered")
    place: str | None = Field(default=None, max_length=100)
    replaces: str | None = Field(default=None, max_length=120, description="DocumentId of the document replaced")


class AssignIn(BaseModel):
    unit: str | None = Field(default=None, max_length=300)
    person: str | None = Field(default=None, max_length=320)
    instruction: str = Field(default="", max_length=2000)
    deadline: date | None = None


class NoteIn(BaseModel):
    note: str = Field(default="", max_length=500)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class RecallAnswerIn(BaseModel):
    accept: bool = Field(description="true: 15, our copy is cancelled; false: 16, kept")
    note: str = Field(default="", max_length=500)
