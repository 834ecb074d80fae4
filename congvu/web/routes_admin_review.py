"""Administration pages that read: the account review and the audit log; and the API tokens an administrator
issues (scoped like the administrator who makes them)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from congvu.errors import CongVuError, InvalidInput, PermissionDenied
from congvu.web.admin_scope import scoped_agencies
from congvu.web.context import AdminDep, Viewer, web_of
from congvu.web.forms import AdminForm, text
from congvu.web.rendering import page, redirect

router = APIRouter(prefix="/quan-tri")

AUDIT_PAGE = 50


@router.get("/ra-soat", response_class=HTMLResponse)
def review_page(request: Request, viewer: AdminDep,
                days: int = Query(default=90, alias="ngay", ge=7, le=3650)) -> HTMLResponse:
    report = web_of(request).access.review.run(agency_ids=viewer.scope.limit, idle_days=days)
    return page(request, "admin/review.html", viewer=viewer, report=report, days=days)


@router.get("/nhat-ky", response_class=HTMLResponse)
def audit_page(request: Request, viewer: AdminDep, q: str | None = Query(default=None, max_length=200),
               before: int | None = Query(default=None, alias="truoc", ge=1)) -> HTMLResponse:
    entries = web_of(request).access.audit.page(agency_ids=viewer.scope.limit, query=(q or "").strip() or None,
                                                before_id=before, limit=AUDIT_PAGE)
    older = entries[-1].id if len(entries) == AUDIT_PAGE else None
    return page(request, "admin/audit.html", viewer=viewer, entries=entries, q=q or "", older=older)


def _token_agency_id(request: Request, viewer: Viewer, code: str) -> int | None:
    """The scope a new token gets: province-wide only for a province administrator, else an agency in scope."""
    web = web_of(request)
    if not code:
        if not viewer.scope.province:
            raise PermissionDenied("Hãy chọn cơ quan cho token.", message_en="Choose the token's agency.")
        return None
    return web.access.scope.agency(viewer.scope, code).id


@router.get("/api-token", response_class=HTMLResponse)
def tokens_page(request: Request, viewer: AdminDep) -> HTMLResponse:
    web = web_of(request)
    return page(request, "admin/tokens.html", viewer=viewer,
                tokens=web.access.api_tokens.list(agency_ids=viewer.scope.limit),
                agencies=scoped_agencies(request, viewer.scope))


@router.post("/api-token", response_class=HTMLResponse)
def token_create(request: Request, form: AdminForm, viewer: AdminDep) -> Response:
    web = web_of(request)
    try:
        days_text = text(form, "valid_days")
        if days_text and not days_text.isdigit():
            raise InvalidInput("Thời hạn phải là số ngày.", message_en="The validity is a number of days.",
                               field="valid_days")
        issued = web.access.api_tokens.create(
            text(form, "name"), created_by=viewer.address, agency_id=_token_agency_id(request, viewer,
                                                                                      text(form, "agency")),
            valid_days=int(days_text) if days_text else None, actor=viewer.address)
    except CongVuError as exc:
        return redirect("/quan-tri/api-token", error=exc)
    return page(request, "secret_shown.html", viewer=viewer, kind="api_token", issued=issued)


@router.post("/api-token/{token_id}/thu-hoi")
def token_revoke(request: Request, form: AdminForm, viewer: AdminDep, token_id: int) -> Response:
    web = web_of(request)
    try:
        agency_id = web.access.api_tokens.agency_id(token_id)
        if not viewer.scope.province and agency_id not in viewer.scope.agency_ids:
            raise PermissionDenied("Token này nằm ngoài phạm vi bạn quản trị.",
                                   message_en="This token is outside your administration.")
        web.access.api_tokens.revoke(token_id, actor=viewer.address)
    except CongVuError as exc:
        return redirect("/quan-tri/api-token", error=exc)
    return redirect("/quan-tri/api-token", ok=("Đã thu hồi token.", "Token revoked."))
