"""The JSON API under ``/api/v1``: the directory and accounts, for the province's other systems (HR, portals).

Callers send ``Authorization: Bearer cv_…`` with a token an administrator made on the web. A token acts within
its creator's scope (narrowed to one agency's subtree if it was made for one); changes are audited with the actor
``api:<prefix>`` and the creator recorded on the token. The OpenAPI document is ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from congvu import __version__
from congvu.access.models import ApiToken
from congvu.access.scope import AdminScope
from congvu.directory.models import AccountStatus
from congvu.errors import CongVuError, NotFound
from congvu.web.api_models import (
    AccountCreate,
    AccountCreated,
    AccountEdit,
    AccountOut,
    AccountPage,
    AgencyOut,
    ErrorOut,
    RemoveRequest,
    StatusChange,
)
from congvu.web.context import SignInRequired, WebContext, web_of
from congvu.web.errors import status_of

bearer = HTTPBearer(auto_error=False, description="An API token made by an administrator (cv_…)")
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409)}


@dataclass(frozen=True)
class ApiCaller:
    token: ApiToken
    scope: AdminScope

    @property
    def actor(self) -> str:
        return f"api:{self.token.prefix}"


def api_caller(request: Request,
               credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> ApiCaller:
    web = web_of(request)
    token = web.access.api_tokens.authenticate(credentials.credentials) if credentials else None
    if token is None:
        raise SignInRequired("Thiếu token API hoặc token không hợp lệ.", message_en="Missing or invalid API token.")
    try:
        creator = web.directory.accounts.show(token.created_by)
    except NotFound:
        creator = None
    scope = web.access.scope.for_account(creator) if creator and creator.status == AccountStatus.ACTIVE else None
    if scope is None or not scope.is_admin:
        raise SignInRequired("Người tạo token không còn là quản trị viên.",
                             message_en="The token's creator is no longer an administrator.")
    if token.agency_code is not None:
        root = web.access.scope.agency(scope, token.agency_code)
        with web.inst.db.read() as conn:
            ids = web.directory.agencies.descendants(conn, root.id)
        scope = AdminScope(scope.address, False, frozenset(ids), (root.code,))
    return ApiCaller(token, scope)


Caller = Annotated[ApiCaller, Depends(api_caller)]


def create_api(web: WebContext) -> FastAPI:
    api = FastAPI(title="CôngVụ API", version=__version__, openapi_url="/openapi.json", docs_url=None,
                  redoc_url=None, description="Danh bạ và tài khoản thư điện tử công vụ (directory and accounts).")
    api.state.web = web

    @api.exception_handler(CongVuError)
    async def domain_error(request: Request, exc: CongVuError) -> JSONResponse:
        status = status_of(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"error": {"message": exc.message, "message_en": exc.message_en, "field": exc.field}},
                            status_code=status, headers=headers)

    @api.get("/agencies", response_model=list[AgencyOut], responses=ERRORS, tags=["directory"])
    def list_agencies(request: Request, caller: Caller) -> list[AgencyOut]:
        tree = web.directory.agencies.list()
        return [AgencyOut.of(a) for a in tree if caller.scope.covers(a.id)]

    @api.get("/agencies/{code}", response_model=AgencyOut, responses=ERRORS, tags=["directory"])
    def show_agency(caller: Caller, code: str) -> AgencyOut:
        return AgencyOut.of(web.access.scope.agency(caller.scope, code))

    @api.get("/accounts", response_model=AccountPage, responses=ERRORS, tags=["accounts"])
    def list_accounts(caller: Caller, q: str | None = Query(default=None, max_length=200),
                      agency: str | None = Query(default=None, max_length=300),
                      status: AccountStatus | None = None, limit: int = Query(default=100, ge=1, le=500),
                      offset: int = Query(default=0, ge=0)) -> AccountPage:
        roots: list[str | None]
        if agency:
            roots = [web.access.scope.agency(caller.scope, agency).code]
        else:
            roots = [None] if caller.scope.province else list(caller.scope.root_codes)
        items = []
        for root in roots:
            items.extend(web.directory.accounts.list(agency=root, status=status.value if status else None, query=q,
                                                     limit=offset + limit + 1 if len(roots) > 1 else limit + 1,
                                                     offset=0 if len(roots) > 1 else offset))
        if len(roots) > 1:
            items = sorted({a.address: a for a in items}.values(), key=lambda a: a.address)[offset:]
        return AccountPage(items=[AccountOut.of(a) for a in items[:limit]], limit=limit, offset=offset,
                           has_more=len(items) > limit)

    @api.get("/accounts/{ref}", response_model=AccountOut, responses=ERRORS, tags=["accounts"])
    def show_account(caller: Caller, ref: str) -> AccountOut:
        return AccountOut.of(web.access.scope.account(caller.scope, ref))

    @api.post("/accounts", response_model=AccountCreated, status_code=201, responses=ERRORS, tags=["accounts"])
    def create_account(caller: Caller, body: AccountCreate) -> AccountCreated:
        agency = web.access.scope.agency(caller.scope, body.agency)
        created = web.directory.accounts.add(full_name=body.full_name, agency=agency.code, unit=body.unit,
                                             position=body.position, phone=body.phone, address=body.address,
                                             actor=caller.actor)
        return AccountCreated(account=AccountOut.of(created.account), password=created.password)

    @api.patch("/accounts/{ref}", response_model=AccountOut, responses=ERRORS, tags=["accounts"])
    def edit_account(caller: Caller, ref: str, body: AccountEdit) -> AccountOut:
        account = web.access.scope.account(caller.scope, ref, for_change=True)
        if body.agency is not None:
            web.access.scope.agency(caller.scope, body.agency)
        return AccountOut.of(web.directory.accounts.edit(
            account.address, full_name=body.full_name, agency=body.agency, unit=body.unit, position=body.position,
            phone=body.phone, actor=caller.actor))

    @api.post("/accounts/{ref}/disable", response_model=AccountOut, responses=ERRORS, tags=["accounts"])
    def disable_account(caller: Caller, ref: str, body: StatusChange) -> AccountOut:
        account = web.access.scope.account(caller.scope, ref, for_change=True)
        changed = web.directory.accounts.disable(account.address, reason=body.reason, actor=caller.actor)
        web.access.sessions.revoke_all(account.id, actor=caller.actor)
        return AccountOut.of(changed)

    @api.post("/accounts/{ref}/enable", response_model=AccountOut, responses=ERRORS, tags=["accounts"])
    def enable_account(caller: Caller, ref: str) -> AccountOut:
        account = web.access.scope.account(caller.scope, ref, for_change=True)
        return AccountOut.of(web.directory.accounts.enable(account.address, actor=caller.actor))

    @api.post("/accounts/{ref}/remove", response_model=AccountOut, responses=ERRORS, tags=["accounts"])
    def remove_account(caller: Caller, ref: str, body: RemoveRequest) -> AccountOut:
        account = web.access.scope.account(caller.scope, ref, for_change=True)
        changed = web.directory.accounts.remove(account.address, reason=body.reason, actor=caller.actor,
                                                moved_to=body.moved_to)
        web.access.sessions.revoke_all(account.id, actor=caller.actor)
        return AccountOut.of(changed)

    return api
