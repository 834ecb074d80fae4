"""Pages anyone may open: home, health, the public directory and its downloads, mail client setup and the
endpoints mail clients query by themselves (autoconfig, Autodiscover, Apple profile)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import func, select, text

from congvu import __version__
from congvu.delivery.records import mta_sts_policy
from congvu.directory.addresses import split_address
from congvu.directory.export import ExportFormat, render
from congvu.errors import CongVuError, InvalidInput, NotFound
from congvu.store.schema import accounts, agencies, message_text_backlog
from congvu.vntext.naming import validate_local_part
from congvu.web.client_setup import (
    MAX_AUTODISCOVER_REQUEST_BYTES,
    apple_profile,
    autodiscover_request_address,
    mail_setup,
    outlook_autodiscover,
    thunderbird_config,
)
from congvu.web.context import optional_viewer, web_of
from congvu.web.directory_cache import cached_directory
from congvu.web.rendering import page
from congvu.webmail.mailboxes import inbox_summaries

router = APIRouter()

XML = "application/xml; charset=utf-8"


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    try:
        with web_of(request).inst.db.read() as conn:
            conn.execute(text("SELECT 1"))
            # Long bodies delivered but not yet folded for search (congvu.mailstore.textbacklog): a number that
            # stays high while no mail arrives means the indexing is stuck.
            waiting = conn.execute(select(func.count()).select_from(message_text_backlog)).scalar_one()
        return JSONResponse({"status": "ok", "version": __version__, "database": "ok",
                             "text_index_waiting": int(waiting)})
    except Exception as exc:  # the health check reports, it does not raise
        return JSONResponse({"status": "error", "database": str(exc)}, status_code=503)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """The province's front page; for a signed-in person also their mailboxes' unread counts and their links."""
    with web_of(request).inst.db.read() as conn:
        agency_count = conn.execute(select(func.count()).select_from(agencies)
                                    .where(agencies.c.status == "active")).scalar_one()
        people_count = conn.execute(select(func.count()).select_from(accounts).where(
            accounts.c.kind == "person", accounts.c.status == "active")).scalar_one()
    viewer = optional_viewer(request)
    mailboxes = inbox_summaries(web_of(request).inst.mailstore, viewer.account.id) if viewer else ()
    return page(request, "home.html", agency_count=agency_count, people_count=people_count,
                setup=mail_setup(web_of(request).inst.settings), mailboxes=mailboxes)


@router.get("/danh-ba", response_class=HTMLResponse)
def public_directory(request: Request, q: str | None = Query(default=None, max_length=200),
                     co_quan: str | None = Query(default=None, alias="co-quan", max_length=40)) -> HTMLResponse:
    """Without a search or an agency, the tree of agencies with their official mailboxes and head counts (a
    province has thousands of people: one page of all of them helps nobody); with either, the people too."""
    web = web_of(request)
    query = (q or "").strip() or None
    under = (co_quan or "").strip().upper() or None
    try:
        data = cached_directory(web, query=query, under=under)
    except NotFound:
        data, under = [], None
    people_total = sum(len(a.people) for a in data)
    return page(request, "directory.html", data=data, q=query or "", under=under or "",
                people_total=people_total, show_people=bool(query or under))


@router.get("/danh-ba.{fmt}")
def public_directory_file(request: Request, fmt: str,
                          q: str | None = Query(default=None, max_length=200)) -> Response:
    web = web_of(request)
    settings = web.inst.settings
    try:
        chosen = ExportFormat(fmt)
    except ValueError:
        return JSONResponse({"error": "Định dạng không hỗ trợ (xlsx, csv, json)."}, status_code=404)
    data = cached_directory(web, query=(q or "").strip() or None, under=None)
    body = render(data, chosen, title=f"Danh bạ thư điện tử công vụ — {settings.org_name}")
    media = {ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             ExportFormat.CSV: "text/csv; charset=utf-8",
             ExportFormat.JSON: "application/json"}[chosen]
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="danh-ba-{settings.domain}.{chosen.value}"'})


@router.get("/cau-hinh-thu", response_class=HTMLResponse)
def mail_client_page(request: Request) -> HTMLResponse:
    return page(request, "mail_setup.html", setup=mail_setup(web_of(request).inst.settings))


@router.get("/.well-known/mta-sts.txt")
def mta_sts(request: Request) -> Response:
    """The MTA-STS policy (RFC 8461 §3.2) that ``congvu dns records`` announces: served here for the host
    ``mta-sts.<domain>`` (a CNAME to this server, behind HTTPS), so other servers use TLS when they send to us."""
    return Response(mta_sts_policy(web_of(request).inst.settings.hostname), media_type="text/plain")


@router.get("/.well-known/autoconfig/mail/config-v1.1.xml")
@router.get("/mail/config-v1.1.xml")
def thunderbird_autoconfig(request: Request) -> Response:
    return Response(thunderbird_config(mail_setup(web_of(request).inst.settings)), media_type=XML)


@router.get("/autodiscover/autodiscover.xml")
@router.get("/Autodiscover/Autodiscover.xml")
def outlook_autodiscover_get(request: Request) -> Response:
    return Response(outlook_autodiscover(mail_setup(web_of(request).inst.settings), None), media_type=XML)


@router.post("/autodiscover/autodiscover.xml")
@router.post("/Autodiscover/Autodiscover.xml")
async def outlook_autodiscover_post(request: Request) -> Response:
    settings = web_of(request).inst.settings
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_AUTODISCOVER_REQUEST_BYTES:
            break  # a request is a few hundred bytes; never buffer more than the parser would read
    address = autodiscover_request_address(body)
    if address is not None and split_address_or_none(address) not in settings.domains:
        address = None  # settings for our own domains only; never echo a foreign address back
    return Response(outlook_autodiscover(mail_setup(settings), address), media_type=XML)


def split_address_or_none(address: str) -> str | None:
    try:
        return split_address(address)[1]
    except CongVuError:
        return None


@router.get("/cau-hinh-thu/apple.mobileconfig")
def apple_mobileconfig(request: Request, email: str = Query(max_length=320)) -> Response:
    web = web_of(request)
    settings = web.inst.settings
    address = email.strip().lower()
    if split_address_or_none(address) not in settings.domains:
        raise InvalidInput(f"«{email}» không phải địa chỉ thư công vụ @{settings.domain}.",
                           message_en=f"{email!r} is not an address @{settings.domain}.", field="email")
    local = validate_local_part(address.split("@")[0])
    body = apple_profile(mail_setup(settings), address)
    return Response(body, media_type="application/x-apple-aspen-config", headers={
        "Content-Disposition": f'attachment; filename="thu-cong-vu-{local}.mobileconfig"'})
