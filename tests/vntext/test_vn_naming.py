"""Mailbox local parts from names, collisions, reserved names and validation."""

from itertools import islice

import pytest

from congvu.errors import InvalidInput
from congvu.vntext.naming import (
    RESERVED_LOCAL_PARTS,
    NamingPattern,
    is_reserved,
    local_part_candidates,
    to_ascii_slug,
    validate_local_part,
)


def first(name: str, pattern: NamingPattern | str, n: int = 6, suffix: str | None = None) -> list[str]:
    return list(islice(local_part_candidates(name, pattern, suffix=suffix), n))


def test_slug() -> None:
    assert to_ascii_slug("Trần Văn Vinh") == "tranvanvinh"
    assert to_ascii_slug("Đỗ Minh Đức") == "dominhduc"
    assert to_ascii_slug("Sở TT&TT") == "sotttt"
    assert to_ascii_slug("K'Bé H'Hen Niê") == "kbehhennie"
    assert to_ascii_slug("Phòng 2 — UBND") == "phong2ubnd"
    assert to_ascii_slug("中文") == ""


@pytest.mark.parametrize(
    ("pattern", "plain"),
    [
        (NamingPattern.GIVEN_INITIALS, "vinhtv"),
        (NamingPattern.INITIALS_GIVEN, "tvvinh"),
        (NamingPattern.GIVEN_DOT_INITIALS, "vinh.tv"),
        (NamingPattern.FULL, "tranvanvinh"),
        (NamingPattern.FAMILY_GIVEN, "tranvinh"),
    ],
)
def test_patterns_for_tran_van_vinh(pattern: NamingPattern, plain: str) -> None:
    assert first("Trần Văn Vinh", pattern, 1) == [plain]
    assert first("Trần Văn Vinh", pattern.value, 1) == [plain]


def test_default_pattern_on_several_names() -> None:
    assert first("Nguyễn Thị Ngọc Ánh", NamingPattern.GIVEN_INITIALS, 1) == ["anhntn"]
    assert first("Đỗ Minh Đức", NamingPattern.GIVEN_INITIALS, 1) == ["ducdm"]
    assert first("Đặng Thị Duy Lan", NamingPattern.INITIALS_GIVEN, 1) == ["dtdlan"]
    assert first("Lê Thị Minh Hiền", NamingPattern.INITIALS_GIVEN, 1) == ["ltmhien"]
    assert first("Đào Huyền Trinh", NamingPattern.FULL, 1) == ["daohuyentrinh"]
    assert first("  ĐINH   đức  ", NamingPattern.GIVEN_INITIALS, 1) == ["ducd"]


def test_one_word_names() -> None:
    for pattern in NamingPattern:
        assert first("Bảy", pattern, 3) == ["bay", "bay2", "bay3"]
        assert first("K'Bé", pattern, 2, suffix="ubhgt") == ["kbe", "kbe.ubhgt"]


def test_collision_sequence_without_and_with_suffix() -> None:
    assert first("Trần Văn Vinh", NamingPattern.GIVEN_INITIALS, 5) == [
        "vinhtv", "vinhtvan", "vinhtv2", "vinhtv3", "vinhtv4",
    ]
    assert first("Trần Văn Vinh", NamingPattern.GIVEN_INITIALS, 5, suffix="Sở TT&TT") == [
        "vinhtv", "vinhtvan", "vinhtv.sotttt", "vinhtv2", "vinhtv3",
    ]
    assert first("Trần Văn Vinh", NamingPattern.INITIALS_GIVEN, 4, suffix="stttt") == [
        "tvvinh", "tvanvinh", "tvvinh.stttt", "tvvinh2",
    ]
    assert first("Nguyễn Thị Ngọc Ánh", NamingPattern.GIVEN_DOT_INITIALS, 4) == [
        "anh.ntn", "anh.ntngoc", "anh.ntn2", "anh.ntn3",
    ]
    assert first("Nguyễn Thị Ngọc Ánh", NamingPattern.FAMILY_GIVEN, 3) == [
        "nguyenanh", "nguyenngocanh", "nguyenanh2",
    ]
    assert first("Lê Bình", NamingPattern.FULL, 3, suffix="") == ["lebinh", "lebinh2", "lebinh3"]


def test_candidates_are_deterministic_distinct_and_valid() -> None:
    names = [
        "Trần Văn Vinh", "Bảy", "Đỗ Minh Đức", "Công Tằng Tôn Nữ Thị Phương Thảo Nguyên Hạnh Dung Hoàng Lan",
        "Nguyễn " + "Văn " * 30 + "An", "H'Hen Niê",
    ]
    for name in names:
        for pattern in NamingPattern:
            got = first(name, pattern, 300, suffix="ubnd-tinh-dong-nai-rat-dai")
            assert got == first(name, pattern, 300, suffix="ubnd-tinh-dong-nai-rat-dai")
            assert len(set(got)) == len(got)
            for local in got:
                assert validate_local_part(local) == local
                assert len(local) <= 64
                assert not is_reserved(local)


def test_very_long_name() -> None:
    name = "Công Tằng Tôn Nữ Thị Phương Thảo Nguyên Hạnh Dung Hoàng Lan Chi"
    assert first(name, NamingPattern.GIVEN_INITIALS, 1) == ["chicttntptnhdhl"]
    full = first(name, NamingPattern.FULL, 3, suffix="Ủy ban nhân dân tỉnh Đồng Nai")
    assert full == [
        "congtangtonnuthiphuongthaonguyenhanhdunghoanglan",  # cut to 48 characters
        "congtangtonnuthiphuongthaonguyenhanhdunghoanglan.uybannhandantin",  # suffix cut to 15
        "congtangtonnuthiphuongthaonguyenhanhdunghoanglan2",
    ]


def test_reserved_names_are_skipped() -> None:
    assert first("Admin", NamingPattern.GIVEN_INITIALS, 2) == ["admin2", "admin3"]
    assert first("Info", NamingPattern.GIVEN_INITIALS, 2, suffix="snv") == ["info.snv", "info2"]


def test_is_reserved() -> None:
    required = (
        "postmaster", "abuse", "admin", "administrator", "hostmaster", "webmaster", "root", "noreply",
        "no-reply", "mailer-daemon", "security", "support", "info", "vanthu", "vanphong", "lanhdao", "bounce",
        "dmarc", "tlsrpt", "mta-sts", "autoconfig", "autodiscover", "www", "mail", "smtp", "imap",
    )
    for name in required:
        assert name in RESERVED_LOCAL_PARTS
        assert is_reserved(name)
    assert is_reserved("PostMaster")
    assert is_reserved("owner-canbo")
    assert is_reserved("canbo-request")
    assert not is_reserved("vinhtv")


def test_validate_local_part() -> None:
    assert validate_local_part(" VinhTV ") == "vinhtv"
    assert validate_local_part("tvvinh.stttt") == "tvvinh.stttt"
    assert validate_local_part("motcua-snv") == "motcua-snv"
    assert validate_local_part("a_b") == "a_b"
    assert validate_local_part("x" * 64) == "x" * 64


@pytest.mark.parametrize(
    ("local", "reason"),
    [
        ("", "trống"),
        ("vinh tv", "ký tự « »"),
        ("vĩnh", "ký tự «ĩ»"),
        ("vinh+tag", "ký tự «+»"),
        ("a@b", "ký tự «@»"),
        (".vinh", "dấu chấm"),
        ("vinh.", "dấu chấm"),
        ("vinh..tv", "hai dấu chấm"),
        ("-vinh", "gạch ngang"),
        ("x" * 65, "64"),
    ],
)
def test_validate_local_part_rejects(local: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_local_part(local)
    assert reason in str(caught.value)
    assert caught.value.field == "address"


def test_name_without_latin_letters() -> None:
    with pytest.raises(InvalidInput):
        local_part_candidates("中文名", NamingPattern.GIVEN_INITIALS)
    assert first("Nguyễn Văn 王", NamingPattern.GIVEN_INITIALS, 1) == ["vann"]
