"""The FastAPI application: public pages, sign-in and account security, administration, and ``/api/v1``.

Pages are server-rendered Jinja2 with no front-end build step (the webmail adds one small script and works
without it); every form is CSRF-checked (:mod:`congvu.web.forms`); every answer carries the security headers
of :class:`~congvu.web.security.SecurityHeaders`. The webmail's JSON endpoints join ``/api/v1`` (``API_ROUTERS``).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from congvu import __version__
from congvu.access.service import Access, access_for
from congvu.delivery.queue import OutboundQueue
from congvu.documents.service import DocumentService
from congvu.installation import Installation
from congvu.security.throttle import SignInThrottle
from congvu.web import (
    routes_account,
    routes_admin_agencies,
    routes_admin_directory,
    routes_admin_import,
    routes_admin_mail,
    routes_admin_people,
    routes_admin_review,
    routes_documents,
    routes_documents_api,
    routes_mail,
    routes_mail_api,
    routes_mail_compose,
    routes_public,
    routes_signin,
)
from congvu.web.api import create_api
from congvu.web.context import WebContext
from congvu.web.errors import install_page_errors
from congvu.web.security import SecurityHeaders

HERE = Path(__file__).parent
ROUTERS = (routes_public.router, routes_signin.router, routes_account.router, routes_admin_agencies.router,
           routes_admin_people.router, routes_admin_import.router, routes_admin_directory.router,
           routes_admin_review.router, routes_admin_mail.router, routes_mail.router, routes_mail_compose.router,
           routes_documents.router)
API_ROUTERS = (routes_mail_api.router, routes_documents_api.router)


def create_app(inst: Installation, *, throttle: SignInThrottle | None = None, access: Access | None = None,
               outbound: OutboundQueue | None = None, documents: DocumentService | None = None) -> FastAPI:
    """The web application of an installation; pass the process's ``throttle`` so that web, SMTP and IMAP
    count failed sign-ins together, and its document services so that the web shares their transports."""
    app = FastAPI(title="CôngVụ", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["version"] = __version__
    if access is None:
        access = access_for(inst.directory, throttle=throttle, usage=inst.usage)
    web = WebContext(inst, access, templates, outbound, documents)
    app.state.web = web
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    api = create_api(web)
    for api_router in API_ROUTERS:
        api.include_router(api_router)
    app.mount("/api/v1", api)
    for router in ROUTERS:
        app.include_router(router)
    install_page_errors(app)
    return app
