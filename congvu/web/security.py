"""Cookies, CSRF tokens, the client's address and the security headers of every response.

The session cookie is HttpOnly and SameSite=Lax, and Secure whenever the request came over HTTPS (directly or
through a reverse proxy that uvicorn trusts); a Secure cookie takes the ``__Host-`` prefix so that no sub-domain
can set or shadow it (RFC 6265bis §4.1.3.2). Forms are protected twice: the token of the session (or, before
sign-in, a double-submit cookie) must come back in the form, and a cross-origin ``Origin`` header is refused.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "congvu_session"
SECURE_SESSION_COOKIE = "__Host-congvu_session"
CSRF_COOKIE = "congvu_csrf"
FLASH_COOKIE = "congvu_flash"
CSRF_FIELD = "csrf"

CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                           "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def session_token(request: Request) -> str | None:
    return request.cookies.get(SECURE_SESSION_COOKIE) or request.cookies.get(SESSION_COOKIE)


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    secure = is_https(request)
    response.set_cookie(SECURE_SESSION_COOKIE if secure else SESSION_COOKIE, token, httponly=True,
                        secure=secure, samesite="lax", path="/")


def clear_session_cookie(response: Response, request: Request) -> None:
    for name in (SESSION_COOKIE, SECURE_SESSION_COOKIE):
        if name in request.cookies:
            response.delete_cookie(name, path="/", secure=name.startswith("__Host-"), httponly=True,
                                   samesite="lax")


def anonymous_csrf(request: Request) -> tuple[str, bool]:
    """The double-submit token of a visitor not signed in, and whether it is new (to be set as a cookie)."""
    current = request.cookies.get(CSRF_COOKIE)
    if current and 20 <= len(current) <= 100:
        return current, False
    return secrets.token_urlsafe(24), True


def set_csrf_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, secure=is_https(request), samesite="strict", path="/")


def tokens_match(expected: str | None, given: object) -> bool:
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(expected.encode(), given.encode())


def same_origin(request: Request) -> bool:
    """False when the browser says the form came from another site (``Origin``, else ``Referer``)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin != "null"
    parts = urlsplit(origin)
    return parts.netloc.lower() == (request.headers.get("host") or request.url.netloc).lower()


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def set_flash(response: Response, kind: str, vi: str, en: str | None = None) -> None:
    payload = json.dumps({"kind": kind, "vi": vi, "en": en or vi}, ensure_ascii=False).encode("utf-8")
    response.set_cookie(FLASH_COOKIE, base64.urlsafe_b64encode(payload).decode("ascii"), httponly=True,
                        samesite="lax", path="/")


def read_flash(request: Request) -> dict[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or len(raw) > 4000:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("kind") not in ("ok", "error"):
        return None
    return {"kind": str(data["kind"]), "vi": str(data.get("vi", "")), "en": str(data.get("en", ""))}


def safe_next(target: str | None, default: str = "/tai-khoan") -> str:
    """Only paths of this site: an open redirect would let a phishing mail borrow our sign-in page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


class SecurityHeaders:
    """Pure ASGI middleware adding the headers every page and API answer carries."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                if scope.get("scheme") == "https":
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)
