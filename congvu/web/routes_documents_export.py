"""The registers as paper and spreadsheet: the columns of "Sổ đăng ký văn bản đến" and "Sổ đăng ký văn bản đi"
(NĐ 30/2020/NĐ-CP Phụ lục IV), filled from the register, for the printable page and the ``.xlsx`` download."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from congvu.documents.models import IncomingEntry, OutgoingDocument
from congvu.web.routes_documents_common import deadline_of

INCOMING_COLUMNS = ("Số đến", "Ngày đến", "Tác giả", "Số, ký hiệu", "Ngày tháng", "Tên loại và trích yếu nội dung",
                    "Đơn vị hoặc người nhận", "Hạn giải quyết", "Trạng thái", "Ghi chú")
OUTGOING_COLUMNS = ("Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung", "Người ký",
                    "Nơi nhận văn bản", "Đơn vị soạn thảo", "Trạng thái", "Ghi chú")


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def incoming_rows(entries: Sequence[IncomingEntry]) -> list[tuple[str, ...]]:
    rows = []
    for e in entries:
        notes = "; ".join((*e.warnings, *(["Có bản giấy"] if e.paper else [])))
        rows.append((str(e.arrival_number or ""), _day(e.arrival_date), f"{e.from_name} ({e.from_agency})",
                     e.number, _day(e.promulgation_date), f"{e.type_name}: {e.subject}", e.handler or "",
                     _day(deadline_of(e)), e.status_name, notes))
    return rows


def outgoing_rows(docs: Sequence[OutgoingDocument]) -> list[tuple[str, ...]]:
    rows = []
    for d in docs:
        signer = " ".join(x for x in (d.signer.competence, d.signer.position, d.signer.name) if x)
        to = "; ".join(f"{r.name} ({r.agency})" for r in d.recipients) or "; ".join(d.kinh_gui)
        state = {"draft": "Dự thảo", "issued": "Đã ban hành", "recalled": "Đã thu hồi"}[d.state.value]
        paper = sum(1 for r in d.recipients if r.paper_required)
        notes = [f"Gửi kèm bản giấy tới {paper} nơi" if paper else "", "Đã ký số" if d.signed else ""]
        rows.append((d.number or "", _day(d.issued_on), f"{d.type_name}: {d.subject}", signer, to,
                     d.drafting_unit or "", state, "; ".join(n for n in notes if n)))
    return rows


def workbook(title: str, heading: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(columns))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        sheet.append([int(v) if i == 0 and v.isdigit() else v for i, v in enumerate(row)])
    widths = {0: 10, 1: 12, 2: 30, 3: 18, 4: 12, 5: 60, 6: 28}
    for i in range(len(columns)):
        sheet.column_dimensions[chr(ord("A") + i)].width = widths.get(i, 18)
    sheet.freeze_panes = "A3"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
