"""What the document pages share: reading a register's filters from the query string, the labels of statuses and
levels, the page renderer with the document context, and sending a stored file back (PDFs inline, for preview)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from congvu.clerical.doctypes import ADMINISTRATIVE_TYPES
from congvu.clerical.levels import SecrecyLevel, UrgencyLevel
from congvu.clerical.status_codes import StatusCode
from congvu.documents.models import FileView, IncomingEntry, OutgoingState
from congvu.documents.search import RegisterQuery, is_overdue
from congvu.errors import InvalidInput
from congvu.web.context import Viewer, web_of
from congvu.web.rendering import page
from congvu.webmail.filenames import content_disposition, safe_filename

PAGE_SIZE = 50
INCOMING_STATUSES = tuple((s.value, s.name_vi) for s in StatusCode)
OUTGOING_STATES = ((OutgoingState.DRAFT.value, "Dự thảo"), (OutgoingState.ISSUED.value, "Đã ban hành"),
                   (OutgoingState.RECALLED.value, "Đã thu hồi"))
URGENCIES = tuple((u.label, u.label) for u in UrgencyLevel if u is not UrgencyLevel.HOA_TOC_HEN_GIO)
SECRECIES = tuple((s.label if s is not SecrecyLevel.NONE else "", s.label) for s in SecrecyLevel)
DOC_TYPES = tuple((t.code, t.name) for t in ADMINISTRATIVE_TYPES)
# The PDF preview may be framed by our own pages only. No ``sandbox`` or ``object-src`` limit: browsers refuse to
# start their PDF viewer in a sandboxed document, and a PDF cannot run this site's scripts anyway.
PDF_HEADERS = {"Content-Security-Policy": "frame-ancestors 'self'",
               "X-Frame-Options": "SAMEORIGIN", "Cache-Control": "private, no-store"}


# ``IncomingEntry.signature_summary``: one word for the document's signatures (congvu.documents.signatures.summarise).
SIGNATURE_LABELS = {"none": ("Văn bản không có chữ ký số.", "off"),
                    "trusted": ("Chữ ký số nguyên vẹn, chứng thư tin cậy", "ok"),
                    "untrusted": ("Chữ ký số nguyên vẹn nhưng chứng thư không thuộc danh sách tin cậy", "warn"),
                    "broken": ("Chữ ký số không hợp lệ: nội dung đã bị thay đổi sau khi ký", "off")}


def signature_label(summary: str) -> tuple[str, str]:
    """The sentence and badge class for a document's signature summary."""
    return SIGNATURE_LABELS.get(summary, (summary, "warn"))


def urgency_label(value: int) -> str:
    try:
        return UrgencyLevel(value).label
    except ValueError:
        return str(value)


def parse_day(value: str, field: str) -> date | None:
    text = value.strip()
    if not text:
        return None
    for parse in (date.fromisoformat, lambda t: date(int(t[6:10]), int(t[3:5]), int(t[0:2]))):
        try:
            return parse(text)
        except (ValueError, IndexError):
            continue
    raise InvalidInput(f"Ngày «{text}» không hợp lệ (dạng năm-tháng-ngày hoặc ngày/tháng/năm).",
                       message_en=f"Invalid date {text!r} (year-month-day or day/month/year).", field=field)


@dataclass(frozen=True)
class Filters:
    """A register's filters as the query string gives them (kept as text to refill the form)."""

    q: str = ""
    year: str = ""
    status: str = ""
    from_date: str = ""
    to_date: str = ""
    page: int = 1

    @classmethod
    def of(cls, request: Request) -> Filters:
        p = request.query_params
        number = p.get("page", "1")
        return cls(q=p.get("q", "")[:200], year=p.get("year", "")[:4], status=p.get("status", "")[:12],
                   from_date=p.get("from", "")[:10], to_date=p.get("to", "")[:10],
                   page=max(int(number), 1) if number.isdigit() and len(number) < 7 else 1)

    def query(self, agency: str, *, statuses: tuple[tuple[str, str], ...], everything: bool = False) -> RegisterQuery:
        year = int(self.year) if self.year.isdigit() else None
        status = self.status if self.status in {s for s, _ in statuses} else None
        limit = 100_000 if everything else PAGE_SIZE
        return RegisterQuery(agency=agency, year=year, q=self.q, status=status,
                             from_date=parse_day(self.from_date, "from"), to_date=parse_day(self.to_date, "to"),
                             limit=limit, offset=0 if everything else (self.page - 1) * PAGE_SIZE)

    def params(self, **changes: object) -> str:
        values = {"q": self.q, "year": self.year, "status": self.status, "from": self.from_date, "to": self.to_date,
                  "page": str(self.page) if self.page > 1 else ""}
        values.update({k: str(v) for k, v in changes.items()})
        kept = {k: v for k, v in values.items() if v and not (k == "page" and v == "1")}
        return urlencode(kept)


def doc_page(request: Request, viewer: Viewer, name: str, *, http_status: int = 200, **context: object) -> HTMLResponse:
    today = web_of(request).docs.ctx.today()
    return page(request, name, viewer=viewer, http_status=http_status, today=today,
                overdue=lambda e: is_overdue(e, today), urgency_label=urgency_label,
                signature_label=signature_label, **context)


def deadline_of(entry: IncomingEntry) -> date | None:
    return entry.handling_deadline or entry.due_date


def file_response(request: Request, view: FileView, *, inline: bool) -> Response:
    """A document's file: a PDF is shown inline for the preview, anything else is a download."""
    data = web_of(request).docs.ctx.blobs.get(view.sha256)
    is_pdf = view.content_type == "application/pdf" or view.name.lower().endswith(".pdf")
    show = inline and is_pdf
    headers = dict(PDF_HEADERS)
    headers["Content-Disposition"] = content_disposition(safe_filename(view.name), inline=show)
    if not show:
        headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        headers["X-Frame-Options"] = "DENY"
    return Response(data, media_type="application/pdf" if show else "application/octet-stream", headers=headers)
