"""Số, ký hiệu (NĐ 30/2020 Phụ lục I I.3) and DocumentId (QCVN 102:2016): research test vectors §8.3, §8.5."""

from datetime import date

import pytest

from congvu.clerical.numbering import (
    DocumentId,
    compose_document_id,
    compose_number,
    format_ordinal,
    parse_document_id,
    parse_number,
)
from congvu.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "number", "type_abbr", "org", "unit"),
    [
        ("6806/UBND-TTTH", 6806, None, "UBND", "TTTH"),
        ("07/CT-UBND", 7, "CT", "UBND", None),
        ("15/QĐ-BNV", 15, "QĐ", "BNV", None),
        ("05/BNV-VP", 5, None, "BNV", "VP"),
        ("12/UBND-VX", 12, None, "UBND", "VX"),
        ("01/TTr-UBND", 1, "TTr", "UBND", None),
        ("30191/TB-SNNMT-BTTĐC", 30191, "TB", "SNNMT", "BTTĐC"),
        ("05/SY-UBND", 5, "SY", "UBND", None),
    ],
)
def test_research_vectors_valid(text, number, type_abbr, org, unit):
    parsed = parse_number(text, strict=True)
    assert (parsed.number, parsed.type_abbr, parsed.org, parsed.unit) == (number, type_abbr, org, unit)
    assert parsed.text == text
    assert parsed.year is None


@pytest.mark.parametrize(
    "text", ["7/QĐ-UBND", "007/QĐ-UBND", "07 / QĐ - UBND", "07/QĐ", "QĐ-UBND", "0/QĐ-UBND"]
)
def test_research_vectors_invalid_in_strict_mode(text):
    with pytest.raises(InvalidInput) as caught:
        parse_number(text, strict=True)
    assert "không hợp lệ" in caught.value.message
    assert caught.value.field == "number"


def test_legal_normative_number_is_recognised():
    parsed = parse_number("30/2020/NĐ-CP", strict=True)
    assert (parsed.number, parsed.year, parsed.type_abbr, parsed.org) == (30, 2020, "NĐ", "CP")
    assert parsed.is_legal_normative
    assert parsed.doc_type is None
    assert parsed.text == "30/2020/NĐ-CP"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("07 /CT-CTUBND", "07/CT-CTUBND"),  # seed 001
        ("Số: 9459 /UBND-TTTH", "9459/UBND-TTTH"),  # seed 002
        ("Số:1468/UBND-VHXH", "1468/UBND-VHXH"),  # seed 004
        ("Số: 6806/UBND-TTTH", "6806/UBND-TTTH"),  # seed 000
        ("7/QĐ-UBND", "07/QĐ-UBND"),
        ("007/QĐ-UBND", "07/QĐ-UBND"),
        ("07 / QĐ - UBND", "07/QĐ-UBND"),
        ("12/UBND\u2013VX", "12/UBND-VX"),
    ],
)
def test_tolerant_mode_reads_what_is_seen_in_the_wild(text, canonical):
    assert parse_number(text).text == canonical


def test_seed_numbers_are_classified():
    assert parse_number("07 /CT-CTUBND").doc_type.code == "chi_thi"
    assert parse_number("Số: 9459 /UBND-TTTH").doc_type is None


def test_notation_splits_for_edxml_code():
    parsed = parse_number("6806/UBND-TTTH")
    assert (parsed.number_text, parsed.notation) == ("6806", "UBND-TTTH")
    assert parse_number("05/QĐ-STTTT-VP").notation == "QĐ-STTTT-VP"


def test_vietnamese_letters_beyond_dbar_in_groups():
    assert parse_number("2125/BTTTT-ƯDCNTT", strict=True).unit == "ƯDCNTT"


def test_type_hint_resolves_ambiguous_first_group():
    # An agency abbreviated "TC" writing a công văn: without the hint it would read as a Thông cáo.
    assert parse_number("12/TC-VP").type_abbr == "TC"
    as_letter = parse_number("12/TC-VP", doc_type="cong_van")
    assert (as_letter.type_abbr, as_letter.org, as_letter.unit) == (None, "TC", "VP")
    with pytest.raises(InvalidInput):
        parse_number("12/UBND-VP", doc_type="quyet_dinh")


@pytest.mark.parametrize(
    ("n", "text"), [(1, "01"), (5, "05"), (9, "09"), (10, "10"), (99, "99"), (6806, "6806")]
)
def test_zero_padding_only_below_ten(n, text):
    assert format_ordinal(n) == text


@pytest.mark.parametrize("bad", [0, -1, True, 1.0])
def test_ordinal_must_be_positive_integer(bad):
    with pytest.raises(InvalidInput):
        format_ordinal(bad)


def test_compose_number_for_each_form():
    assert compose_number(6806, doc_type="cong_van", org="UBND", unit="TTTH") == "6806/UBND-TTTH"
    assert compose_number(7, doc_type="chi_thi", org="UBND") == "07/CT-UBND"
    assert compose_number(5, doc_type="quyet_dinh", org="STTTT", unit="VP") == "05/QĐ-STTTT-VP"
    assert compose_number(15, doc_type="QĐ", org="BNV") == "15/QĐ-BNV"
    assert compose_number(1, doc_type="to_trinh", org="UBND") == "01/TTr-UBND"
    assert compose_number(3, doc_type="ban_sao_y", org="UBND") == "03/SY-UBND"
    assert compose_number(30191, doc_type="thong_bao", org="SNNMT", unit="BTTĐC") == "30191/TB-SNNMT-BTTĐC"


def test_compose_refuses_spaces_missing_unit_and_bad_numbers():
    with pytest.raises(InvalidInput):
        compose_number(1, doc_type="cong_van", org="UBND")
    with pytest.raises(InvalidInput):
        compose_number(1, doc_type="chi_thi", org="UB ND")
    with pytest.raises(InvalidInput):
        compose_number(1, doc_type="chi_thi", org="UBND-VP")
    with pytest.raises(InvalidInput):
        compose_number(0, doc_type="chi_thi", org="UBND")


def test_composed_numbers_parse_back_strictly():
    for n in (1, 9, 10, 123):
        text = compose_number(n, doc_type="ke_hoach", org="UBND", unit="VX")
        parsed = parse_number(text, strict=True)
        assert (parsed.number, parsed.type_abbr, parsed.unit) == (n, "KH", "VX")


def test_document_id_vector():
    key = parse_document_id("000.00.11.H53,2020/10/30,2491/STC-BCTC")
    assert (key.organ_id, key.date_text, key.code_number, key.code_notation) == (
        "000.00.11.H53",
        "2020/10/30",
        "2491",
        "STC-BCTC",
    )
    assert key.promulgation_date == date(2020, 10, 30)
    assert key.code == "2491/STC-BCTC"
    assert str(key) == "000.00.11.H53,2020/10/30,2491/STC-BCTC"


def test_document_id_with_impossible_date_is_still_a_key():
    key = parse_document_id("000.00.00.G22,2014/02/30,7806/VPCP-TTĐT")
    assert key.promulgation_date is None
    assert key.text == "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"


@pytest.mark.parametrize(
    "bad",
    ["", "000.00.11.H53", "000.00.11.H53,30/10/2020,2491/STC-BCTC", "000.00.11.H53,2020/10/30,STC-BCTC"],
)
def test_malformed_document_id(bad):
    with pytest.raises(InvalidInput):
        parse_document_id(bad)


def test_compose_document_id():
    assert compose_document_id("000.00.11.H53", date(2020, 10, 30), "2491", "STC-BCTC") == (
        "000.00.11.H53,2020/10/30,2491/STC-BCTC"
    )
    assert DocumentId.compose("H53", date(2025, 1, 2), 7, "CT-UBND").text == "H53,2025/01/02,07/CT-UBND"
    with pytest.raises(InvalidInput):
        compose_document_id("H53", date(2025, 1, 2), "7a", "CT-UBND")
