"""The public directory of official addresses (Danh bạ thư điện tử công vụ), as xlsx, csv or json.

Agencies come in tree order, each with its official mailbox; the people of each agency follow in Vietnamese
order by given name, then family name, then middle names (a ă â b c d đ e ê …, tones second) — never by byte
order. Only active accounts are listed. Phone numbers are left out unless asked for.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from congvu.directory.agencies import AgencyService
from congvu.directory.context import DirectoryContext
from congvu.directory.models import LEVEL_NAMES_VI
from congvu.errors import InvalidInput
from congvu.store.schema import accounts
from congvu.vntext.fold import fold


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    JSON = "json"


@dataclass(frozen=True)
class DirectoryPerson:
    full_name: str
    address: str
    unit: str | None
    position: str | None
    phone: str | None


@dataclass(frozen=True)
class DirectoryAgency:
    code: str
    name: str
    short_name: str
    level: str
    depth: int
    parent_code: str | None
    mailbox: str | None
    people: tuple[DirectoryPerson, ...]


def parse_format(value: str) -> ExportFormat:
    try:
        return ExportFormat(value.lower())
    except ValueError as exc:
        raise InvalidInput(f"Định dạng «{value}» không hỗ trợ; chọn xlsx, csv hoặc json.", field="format") from exc


def collect(ctx: DirectoryContext, agency_service: AgencyService, *, under: str | None = None,
            query: str | None = None, include_phone: bool = False) -> list[DirectoryAgency]:
    """The directory's content; ``query`` filters people and agencies by a folded substring."""
    needle = fold(query) if query else None
    with ctx.db.read() as conn:
        tree = agency_service.tree(conn, under=under)
        people: dict[int, list[DirectoryPerson]] = {}
        rows = conn.execute(select(accounts.c.agency_id, accounts.c.full_name, accounts.c.name_fold,
                                   accounts.c.address, accounts.c.unit, accounts.c.position, accounts.c.phone)
                            .where(accounts.c.kind == "person", accounts.c.status == "active")
                            .order_by(accounts.c.name_key, accounts.c.address))
        for row in rows:
            if needle and needle not in row.name_fold and needle not in row.address \
                    and needle not in fold(row.unit or "") and needle not in fold(row.position or ""):
                continue
            people.setdefault(row.agency_id, []).append(DirectoryPerson(
                row.full_name, row.address, row.unit, row.position, row.phone if include_phone else None))
    out: list[DirectoryAgency] = []
    for agency in tree:
        members = tuple(people.get(agency.id, ()))
        if needle and not members and needle not in fold(agency.name) and needle not in fold(agency.short_name) \
                and needle not in (agency.mailbox or ""):
            continue
        out.append(DirectoryAgency(agency.code, agency.name, agency.short_name, agency.level.value, agency.depth,
                                   agency.parent_code, agency.mailbox, members))
    return out


HEADERS = ("STT", "Cơ quan", "Mã định danh", "Họ và tên", "Chức vụ", "Phòng", "Thư điện tử", "Điện thoại")


def _flat_rows(data: list[DirectoryAgency]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    counter = 0
    for agency in data:
        counter += 1
        rows.append((str(counter), agency.name, agency.code, "", "Hộp thư cơ quan", "", agency.mailbox or "", ""))
        for person in agency.people:
            counter += 1
            rows.append((str(counter), agency.name, agency.code, person.full_name, person.position or "",
                         person.unit or "", person.address, person.phone or ""))
    return rows


def to_json(data: list[DirectoryAgency]) -> bytes:
    payload = [{
        "code": a.code, "name": a.name, "short_name": a.short_name, "level": a.level,
        "level_name": LEVEL_NAMES_VI.get(a.level, a.level), "parent": a.parent_code,  # type: ignore[call-overload]
        "mailbox": a.mailbox,
        "people": [{"full_name": p.full_name, "address": p.address, "unit": p.unit, "position": p.position,
                    **({"phone": p.phone} if p.phone else {})} for p in a.people],
    } for a in data]
    return json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def to_csv(data: list[DirectoryAgency]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(_flat_rows(data))
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")  # the BOM makes Excel read UTF-8


def to_xlsx(data: list[DirectoryAgency], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Danh bạ"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(horizontal="center")
    agency_fill = PatternFill("solid", fgColor="DDEBF7")
    for row in _flat_rows(data):
        sheet.append(list(row))
        if row[3] == "":
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
                cell.fill = agency_fill
    for column, width in zip("ABCDEFGH", (6, 40, 18, 28, 24, 24, 34, 16), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(data: list[DirectoryAgency], fmt: ExportFormat, *, title: str) -> bytes:
    if fmt == ExportFormat.JSON:
        return to_json(data)
    if fmt == ExportFormat.CSV:
        return to_csv(data)
    return to_xlsx(data, title=title)
