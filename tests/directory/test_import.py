from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from congvu.directory.importer import PeopleImporter
from congvu.directory.service import Directory
from congvu.errors import InvalidInput
from congvu.vntext.legacy import LegacyEncoding, encode_legacy

HEADER = ["Họ và tên", "Cơ quan", "Phòng", "Chức vụ", "Điện thoại", "Email"]


def write_xlsx(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def importer(directory: Directory) -> PeopleImporter:
    return PeopleImporter(directory.ctx, directory.accounts)


def test_good_rows_created_bad_rows_reported_with_sheet_row_numbers(directory: Directory, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "canbo.xlsx", [
        ["Trần Văn Vinh", "H19", "Lãnh đạo", "Phó Chủ tịch", "0251 3822 505", None],      # row 2
        ["Nguyễn Thị Lan", "Sở Thông tin và Truyền thông", "Văn phòng", "Văn thư", None, None],  # 3
        ["Lê Văn Tám", "Sở Không Tồn Tại", None, None, None, None],                        # 4: unknown agency
        [None, "H19.04", None, None, None, None],                                          # 5: no name
        ["Phạm\u202e Văn Bảy", "H19.04", None, None, None, None],                            # 6: control char
        ["Võ Thị Sáu", "so noi vu", "Văn phòng", "Chuyên viên", "abc", None],              # 7: bad phone
        ["Đặng Văn Lâm", "H19.18", None, None, None, "admin@dongnai.gov.vn"],              # 8: reserved
        [None, None, None, None, None, None],                                              # 9: empty, skipped
        ["Hồ Thị Hoa", "SNV", "Văn phòng", "Chuyên viên", None, "hoaht@dongnai.gov.vn"],   # 10
        ["Nguyễn Thị Lan", "H19.04", "Văn phòng", "Văn thư", None, None],                  # 11: dup of 3
    ])
    report = importer(directory).run(path)
    assert [p.row for p in report.created] == [2, 3, 10]
    assert [p.address for p in report.created] == ["vinhtv@dongnai.gov.vn", "lannt@dongnai.gov.vn",
                                                   "hoaht@dongnai.gov.vn"]
    rejected = {r.row: r.reason for r in report.rejected}
    assert set(rejected) == {4, 5, 6, 7, 8, 11}
    assert "Sở Không Tồn Tại" in rejected[4]
    assert "Họ và tên" in rejected[5]
    assert "điều khiển" in rejected[6]
    assert "điện thoại" in rejected[7].lower()
    assert "dành riêng" in rejected[8]
    assert "dòng 3" in rejected[11]
    assert directory.accounts.show("lannt@dongnai.gov.vn").agency_code == "H19.04"


def test_dry_run_writes_nothing_and_reimport_matches(directory: Directory, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [["Trần Văn Vinh", "H19", None, None, None, None],
                                            ["Trần Văn Vĩnh", "H19.04", None, None, None, None]])
    dry = importer(directory).run(path, dry_run=True)
    assert len(dry.created) == 2 and dry.batch_id is None
    assert directory.accounts.list() == []
    first = importer(directory).run(path)
    assert len(first.created) == 2 and first.created[0].address != first.created[1].address
    again = importer(directory).run(path)
    assert again.created == [] and [p.address for p in again.matched] == [p.address for p in first.created]


def test_csv_utf8_and_legacy_encodings(directory: Directory, tmp_path: Path) -> None:
    text = "Họ và tên,Cơ quan,Phòng,Chức vụ,Điện thoại\r\nĐỗ Thị Hằng,H19.04,Văn phòng,Chuyên viên,0912345678\r\n"
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes(b"\xef\xbb\xbf" + unicodedata.normalize("NFD", text).encode("utf-8"))
    report = importer(directory).run(utf8)
    assert [p.full_name for p in report.created] == ["Đỗ Thị Hằng"]
    cp1258 = tmp_path / "cp1258.csv"
    cp1258.write_bytes(encode_legacy(text.replace("Đỗ Thị Hằng", "Bùi Văn Phước"), LegacyEncoding.CP1258))
    report = importer(directory).run(cp1258)
    assert [p.full_name for p in report.created] == ["Bùi Văn Phước"]


def test_xlsx_cells_in_legacy_font_are_converted(directory: Directory, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    ws.append([encode_legacy("Lương Thị Thủy", LegacyEncoding.TCVN3).decode("latin-1"), "H19.04"])
    ws["A2"].font = Font(name=".VnTime")
    path = tmp_path / "vntime.xlsx"
    wb.save(path)
    report = importer(directory).run(path)
    assert [p.full_name for p in report.created] == ["Lương Thị Thủy"]


def test_wrong_columns_and_broken_files_are_whole_file_errors(directory: Directory, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "sai.xlsx", [["x", "y"]], header=["Tên", "Đơn vị ABC"])
    with pytest.raises(InvalidInput, match="thiếu cột «Họ và tên»"):
        importer(directory).run(path)
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InvalidInput, match=r"hong\.xlsx"):
        importer(directory).run(broken)
    garbage = tmp_path / "rac.csv"
    garbage.write_bytes(b"H\xff\xfe\x00\x81 t\xean,C\x90 quan\n\x9d\x8f\x81\n")
    with pytest.raises(InvalidInput, match="UTF-8"):
        importer(directory).run(garbage)
    assert directory.accounts.list() == []


def test_header_without_diacritics_is_accepted(directory: Directory, tmp_path: Path) -> None:
    path = tmp_path / "khongdau.csv"
    path.write_text("Ho va ten;Co quan;Chuc vu\nNgô Bảo Châu;STTTT;Chuyên viên\n", encoding="utf-8")
    report = importer(directory).run(path)
    assert [(p.full_name, p.agency, p.position) for p in report.created] == [
        ("Ngô Bảo Châu", "H19.04", "Chuyên viên")]
