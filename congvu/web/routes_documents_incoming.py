"""An incoming document's page and the steps taken on it: vào sổ, chuyển, đang xử lý, hoàn thành, từ chối and the
answer to a recall (NĐ 30/2020/NĐ-CP Điều 22–24). Each step goes through the document service with the viewer's
address as the actor (the service audits it and reports the status to the sender); errors come back as a
flash message on the document's page. Endpoints are plain ``def``: the service may check PDF signatures, which
runs pyHanko's own event loop (it must not run inside the server's loop)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from congvu.clerical.status_codes import IncomingLifecycle, StatusCode, find_status_code
from congvu.directory.models import Account
from congvu.documents.models import IncomingEntry, StatusEvent
from congvu.errors import CongVuError, InvalidInput, NotFound, PermissionDenied
from congvu.web.context import ViewerDep, WebContext, web_of
from congvu.web.doc_permissions import EntryAccess, entry_access, person_label, require_acts
from congvu.web.forms import ViewerForm, text
from congvu.web.rendering import redirect
from congvu.web.routes_documents_common import doc_page, file_response, parse_day

router = APIRouter()
MAX_PEOPLE = 500


def entry_url(access: EntryAccess) -> str:
    return f"/van-ban/{access.agency.code}/den/{access.entry.id}"


def history(web: WebContext, entry: IncomingEntry) -> list[StatusEvent]:
    """What this agency reported about the document, and the issuer's recall requests: never another recipient's
    statuses, although inside one installation they share the document's id."""
    seen: set[tuple[str, str]] = set()
    out: list[StatusEvent] = []
    for event in web.docs.statuses.history(entry.document_id):
        ours = event.direction == "sent" and event.agency == entry.agency
        recall = event.status == StatusCode.RECALL_REQUESTED.value and event.agency == entry.from_agency
        key = (event.status, event.at.isoformat())
        if (ours or recall) and key not in seen:
            seen.add(key)
            out.append(event)
    return out


def next_steps(entry: IncomingEntry) -> frozenset[str]:
    if entry.cancelled:
        return frozenset()
    current = find_status_code(entry.status)
    if current is StatusCode.RECALL_REQUESTED:
        return frozenset({StatusCode.RECALL_ACCEPTED.value, StatusCode.RECALL_REFUSED.value})
    allowed = IncomingLifecycle(current).allowed()
    return frozenset(s.value for s in allowed if s is not StatusCode.RECALL_REQUESTED)


def handlers(web: WebContext, code: str) -> tuple[list[str], list[Account]]:
    """Who a document may be sent to: the units of the agency (its divisions and the units people name), and
    its people (those of the agencies under it too)."""
    directory = web.directory
    people = directory.accounts.list(agency=code, status="active", limit=MAX_PEOPLE)
    units = [a.name for a in directory.agencies.list(under=code) if a.code != code and a.status == "active"]
    for person in people:
        if person.unit and person.unit not in units:
            units.append(person.unit)
    return units, people


@router.get("/{code}/den/{entry_id}", response_class=HTMLResponse)
def entry_page(request: Request, viewer: ViewerDep, code: str, entry_id: int) -> HTMLResponse:
    web = web_of(request)
    access = entry_access(web, viewer, code, entry_id)
    units, people = handlers(web, access.agency.code) if access.acts else ([], [])
    main = next((f for f in access.entry.files if f.role == "main" and f.name.lower().endswith(".pdf")), None)
    stamped = next((f for f in access.entry.files if f.role == "stamped"), None)  # the copy with the ĐẾN stamp
    return doc_page(request, viewer, "documents/entry.html", agency=access.agency, entry=access.entry,
                    acts=access.acts, assignee=access.assignee, steps=next_steps(access.entry),
                    events=history(web, access.entry), units=units, people=people, main=main,
                    preview=stamped or main, stamped=stamped, base=entry_url(access))


@router.get("/{code}/den/{entry_id}/tep/{file_id}")
def entry_file(request: Request, viewer: ViewerDep, code: str, entry_id: int, file_id: int,
               tai: int = 0) -> Response:
    access = entry_access(web_of(request), viewer, code, entry_id)
    view = next((f for f in access.entry.files if f.id == file_id), None)
    if view is None:
        raise NotFound("Không có tệp này trong văn bản.", message_en="No such file in this document.")
    return file_response(request, view, inline=not tai)


def _person(web: WebContext, code: str, address: str) -> str | None:
    if not address:
        return None
    _, people = handlers(web, code)
    found = next((p for p in people if p.address == address.strip().lower()), None)
    if found is None:
        raise InvalidInput(f"«{address}» không phải cán bộ của cơ quan này.",
                           message_en=f"{address} does not work at this agency.", field="to_person")
    return person_label(found.full_name, found.address)


@router.post("/{code}/den/{entry_id}/{step}")
def entry_step(request: Request, form: ViewerForm, viewer: ViewerDep, code: str, entry_id: int,
               step: str) -> Response:
    web = web_of(request)
    access = entry_access(web, viewer, code, entry_id)
    docs = web.docs
    actor = viewer.address
    target = entry_url(access)
    try:
        if step == "xu-ly":
            docs.start(entry_id, note=text(form, "note"), actor=actor)
            done = ("Đã báo đang xử lý.", "Marked as in progress.")
        elif step == "hoan-thanh":
            docs.done(entry_id, note=text(form, "note"), actor=actor)
            done = ("Đã báo hoàn thành xử lý.", "Marked as done.")
        else:
            require_acts(access)
            if step == "vao-so":
                entry = docs.register(entry_id, actor=actor)
                done = (f"Đã vào sổ: số đến {entry.arrival_number}.", f"Registered as number {entry.arrival_number}.")
            elif step == "chuyen":
                entry = docs.assign(entry_id, to_unit=text(form, "to_unit") or None,
                                    to_person=_person(web, access.agency.code, text(form, "to_person")),
                                    instruction=text(form, "instruction"),
                                    deadline=parse_day(text(form, "deadline"), "deadline"), actor=actor)
                done = (f"Đã chuyển {entry.handler}.", f"Assigned to {entry.handler}.")
            elif step == "tu-choi":
                docs.reject(entry_id, reason=text(form, "reason"), actor=actor)
                done = ("Đã từ chối tiếp nhận và báo nơi gửi.", "Refused; the sender has been told.")
            elif step == "thu-hoi":
                accept = text(form, "accept") == "1"
                docs.answer_recall(entry_id, accept=accept, note=text(form, "note"), actor=actor)
                done = ("Đã đồng ý thu hồi; bản của cơ quan đã hủy.", "Recall accepted; our copy is destroyed.") \
                    if accept else ("Đã từ chối thu hồi.", "Recall refused.")
            else:
                raise NotFound("Không có thao tác này.", message_en="No such action.")
    except (NotFound, PermissionDenied):
        raise
    except CongVuError as exc:
        return redirect(target, error=exc)
    return redirect(target, ok=done)
