"""Agency codes, QCVN 102:2016 and QĐ 20/2020/QĐ-TTg forms: research test vectors §8.4."""

import pytest

from congvu.clerical.agency_codes import (
    is_agency_code,
    is_descendant_code,
    parent_code,
    parse_agency_code,
    validate_agency_code,
)
from congvu.errors import InvalidInput


@pytest.mark.parametrize(
    ("code", "level1", "groups", "depth"),
    [
        ("000.00.00.G22", "G22", (), 1),
        ("000.00.00.H41", "H41", (), 1),
        ("000.00.11.H53", "H53", ("11",), 2),
        ("000.12.30.A36", "A36", ("30", "12"), 3),
        ("001.12.30.A36", "A36", ("30", "12", "001"), 4),
    ],
)
def test_old_form_reads_right_to_left(code, level1, groups, depth):
    parsed = parse_agency_code(code)
    assert (parsed.form, parsed.level1, parsed.groups, parsed.depth) == ("qcvn102", level1, groups, depth)


@pytest.mark.parametrize(
    ("code", "level1", "groups"),
    [("H53", "H53", ()), ("H37.DN.001", "H37", ("DN", "001")), ("G22.01", "G22", ("01",))],
)
def test_new_form_reads_left_to_right(code, level1, groups):
    parsed = parse_agency_code(code)
    assert (parsed.form, parsed.level1, parsed.groups, parsed.depth) == (
        "qd20",
        level1,
        groups,
        1 + len(groups),
    )


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("h53.11", "chữ in hoa"),
        ("000.00.00.Z22", "A–Y"),
        ("Z01", "A–Y"),
        ("H5", "hai chữ số"),
        ("H53..11", "nhóm rỗng"),
        ("H53.Đ1", "chữ A–Z"),
        ("H53." + "1" * 32, "35"),
        ("", "rỗng"),
    ],
)
def test_invalid_codes_give_a_vietnamese_reason(code, reason):
    with pytest.raises(InvalidInput) as caught:
        parse_agency_code(code)
    assert reason in caught.value.message
    assert caught.value.field == "agency_code"
    assert not is_agency_code(code)


def test_validate_upper_cases_and_strips():
    assert validate_agency_code("  h53.11 ") == "H53.11"
    assert validate_agency_code("000.00.11.h53") == "000.00.11.H53"
    with pytest.raises(InvalidInput):
        validate_agency_code("z01")


def test_thirty_five_characters_is_the_limit():
    code = "H53." + "1" * 31
    assert len(code) == 35 and is_agency_code(code)


def test_level1_class_as_reported():
    assert parse_agency_code("000.00.00.G22").level1_class.startswith("Bộ")
    assert parse_agency_code("H53").level1_class == "Ủy ban nhân dân cấp tỉnh"


def test_parent_codes():
    assert parent_code("000.12.30.A36") == "000.00.30.A36"
    assert parent_code("000.00.11.H53") == "000.00.00.H53"
    assert parent_code("000.00.00.H53") is None
    assert parent_code("H37.DN.001") == "H37.DN"
    assert parent_code("H37") is None


def test_descendants_within_one_form():
    assert is_descendant_code("000.00.11.H53", "000.00.00.H53")
    assert is_descendant_code("000.12.30.A36", "000.00.00.A36")
    assert not is_descendant_code("000.00.11.H53", "000.00.00.H54")
    assert not is_descendant_code("000.00.00.H53", "000.00.00.H53")
    assert is_descendant_code("000.00.00.H53", "000.00.00.H53", include_self=True)
    assert is_descendant_code("H37.DN.001", "H37")
    assert not is_descendant_code("H37", "H37.DN")
    assert not is_descendant_code("000.00.11.H53", "H53")  # different forms: only the directory knows
