"""Reading people lists from .xlsx and .csv files, with the Vietnamese column names HR departments use.

Rows are numbered as the spreadsheet numbers them (the header is row 1). CSV files may come as UTF-8 (with or
without BOM) or in a legacy Vietnamese encoding (Windows-1258, TCVN3, VNI) as old Excel versions save them; cells
of an .xlsx formatted with a legacy font (``.VnTime``, ``VNI-Times``…) are converted to Unicode.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from congvu.errors import InvalidInput
from congvu.vntext.fold import fold
from congvu.vntext.legacy import LegacyEncoding, decode_legacy, detect_legacy
from congvu.vntext.normalize import nfc

# Canonical field → accepted header spellings (compared after folding: diacritics and case optional).
COLUMNS: dict[str, tuple[str, ...]] = {
    "full_name": ("Họ và tên", "Họ tên", "Họ và tên cán bộ", "Tên cán bộ"),
    "agency": ("Cơ quan", "Cơ quan, đơn vị", "Đơn vị công tác", "Mã cơ quan"),
    "unit": ("Phòng", "Phòng ban", "Phòng, ban", "Bộ phận"),
    "position": ("Chức vụ", "Chức danh"),
    "phone": ("Điện thoại", "Số điện thoại", "ĐT", "SĐT"),
    "email": ("Email", "E-mail", "Thư điện tử", "Địa chỉ email", "Địa chỉ thư điện tử"),
}
REQUIRED = ("full_name", "agency")
HEADER_NAMES_VI = {key: names[0] for key, names in COLUMNS.items()}
_LOOKUP = {fold(name): key for key, names in COLUMNS.items() for name in names}
MAX_ROWS = 200_000


@dataclass(frozen=True)
class SheetRow:
    number: int  # the spreadsheet's own row number; the header is row 1
    values: dict[str, str]


def map_header(cells: list[str], source: str) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for index, cell in enumerate(cells):
        key = _LOOKUP.get(fold(cell or ""))
        if key is not None and key not in mapping.values():
            mapping[index] = key
    missing = [HEADER_NAMES_VI[k] for k in REQUIRED if k not in mapping.values()]
    if missing:
        found = ", ".join(f"«{c}»" for c in cells if c) or "(trống)"
        raise InvalidInput(
            f"{source}: dòng 1 thiếu cột {', '.join(f'«{m}»' for m in missing)}; các cột có: {found}. "
            f"Cột cần có: {', '.join(HEADER_NAMES_VI.values())} (Email không bắt buộc).",
            message_en=f"{source}: row 1 lacks the column(s) {', '.join(missing)}.",
            field="header",
        )
    return mapping


def _legacy_font(font_name: str | None) -> bool:
    if not font_name:
        return False
    name = font_name.lower()
    return name.startswith((".vn", "vni", "vn3", "vntime")) or name.startswith("vni-")


def read_xlsx(path: Path) -> Iterator[SheetRow]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InvalidInput(f"{path.name}: không đọc được tệp Excel (.xlsx): {exc}", field="file") from exc
    except Exception as exc:  # zipfile.BadZipFile and friends
        raise InvalidInput(f"{path.name}: tệp không phải .xlsx hợp lệ ({type(exc).__name__}).",
                           field="file") from exc
    sheet = workbook.worksheets[0]
    mapping: dict[int, str] | None = None
    try:
        for number, row in enumerate(sheet.iter_rows(), start=1):
            texts: list[str] = []
            for cell in row:
                value = cell.value
                if value is None:
                    texts.append("")
                    continue
                text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
                font = getattr(getattr(cell, "font", None), "name", None)
                texts.append(detect_legacy(text, font_hint=font).text if _legacy_font(font) else nfc(text))
            if mapping is None:
                mapping = map_header(texts, path.name)
                continue
            if number > MAX_ROWS:
                raise InvalidInput(f"{path.name}: quá {MAX_ROWS} dòng.", field="file")
            values = {key: texts[i].strip() for i, key in mapping.items() if i < len(texts)}
            if any(values.values()):
                yield SheetRow(number, values)
    finally:
        workbook.close()
    if mapping is None:
        raise InvalidInput(f"{path.name}: tệp trống.", field="file")


def decode_csv(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return nfc(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        detection = detect_legacy(data)
        if detection.encoding != LegacyEncoding.UNICODE and detection.confidence >= 0.6:
            text = decode_legacy(data, detection.encoding)
            if not any(unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in text):
                return text
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            f"{name}: dòng {line}: tệp CSV không phải UTF-8 (byte 0x{data[exc.start]:02X}) và không nhận ra "
            "bảng mã tiếng Việt cũ; hãy lưu lại bằng «CSV UTF-8».",
            message_en=f"{name}: line {line}: not UTF-8 and no legacy Vietnamese encoding recognised.",
            field="file",
        ) from exc


def read_csv(path: Path) -> Iterator[SheetRow]:
    text = decode_csv(path.read_bytes(), path.name)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    mapping: dict[int, str] | None = None
    try:
        for number, cells in enumerate(reader, start=1):
            if mapping is None:
                mapping = map_header([c.strip() for c in cells], path.name)
                continue
            if number > MAX_ROWS:
                raise InvalidInput(f"{path.name}: quá {MAX_ROWS} dòng.", field="file")
            values = {key: cells[i].strip() for i, key in mapping.items() if i < len(cells)}
            if any(values.values()):
                yield SheetRow(number, values)
    except csv.Error as exc:
        raise InvalidInput(f"{path.name}: dòng {reader.line_num}: CSV sai cú pháp: {exc}", field="file") from exc
    if mapping is None:
        raise InvalidInput(f"{path.name}: tệp trống.", field="file")


def read_people_file(path: Path) -> Iterator[SheetRow]:
    if not path.is_file():
        raise InvalidInput(f"Không có tệp {path}.", field="file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return read_csv(path)
    raise InvalidInput(f"{path.name}: chỉ nhận tệp .xlsx hoặc .csv.", field="file")
