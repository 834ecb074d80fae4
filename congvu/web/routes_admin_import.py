"""Bulk import of people from the HR spreadsheet, with a preview before anything is written.

The upload is kept in the installation's ``tmp/imports/<token>/`` and checked with a dry run: the preview shows
the addresses that would be made, the people matched, and every rejected row with the spreadsheet's row number and
why. Rows of agencies outside an agency administrator's scope block the import. Only the confirmation, by the same
administrator, writes; the file is deleted then (or after a day if never confirmed).
"""

from __future__ import annotations

import io
import re
import secrets
import shutil
import time
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import Workbook
from starlette.concurrency import run_in_threadpool

from congvu.directory.importer import ImportReport, PeopleImporter, Rejection
from congvu.errors import CongVuError, InvalidInput, NotFound, PermissionDenied
from congvu.web.admin_scope import scoped_agencies
from congvu.web.context import AdminDep, Viewer, web_of
from congvu.web.forms import MAX_UPLOAD_BYTES, AdminForm, upload
from congvu.web.rendering import page, redirect

router = APIRouter(prefix="/quan-tri/nhap")

KEEP_UPLOADS_S = 86_400
_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
EXAMPLE_ROWS = (("Họ và tên", "Cơ quan", "Phòng", "Chức vụ", "Điện thoại", "Email"),
                ("Nguyễn Thị Mai", "H19.04", "Văn phòng", "Chuyên viên", "0251 3822 123", ""))


def _uploads(request: Request) -> Path:
    return web_of(request).inst.settings.data.root / "tmp" / "imports"


def _importer(request: Request) -> PeopleImporter:
    directory = web_of(request).directory
    return PeopleImporter(directory.ctx, directory.accounts)


def _sweep(folder: Path) -> None:
    if not folder.is_dir():
        return
    cutoff = time.time() - KEEP_UPLOADS_S
    for item in folder.iterdir():
        if item.is_dir() and item.stat().st_mtime < cutoff:
            shutil.rmtree(item, ignore_errors=True)


def _safe_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name
    stem, dot, suffix = name.rpartition(".")
    suffix = suffix.lower()
    if not dot or suffix not in ("xlsx", "csv"):
        raise InvalidInput("Chỉ nhận tệp .xlsx hoặc .csv.", message_en="Only .xlsx or .csv files.", field="file")
    clean = "".join(c for c in stem if c.isalnum() or c in " -_.()").strip(" .")[:100] or "danh-sach"
    return f"{clean}.{suffix}"


def _outside(request: Request, viewer: Viewer, report: ImportReport) -> list[Rejection]:
    """Rows that would touch agencies the administrator does not manage."""
    if viewer.scope.province:
        return []
    allowed = {a.code for a in scoped_agencies(request, viewer.scope)}
    return [Rejection(p.row, f"cơ quan {p.agency} nằm ngoài phạm vi bạn quản trị")
            for p in (*report.created, *report.matched) if p.agency not in allowed]


@router.get("", response_class=HTMLResponse)
def import_page(request: Request, viewer: AdminDep) -> HTMLResponse:
    return page(request, "admin/import.html", viewer=viewer, example=EXAMPLE_ROWS)


@router.get("/mau.xlsx")
def import_template(viewer: AdminDep) -> Response:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Cán bộ"
    for row in EXAMPLE_ROWS:
        sheet.append(list(row))
    for column, width in zip("ABCDEF", (28, 14, 22, 18, 16, 28), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="mau-danh-sach-can-bo.xlsx"'})


@router.post("", response_class=HTMLResponse)
async def import_preview(request: Request, form: AdminForm, viewer: AdminDep) -> Response:
    try:
        file = upload(form, "file")
        name = _safe_name(file.filename or "")
        data = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise InvalidInput("Tệp quá lớn (tối đa 20 MB).", message_en="The file is too large (20 MB at most).",
                               field="file")
    except CongVuError as exc:
        return redirect("/quan-tri/nhap", error=exc)
    return await run_in_threadpool(_preview, request, viewer, name, data)


def _preview(request: Request, viewer: Viewer, name: str, data: bytes) -> Response:
    root = _uploads(request)
    _sweep(root)
    token = secrets.token_hex(16)
    folder = root / token
    folder.mkdir(parents=True)
    (folder / name).write_bytes(data)
    (folder / "owner").write_text(viewer.address, encoding="utf-8")
    try:
        report = _importer(request).run(folder / name, dry_run=True, actor=viewer.address)
    except CongVuError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return redirect("/quan-tri/nhap", error=exc)
    outside = _outside(request, viewer, report)
    return page(request, "admin/import_preview.html", viewer=viewer, report=report, outside=outside, token=token,
                can_write=bool(report.created or report.matched) and not outside)


def _held_file(request: Request, viewer: Viewer, token: str) -> Path:
    folder = _uploads(request) / token
    if not _TOKEN_RE.match(token) or not (folder / "owner").is_file():
        raise NotFound("Bản xem trước đã hết hạn; hãy tải tệp lên lại.",
                       message_en="The preview expired; upload the file again.")
    if (folder / "owner").read_text(encoding="utf-8") != viewer.address:
        raise PermissionDenied("Bản xem trước này của quản trị viên khác.",
                               message_en="This preview belongs to another administrator.")
    files = [p for p in folder.iterdir() if p.name != "owner"]
    if len(files) != 1:
        raise NotFound("Bản xem trước đã hết hạn; hãy tải tệp lên lại.",
                       message_en="The preview expired; upload the file again.")
    return files[0]


@router.post("/{token}/ghi", response_class=HTMLResponse)
def import_write(request: Request, form: AdminForm, viewer: AdminDep, token: str) -> Response:
    path = _held_file(request, viewer, token)
    importer = _importer(request)
    try:
        if _outside(request, viewer, importer.run(path, dry_run=True, actor=viewer.address)):
            raise PermissionDenied("Tệp có dòng thuộc cơ quan ngoài phạm vi bạn quản trị.",
                                   message_en="The file has rows of agencies outside your administration.")
        report = importer.run(path, dry_run=False, actor=viewer.address)
    except CongVuError as exc:
        return redirect("/quan-tri/nhap", error=exc)
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    return page(request, "admin/import_result.html", viewer=viewer, report=report)
