"""Document types and abbreviations of NĐ 30/2020 Điều 7 and Phụ lục III."""

import pytest

from congvu.clerical.doctypes import (
    ADMINISTRATIVE_TYPES,
    COPY_FORMS,
    find_by_abbreviation,
    resolve_type,
    type_by_abbreviation,
    type_by_code,
    type_by_name,
)
from congvu.errors import NotFound

# Phụ lục III, exact case.
OFFICIAL = {
    "Nghị quyết": "NQ",
    "Quyết định": "QĐ",
    "Chỉ thị": "CT",
    "Quy chế": "QC",
    "Quy định": "QyĐ",
    "Thông cáo": "TC",
    "Thông báo": "TB",
    "Hướng dẫn": "HD",
    "Chương trình": "CTr",
    "Kế hoạch": "KH",
    "Phương án": "PA",
    "Đề án": "ĐA",
    "Dự án": "DA",
    "Báo cáo": "BC",
    "Biên bản": "BB",
    "Tờ trình": "TTr",
    "Hợp đồng": "HĐ",
    "Công văn": None,
    "Công điện": "CĐ",
    "Bản ghi nhớ": "BGN",
    "Bản thỏa thuận": "BTT",
    "Giấy ủy quyền": "GUQ",
    "Giấy mời": "GM",
    "Giấy giới thiệu": "GGT",
    "Giấy nghỉ phép": "GNP",
    "Phiếu gửi": "PG",
    "Phiếu chuyển": "PC",
    "Phiếu báo": "PB",
    "Thư công": None,
}


def test_twenty_nine_administrative_types_with_official_abbreviations():
    assert len(ADMINISTRATIVE_TYPES) == 29
    assert {t.name: t.abbreviation for t in ADMINISTRATIVE_TYPES} == OFFICIAL


@pytest.mark.parametrize(("name", "abbr"), [(n, a) for n, a in OFFICIAL.items() if a])
def test_every_abbreviation_finds_its_type(name, abbr):
    assert type_by_abbreviation(abbr).name == name


def test_copy_forms():
    assert [(c.abbreviation, c.is_copy) for c in COPY_FORMS] == [("SY", True), ("TrS", True), ("SL", True)]
    assert type_by_abbreviation("TrS").code == "ban_trich_sao"


def test_machine_codes_are_unique_and_stable():
    codes = [t.code for t in ADMINISTRATIVE_TYPES + COPY_FORMS]
    assert len(codes) == len(set(codes))
    assert type_by_code("cong_van").name == "Công văn"
    assert type_by_code("quyet_dinh").abbreviation == "QĐ"
    assert type_by_code("cong_van").edxml_type == 1


def test_abbreviations_are_case_sensitive_unless_lenient():
    assert find_by_abbreviation("TTR") is None
    assert find_by_abbreviation("TTR", strict=False).code == "to_trinh"
    assert find_by_abbreviation("QYĐ", strict=False).code == "quy_dinh"
    assert find_by_abbreviation("qđ", strict=False).code == "quyet_dinh"


def test_d_and_dbar_stay_distinct():
    assert type_by_abbreviation("ĐA").code == "de_an"
    assert type_by_abbreviation("DA").code == "du_an"
    assert type_by_abbreviation("HĐ").code == "hop_dong"
    assert type_by_abbreviation("HD").code == "huong_dan"
    assert find_by_abbreviation("ĐA", strict=False).code == "de_an"


def test_eth_lookalike_is_read_as_dbar():
    assert type_by_abbreviation("Q\u00d0").code == "quyet_dinh"


def test_legacy_2011_abbreviations_only_when_lenient():
    assert find_by_abbreviation("UQ") is None
    assert find_by_abbreviation("UQ", strict=False).code == "giay_uy_quyen"
    assert find_by_abbreviation("GN", strict=False).code == "ban_ghi_nho"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Quyết định", "quyet_dinh"),
        ("QUYẾT ĐỊNH", "quyet_dinh"),
        ("quyet dinh", "quyet_dinh"),
        ("Nghị quyết (cá biệt)", "nghi_quyet"),
        ("Bản thoả thuận", "ban_thoa_thuan"),  # tone mark on the other vowel
        ("Giấy uỷ quyền", "giay_uy_quyen"),
        ("  công   văn ", "cong_van"),
        ("Sao y bản chính", "ban_sao_y"),
    ],
)
def test_lookup_by_name_ignores_case_diacritics_and_tone_placement(text, code):
    assert type_by_name(text).code == code


def test_unknown_lookups_raise_not_found():
    with pytest.raises(NotFound):
        type_by_name("Nghị định")
    with pytest.raises(NotFound):
        type_by_code("nghi_dinh")
    with pytest.raises(NotFound):
        type_by_abbreviation("NĐ")


def test_resolve_accepts_code_abbreviation_name_or_record():
    qd = type_by_code("quyet_dinh")
    assert resolve_type("quyet_dinh") is qd
    assert resolve_type("QĐ") is qd
    assert resolve_type("Quyết định") is qd
    assert resolve_type(qd) is qd
