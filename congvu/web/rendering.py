"""Rendering pages: the template context every page shares, flash messages, redirects after a form.

Every page gets the language and its ``_`` translator, the installation's name and domain, the viewer (if any),
the CSRF token its forms must send back, and the flash message left by the previous redirect. Pages of a
signed-in person are never cached.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from congvu.errors import CongVuError
from congvu.web.context import Viewer, optional_viewer, web_of
from congvu.web.i18n import error_text, language, translator
from congvu.web.security import FLASH_COOKIE, anonymous_csrf, read_flash, set_csrf_cookie, set_flash

VIETNAM = timezone(timedelta(hours=7), "ICT")  # Vietnam keeps UTC+7 all year


def local_time(value: datetime | None, with_time: bool = True) -> str:
    """Times are stored in UTC and shown in Vietnam's time (UTC+7), day first as Vietnamese write them."""
    if value is None:
        return "—"
    local = value.astimezone(VIETNAM)
    return local.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


def page(request: Request, name: str, *, http_status: int = 200, viewer: Viewer | None = None,
         csrf_token: str | None = None, **context: object) -> HTMLResponse:
    web = web_of(request)
    lang = language(request)
    who = viewer if viewer is not None else optional_viewer(request)
    if csrf_token is not None:
        csrf, new_csrf = csrf_token, False
    elif who is not None:
        csrf, new_csrf = who.session.csrf_token, False
    else:
        csrf, new_csrf = anonymous_csrf(request)
    flash = read_flash(request)
    settings = web.inst.settings
    response = web.templates.TemplateResponse(request, name, {
        "_": translator(lang), "lang": lang, "other_lang": "en" if lang == "vi" else "vi",
        "org_name": settings.org_name, "domain": settings.domain, "viewer": who, "csrf": csrf,
        "flash": ({"kind": flash["kind"], "text": flash["en" if lang == "en" else "vi"]} if flash else None),
        "path": request.url.path, "local_time": local_time, **context}, status_code=http_status)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path="/")
    if new_csrf:
        set_csrf_cookie(response, request, csrf)
    if who is not None:
        response.headers["Cache-Control"] = "no-store"
    if request.query_params.get("lang") in ("vi", "en"):
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
    return response


def redirect(target: str, *, ok: tuple[str, str] | None = None, error: CongVuError | None = None) -> RedirectResponse:
    """303 See Other after a form, with an optional flash message (Vietnamese, English)."""
    response = RedirectResponse(target, status_code=303)
    if ok is not None:
        set_flash(response, "ok", ok[0], ok[1])
    if error is not None:
        set_flash(response, "error", error.message, error.message_en)
    return response


def error_message(request: Request, exc: CongVuError) -> str:
    return error_text(exc, language(request))
