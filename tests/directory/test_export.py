from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from congvu.directory.export import ExportFormat, collect, render
from congvu.directory.service import Directory

PEOPLE = ["Trần Thị Ánh", "Nguyễn Văn An", "Lê Bình", "Đỗ Văn Dũng", "Phạm Văn Chi", "Hoàng Đạt", "Vũ Thị Ơn",
          "Bùi Văn Ôn", "Lý Văn On", "Ngô Thị Ư", "Mai Văn Uy", "Hà Văn Ắn"]


def test_grouped_by_agency_in_tree_order_people_in_vietnamese_order(directory: Directory) -> None:
    for name in PEOPLE:
        directory.accounts.add(full_name=name, agency="H19.04", password=None, phone="0251 382 2505")
    directory.accounts.add(full_name="Cao Văn Khải", agency="H19.31.03", password=None)
    removed = directory.accounts.add(full_name="Tạ Văn Xoá", agency="H19.04", password=None).account
    directory.accounts.remove(removed.address, reason="Chuyển công tác")
    data = collect(directory.ctx, directory.agencies)
    assert [a.code for a in data] == ["H19", "H19.18", "H19.04", "H19.31", "H19.31.03", "H19.31.11"]
    sttt = next(a for a in data if a.code == "H19.04")
    assert [p.full_name for p in sttt.people] == [
        "Nguyễn Văn An", "Trần Thị Ánh", "Hà Văn Ắn", "Lê Bình", "Phạm Văn Chi", "Đỗ Văn Dũng", "Hoàng Đạt",
        "Lý Văn On", "Bùi Văn Ôn", "Vũ Thị Ơn", "Mai Văn Uy", "Ngô Thị Ư"]
    assert all(p.phone is None for p in sttt.people)
    assert sttt.mailbox == "stttt@dongnai.gov.vn"

    as_json = json.loads(render(data, ExportFormat.JSON, title="t"))
    assert as_json[2]["people"][0]["full_name"] == "Nguyễn Văn An"
    rows = list(csv.reader(io.StringIO(render(data, ExportFormat.CSV, title="t").decode("utf-8-sig"))))
    assert rows[0][:4] == ["STT", "Cơ quan", "Mã định danh", "Họ và tên"]
    assert rows[1][1] == "Ủy ban nhân dân tỉnh Đồng Nai"
    sheet = load_workbook(io.BytesIO(render(data, ExportFormat.XLSX, title="Danh bạ")), read_only=True).active
    values = [r for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Danh bạ" and values[1][3] == "Họ và tên"
    assert [r[3] for r in values if r[2] == "H19.04" and r[3]][:3] == ["Nguyễn Văn An", "Trần Thị Ánh", "Hà Văn Ắn"]


def test_search_without_diacritics(directory: Directory) -> None:
    directory.accounts.add(full_name="Đỗ Văn Dũng", agency="H19.04", password=None, position="Trưởng phòng")
    directory.accounts.add(full_name="Lê Văn Hải", agency="H19.18", password=None)
    data = collect(directory.ctx, directory.agencies, query="do van dung")
    assert [(a.code, [p.full_name for p in a.people]) for a in data] == [("H19.04", ["Đỗ Văn Dũng"])]
    data = collect(directory.ctx, directory.agencies, query="noi vu")
    assert [a.code for a in data] == ["H19.18"]
