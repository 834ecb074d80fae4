"""Outgoing documents in the web: the form that drafts and issues one (number given at issue, signed with the
agency's certificate when it has one, sent to every recipient), its page with each recipient's status and paper
obligation, and recall, issuing a kept draft and publishing. Endpoints are plain ``def``: signing runs pyHanko's
own event loop, which must not run inside the server's loop."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from congvu.directory.models import Role
from congvu.documents.models import DraftInput, FileInput, OutgoingDocument, OutgoingState, Signer
from congvu.errors import Conflict, CongVuError, InvalidInput, NotFound
from congvu.web.context import Viewer, ViewerDep, web_of
from congvu.web.doc_permissions import outgoing_access, require_agency
from congvu.web.errors import status_of
from congvu.web.forms import MAX_UPLOAD_BYTES, ViewerForm, text, upload
from congvu.web.rendering import redirect
from congvu.web.routes_documents_common import DOC_TYPES, SECRECIES, URGENCIES, doc_page, file_response, parse_day

router = APIRouter()
MAX_APPENDIXES = 20
FIELDS = ("doc_type", "drafting_unit", "subject", "signer_name", "signer_position", "signer_competence", "to",
          "noi_nhan", "secrecy", "urgency", "due", "content")


def doc_url(doc: OutgoingDocument) -> str:
    return f"/van-ban/{doc.agency}/di/{doc.id}"


def _lines(value: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in value.replace("\r", "").split("\n") if line.strip())


def _recipients(value: str) -> tuple[str, ...]:
    """``Kính gửi``: agency codes (or names, groups) separated by commas or lines."""
    return tuple(part.strip() for line in _lines(value) for part in line.split(",") if part.strip())


def _file(item: UploadFile) -> FileInput:
    data = item.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        mb = MAX_UPLOAD_BYTES // (1024 * 1024)
        raise InvalidInput(f"Tệp «{item.filename}» lớn quá {mb} MB.",
                           message_en=f"The file {item.filename} is larger than {mb} MB.", field="file")
    return FileInput(item.filename or "van-ban.pdf", data, item.content_type or "")


def draft_of(agency: str, form: FormData) -> DraftInput:
    appendixes = [v for v in form.getlist("appendix") if isinstance(v, UploadFile) and v.filename]
    if len(appendixes) > MAX_APPENDIXES:
        raise InvalidInput(f"Nhiều nhất {MAX_APPENDIXES} phụ lục.", message_en=f"At most {MAX_APPENDIXES} appendixes.",
                           field="appendix")
    to = _recipients(text(form, "to"))
    if not to:
        raise InvalidInput("Cần ít nhất một nơi nhận (mã cơ quan).", message_en="At least one recipient is required.",
                           field="to")
    return DraftInput(
        agency=agency, doc_type=text(form, "doc_type"), subject=text(form, "subject"),
        signer=Signer(text(form, "signer_name"), text(form, "signer_position"), text(form, "signer_competence")),
        main_file=_file(upload(form, "main_file")), kinh_gui=to, noi_nhan=_lines(text(form, "noi_nhan")),
        drafting_unit=text(form, "drafting_unit") or None, appendixes=tuple(_file(a) for a in appendixes),
        secrecy=text(form, "secrecy") or None, urgency=text(form, "urgency") or None,
        due_date=parse_day(text(form, "due"), "due"), content=text(form, "content"))


def _form_page(request: Request, viewer: Viewer, code: str, values: dict[str, str], *,
               error: CongVuError | None = None, http_status: int = 200) -> HTMLResponse:
    web = web_of(request)
    agency = require_agency(web, viewer, code)
    return doc_page(request, viewer, "documents/issue.html", http_status=http_status, agency=agency,
                    values=values, error=error, doc_types=DOC_TYPES, urgencies=URGENCIES, secrecies=SECRECIES,
                    all_agencies=[a for a in web.directory.agencies.list() if a.code != agency.code])


@router.get("/{code}/di/moi", response_class=HTMLResponse)
def issue_form(request: Request, viewer: ViewerDep, code: str) -> HTMLResponse:
    web = web_of(request)
    agency = require_agency(web, viewer, code)
    # The agency's leader signs by default (NĐ 30/2020 Điều 13); the clerk changes it for a deputy.
    leader = next((p for p in web.directory.accounts.list(agency=agency.code, status="active")
                   if p.agency_code == agency.code and any(g.role == Role.LEADER and g.agency_code == agency.code
                                                           for g in p.roles)), None)
    defaults = {"doc_type": "cong_van", "signer_name": leader.full_name if leader else "",
                "signer_position": (leader.position or "") if leader else ""}
    return _form_page(request, viewer, code, defaults)


@router.post("/{code}/di/moi")
def issue_submit(request: Request, form: ViewerForm, viewer: ViewerDep, code: str) -> Response:
    web = web_of(request)
    agency = require_agency(web, viewer, code)
    values = {name: text(form, name) for name in FIELDS}
    try:
        draft = draft_of(agency.code, form)
        if text(form, "action") == "draft":
            doc = web.docs.outgoing.draft(draft, actor=viewer.address)
            return redirect(doc_url(doc), ok=("Đã lưu dự thảo (chưa cấp số).", "Draft saved (not numbered yet)."))
        doc = web.docs.issue(draft, actor=viewer.address)
    except CongVuError as exc:
        return _form_page(request, viewer, code, values, error=exc, http_status=status_of(exc))
    warn = f" {' '.join(doc.warnings)}" if doc.warnings else ""
    return redirect(doc_url(doc), ok=(f"Đã ban hành văn bản số {doc.number} và gửi {len(doc.recipients)} nơi "
                                      f"nhận.{warn}", f"Issued as {doc.number} and sent to {len(doc.recipients)} "
                                                       f"recipients.{warn}"))


def _published(request: Request, doc: OutgoingDocument) -> int | None:
    if doc.state != OutgoingState.ISSUED or not doc.document_id:
        return None
    notice = next((n for n in web_of(request).docs.publisher.notices(limit=10_000)
                   if n.document_id == doc.document_id), None)
    return notice.id if notice else None


@router.get("/{code}/di/{outgoing_id}", response_class=HTMLResponse)
def outgoing_page(request: Request, viewer: ViewerDep, code: str, outgoing_id: int) -> HTMLResponse:
    agency, doc = outgoing_access(web_of(request), viewer, code, outgoing_id)
    main = next((f for f in doc.files if f.role == "main" and f.name.lower().endswith(".pdf")), None)
    paper = [r for r in doc.recipients if r.paper_required]
    answered = sum(1 for r in doc.recipients if r.status not in (None, "01"))
    return doc_page(request, viewer, "documents/outgoing_doc.html", agency=agency, doc=doc, main=main,
                    paper=paper, answered=answered, notice_id=_published(request, doc), base=doc_url(doc))


@router.get("/{code}/di/{outgoing_id}/tep/{file_id}")
def outgoing_file(request: Request, viewer: ViewerDep, code: str, outgoing_id: int, file_id: int,
                  tai: int = 0) -> Response:
    _, doc = outgoing_access(web_of(request), viewer, code, outgoing_id)
    view = next((f for f in doc.files if f.id == file_id), None)
    if view is None:
        raise NotFound("Không có tệp này trong văn bản.", message_en="No such file in this document.")
    return file_response(request, view, inline=not tai)


@router.post("/{code}/di/{outgoing_id}/{step}")
def outgoing_step(request: Request, form: ViewerForm, viewer: ViewerDep, code: str, outgoing_id: int,
                  step: str) -> Response:
    web = web_of(request)
    _, doc = outgoing_access(web, viewer, code, outgoing_id)
    actor = viewer.address
    try:
        if step == "ban-hanh":
            issued = web.docs.issue_draft(doc.id, actor=actor)
            done = (f"Đã ban hành văn bản số {issued.number}.", f"Issued as {issued.number}.")
        elif not doc.document_id:
            raise Conflict("Dự thảo chưa ban hành: chưa thu hồi hay công bố được.",
                           message_en="A draft is not issued: it cannot be recalled or published.")
        elif step == "thu-hoi":
            web.docs.recall(doc.document_id, reason=text(form, "reason"), actor=actor)
            done = ("Đã gửi đề nghị thu hồi tới các nơi nhận.", "The recall request has been sent to every recipient.")
        elif step == "cong-bo":
            web.docs.publisher.publish(doc.document_id, actor=actor)
            done = ("Đã công bố văn bản trên trang công bố.", "Published on the public notices page.")
        elif step == "go-cong-bo":
            web.docs.publisher.withdraw(doc.document_id, actor=actor)
            done = ("Đã gỡ văn bản khỏi trang công bố.", "Withdrawn from the public notices page.")
        else:
            raise NotFound("Không có thao tác này.", message_en="No such action.")
    except NotFound:
        raise
    except CongVuError as exc:
        return redirect(doc_url(doc), error=exc)
    return redirect(doc_url(doc), ok=done)
