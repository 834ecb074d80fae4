"""Administration pages for mail transport: the message trace ("did my mail arrive?"), mail held under the
free-webmail policy (release, discard), and the policy with its limits and this month's counts. Every page is
scoped: an agency administrator sees only messages from or to addresses of their agencies."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from congvu.delivery.held import HeldMail
from congvu.delivery.policy_usage import VIETNAM, free_mail_report, policy_view
from congvu.delivery.trace_log import EVENT_LABELS_VI, TraceQuery
from congvu.errors import CongVuError, InvalidInput
from congvu.web.context import AdminDep, web_of
from congvu.web.forms import AdminForm, text
from congvu.web.rendering import page, redirect

router = APIRouter(prefix="/quan-tri")

TRACE_PAGE = 50
TRACE_PATH = "/quan-tri/theo-doi-thu"
HELD_PATH = "/quan-tri/thu-giu-lai"
_HELD_ID = re.compile(r"^[0-9A-Za-z]{1,40}$")


def _day(value: str, name: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(f"Ngày không hợp lệ: {value!r} (dạng NNNN-TT-NN).",
                           message_en=f"Invalid date {value!r} (use YYYY-MM-DD).", field=name) from exc


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=VIETNAM).astimezone(UTC)


def held_of(request: Request) -> HeldMail:
    web = web_of(request)
    return HeldMail(web.inst, outbound=web.outbound, documents=lambda: web.docs)


@router.get("/theo-doi-thu", response_class=HTMLResponse)
def trace_page(request: Request, viewer: AdminDep,
               sender: str = Query(default="", alias="nguoi_gui", max_length=320),
               recipient: str = Query(default="", alias="nguoi_nhan", max_length=320),
               message_id: str = Query(default="", alias="ma_thu", max_length=500),
               since: str = Query(default="", alias="tu", max_length=10),
               until: str = Query(default="", alias="den", max_length=10)) -> HTMLResponse:
    form = {"nguoi_gui": sender, "nguoi_nhan": recipient, "ma_thu": message_id, "tu": since, "den": until}
    searched = any(v.strip() for v in form.values())
    results = []
    error: CongVuError | None = None
    if searched:
        try:
            first, last = _day(since, "tu"), _day(until, "den")
            query = TraceQuery(sender=sender, recipient=recipient, message_id=message_id,
                               since=_start_of(first) if first else None,
                               until=_start_of(last + timedelta(days=1)) if last else None, limit=TRACE_PAGE)
            results = web_of(request).inst.trace.search(query, agency_ids=viewer.scope.limit)
        except CongVuError as exc:
            error = exc
    return page(request, "admin/mail_trace.html", viewer=viewer, form=form, searched=searched, results=results,
                labels=EVENT_LABELS_VI, error=error, http_status=400 if error else 200)


@router.get("/thu-giu-lai", response_class=HTMLResponse)
def held_page(request: Request, viewer: AdminDep) -> HTMLResponse:
    held = held_of(request).list(agency_ids=viewer.scope.limit)
    return page(request, "admin/mail_held.html", viewer=viewer, held=held)


def _held_id(held_id: str) -> str:
    if not _HELD_ID.match(held_id):
        raise InvalidInput("Mã thư không hợp lệ.", message_en="Invalid message id.", field="id")
    return held_id


@router.post("/thu-giu-lai/{held_id}/cho-di")
def held_release(request: Request, form: AdminForm, viewer: AdminDep, held_id: str) -> Response:
    try:
        message = held_of(request).release(_held_id(held_id), actor=viewer.address, agency_ids=viewer.scope.limit)
    except CongVuError as exc:
        return redirect(HELD_PATH, error=exc)
    return redirect(HELD_PATH, ok=(f"Đã cho thư {message.id} đi tiếp.", f"Message {message.id} released."))


@router.post("/thu-giu-lai/{held_id}/huy")
def held_discard(request: Request, form: AdminForm, viewer: AdminDep, held_id: str) -> Response:
    try:
        message = held_of(request).discard(_held_id(held_id), reason=text(form, "reason"), actor=viewer.address,
                                           agency_ids=viewer.scope.limit)
    except CongVuError as exc:
        return redirect(HELD_PATH, error=exc)
    return redirect(HELD_PATH, ok=(f"Đã huỷ thư {message.id} và báo cho người gửi.",
                                   f"Message {message.id} discarded; the sender was told."))


@router.get("/chinh-sach-thu", response_class=HTMLResponse)
def policy_page(request: Request, viewer: AdminDep) -> HTMLResponse:
    inst = web_of(request).inst
    return page(request, "admin/mail_policy.html", viewer=viewer, view=policy_view(inst),
                report=free_mail_report(inst, agency_ids=viewer.scope.limit))
