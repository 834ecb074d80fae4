"""Administration of people: list with search and paging, create, edit, transfer, roles, disable, remove,
password reset, and help for a lost phone (two-step sign-in off, every session ended).

Every page and action first checks that the person's agency is inside the administrator's scope (by address or
by account number alike); an outside person gets a 403 page saying why.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from congvu.directory.models import Account
from congvu.errors import CongVuError, PermissionDenied
from congvu.web.admin_scope import ROLE_LABELS, grantable_roles, not_self, require_grantable, scoped_agencies
from congvu.web.context import AdminDep, Viewer, web_of
from congvu.web.forms import AdminForm, optional, text
from congvu.web.rendering import page, redirect

router = APIRouter(prefix="/quan-tri/can-bo")

PAGE_SIZE = 50


@router.get("", response_class=HTMLResponse)
def people(request: Request, viewer: AdminDep, q: str | None = Query(default=None, max_length=200),
           agency: str | None = Query(default=None, max_length=40),
           status: str | None = Query(default=None, pattern="^(active|disabled|removed)?$"),
           page_no: int = Query(default=1, alias="trang", ge=1, le=100_000)) -> HTMLResponse:
    web = web_of(request)
    choices = scoped_agencies(request, viewer.scope)
    roots: list[str | None]
    if agency:
        roots = [web.access.scope.agency(viewer.scope, agency).code]
    elif viewer.scope.province:
        roots = [None]
    else:
        roots = list(viewer.scope.root_codes)
    query = (q or "").strip() or None
    found: list[Account] = []
    if len(roots) == 1:  # the common case pages in the database
        found = web.directory.accounts.list(agency=roots[0], status=status or None, query=query,
                                            limit=PAGE_SIZE + 1, offset=(page_no - 1) * PAGE_SIZE)
        rows, more = found[:PAGE_SIZE], len(found) > PAGE_SIZE
    else:  # an administrator of several agencies: merge the lists
        for root in roots:
            found.extend(web.directory.accounts.list(agency=root, status=status or None, query=query,
                                                     limit=page_no * PAGE_SIZE + 1))
        merged = sorted({a.address: a for a in found}.values(), key=lambda a: (a.full_name, a.address))
        rows = merged[(page_no - 1) * PAGE_SIZE: page_no * PAGE_SIZE]
        more = len(merged) > page_no * PAGE_SIZE
    base = {k: v for k, v in (("q", q), ("agency", agency), ("status", status)) if v}
    prev_url = f"?{urlencode({**base, 'trang': page_no - 1})}" if page_no > 1 else None
    next_url = f"?{urlencode({**base, 'trang': page_no + 1})}" if more else None
    return page(request, "admin/people.html", viewer=viewer, rows=rows, q=q or "", agency=agency or "",
                status=status or "", agencies=choices, page_no=page_no, prev_url=prev_url, next_url=next_url,
                role_labels=ROLE_LABELS)


@router.get("/them", response_class=HTMLResponse)
def person_add_page(request: Request, viewer: AdminDep, agency: str | None = None) -> HTMLResponse:
    return page(request, "admin/person_add.html", viewer=viewer, agencies=scoped_agencies(request, viewer.scope),
                values={"agency": agency or ""}, error=None)


@router.post("/them", response_class=HTMLResponse)
def person_add(request: Request, form: AdminForm, viewer: AdminDep) -> Response:
    web = web_of(request)
    values = {k: text(form, k) for k in ("full_name", "agency", "unit", "position", "phone", "address")}
    try:
        agency = web.access.scope.agency(viewer.scope, values["agency"] or "?")
        created = web.directory.accounts.add(
            full_name=values["full_name"], agency=agency.code, unit=values["unit"] or None,
            position=values["position"] or None, phone=values["phone"] or None,
            address=values["address"] or None, actor=viewer.address)
    except CongVuError as exc:
        return page(request, "admin/person_add.html", viewer=viewer, http_status=400,
                    agencies=scoped_agencies(request, viewer.scope), values=values, error=exc)
    return page(request, "secret_shown.html", viewer=viewer, kind="new_account", account=created.account,
                password=created.password)


@router.get("/{ref}", response_class=HTMLResponse)
def person_detail(request: Request, viewer: AdminDep, ref: str) -> HTMLResponse:
    web = web_of(request)
    account = web.access.scope.account(viewer.scope, ref)
    return page(request, "admin/person_detail.html", viewer=viewer, person=account,
                agencies=scoped_agencies(request, viewer.scope), roles=grantable_roles(viewer),
                role_labels=ROLE_LABELS, totp_on=web.access.second_factor.is_enabled(account.id),
                sessions=web.access.sessions.list(account.id), is_self=account.address == viewer.address)


def _target(request: Request, viewer: Viewer, ref: str) -> Account:
    return web_of(request).access.scope.account(viewer.scope, ref, for_change=True)


def _back(account: Account) -> str:
    return f"/quan-tri/can-bo/{quote(account.address)}"


@router.post("/{ref}/sua")
def person_edit(request: Request, form: AdminForm, viewer: AdminDep, ref: str) -> Response:
    account = _target(request, viewer, ref)
    try:
        web_of(request).directory.accounts.edit(
            account.address, full_name=optional(form, "full_name"), unit=text(form, "unit"),
            position=text(form, "position"), phone=text(form, "phone"), actor=viewer.address)
    except CongVuError as exc:
        return redirect(_back(account), error=exc)
    return redirect(_back(account), ok=("Đã lưu thay đổi.", "Changes saved."))


@router.post("/{ref}/chuyen")
def person_transfer(request: Request, form: AdminForm, viewer: AdminDep, ref: str) -> Response:
    web = web_of(request)
    account = _target(request, viewer, ref)
    try:
        target = web.access.scope.agency(viewer.scope, text(form, "agency"))
        web.directory.accounts.edit(account.address, agency=target.code, actor=viewer.address)
    except CongVuError as exc:
        return redirect(_back(account), error=exc)
    return redirect(_back(account), ok=(f"Đã chuyển sang «{target.name}»; vai trò ở cơ quan cũ đã thu hồi.",
                                        f"Transferred to {target.name}; roles at the former agency revoked."))


@router.post("/{ref}/vai-tro")
def person_role(request: Request, form: AdminForm, viewer: AdminDep, ref: str) -> Response:
    web = web_of(request)
    account = _target(request, viewer, ref)
    role, action = text(form, "role"), text(form, "action")
    try:
        not_self(viewer, account.address)
        require_grantable(viewer, role)
        agency = optional(form, "agency") or account.agency_code
        if agency:
            web.access.scope.agency(viewer.scope, agency)
        if action == "revoke":
            web.directory.accounts.revoke(account.address, role, agency=agency if role != "province_admin" else None,
                                          actor=viewer.address)
        else:
            web.directory.accounts.grant(account.address, role, agency=agency, actor=viewer.address)
    except CongVuError as exc:
        return redirect(_back(account), error=exc)
    return redirect(_back(account), ok=("Đã cập nhật vai trò.", "Roles updated."))


@router.post("/{ref}/khoa")
def person_disable(request: Request, form: AdminForm, viewer: AdminDep, ref: str) -> Response:
    web = web_of(request)
    account = _target(request, viewer, ref)
    try:
        not_self(viewer, account.address)
        web.directory.accounts.disable(account.address, reason=optional(form, "reason"), actor=viewer.address)
        web.access.sessions.revoke_all(account.id, actor=viewer.address)
    except CongVuError as exc:
        return redirect(_back(account), error=exc)
    return redirect(_back(account), ok=("Đã khoá tài khoản.", "Account disabled."))


@router.post("/{ref}/mo-khoa")
def person_enable(request: Request, form: AdminForm, viewer: AdminDep, ref: str) -> Response:
    account = _target(request, viewer, ref)
    try:
        web_of(request).directory.accounts.enable(account.address, actor=viewer.address)
    except CongVuError as exc:
        return redirect(_back(account), error=exc)
    return redirect(_back(account), ok=("Đã mở lại tài khoản.", "Account enabled."))


@router.post("/{ref}/xoa")
def person_remove(request: Request, form: AdminForm, viewer: AdminDep, ref: str) -> Response:
    web = web_of(request)
    account = _target(request, viewer, ref)
    try:
        not_self(viewer, account.address)
        web.directory.accounts.remove(account.address, reason=text(form, "reason"), actor=viewer.address,
                                      moved_to=optional(form, "moved_to"))
        web.access.sessions.revoke_all(account.id, actor=viewer.address)
    except CongVuError as exc:
        return redirect(_back(account), error=exc)
    return redirect(_back(account), ok=("Đã xoá tài khoản; thư và địa chỉ được giữ trong thời hạn lưu.",
                                        "Account removed; mail and address are kept for the retention period."))


@router.post("/{ref}/dat-lai-mat-khau", response_class=HTMLResponse)
def person_reset_password(request: Request, form: AdminForm, viewer: AdminDep, ref: str) -> Response:
    web = web_of(request)
    account = _target(request, viewer, ref)
    try:
        if account.address == viewer.address:
            raise PermissionDenied("Hãy đổi mật khẩu của chính bạn ở trang Tài khoản.",
                                   message_en="Change your own password on the Account page.")
        password = web.directory.accounts.reset_password(account.address, actor=viewer.address)
        web.access.sessions.revoke_all(account.id, actor=viewer.address)
    except CongVuError as exc:
        return redirect(_back(account), error=exc)
    return page(request, "secret_shown.html", viewer=viewer, kind="reset", account=account, password=password)


@router.post("/{ref}/tat-hai-buoc")
def person_totp_off(request: Request, form: AdminForm, viewer: AdminDep, ref: str) -> Response:
    web = web_of(request)
    account = _target(request, viewer, ref)
    web.access.second_factor.disable(account.id, actor=viewer.address)
    web.access.sessions.revoke_all(account.id, actor=viewer.address)
    return redirect(_back(account), ok=("Đã tắt xác thực hai bước và kết thúc mọi phiên của người này.",
                                        "Two-step sign-in turned off and every session of this person ended."))


@router.post("/{ref}/dang-xuat-tat-ca")
def person_signout_everywhere(request: Request, form: AdminForm, viewer: AdminDep, ref: str) -> Response:
    web = web_of(request)
    account = _target(request, viewer, ref)
    count = web.access.sessions.revoke_all(account.id, actor=viewer.address)
    return redirect(_back(account), ok=(f"Đã kết thúc {count} phiên đăng nhập.", f"Ended {count} session(s)."))
