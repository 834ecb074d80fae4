"""The signed-in person's own account: password, two-step sign-in, app passwords, sessions.

Secrets made here (recovery codes, app passwords) are shown once in the answer to the form that made them and
kept nowhere in clear. Changing the password or turning two-step sign-in off asks for the current password.
"""

from __future__ import annotations

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from congvu.errors import CongVuError, InvalidInput
from congvu.security import totp
from congvu.security.passwords import check_strength
from congvu.web.context import Viewer, ViewerDep, web_of
from congvu.web.forms import ViewerForm, text
from congvu.web.rendering import page, redirect
from congvu.web.security import clear_session_cookie

router = APIRouter(prefix="/tai-khoan")


def _check_password(request: Request, viewer: Viewer, password: str) -> None:
    if web_of(request).directory.accounts.authenticate(viewer.address, password) is None:
        raise InvalidInput("Mật khẩu hiện tại không đúng.", message_en="The current password is wrong.",
                           field="current")


@router.get("", response_class=HTMLResponse)
def overview(request: Request, viewer: ViewerDep) -> HTMLResponse:
    access = web_of(request).access
    return page(request, "account.html", viewer=viewer, totp=access.second_factor.status(viewer.account.id),
                app_passwords=access.app_passwords.list(viewer.account.id),
                sessions=access.sessions.list(viewer.account.id))


@router.post("/mat-khau")
def change_password(request: Request, form: ViewerForm, viewer: ViewerDep) -> Response:
    web = web_of(request)
    new, again = str(form.get("new") or ""), str(form.get("again") or "")
    try:
        _check_password(request, viewer, str(form.get("current") or ""))
        if new != again:
            raise InvalidInput("Hai lần nhập mật khẩu mới không khớp.", message_en="The new passwords differ.",
                               field="again")
        check_strength(new)
        web.directory.accounts.reset_password(viewer.address, password=new, actor=viewer.address)
    except CongVuError as exc:
        return redirect("/tai-khoan#mat-khau", error=exc)
    # Whoever knew the old password may hold a session: end every other one.
    web.access.sessions.revoke_all(viewer.account.id, keep=viewer.session.id, actor=viewer.address)
    return redirect("/tai-khoan", ok=("Đã đổi mật khẩu; các phiên đăng nhập khác đã kết thúc.",
                                      "Password changed; other sessions were signed out."))


@router.post("/hai-buoc/bat-dau")
def totp_begin(request: Request, form: ViewerForm, viewer: ViewerDep) -> Response:
    try:
        web_of(request).access.second_factor.begin(viewer.account.id)
    except CongVuError as exc:
        return redirect("/tai-khoan", error=exc)
    return redirect("/tai-khoan/hai-buoc")


@router.get("/hai-buoc", response_class=HTMLResponse)
def totp_enrol_page(request: Request, viewer: ViewerDep) -> Response:
    web = web_of(request)
    status = web.access.second_factor.status(viewer.account.id)
    if status.pending_secret is None:
        return redirect("/tai-khoan")
    uri = totp.key_uri(status.pending_secret, viewer.address, web.inst.settings.domain)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return page(request, "totp_enrol.html", viewer=viewer, qr=qr, secret=totp.grouped(status.pending_secret),
                error=None)


@router.post("/hai-buoc/xac-nhan", response_class=HTMLResponse)
def totp_confirm(request: Request, form: ViewerForm, viewer: ViewerDep) -> Response:
    web = web_of(request)
    try:
        codes = web.access.second_factor.confirm(viewer.account.id, text(form, "code"), actor=viewer.address)
    except CongVuError as exc:
        return redirect("/tai-khoan/hai-buoc", error=exc)
    return page(request, "secret_shown.html", viewer=viewer, kind="recovery", codes=codes)


@router.post("/hai-buoc/ma-du-phong", response_class=HTMLResponse)
def totp_recovery_codes(request: Request, form: ViewerForm, viewer: ViewerDep) -> Response:
    web = web_of(request)
    if not web.access.second_factor.is_enabled(viewer.account.id):
        return redirect("/tai-khoan")
    codes = web.access.second_factor.renew_recovery_codes(viewer.account.id, actor=viewer.address)
    return page(request, "secret_shown.html", viewer=viewer, kind="recovery", codes=codes)


@router.post("/hai-buoc/tat")
def totp_disable(request: Request, form: ViewerForm, viewer: ViewerDep) -> Response:
    try:
        _check_password(request, viewer, str(form.get("current") or ""))
    except CongVuError as exc:
        return redirect("/tai-khoan#hai-buoc", error=exc)
    web_of(request).access.second_factor.disable(viewer.account.id, actor=viewer.address)
    return redirect("/tai-khoan", ok=("Đã tắt xác thực hai bước; các mật khẩu ứng dụng đã bị xoá.",
                                      "Two-step sign-in is off; app passwords were removed."))


@router.post("/mat-khau-ung-dung", response_class=HTMLResponse)
def app_password_create(request: Request, form: ViewerForm, viewer: ViewerDep) -> Response:
    try:
        issued = web_of(request).access.app_passwords.create(viewer.account.id, text(form, "name"),
                                                             actor=viewer.address)
    except CongVuError as exc:
        return redirect("/tai-khoan#ung-dung", error=exc)
    return page(request, "secret_shown.html", viewer=viewer, kind="app_password", issued=issued,
                setup_host=web_of(request).inst.settings.hostname)


@router.post("/mat-khau-ung-dung/{app_password_id}/thu-hoi")
def app_password_revoke(request: Request, form: ViewerForm, viewer: ViewerDep, app_password_id: int) -> Response:
    web_of(request).access.app_passwords.revoke(viewer.account.id, app_password_id, actor=viewer.address)
    return redirect("/tai-khoan#ung-dung", ok=("Đã thu hồi mật khẩu ứng dụng.", "App password revoked."))


@router.post("/phien/{session_id}/ket-thuc")
def session_revoke(request: Request, form: ViewerForm, viewer: ViewerDep, session_id: str) -> Response:
    web_of(request).access.sessions.revoke_one(viewer.account.id, session_id)
    return redirect("/tai-khoan#phien", ok=("Đã kết thúc phiên đăng nhập.", "Session ended."))


@router.post("/phien/dang-xuat-tat-ca")
def signout_everywhere(request: Request, form: ViewerForm, viewer: ViewerDep) -> Response:
    web_of(request).access.sessions.revoke_all(viewer.account.id, actor=viewer.address)
    response = redirect("/dang-nhap", ok=("Đã đăng xuất khỏi mọi thiết bị.", "Signed out on every device."))
    clear_session_cookie(response, request)
    return response
