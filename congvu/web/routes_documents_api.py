"""Official documents in the JSON API (``/api/v1/documents``): the registers with their filters, an incoming
document's handling, issuing and following an outgoing document, the overdue list, an agency's dashboard, the
files and the edXML packages.

A token acts within its creator's administrative scope, like the directory endpoints: an agency outside it is
refused (403) and a document of such an agency is answered as if it did not exist (404), so nothing leaks. The
answers are the objects the CLI prints with ``--json`` (:mod:`congvu.documents.views`). Issuing takes JSON with
the files in base64 (like ``/mail/send``); a secret document is refused with 422 and the rule's explanation.

Endpoints are plain ``def``: FastAPI runs them in its thread pool, where signing and signature checks may run
pyHanko's own event loop (see :mod:`congvu.documents.service`).
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from congvu.directory.models import Agency
from congvu.documents.models import (
    DraftInput,
    FileInput,
    FileView,
    IncomingEntry,
    OutgoingDocument,
    OutgoingState,
    Signer,
)
from congvu.documents.search import RegisterQuery, dashboard, overdue, search_incoming, search_outgoing
from congvu.documents.views import (
    dashboard_view,
    incoming_page,
    incoming_view,
    outgoing_page,
    outgoing_view,
    recipient_view,
)
from congvu.errors import InvalidInput, NotFound, PermissionDenied
from congvu.web.api import ERRORS, ApiCaller, Caller
from congvu.web.api_documents_models import (
    AssignIn,
    DashboardOut,
    FileIn,
    IncomingOut,
    IncomingPage,
    IssueIn,
    NoteIn,
    OutgoingOut,
    OutgoingPage,
    ReasonIn,
    RecallAnswerIn,
    RecipientOut,
)
from congvu.web.api_models import ErrorOut
from congvu.web.context import WebContext, web_of

router = APIRouter(prefix="/documents", tags=["documents"])
FromDate = Annotated[date | None, Query(alias="from", description="from this day (ngày đến, ngày ban hành)")]
ToDate = Annotated[date | None, Query(alias="to", description="up to this day")]
Today = Annotated[date | None, Query(description="default: today")]
Json = dict[str, Any]
ISSUE_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, 422: {"model": ErrorOut}}
FILE_ANSWER: dict[int | str, dict[str, Any]] = {
    **ERRORS, 200: {"content": {"application/pdf": {}, "application/octet-stream": {}},
                    "description": "the file's bytes"}}
EDXML_ANSWER: dict[int | str, dict[str, Any]] = {
    **ERRORS, 200: {"content": {"application/xml": {}}, "description": "the edXML package (QCVN 102)"}}


# -- scope -------------------------------------------------------------------------------------------------------

def _agency(web: WebContext, caller: ApiCaller, code: str) -> Agency:
    """An agency the token may act for (403 outside its scope, 404 unknown)."""
    return web.access.scope.agency(caller.scope, code)


def _covers(web: WebContext, caller: ApiCaller, code: str) -> bool:
    try:
        return caller.scope.covers(web.directory.agencies.show(code).id)
    except NotFound:
        return False


def _entry(web: WebContext, caller: ApiCaller, entry_id: int) -> IncomingEntry:
    entry = web.docs.incoming.get(entry_id)
    if not _covers(web, caller, entry.agency):
        raise NotFound(f"Không có văn bản đến số {entry_id}", message_en=f"No incoming entry {entry_id}",
                       field="incoming")
    return entry


def _outgoing(web: WebContext, caller: ApiCaller, document_id: str) -> OutgoingDocument:
    doc = web.docs.outgoing.get(document_id)
    if not _covers(web, caller, doc.agency):
        raise NotFound(f"Không có văn bản đi '{document_id}'", message_en=f"No outgoing document {document_id!r}",
                       field="document_id")
    return doc


def _query(agency: str, year: int | None, q: str, status: str | None, from_date: date | None,
           to_date: date | None, limit: int, offset: int) -> RegisterQuery:
    return RegisterQuery(agency=agency, year=year, q=q, status=status, from_date=from_date, to_date=to_date,
                         limit=limit, offset=offset)


def _file(web: WebContext, files: tuple[FileView, ...], file_id: int) -> Response:
    found = next((f for f in files if f.id == file_id), None)
    if found is None:
        raise NotFound(f"Văn bản không có tệp số {file_id}", message_en=f"No file {file_id}", field="file")
    return Response(web.docs.ctx.blobs.get(found.sha256), media_type=found.content_type or "application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}",
                             "X-Content-Type-Options": "nosniff"})


def _edxml(data: bytes, name: str) -> Response:
    safe = "".join(c if c.isalnum() or c in "-." else "_" for c in name)[:100] or "van-ban"
    return Response(data, media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{safe}.edxml"'})


# -- incoming ----------------------------------------------------------------------------------------------------

@router.get("/incoming", response_model=IncomingPage, responses=ERRORS)
def list_incoming(request: Request, caller: Caller, agency: str = Query(max_length=60),
                  year: int | None = Query(default=None, ge=1900, le=9999),
                  status: str | None = Query(default=None, pattern=r"^\d{2}$", description="edXML status code"),
                  q: str = Query(default="", max_length=200, description="without regard to diacritics"),
                  from_date: FromDate = None, to_date: ToDate = None,
                  limit: int = Query(default=100, ge=1, le=1000), offset: int = Query(default=0, ge=0)) -> Json:
    web = web_of(request)
    found = _agency(web, caller, agency)
    return incoming_page(search_incoming(web.docs, _query(found.code, year, q, status, from_date, to_date, limit,
                                                          offset)))


@router.get("/incoming/{entry_id}", response_model=IncomingOut, responses=ERRORS)
def show_incoming(request: Request, caller: Caller, entry_id: int) -> Json:
    return incoming_view(_entry(web_of(request), caller, entry_id))


@router.post("/incoming/{entry_id}/register", response_model=IncomingOut, responses=ERRORS)
def register_incoming(request: Request, caller: Caller, entry_id: int) -> Json:
    web = web_of(request)
    entry = _entry(web, caller, entry_id)
    return incoming_view(web.docs.register(entry.id, actor=caller.actor))


@router.post("/incoming/{entry_id}/assign", response_model=IncomingOut, responses=ERRORS)
def assign_incoming(request: Request, caller: Caller, entry_id: int, body: AssignIn) -> Json:
    web = web_of(request)
    entry = _entry(web, caller, entry_id)
    return incoming_view(web.docs.assign(entry.id, to_unit=body.unit, to_person=body.person,
                                         instruction=body.instruction, deadline=body.deadline, actor=caller.actor))


@router.post("/incoming/{entry_id}/start", response_model=IncomingOut, responses=ERRORS)
def start_incoming(request: Request, caller: Caller, entry_id: int, body: NoteIn | None = None) -> Json:
    web = web_of(request)
    entry = _entry(web, caller, entry_id)
    return incoming_view(web.docs.start(entry.id, note=body.note if body else "", actor=caller.actor))


@router.post("/incoming/{entry_id}/done", response_model=IncomingOut, responses=ERRORS)
def finish_incoming(request: Request, caller: Caller, entry_id: int, body: NoteIn | None = None) -> Json:
    web = web_of(request)
    entry = _entry(web, caller, entry_id)
    return incoming_view(web.docs.done(entry.id, note=body.note if body else "", actor=caller.actor))


@router.post("/incoming/{entry_id}/reject", response_model=IncomingOut, responses=ERRORS)
def reject_incoming(request: Request, caller: Caller, entry_id: int, body: ReasonIn) -> Json:
    web = web_of(request)
    entry = _entry(web, caller, entry_id)
    return incoming_view(web.docs.reject(entry.id, reason=body.reason, actor=caller.actor))


@router.post("/incoming/{entry_id}/recall-answer", response_model=IncomingOut, responses=ERRORS)
def answer_recall(request: Request, caller: Caller, entry_id: int, body: RecallAnswerIn) -> Json:
    web = web_of(request)
    entry = _entry(web, caller, entry_id)
    return incoming_view(web.docs.answer_recall(entry.id, accept=body.accept, note=body.note, actor=caller.actor))


@router.get("/incoming/{entry_id}/files/{file_id}", response_class=Response, responses=FILE_ANSWER)
def incoming_file(request: Request, caller: Caller, entry_id: int, file_id: int) -> Response:
    web = web_of(request)
    return _file(web, _entry(web, caller, entry_id).files, file_id)


@router.get("/incoming/{entry_id}/edxml", response_class=Response, responses=EDXML_ANSWER)
def incoming_package(request: Request, caller: Caller, entry_id: int) -> Response:
    web = web_of(request)
    entry = _entry(web, caller, entry_id)
    return _edxml(web.docs.incoming.package(entry.id), entry.number)


# -- outgoing ----------------------------------------------------------------------------------------------------

@router.get("/outgoing", response_model=OutgoingPage, responses=ERRORS)
def list_outgoing(request: Request, caller: Caller, agency: str = Query(max_length=60),
                  year: int | None = Query(default=None, ge=1900, le=9999), status: OutgoingState | None = None,
                  q: str = Query(default="", max_length=200, description="without regard to diacritics"),
                  from_date: FromDate = None, to_date: ToDate = None,
                  limit: int = Query(default=100, ge=1, le=1000), offset: int = Query(default=0, ge=0)) -> Json:
    web = web_of(request)
    found = _agency(web, caller, agency)
    return outgoing_page(search_outgoing(web.docs, _query(found.code, year, q, status.value if status else None,
                                                          from_date, to_date, limit, offset)))


def _decoded(item: FileIn, field: str) -> FileInput:
    try:
        data = base64.b64decode(item.data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"Tệp «{item.filename}» không phải base64 hợp lệ.",
                           message_en=f"{item.filename!r} is not valid base64.", field=field) from None
    return FileInput(item.filename, data, item.content_type.strip().lower())


@router.post("/outgoing", response_model=OutgoingOut, status_code=201, responses=ISSUE_ERRORS)
def issue_outgoing(request: Request, caller: Caller, body: IssueIn) -> Any:
    """Issue (number, sign) and send a document to every recipient, as ``congvu doc issue`` does."""
    web = web_of(request)
    found = _agency(web, caller, body.agency)
    draft = DraftInput(
        agency=found.code, doc_type=body.type, subject=body.subject, drafting_unit=body.unit,
        signer=Signer(body.signer_name, body.signer_position, body.signer_authority),
        main_file=_decoded(body.file, "file"),
        appendixes=tuple(_decoded(a, "attachments") for a in body.attachments),
        kinh_gui=tuple(c.strip() for v in body.to for c in v.split(",") if c.strip()), noi_nhan=tuple(body.noi_nhan),
        secrecy=body.secrecy, urgency=body.urgency, due_date=body.due_date, content=body.content,
        response_for=tuple(body.reply_to), place=body.place, replaces=body.replaces)
    try:
        return outgoing_view(web.docs.issue(draft, actor=caller.actor))
    except PermissionDenied as refused:
        if refused.field != "secrecy":
            raise
        # A secret document is well-formed input that the law forbids sending electronically.
        return JSONResponse({"error": {"message": refused.message, "message_en": refused.message_en,
                                       "field": refused.field}}, status_code=422)


@router.get("/outgoing/{document_id:path}/status", response_model=list[RecipientOut], responses=ERRORS)
def outgoing_status(request: Request, caller: Caller, document_id: str) -> list[Json]:
    """Where the document stands at each recipient (``congvu doc status``)."""
    web = web_of(request)
    doc = _outgoing(web, caller, document_id)
    return [recipient_view(r) for r in doc.recipients]


@router.post("/outgoing/{document_id:path}/recall", response_model=OutgoingOut, responses=ERRORS)
def recall_outgoing(request: Request, caller: Caller, document_id: str, body: ReasonIn) -> Json:
    web = web_of(request)
    doc = _outgoing(web, caller, document_id)
    return outgoing_view(web.docs.recall(doc.document_id or document_id, reason=body.reason, actor=caller.actor))


@router.get("/outgoing/{document_id:path}/files/{file_id}", response_class=Response, responses=FILE_ANSWER)
def outgoing_file(request: Request, caller: Caller, document_id: str, file_id: int) -> Response:
    web = web_of(request)
    return _file(web, _outgoing(web, caller, document_id).files, file_id)


@router.get("/outgoing/{document_id:path}/edxml", response_class=Response, responses=EDXML_ANSWER)
def outgoing_package(request: Request, caller: Caller, document_id: str) -> Response:
    web = web_of(request)
    doc = _outgoing(web, caller, document_id)
    return _edxml(web.docs.outgoing.package(doc.document_id or document_id), doc.number or str(doc.id))


@router.get("/outgoing/{document_id:path}", response_model=OutgoingOut, responses=ERRORS)
def show_outgoing(request: Request, caller: Caller, document_id: str) -> Json:
    """An outgoing document by its DocumentId (``H19.01,2026/11/24,01/VPUBND-TTTH``: slashes need no escaping),
    with each recipient's status."""
    return outgoing_view(_outgoing(web_of(request), caller, document_id))


# -- per agency --------------------------------------------------------------------------------------------------

@router.get("/{agency}/overdue", response_model=list[IncomingOut], responses=ERRORS)
def list_overdue(request: Request, caller: Caller, agency: str,
                 today: Today = None) -> list[Json]:
    """Open incoming documents past their handling deadline, the most late first."""
    web = web_of(request)
    found = _agency(web, caller, agency)
    return [incoming_view(e) for e in overdue(web.docs, found.code, today or web.docs.ctx.today())]


@router.get("/{agency}/dashboard", response_model=DashboardOut, responses=ERRORS)
def agency_dashboard(request: Request, caller: Caller, agency: str,
                     today: Today = None) -> Json:
    web = web_of(request)
    found = _agency(web, caller, agency)
    return dashboard_view(dashboard(web.docs, found.code, today or web.docs.ctx.today()))
