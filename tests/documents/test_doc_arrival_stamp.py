"""The ĐẾN stamp: registration draws it on a copy of the main PDF as an incremental update; the file as received
(and its signatures) stays as it was; a PDF that cannot be stamped still registers, with a warning."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

from docmaterial import cong_van, make_authority, make_pdf
from pyhanko.pdf_utils.generic import StreamObject
from pyhanko.pdf_utils.reader import PdfFileReader
from test_doc_arrival import foreign_package

from congvu.documents.arrival_stamp import FONT_CANDIDATES, ArrivalStamp, agency_line, find_font, stamp_pdf
from congvu.documents.models import FileView, IncomingEntry
from congvu.documents.service import DocumentService
from congvu.documents.signatures import load_certificates, verify_pdf_signatures

HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """Glyph id → text from a ToUnicode CMap (bfchar and bfrange, both forms of the latter)."""
    found: dict[int, str] = {}

    def text(hexes: bytes) -> str:
        return bytes.fromhex(hexes.decode()).decode("utf-16-be")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            found[int(src, 16)] = text(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, rest in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", block):
            low, high = int(lo, 16), int(hi, 16)
            if rest.startswith(b"["):
                for i, dst in enumerate(HEX.findall(rest)):
                    found[low + i] = text(dst)
            else:
                first = int(rest[1:-1], 16)
                for i in range(high - low + 1):
                    found[low + i] = chr(first + i)
    return found


def stamp_text(pdf: bytes) -> list[str]:
    """The lines drawn by the stamp, read back through the glyph ids of the embedded font's ToUnicode map."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    forms = [v.get_object() for k, v in page["/Resources"]["/XObject"].items() if k.startswith("/Stamp")]
    assert len(forms) == 1
    form = forms[0]
    assert isinstance(form, StreamObject)
    font = form["/Resources"]["/Font"]["/F1"].get_object()
    glyphs = _to_unicode(font["/ToUnicode"].get_object().data)
    lines = []
    for array in re.findall(rb"\[([^\]]*)\]\s*TJ", form.data):
        codes = b"".join(HEX.findall(array)).decode()
        lines.append("".join(glyphs[int(codes[i:i + 4], 16)] for i in range(0, len(codes), 4)))
    return lines


def stamped_file(entry: IncomingEntry) -> FileView:
    found = [f for f in entry.files if f.role == "stamped"]
    assert len(found) == 1
    return found[0]


def test_registration_keeps_a_stamped_copy_after_the_original_bytes(docs: DocumentService) -> None:
    docs.issue(cong_van())
    entry, = docs.incoming.list("H19.04")
    registered = docs.register(entry.id)
    detail = docs.incoming.get(entry.id)
    main = next(f for f in detail.files if f.role == "main")
    copy = stamped_file(detail)
    original, stamped = docs.ctx.blobs.get(main.sha256), docs.ctx.blobs.get(copy.sha256)
    assert copy.content_type == "application/pdf" and copy.name.endswith("-den-1.pdf") and copy.size == len(stamped)
    assert stamped[:len(original)] == original and len(stamped) > len(original)  # an incremental update
    assert len(PdfFileReader(io.BytesIO(stamped), strict=False).root["/Pages"]["/Kids"]) == 1
    day = (registered.arrival_date or date.min).strftime("%d/%m/%Y")
    assert stamp_text(stamped) == ["SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "ĐẾN   Số: 1", f"Ngày: {day}", "Chuyển:",
                                   "Số và ký hiệu HS: ……"]
    assert detail.warnings == entry.warnings

    docs.assign(entry.id, to_unit="Phòng Bưu chính")
    again = docs.incoming.get(entry.id)
    newest = stamped_file(again)  # only the newest stamped copy is kept
    assert newest.sha256 != copy.sha256
    assert stamp_text(docs.ctx.blobs.get(newest.sha256))[3] == "Chuyển: Phòng Bưu chính"
    assert [f.role for f in again.files] == ["main", "stamped"]


def test_signed_original_still_verifies_and_the_copy_shows_the_later_change(docs: DocumentService) -> None:
    ca = make_authority()
    docs.profiles.set_signing_key("H19.01", ca.issue_pkcs12("Văn phòng UBND tỉnh Đồng Nai", "UBND tỉnh Đồng Nai"),
                                  b"matkhau")
    docs.trust.add(ca.pem, name="CA thử nghiệm")
    assert docs.issue(cong_van()).signed
    entry, = docs.incoming.list("H19.04")
    docs.register(entry.id)
    detail = docs.incoming.get(entry.id)
    main = next(f for f in detail.files if f.role == "main")
    roots = load_certificates([ca.pem])
    signed, = verify_pdf_signatures(docs.ctx.blobs.get(main.sha256), roots)
    assert signed.ok and signed.covers_whole_file
    on_copy, = verify_pdf_signatures(docs.ctx.blobs.get(stamped_file(detail).sha256), roots)
    assert on_copy.intact and on_copy.valid and not on_copy.covers_whole_file  # the stamp came after signing
    signature, = detail.signatures  # the entry's signatures are those of the file as received
    assert signature.file == main.name and signature.covers_whole_file and detail.signature_summary == "trusted"


def test_a_pdf_that_cannot_be_stamped_still_registers_with_a_warning(docs: DocumentService) -> None:
    pdf = make_pdf("Khanh Hoa")
    broken = pdf.replace(b"/Kids [3 0 R]", b"/Kids [     ]")  # the page tree counts a page it does not list
    assert broken != pdf and len(broken) == len(pdf)
    arrival = docs.receive(foreign_package(files=(("cv.pdf", broken),)), transport="file")
    entry, = arrival.entries
    registered = docs.register(entry.id)
    assert registered.arrival_number == 1 and registered.status == "03"
    detail = docs.incoming.get(entry.id)
    assert [f.role for f in detail.files] == ["main"]
    assert any("Không đóng được dấu Đến" in w for w in detail.warnings)
    docs.assign(entry.id, to_unit="Văn phòng Sở")  # no second copy of the same warning
    assert sum("Không đóng được dấu Đến" in w for w in docs.incoming.get(entry.id).warnings) == 1


def test_no_truetype_font_falls_back_to_plain_letters(tmp_path: Path) -> None:
    pdf = make_pdf()
    stamped = stamp_pdf(pdf, ArrivalStamp("Sở Nội vụ", 7, date(2026, 3, 6), "Phòng Tổ chức"), font=None)
    assert stamped.startswith(pdf)
    tail = stamped[len(pdf):]
    for text in (b"(SO NOI VU)", b"(DEN   So\\072 7)", b"(Ngay\\072 06\\05703\\0572026)",
                 b"(Chuyen\\072 Phong To chuc)"):
        assert text in tail
    damaged = tmp_path / "hong.ttf"
    damaged.write_bytes(b"\x00\x01\x00\x00 not a font")
    assert b"(DEN   So\\072 8)" in stamp_pdf(pdf, ArrivalStamp("Sở Nội vụ", 8, date(2026, 3, 6)), font=damaged)
    assert find_font(tmp_path / "khong-co.ttf", candidates=()) is None
    assert find_font(tmp_path / "khong-co.ttf") == next((p for p in FONT_CANDIDATES if p.is_file()), None)


def test_long_agency_names_are_shortened() -> None:
    assert agency_line("Ủy ban nhân dân huyện Thống Nhất") == "ỦY BAN NHÂN DÂN HUYỆN THỐNG NHẤT"
    assert agency_line("Văn phòng Ủy ban nhân dân tỉnh Đồng Nai") == "VĂN PHÒNG UBND TỈNH ĐỒNG NAI"
    long = agency_line("Ban Quản lý các khu công nghiệp và khu kinh tế tỉnh Đồng Nai")
    assert long.endswith("…") and len(long) <= 42
