"""The web's table from domain errors to HTTP: pages get a readable error page, the API gets JSON.

| error | status |
|---|---|
| SignInRequired | 303 to the sign-in page (pages) · 401 (API) |
| PermissionDenied (and a forged form) | 403 |
| NotFound | 404 |
| InvalidInput | 400 |
| Conflict | 409 |
| ConfigError, other CongVuError | 500 |
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from congvu.errors import Conflict, CongVuError, InvalidInput, NotFound, PermissionDenied
from congvu.web.context import SignInRequired
from congvu.web.rendering import error_message, page

STATUS: tuple[tuple[type[CongVuError], int], ...] = (
    (SignInRequired, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (InvalidInput, 400),
    (Conflict, 409),
)


def status_of(exc: CongVuError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def install_page_errors(app: FastAPI) -> None:
    @app.exception_handler(CongVuError)
    async def domain_error(request: Request, exc: CongVuError) -> Response:
        if isinstance(exc, SignInRequired):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/dang-nhap?next={quote(target)}", status_code=303)
        return await _error_page(request, status_of(exc), error_message(request, exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = None if exc.status_code == 404 else str(exc.detail)
        return await _error_page(request, exc.status_code, message)


async def _error_page(request: Request, status: int, message: str | None) -> Response:
    # The viewer lookup touches the database: run the page in the thread pool like a normal route.
    return await run_in_threadpool(lambda: page(request, "error.html", http_status=status, status_code=status,
                                                message=message))
