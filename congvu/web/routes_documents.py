"""The document pages: ``/van-ban`` and each agency's registers.

``/van-ban`` shows the agencies the viewer works for with their figures and the documents assigned to the viewer;
``/van-ban/{agency}/den`` and ``/di`` are the incoming and outgoing registers (filters, search without regard to
diacritics, paging), each with a printable page (``/in``) and a spreadsheet (``.xlsx``); ``/qua-han`` lists the
open incoming documents past their deadline. A document's own pages live in :mod:`routes_documents_incoming` and
:mod:`routes_documents_outgoing`, included here. Every page checks :mod:`congvu.web.doc_permissions`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from congvu.documents.search import dashboard, overdue, search_incoming, search_outgoing
from congvu.web import routes_documents_incoming, routes_documents_outgoing
from congvu.web.context import ViewerDep, web_of
from congvu.web.doc_permissions import acting_agencies, assigned_to, require_agency
from congvu.web.routes_documents_common import INCOMING_STATUSES, OUTGOING_STATES, Filters, doc_page
from congvu.web.routes_documents_export import (
    INCOMING_COLUMNS,
    OUTGOING_COLUMNS,
    incoming_rows,
    outgoing_rows,
    workbook,
)
from congvu.webmail.filenames import content_disposition

router = APIRouter(prefix="/van-ban")


@router.get("", response_class=HTMLResponse)
def landing(request: Request, viewer: ViewerDep) -> HTMLResponse:
    web = web_of(request)
    today = web.docs.ctx.today()
    primary, others = acting_agencies(web, viewer)
    boards = [(a, dashboard(web.docs, a.code, today)) for a in primary]
    mine = assigned_to(web, viewer)
    return doc_page(request, viewer, "documents/landing.html", boards=boards, others=others, mine=mine)


@router.get("/{code}", response_class=HTMLResponse)
def agency_home(request: Request, viewer: ViewerDep, code: str) -> HTMLResponse:
    web = web_of(request)
    agency = require_agency(web, viewer, code)
    board = dashboard(web.docs, agency.code, web.docs.ctx.today())
    return doc_page(request, viewer, "documents/agency.html", agency=agency, board=board, late=board.late[:10])


@router.get("/{code}/den", response_class=HTMLResponse)
def incoming_register(request: Request, viewer: ViewerDep, code: str) -> HTMLResponse:
    web = web_of(request)
    agency = require_agency(web, viewer, code)
    filters = Filters.of(request)
    found = search_incoming(web.docs, filters.query(agency.code, statuses=INCOMING_STATUSES))
    return doc_page(request, viewer, "documents/incoming.html", agency=agency, filters=filters, found=found,
                    statuses=INCOMING_STATUSES)


@router.get("/{code}/di", response_class=HTMLResponse)
def outgoing_register(request: Request, viewer: ViewerDep, code: str) -> HTMLResponse:
    web = web_of(request)
    agency = require_agency(web, viewer, code)
    filters = Filters.of(request)
    found = search_outgoing(web.docs, filters.query(agency.code, statuses=OUTGOING_STATES))
    return doc_page(request, viewer, "documents/outgoing.html", agency=agency, filters=filters, found=found,
                    statuses=OUTGOING_STATES)


@router.get("/{code}/qua-han", response_class=HTMLResponse)
def overdue_list(request: Request, viewer: ViewerDep, code: str) -> HTMLResponse:
    web = web_of(request)
    agency = require_agency(web, viewer, code)
    late = overdue(web.docs, agency.code, web.docs.ctx.today())
    return doc_page(request, viewer, "documents/overdue.html", agency=agency, late=late)


@router.get("/{code}/den/in", response_class=HTMLResponse)
def incoming_print(request: Request, viewer: ViewerDep, code: str) -> HTMLResponse:
    web = web_of(request)
    agency = require_agency(web, viewer, code)
    filters = Filters.of(request)
    found = search_incoming(web.docs, filters.query(agency.code, statuses=INCOMING_STATUSES, everything=True))
    return doc_page(request, viewer, "documents/print.html", agency=agency, title="SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
                    columns=INCOMING_COLUMNS, rows=incoming_rows(found.items), filters=filters)


@router.get("/{code}/di/in", response_class=HTMLResponse)
def outgoing_print(request: Request, viewer: ViewerDep, code: str) -> HTMLResponse:
    web = web_of(request)
    agency = require_agency(web, viewer, code)
    filters = Filters.of(request)
    found = search_outgoing(web.docs, filters.query(agency.code, statuses=OUTGOING_STATES, everything=True))
    return doc_page(request, viewer, "documents/print.html", agency=agency, title="SỔ ĐĂNG KÝ VĂN BẢN ĐI",
                    columns=OUTGOING_COLUMNS, rows=outgoing_rows(found.items), filters=filters)


def _xlsx(data: bytes, name: str) -> Response:
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": content_disposition(name), "Cache-Control": "private, no-store"})


@router.get("/{code}/den.xlsx")
def incoming_xlsx(request: Request, viewer: ViewerDep, code: str) -> Response:
    web = web_of(request)
    agency = require_agency(web, viewer, code)
    filters = Filters.of(request)
    found = search_incoming(web.docs, filters.query(agency.code, statuses=INCOMING_STATUSES, everything=True))
    data = workbook("So van ban den", f"SỔ ĐĂNG KÝ VĂN BẢN ĐẾN — {agency.name}", INCOMING_COLUMNS,
                    incoming_rows(found.items))
    return _xlsx(data, f"so-van-ban-den-{agency.code}.xlsx")


@router.get("/{code}/di.xlsx")
def outgoing_xlsx(request: Request, viewer: ViewerDep, code: str) -> Response:
    web = web_of(request)
    agency = require_agency(web, viewer, code)
    filters = Filters.of(request)
    found = search_outgoing(web.docs, filters.query(agency.code, statuses=OUTGOING_STATES, everything=True))
    data = workbook("So van ban di", f"SỔ ĐĂNG KÝ VĂN BẢN ĐI — {agency.name}", OUTGOING_COLUMNS,
                    outgoing_rows(found.items))
    return _xlsx(data, f"so-van-ban-di-{agency.code}.xlsx")


router.include_router(routes_documents_incoming.router)
router.include_router(routes_documents_outgoing.router)
