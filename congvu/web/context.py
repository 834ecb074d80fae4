"""What every route needs, built once by :func:`congvu.web.app.create_app`, and the signed-in viewer.

Routes reach it through ``request.app.state.web``. :class:`Viewer` is the person behind a full session, with the
administrative scope their roles give.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from congvu.access.models import SessionStage, WebSession
from congvu.access.scope import AdminScope
from congvu.access.service import Access
from congvu.delivery.queue import OutboundQueue
from congvu.directory.models import Account
from congvu.directory.service import Directory
from congvu.errors import CongVuError, PermissionDenied
from congvu.installation import Installation
from congvu.web.security import session_token

if TYPE_CHECKING:
    from congvu.documents.service import DocumentService


class SignInRequired(CongVuError):
    """No full session: pages redirect to the sign-in page, the API answers 401."""


@dataclass
class WebContext:
    inst: Installation
    access: Access
    templates: Jinja2Templates
    outbound: OutboundQueue | None = None  # the process's queue, so a web send wakes the delivery worker
    documents: DocumentService | None = None  # the process's document services (built on first use if not given)

    @property
    def directory(self) -> Directory:
        return self.inst.directory

    @property
    def docs(self) -> DocumentService:
        if self.documents is None:
            from congvu.documents.service import documents_for

            self.documents = documents_for(self.inst)
        return self.documents


@dataclass(frozen=True)
class Viewer:
    account: Account
    session: WebSession
    scope: AdminScope

    @property
    def address(self) -> str:
        return self.account.address


def web_of(request: Request) -> WebContext:
    web: WebContext = request.app.state.web
    return web


def optional_viewer(request: Request) -> Viewer | None:
    cached = getattr(request.state, "viewer", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    web = web_of(request)
    viewer: Viewer | None = None
    session = web.access.sessions.get(session_token(request))
    if session is not None and session.stage == SessionStage.FULL:
        account = web.directory.accounts.show(session.address)
        viewer = Viewer(account, session, web.access.scope.for_account(account))
    request.state.viewer = viewer
    return viewer


def require_viewer(request: Request) -> Viewer:
    viewer = optional_viewer(request)
    if viewer is None:
        raise SignInRequired("Cần đăng nhập.", message_en="Please sign in.")
    return viewer


def require_admin(request: Request) -> Viewer:
    viewer = require_viewer(request)
    if not viewer.scope.is_admin:
        raise PermissionDenied("Trang này dành cho quản trị viên.", message_en="This page is for administrators.")
    return viewer


ViewerDep = Annotated[Viewer, Depends(require_viewer)]
AdminDep = Annotated[Viewer, Depends(require_admin)]
