"""Signing in and out: the password form, the two-step code form, signing out of this browser.

After the password a half session (stage ``second_factor``) holds the account for five minutes while the code is
asked; the code turns it into a full session under a new cookie value. Without a page to return to, a person
lands in the webmail (administrators find the administration in the top bar). Wrong passwords and unknown
addresses get the same answer; throttled attempts get 429 with the wait.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from congvu.access.models import SessionStage, SignInOutcome, WebSession
from congvu.web.context import optional_viewer, web_of
from congvu.web.forms import AnonymousForm, ForgedForm, SecondFactorForm, ViewerForm, text
from congvu.web.i18n import language
from congvu.web.rendering import page, redirect
from congvu.web.security import (
    CSRF_FIELD,
    clear_session_cookie,
    client_ip,
    safe_next,
    session_token,
    set_session_cookie,
    tokens_match,
)

router = APIRouter()
LANDING = "/thu"  # where a person lands after signing in without a page to go back to: their mail


def _wait_text(seconds: int, lang: str) -> str:
    minutes = max(1, (seconds + 59) // 60)
    if lang == "en":
        return f"Too many failed attempts. Try again in {minutes} minute(s)."
    return f"Đăng nhập sai quá nhiều lần. Hãy thử lại sau {minutes} phút."


@router.get("/dang-nhap", response_class=HTMLResponse)
def signin_page(request: Request, next: str | None = None) -> Response:
    if optional_viewer(request) is not None:
        return RedirectResponse(safe_next(next, LANDING), status_code=303)
    return page(request, "signin.html", next=safe_next(next, LANDING), address="", error=None)


@router.post("/dang-nhap", response_class=HTMLResponse)
def signin_submit(request: Request, form: AnonymousForm) -> Response:
    web = web_of(request)
    address, password = text(form, "address"), str(form.get("password") or "")
    target = safe_next(text(form, "next"), LANDING)
    result = web.access.signin.password_step(address, password, ip=client_ip(request))
    lang = language(request)
    if result.outcome == SignInOutcome.THROTTLED:
        return page(request, "signin.html", http_status=429, next=target, address=address,
                    error=_wait_text(result.retry_after_s, lang))
    if result.outcome == SignInOutcome.REFUSED or result.account is None:
        error = ("The address or password is wrong." if lang == "en"
                 else "Địa chỉ thư hoặc mật khẩu không đúng.")
        return page(request, "signin.html", http_status=401, next=target, address=address, error=error)
    ua = request.headers.get("user-agent")
    if result.outcome == SignInOutcome.NEEDS_CODE:
        issued = web.access.sessions.create(result.account.id, SessionStage.SECOND_FACTOR, ip=client_ip(request),
                                            user_agent=ua)
        response: Response = redirect(f"/dang-nhap/ma-xac-thuc?next={quote(target)}")
    else:
        issued = web.access.sessions.create(result.account.id, SessionStage.FULL, ip=client_ip(request),
                                            user_agent=ua)
        response = redirect(target)
    set_session_cookie(response, request, issued.token)
    return response


def _half_session(request: Request) -> WebSession | None:
    session = web_of(request).access.sessions.get(session_token(request))
    return session if session is not None and session.stage == SessionStage.SECOND_FACTOR else None


@router.get("/dang-nhap/ma-xac-thuc", response_class=HTMLResponse)
def code_page(request: Request, next: str | None = None) -> Response:
    session = _half_session(request)
    if session is None:
        return redirect("/dang-nhap")
    return page(request, "signin_code.html", next=safe_next(next, LANDING), csrf_token=session.csrf_token,
                address=session.address, error=None)


@router.post("/dang-nhap/ma-xac-thuc", response_class=HTMLResponse)
def code_submit(request: Request, form: SecondFactorForm) -> Response:
    web = web_of(request)
    session = _half_session(request)
    token = session_token(request)
    if session is None or token is None:
        return redirect("/dang-nhap", error=None)
    if not tokens_match(session.csrf_token, form.get(CSRF_FIELD)):
        raise ForgedForm("Biểu mẫu không hợp lệ; hãy tải lại trang.", message_en="Invalid form; reload the page.")
    target = safe_next(text(form, "next"), LANDING)
    account = web.directory.accounts.show(session.address)
    result = web.access.signin.code_step(account, text(form, "code"), ip=client_ip(request))
    lang = language(request)
    if result.outcome != SignInOutcome.OK:
        status = 429 if result.outcome == SignInOutcome.THROTTLED else 401
        error = (_wait_text(result.retry_after_s, lang) if status == 429 else
                 ("The code is wrong or already used." if lang == "en" else "Mã xác thực không đúng hoặc đã dùng."))
        return page(request, "signin_code.html", http_status=status, next=target, csrf_token=session.csrf_token,
                    address=session.address, error=error)
    issued = web.access.sessions.promote(token, ip=client_ip(request), user_agent=request.headers.get("user-agent"))
    response = redirect(target)
    set_session_cookie(response, request, issued.token)
    return response


@router.post("/dang-xuat")
def signout(request: Request, form: ViewerForm) -> Response:
    token = session_token(request)
    if token:
        web_of(request).access.sessions.revoke(token)
    response = redirect("/", ok=("Đã đăng xuất.", "Signed out."))
    clear_session_cookie(response, request)
    return response
