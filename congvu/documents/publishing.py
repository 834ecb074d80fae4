"""Publishing issued documents on the province's public notices page, as an Atom feed and a JSON listing.

Gia Lai Công văn 1468/UBND-VHXH asked that documents sent electronically also be posted "trong mục Thông báo của
Cổng thông tin điện tử"; a public page of notices is the usual place. Only issued, not recalled documents can be
published (a recall withdraws the notice too); what is shown is the register's data (số, ký hiệu; ngày; cơ quan
ban hành; trích yếu) and the main file. The feed is Atom (RFC 4287): one entry per document, ``id`` a ``tag:``
URI (RFC 4151) built from the DocumentId, ``updated`` the publication time.

:func:`public_router` builds the FastAPI router: ``/cong-bo`` (HTML), ``/cong-bo.atom``, ``/cong-bo.json`` and
``/cong-bo/{id}/tep`` (the main PDF).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import select, update

from congvu.documents.context import DocContext, as_utc
from congvu.documents.files import file_rows
from congvu.documents.models import OutgoingState
from congvu.errors import Conflict, NotFound
from congvu.store.schema import agencies
from congvu.store.schema_documents import doc_outgoing

if TYPE_CHECKING:
    from congvu.documents.service import DocumentService


@dataclass(frozen=True)
class Notice:
    id: int
    document_id: str
    number: str
    issued_on: date
    agency: str
    agency_name: str
    type_name: str
    subject: str
    published_at: datetime
    file_name: str | None


class Publisher:
    def __init__(self, ctx: DocContext) -> None:
        self.ctx = ctx

    def publish(self, document_id: str, *, actor: str = "system") -> Notice:
        with self.ctx.db.begin() as conn:
            row = conn.execute(select(doc_outgoing).where(doc_outgoing.c.document_id == document_id)).first()
            if row is None:
                raise NotFound(f"Không có văn bản đi '{document_id}'", field="document_id")
            if row.state != OutgoingState.ISSUED.value:
                raise Conflict("Chỉ công bố được văn bản đã ban hành và chưa bị thu hồi", field="document_id")
            if row.published_at is None:
                conn.execute(update(doc_outgoing).where(doc_outgoing.c.id == row.id)
                             .values(published_at=self.ctx.now()))
                self.ctx.audit(conn, actor, "doc.publish", document_id)
        return next(n for n in self.notices() if n.document_id == document_id)

    def withdraw(self, document_id: str, *, actor: str = "system") -> None:
        with self.ctx.db.begin() as conn:
            conn.execute(update(doc_outgoing).where(doc_outgoing.c.document_id == document_id)
                         .values(published_at=None))
            self.ctx.audit(conn, actor, "doc.unpublish", document_id)

    def notices(self, *, limit: int = 100) -> list[Notice]:
        """Published documents, newest first; recalled ones drop out."""
        with self.ctx.db.read() as conn:
            rows = conn.execute(
                select(doc_outgoing, agencies.c.code.label("agency_code"), agencies.c.name.label("agency_name"))
                .join(agencies, agencies.c.id == doc_outgoing.c.agency_id)
                .where(doc_outgoing.c.published_at.is_not(None), doc_outgoing.c.state == OutgoingState.ISSUED.value)
                .order_by(doc_outgoing.c.published_at.desc(), doc_outgoing.c.id.desc()).limit(limit)).all()
            out: list[Notice] = []
            for r in rows:
                main = next((f for f in file_rows(conn, "outgoing", r.id) if f.role == "main"), None)
                out.append(Notice(r.id, r.document_id, r.number_text, r.issued_on, r.agency_code, r.agency_name,
                                  r.type_name, r.subject, as_utc(r.published_at) or self.ctx.now(),
                                  main.name if main else None))
            return out

    def main_file(self, notice_id: int) -> tuple[str, bytes]:
        notice = next((n for n in self.notices(limit=10_000) if n.id == notice_id), None)
        if notice is None:
            raise NotFound("Văn bản không được công bố", field="id")
        with self.ctx.db.read() as conn:
            main = next(f for f in file_rows(conn, "outgoing", notice_id) if f.role == "main")
        return main.name, self.ctx.blobs.get(main.sha256)


def atom_feed(notices: list[Notice], *, base_url: str, title: str, authority: str) -> bytes:
    """An Atom 1.0 feed of the notices (RFC 4287)."""
    updated = max((n.published_at for n in notices), default=datetime(2000, 1, 1)).isoformat()
    parts = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
             f"<title>{escape(title)}</title>", f'<link rel="self" href="{escape(base_url)}/cong-bo.atom"/>',
             f"<id>tag:{escape(authority)},2020:cong-bo</id>", f"<updated>{updated}</updated>"]
    for n in notices:
        link = f"{base_url}/cong-bo/{n.id}/tep"
        parts += ["<entry>", f"<title>{escape(n.type_name)} số {escape(n.number)}: {escape(n.subject)}</title>",
                  f"<id>tag:{escape(authority)},{n.issued_on.isoformat()}:{quote(n.document_id, safe='')}</id>",
                  f"<updated>{n.published_at.isoformat()}</updated>",
                  f"<author><name>{escape(n.agency_name)}</name></author>",
                  f'<link rel="enclosure" type="application/pdf" href="{escape(link)}"/>',
                  f"<summary>{escape(n.subject)}</summary>", "</entry>"]
    parts.append("</feed>")
    return "\n".join(parts).encode("utf-8")


def public_router(docs: DocumentService, *, title: str = "Công bố văn bản") -> APIRouter:
    publisher = docs.publisher
    router = APIRouter()

    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    @router.get("/cong-bo.json")
    def listing() -> JSONResponse:
        return JSONResponse([{"id": n.id, "document_id": n.document_id, "number": n.number,
                              "issued_on": n.issued_on.isoformat(), "agency": n.agency, "agency_name": n.agency_name,
                              "type_name": n.type_name, "subject": n.subject,
                              "published_at": n.published_at.isoformat(), "file": n.file_name}
                             for n in publisher.notices()])

    @router.get("/cong-bo.atom")
    def feed(request: Request) -> Response:
        authority = request.url.hostname or "localhost"
        return Response(atom_feed(publisher.notices(), base_url=base(request), title=title, authority=authority),
                        media_type="application/atom+xml; charset=utf-8")

    @router.get("/cong-bo", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        rows = "".join(
            f"<tr><td>{html.escape(n.number)}</td><td>{n.issued_on.strftime('%d/%m/%Y')}</td>"
            f"<td>{html.escape(n.agency_name)}</td><td>{html.escape(n.type_name)}: {html.escape(n.subject)}</td>"
            f'<td><a href="cong-bo/{n.id}/tep">Tải về</a></td></tr>' for n in publisher.notices())
        body = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
                '<link rel="alternate" type="application/atom+xml" href="cong-bo.atom"></head><body>'
                f"<h1>{html.escape(title)}</h1><table><thead><tr><th>Số, ký hiệu</th><th>Ngày</th>"
                f"<th>Cơ quan ban hành</th><th>Trích yếu</th><th>Tệp</th></tr></thead><tbody>{rows}</tbody></table>"
                "</body></html>")
        return HTMLResponse(body)

    @router.get("/cong-bo/{notice_id}/tep")
    def download(notice_id: int) -> Response:
        try:
            name, data = publisher.main_file(notice_id)
        except NotFound as error:
            return JSONResponse({"detail": error.message}, status_code=404)
        disposition = f"inline; filename*=UTF-8''{quote(name)}"
        return Response(data, media_type="application/pdf", headers={"Content-Disposition": disposition})

    return router
