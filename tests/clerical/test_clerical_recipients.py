"""The "Nơi nhận" block: parsing the seeds' blocks, formatting back (NĐ 30/2020 Phụ lục I, Phụ lục III)."""

from pathlib import Path

import pytest

from congvu.clerical.recipients import (
    EntryKind,
    Purpose,
    RecipientBlock,
    RecipientEntry,
    extract_recipient_block,
    format_recipients,
    parse_entry,
    parse_purpose,
    parse_recipients,
)

SEEDS = Path("/work/shared/seeds")


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.fixture(params=["000", "001", "002", "003", "004"])
def seed_block(request):
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available")
    return request.param, extract_recipient_block(_seed(request.param))


def test_every_seed_has_a_block_ending_with_the_archive_line(seed_block):
    _, text = seed_block
    block = parse_recipients(text)
    assert block.entries[-1].kind is EntryKind.ARCHIVE
    assert block.archive.archive_units[0] == "VT"
    assert all(e.label for e in block.entries)


def test_seed_000_block():
    block = parse_recipients(extract_recipient_block(_seed("000")))
    assert [e.kind for e in block.entries] == [
        EntryKind.AS_ABOVE,
        EntryKind.TEXT,
        EntryKind.GROUP,
        EntryKind.GROUP,
        EntryKind.ARCHIVE,
    ]
    report = block.entries[1]
    assert (report.label, report.purpose, report.purpose_text) == (
        "TT, Tỉnh ủy, HĐND tỉnh",
        Purpose.REPORT,
        "b/c",
    )
    assert block.archive.archive_units == ("VT", "TH (TTTH)")
    assert block.format() == (
        "Nơi nhận:\n- Như trên;\n- TT, Tỉnh ủy, HĐND tỉnh (b/c);\n- CT, các Phó CT UBND;\n"
        "- Các Ban Đảng và Đoàn thể;\n- Lưu: VT, TH (TTTH)."
    )


def test_seed_001_block_reads_markdown_heading_and_abbreviated_purpose():
    block = parse_recipients(extract_recipient_block(_seed("001")))
    assert len(block.entries) == 11
    assert block.entries[0].label == "Bộ TT&TT"
    assert block.entries[0].purpose is Purpose.REPORT
    assert block.entries[0].purpose_text == "b/cáo"
    assert block.archive.archive_units == ("VT", "K9")


def test_seed_002_archive_without_colon():
    block = parse_recipients(extract_recipient_block(_seed("002")))
    assert block.archive.archive_units == ("VT", "TH(TTTH)")
    assert block.entries[1].label == "TT. Tỉnh ủy, HĐND tỉnh"


def test_seed_003_quoted_purpose_and_emails():
    block = parse_recipients(extract_recipient_block(_seed("003")))
    first = block.entries[0]
    assert (first.label, first.purpose) == ("TT.TU, TT.HĐND tỉnh", Purpose.REPORT)
    emails = [e.email for e in block.entries if e.email]
    assert emails == ["stt@longan.gov.vn", "skhdt@longan.gov.vn", "snv@longan.gov.vn", "stclongan@mof.gov.vn"]
    assert block.archive.archive_units == ("VT", "Nh")


def test_seed_004_execute_purpose():
    block = parse_recipients(extract_recipient_block(_seed("004")))
    executing = [e.label for e in block.entries if e.purpose is Purpose.EXECUTE]
    assert executing == ["Các sở, ban, ngành thuộc tỉnh", "UBND các huyện, thị xã, thành phố"]
    assert [e.purpose_text for e in block.entries if e.purpose is Purpose.EXECUTE] == ["để thực hiện"] * 2
    assert block.archive.archive_units == ("VT", "chuyên viên các phòng", "VHXH")


def test_block_round_trips_through_its_printed_form(seed_block):
    _, text = seed_block
    block = parse_recipients(text)
    assert parse_recipients(block.format()) == block


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("để báo cáo", Purpose.REPORT),
        ("b/c", Purpose.REPORT),
        ("(b/cáo)", Purpose.REPORT),
        ("báo cáo", Purpose.REPORT),
        ("để thực hiện", Purpose.EXECUTE),
        ("t/h", Purpose.EXECUTE),
        ("để biết", Purpose.INFORM),
        ("để phối hợp", Purpose.COORDINATE),
        ("chỉ đạo", Purpose.DIRECT),
        ("TTTH", None),
        ("TH", None),
        ("stt@longan.gov.vn", None),
    ],
)
def test_purposes(text, purpose):
    assert parse_purpose(text) is purpose


def test_as_above_variants_and_archive_with_copies():
    assert parse_entry("- Như Điều 3;").kind is EntryKind.AS_ABOVE
    entry = parse_entry("- Lưu: VT, CVL (2b).")
    assert (entry.archive_units, entry.archive_copies) == (("VT", "CVL"), 2)
    assert parse_entry("- Lưu trữ lịch sử tỉnh;").kind is EntryKind.TEXT


def test_agency_codes_written_in_lines():
    assert parse_entry("- Sở Tài chính (000.00.11.H53);").agency_code == "000.00.11.H53"
    assert parse_entry("- Văn phòng Chính phủ [G22] (để báo cáo);").agency_code == "G22"
    assert parse_entry("- Sở Tài chính (TC);").agency_code is None


def test_wrapped_lines_are_joined_and_kinh_gui_heading_accepted():
    block = parse_recipients("Kính gửi:\n- Giám đốc các Sở,\nBan ngành;\n- Chủ tịch UBND các huyện.")
    assert [e.label for e in block.entries] == ["Giám đốc các Sở, Ban ngành", "Chủ tịch UBND các huyện"]
    inline = parse_recipients("Kính gửi: Sở Tài chính tỉnh Tây Ninh.")
    assert inline.entries[0].label == "Sở Tài chính tỉnh Tây Ninh"


def test_built_block_formats_as_the_decree_shows():
    block = RecipientBlock(
        (
            RecipientEntry.as_above(),
            RecipientEntry.agency("000.00.00.G22", "Văn phòng Chính phủ", Purpose.REPORT),
            RecipientEntry.group("so-ban-nganh", "Các sở, ban, ngành", Purpose.EXECUTE),
            RecipientEntry.text("Cổng thông tin điện tử tỉnh"),
            RecipientEntry.archive(("VT", "TTTH"), copies=2),
        )
    )
    assert format_recipients(block) == (
        "Nơi nhận:\n- Như trên;\n- Văn phòng Chính phủ (để báo cáo);\n- Các sở, ban, ngành (để thực hiện);\n"
        "- Cổng thông tin điện tử tỉnh;\n- Lưu: VT, TTTH (02b)."
    )
    assert block.agency_codes == ("000.00.00.G22",)
    reread = parse_recipients(block.format())
    assert reread.archive.archive_copies == 2
    assert reread.entries[1].purpose is Purpose.REPORT


def test_no_block_in_a_document_without_one():
    assert extract_recipient_block("CHỈ THỊ\nNội dung.") is None
