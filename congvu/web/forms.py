"""Reading a submitted form after checking it is not forged (CSRF): every state-changing form goes through here.

Signed-in forms must carry the session's token; the sign-in form carries the visitor's double-submit token. A
form whose ``Origin`` (or ``Referer``) names another site is refused whatever it carries.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData, UploadFile

from congvu.errors import InvalidInput, PermissionDenied
from congvu.web.context import AdminDep, ViewerDep
from congvu.web.security import CSRF_COOKIE, CSRF_FIELD, same_origin, tokens_match

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ForgedForm(PermissionDenied):
    """The form did not come from our own page."""


def _forged() -> ForgedForm:
    return ForgedForm("Biểu mẫu đã hết hạn hoặc không hợp lệ; hãy tải lại trang và thử lại.",
                      message_en="The form expired or is not valid; reload the page and try again.")


async def _read(request: Request, expected: str | None) -> FormData:
    if not same_origin(request):
        raise _forged()
    form = await request.form()
    if not tokens_match(expected, form.get(CSRF_FIELD)):
        raise _forged()
    return form


async def viewer_form(request: Request, viewer: ViewerDep) -> FormData:
    return await _read(request, viewer.session.csrf_token)


async def admin_form(request: Request, viewer: AdminDep) -> FormData:
    return await _read(request, viewer.session.csrf_token)


async def anonymous_form(request: Request) -> FormData:
    return await _read(request, request.cookies.get(CSRF_COOKIE))


async def second_factor_form(request: Request) -> FormData:
    """The code form: its token is the half session's (looked up by the route, which checks it again)."""
    if not same_origin(request):
        raise _forged()
    return await request.form()


ViewerForm = Annotated[FormData, Depends(viewer_form)]
AdminForm = Annotated[FormData, Depends(admin_form)]
AnonymousForm = Annotated[FormData, Depends(anonymous_form)]
SecondFactorForm = Annotated[FormData, Depends(second_factor_form)]


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional(form: FormData, name: str) -> str | None:
    return text(form, name) or None


def upload(form: FormData, name: str) -> UploadFile:
    value = form.get(name)
    if not isinstance(value, UploadFile) or not value.filename:
        raise InvalidInput("Hãy chọn một tệp.", message_en="Choose a file.", field=name)
    return value
